package dev.custos.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of the attacker's playbook: a MITRE ATT&amp;CK technique that happens {@code after} the step before it
 * happened, unless a blocking rule stops it (its {@code on} or {@code from} host isolated, its {@code to} host isolated
 * or address blocked, its {@code account} disabled). The technique id is not interpreted: the fields decide blocking.
 *
 * <p>Guarantees: a technique id such as {@code T1486} or {@code T1021.002}; not both {@code on} and {@code from}; a
 * {@code from} only with a {@code to}; {@code after} not negative. Whether the hosts and the account are declared is
 * the {@link Scenario}'s guarantee.
 *
 * @param technique the ATT&amp;CK technique id
 * @param on the host the step happens on
 * @param from the host a movement starts from
 * @param to the host or the address the step reaches
 * @param account the account the step uses
 * @param after the wait before the step, from when the step before it happened (from the start, for the first); 0s
 *     unless stated
 */
public record AttackStep(String technique, Optional<String> on, Optional<String> from, Optional<Target> to,
    Optional<String> account, Duration after) {

  /** What a technique id looks like: {@code T} and four digits, and optionally a sub-technique {@code .001}. */
  public static final java.util.regex.Pattern TECHNIQUE = java.util.regex.Pattern.compile("T[0-9]{4}(\\.[0-9]{3})?");

  public AttackStep {
    Objects.requireNonNull(technique, "technique");
    if (!TECHNIQUE.matcher(technique).matches()) {
      throw new IllegalArgumentException("not a MITRE ATT&CK technique id: " + Names.quote(technique));
    }
    Objects.requireNonNull(on, "on");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(after, "after");
    on.ifPresent(id -> Names.requireName(id, "a step's on"));
    from.ifPresent(id -> Names.requireName(id, "a step's from"));
    account.ifPresent(id -> Names.requireName(id, "a step's account"));
    if (on.isPresent() && from.isPresent()) {
      throw new IllegalArgumentException("a step happens on a host or moves from one, not both");
    }
    if (from.isPresent() && to.isEmpty()) {
      throw new IllegalArgumentException("a step that moves from a host needs a to");
    }
    if (after.isNegative()) {
      throw new IllegalArgumentException("a step's after may not be negative, got " + after);
    }
  }

  /** A step on a host, with nothing else; for code and tests. */
  public static AttackStep on(String technique, String host, Duration after) {
    return new AttackStep(technique, Optional.of(host), Optional.empty(), Optional.empty(), Optional.empty(), after);
  }

  /** The host whose isolation stops the step where it starts: {@code on}, else {@code from}. */
  public Optional<String> origin() {
    return on.isPresent() ? on : from;
  }
}
