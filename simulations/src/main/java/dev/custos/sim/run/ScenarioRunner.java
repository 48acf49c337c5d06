package dev.custos.sim.run;

import dev.custos.agent.MissionBrief;
import dev.custos.agents.DefenceAgents;
import dev.custos.audit.AuditRecord;
import dev.custos.capability.Bounds;
import dev.custos.capability.GrantRequest;
import dev.custos.files.Problems;
import dev.custos.identity.MissionId;
import dev.custos.policies.PolicyEngine;
import dev.custos.runtime.AgentSnapshot;
import dev.custos.runtime.AgentStatus;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionHandle;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSnapshot;
import dev.custos.runtime.MissionSpec;
import dev.custos.scenario.Compromise;
import dev.custos.scenario.Scenario;
import dev.custos.sim.SimulationRun;
import dev.custos.sim.SimulationSystem;
import dev.custos.sim.env.Containment;
import dev.custos.sim.env.SimulatedAttacker;
import dev.custos.sim.env.SimulatedTools;
import dev.custos.sim.env.World;
import dev.custos.tool.Tool;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one scenario with one seed on a {@link SimulationSystem}: the simulated world and its tools, the policy engine on
 * the scenario's packs, the scenario's approver, the five defence agent types, the mission of its {@code supervisor},
 * the attacker, and the compromises at their times; until the mission ends or the scenario's duration is up.
 *
 * <p>A compromise hits every agent its reference names that is running at its {@code at}; when none is, the runner
 * looks again every {@link #COMPROMISE_RECHECK} of virtual time and hits the first matching agent that started since
 * (the earliest started, then the lowest id), until the run ends. A {@code credential-thief} or {@code rogue} gets a
 * live credential of the agent's parent in its brief ({@link CredentialLeaks}).
 *
 * <p>Stateless; {@link #run} must be called on the thread that created the system, like the system itself.
 */
public final class ScenarioRunner {

  /** How often a compromise that found nobody to hit looks again. */
  static final Duration COMPROMISE_RECHECK = Duration.ofSeconds(1);

  /** The mission's id: its agents' identities read {@code spiffe://custos.local/mission/m1/agent/...}. */
  static final MissionId MISSION = new MissionId("m1");

  /** How much virtual time the final snapshot may take when agents still run at the end. */
  private static final Duration SNAPSHOT_LIMIT = Duration.ofSeconds(30);

  private ScenarioRunner() {}

  /**
   * Runs {@code scenario} with {@code seed} on {@code sim} and returns what the run left.
   *
   * @throws IllegalArgumentException when the scenario's policy packs do not load (a scenario read by
   *     {@link dev.custos.scenario.ScenarioFile} has had them checked already)
   * @throws IllegalStateException when the run lost determinism (see {@link SimulationSystem#problems()})
   */
  public static RunResult run(Scenario scenario, long seed, SimulationSystem sim) {
    return run(scenario, seed, sim, CredentialLeaks.Witness.NONE);
  }

  /** {@link #run(Scenario, long, SimulationSystem)}, showing {@code witness} each credential leaked as it leaks. */
  static RunResult run(Scenario scenario, long seed, SimulationSystem sim, CredentialLeaks.Witness witness) {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(witness, "witness");
    try (SimulationRun run = sim.newRun(seed)) {
      return new Execution(scenario, run, witness).run();
    }
  }

  /** One run's moving parts. */
  private static final class Execution {
    private final Scenario scenario;
    private final SimulationRun run;
    private final Instant start;
    private final Instant end;
    private final World world;
    private final List<Tool> tools;
    private final CredentialLeaks leaks;
    private MissionHandle mission;
    private CompletableFuture<MissionOutcome> outcome;

    Execution(Scenario scenario, SimulationRun run, CredentialLeaks.Witness witness) {
      this.scenario = scenario;
      this.run = run;
      this.start = run.start();
      this.end = start.plus(scenario.duration());
      this.world = World.of(scenario, run);
      this.tools = SimulatedTools.create(world, run);
      this.leaks = new CredentialLeaks(run, MISSION, tools, witness);
    }

    RunResult run() {
      Problems problems = new Problems();
      PolicyEngine policy = PolicyEngine.load(scenario.supervisor().policies(), world, run.audit(), run.clock(),
          problems).orElseThrow(() -> new IllegalArgumentException("the scenario's policies do not load: "
              + String.join("; ", problems.lines())));
      CustosRuntime runtime = run.runtime(b -> {
        tools.forEach(b::tool);
        DefenceAgents.types().forEach(b::agentType);
        b.policy(policy).approvals(new SimulatedApprover(scenario.supervisor().approvals(), run));
      });
      MissionSpec spec = MissionSpec.of(MISSION, scenario.supervisor().agent().text(),
              MissionBrief.of(scenario.description().orElse(scenario.supervisor().mission())), rootGrant())
          .withName(scenario.supervisor().mission())
          .withRollbackOnHalt(scenario.supervisor().rollbackOnHalt())
          .withApprovalTimeout(scenario.supervisor().approvalTimeout());
      mission = runtime.startMission(spec);
      outcome = mission.completion().toCompletableFuture();
      SimulatedAttacker attacker = SimulatedAttacker.start(world, run);
      for (Compromise compromise : scenario.compromise()) {
        run.at(start.plus(compromise.at()), () -> strike(compromise, null));
      }

      Instant stoppedAt = run.runUntil(end, outcome::isDone);
      List<AuditRecord> audit = run.audit().records();
      List<SimulatedAttacker.StepRecord> record = attacker.record();
      Containment containment = Containment.of(record, world);
      List<World.CredentialRefusal> refusals = world.credentialRefusals();
      MissionSnapshot snapshot = finalSnapshot();
      return new RunResult(scenario, run.seed(), start, stoppedAt, Optional.ofNullable(outcome.getNow(null)),
          snapshot, audit, run.audit().verify(), record, containment, refusals, leaks.record());
    }

    /** The scenario's grant, its deadline moved from the scenario's time 0 to the run's. */
    private GrantRequest rootGrant() {
      GrantRequest grant = scenario.supervisor().grant();
      Bounds b = grant.bounds();
      Instant deadline = start.plus(Duration.between(Scenario.START, b.deadline()));
      return new GrantRequest(grant.capabilities(), new Bounds(b.budget(), deadline, b.maxDepth(), b.maxChildren(),
          b.maxSubtreeAgents(), b.rate(), b.maxStrikes()));
    }

    /**
     * Hits the running agents {@code compromise} names; when there are none, looks again later for one that started
     * after {@code since} (null on the first look: any running agent).
     */
    private void strike(Compromise compromise, Instant since) {
      if (outcome.isDone() || !run.now().isBefore(end)) {
        return;
      }
      Instant now = run.now();
      mission.snapshot().thenAccept(snapshot -> {
        List<AgentSnapshot> running = snapshot.agents().stream()
            .filter(a -> a.status() == AgentStatus.RUNNING)
            .filter(a -> compromise.agent().matches(a.role(), a.path()))
            .filter(a -> since == null || a.startedAt().isAfter(since))
            .sorted(Comparator.comparing(AgentSnapshot::startedAt)
                .thenComparing(a -> a.id().value().length()).thenComparing(a -> a.id().value()))
            .toList();
        if (running.isEmpty()) {
          Instant next = run.now().plus(COMPROMISE_RECHECK);
          if (next.isBefore(end)) {
            run.at(next, () -> strike(compromise, since == null ? now.minusNanos(1) : since));
          }
          return;
        }
        // The first look hits every agent alive then; a later one only the first that started.
        List<AgentSnapshot> hit = since == null ? running : running.subList(0, 1);
        String behaviour = compromise.behaviour().text();
        for (AgentSnapshot agent : hit) {
          mission.redTeamCompromise(agent.id(), behaviour, leaks.brain(behaviour, agent, snapshot));
        }
      });
    }

    /** The mission's agents now; the runtime answers at once for ended agents and within the run for live ones. */
    private MissionSnapshot finalSnapshot() {
      CompletableFuture<MissionSnapshot> snapshot = mission.snapshot().toCompletableFuture();
      run.runUntil(run.now().plus(SNAPSHOT_LIMIT), snapshot::isDone);
      return snapshot.getNow(null) != null ? snapshot.join()
          : new MissionSnapshot(MISSION, run.now(), AgentStatus.RUNNING, List.of());
    }
  }
}
