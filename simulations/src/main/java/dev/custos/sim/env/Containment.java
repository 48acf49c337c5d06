package dev.custos.sim.env;

import dev.custos.scenario.AttackStep;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The outcome of a run (spec/scenarios.md, "Outcome"): {@code attackerSteps} counts the steps that happened;
 * {@code contained} and {@code containedAtMs} as below. An attacker that completed its playbook was not contained.
 *
 * <p>The spec says: "{@code contained} is true when some attacker steps never happened and, at the end of the run,
 * each of them is blocked (by an isolation, a disabled account or a firewall block)". It also says that "steps happen
 * in order" and that while a step does not happen "later steps wait". Read together, a step that never happened is
 * blocked either by its own fields (its {@code on} or {@code from} host isolated, its {@code to} host isolated, its
 * {@code account} disabled, its {@code to} address blocked) or because an earlier step is blocked and it must wait for
 * it. So: the run is contained when the <em>first</em> step that never happened is blocked by its own fields at the
 * end of the run; every later step cannot happen before it. Isolating the start host before the lateral movement
 * therefore contains the attack, although the credential dumping and exfiltration on the second host are not blocked
 * by their own fields.
 *
 * <p>{@code containedAtMs} is the virtual time from which that held: the start of the last stretch, up to the end, in
 * which that first missing step was blocked — and never before the last step that did happen, since until then the
 * attacker was still advancing.
 *
 * @param attackerSteps how many steps happened
 * @param contained as above
 * @param containedAtMs present exactly when {@code contained}
 */
public record Containment(int attackerSteps, boolean contained, OptionalLong containedAtMs) {

  public Containment {
    Objects.requireNonNull(containedAtMs, "containedAtMs");
    if (contained != containedAtMs.isPresent()) {
      throw new IllegalArgumentException("containedAtMs is given exactly when contained");
    }
  }

  /**
   * The outcome of a run whose attacker left {@code record} (one entry per step, in order) in {@code world}, judged at
   * the end of the run ({@code world}'s state then, and its {@link World#blockChanges()} for when it began to hold).
   */
  public static Containment of(List<SimulatedAttacker.StepRecord> record, World world) {
    List<AttackStep> steps = world.scenario().attacker().steps();
    if (record.size() != steps.size()) {
      throw new IllegalArgumentException("a record of " + record.size() + " steps for a playbook of " + steps.size());
    }
    int happened = 0;
    long lastHappenedMs = 0;
    int firstMissing = -1;
    for (int i = 0; i < steps.size(); i++) {
      SimulatedAttacker.StepRecord r = record.get(i);
      if (r.happened()) {
        happened++;
        lastHappenedMs = Math.max(lastHappenedMs, r.atMs());
      } else if (firstMissing < 0) {
        firstMissing = i;
      }
    }
    if (firstMissing < 0) {
      return new Containment(happened, false, OptionalLong.empty());
    }
    // Only the first missing step must be blocked by its own fields: the later ones wait for it (see above).
    List<List<String>> pending = List.of(world.blockingResources(steps.get(firstMissing)));
    // Replay the block changes: the state after the last change that left the first missing step unblocked ends the
    // stretch before; containment holds from the next change on.
    Set<String> blocked = new LinkedHashSet<>();
    boolean holds = allBlocked(pending, blocked);
    long since = 0;
    List<World.BlockChange> changes = world.blockChanges();
    for (int i = 0; i < changes.size(); i++) {
      World.BlockChange change = changes.get(i);
      if (change.blocked()) {
        blocked.add(change.resource());
      } else {
        blocked.remove(change.resource());
      }
      boolean lastAtThisTime = i + 1 == changes.size() || changes.get(i + 1).atMs() != change.atMs();
      if (!lastAtThisTime) {
        continue;
      }
      boolean now = allBlocked(pending, blocked);
      if (now && !holds) {
        since = change.atMs();
      }
      holds = now;
    }
    if (!holds) {
      return new Containment(happened, false, OptionalLong.empty());
    }
    return new Containment(happened, true, OptionalLong.of(Math.max(since, lastHappenedMs)));
  }

  private static boolean allBlocked(List<List<String>> pending, Set<String> blocked) {
    for (List<String> resources : pending) {
      if (resources.stream().noneMatch(blocked::contains)) {
        return false;
      }
    }
    return true;
  }
}
