package dev.custos.scenario;

import java.util.List;
import java.util.Objects;

/**
 * The attacker: where it starts, its playbook, how visible it is, and extra alerts. Guarantees at least one step. That
 * every host and account it names is declared is the {@link Scenario}'s guarantee. Immutable.
 *
 * @param start the host it holds at the start
 * @param steps the playbook, in order
 * @param detection how its steps are noticed; {@link Detection#DEFAULT} unless stated
 * @param alerts extra alerts, in file order; none unless stated
 */
public record Attacker(String start, List<AttackStep> steps, Detection detection, List<Alert> alerts) {

  public Attacker {
    Names.requireName(start, "the attacker's start");
    steps = List.copyOf(steps);
    Objects.requireNonNull(detection, "detection");
    alerts = List.copyOf(alerts);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("an attacker's playbook has at least one step");
    }
  }
}
