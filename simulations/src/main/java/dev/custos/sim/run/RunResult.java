package dev.custos.sim.run;

import dev.custos.audit.AuditRecord;
import dev.custos.audit.Verification;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSnapshot;
import dev.custos.scenario.Scenario;
import dev.custos.sim.env.Containment;
import dev.custos.sim.env.SimulatedAttacker;
import dev.custos.sim.env.World;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run of a scenario left: the input for its {@link Report}. Immutable (the lists are copies).
 *
 * @param scenario the scenario run
 * @param seed the seed it ran with
 * @param start the virtual instant of the run's 0 ms
 * @param stoppedAt when the run stopped: the mission's end, or the scenario's duration
 * @param outcome the mission's outcome; empty when it still ran at the end of the run
 * @param snapshot every agent of the mission as the run left it
 * @param audit every audit record of the run, in order
 * @param verification the audit chain's check
 * @param attacker the attacker's record, one entry per playbook step
 * @param containment the outcome's attacker facts, judged at the end of the run
 * @param refusals the credentials the simulated tools refused, in order
 * @param leaks the credentials the simulation leaked to compromised agents, in order
 */
public record RunResult(Scenario scenario, long seed, Instant start, Instant stoppedAt,
    Optional<MissionOutcome> outcome, MissionSnapshot snapshot, List<AuditRecord> audit, Verification verification,
    List<SimulatedAttacker.StepRecord> attacker, Containment containment, List<World.CredentialRefusal> refusals,
    List<CredentialLeak> leaks) {

  public RunResult {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(stoppedAt, "stoppedAt");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(snapshot, "snapshot");
    audit = List.copyOf(audit);
    Objects.requireNonNull(verification, "verification");
    attacker = List.copyOf(attacker);
    Objects.requireNonNull(containment, "containment");
    refusals = List.copyOf(refusals);
    leaks = List.copyOf(leaks);
  }

  /** Virtual milliseconds since the run's start. */
  public long ms(Instant at) {
    return at.toEpochMilli() - start.toEpochMilli();
  }
}
