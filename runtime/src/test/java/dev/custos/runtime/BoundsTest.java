package dev.custos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.custos.agent.Action;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.approval.ApprovalRequest;
import dev.custos.approval.InMemoryApprovals;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.testkit.ExplicitlyTriggeredScheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines, approval timeouts, approvals and rates on virtual time: one actor system with Pekko's {@link ManualTime}
 * scheduler, and a {@link ManualClock} reading that scheduler's time as the runtime's clock, so both move together in
 * {@link #timePasses}. Time stands still unless a test moves it, so "not yet" is as checkable as "now".
 *
 * <p>A snapshot is used as a barrier: the supervisor asks every live host for its state, and each host answers only after
 * the messages already in its mailbox (a timer that fired, an approval's answer), so a snapshot taken after an action
 * sees that action's consequences.
 */
class BoundsTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final ExplicitlyTriggeredScheduler scheduler =
      (ExplicitlyTriggeredScheduler) testKit.system().classicSystem().scheduler();
  private static final AtomicInteger runtimes = new AtomicInteger();
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final ManualClock clock = new ManualClock(START, scheduler::currentTimeMs);
  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final List<Script> scripts = new CopyOnWriteArrayList<>();
  private CustosRuntime runtime;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** A runtime in the test kit's system on the manual clock, with the given parts and agent types. */
  private void runtime(Consumer<Custos.Builder> parts, Map<String, Function<AgentEvent, List<Action>>> types) {
    Custos.Builder builder = Custos.builder()
        .actorSystem(testKit.system(), "custos-bounds-" + runtimes.incrementAndGet())
        .clock(clock)
        .audit(audit)
        .drainTimeout(Duration.ofMinutes(10));
    parts.accept(builder);
    types.forEach((type, behaviour) -> builder.agentType(type, () -> {
      Script script = new Script(behaviour);
      scripts.add(script);
      return script;
    }));
    runtime = builder.build();
  }

  /** Virtual time passes: Pekko's scheduler moves, and the runtime's clock, which reads it, with it. */
  private void timePasses(Duration duration) {
    Instant before = clock.instant();
    manualTime.timePasses(duration);
    assertEquals(before.plus(duration), clock.instant(), "the clock follows the scheduler");
  }

  private MissionHandle start(MissionSpec spec) {
    return runtime.startMission(spec);
  }

  private static MissionSpec spec(String type, GrantRequest grant) {
    return MissionSpec.of(new MissionId("m1"), type, MissionBrief.of("contain"), grant);
  }

  private static GrantRequest grant(Bounds bounds, Capability... capabilities) {
    return new GrantRequest(List.of(capabilities), bounds);
  }

  private static Bounds leaf(Instant deadline, long budget, Rate rate, int maxStrikes) {
    return new Bounds(budget, deadline, 0, 0, 1, rate, maxStrikes);
  }

  private MissionSnapshot snapshot(MissionHandle mission) throws Exception {
    return mission.snapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private MissionOutcome outcome(MissionHandle mission) throws Exception {
    await().atMost(WAIT).until(() -> mission.completion().toCompletableFuture().isDone());
    return mission.completion().toCompletableFuture().get();
  }

  /** The audit trail, for failure messages. */
  private String trail() {
    StringBuilder out = new StringBuilder("\naudit trail:");
    audit.records().forEach(r -> out.append("\n  ").append(r.at()).append(' ').append(r.kind().text()).append(' ')
        .append(r.lineage()).append(' ').append(r.payload()));
    return out.toString();
  }

  private List<AuditRecord> records(AuditKind kind) {
    return audit.records().stream().filter(r -> r.kind() == kind).toList();
  }

  /** The records of one agent (the last of the lineage) of a kind. */
  private List<AuditRecord> records(AuditKind kind, AgentId agent) {
    return records(kind).stream()
        .filter(r -> !r.lineage().isEmpty() && r.lineage().get(r.lineage().size() - 1).equals(agent.value()))
        .toList();
  }

  /** The script of the agent of a role, once it has started. */
  private Script script(String role) {
    return Script.awaitStartedAs(scripts, role, WAIT);
  }

  private static AgentId id(Script script) {
    return script.id();
  }

  private static AgentSnapshot agent(MissionSnapshot snapshot, AgentId id) {
    return snapshot.agents().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
  }

  private static List<Action> none() {
    return List.of();
  }

  // ---------------------------------------------------------------------------------------------- deadline

  @Test
  void theDeadlineHaltsAnAgentWaitingOnASlowToolOnTimeAndItsLateResultIsDiscarded() throws Exception {
    FakeTool scan = new FakeTool("edr.scan").holding();
    runtime(b -> b.tool(scan), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("s1", "edr.scan", "host:corp/ws-1")) : none()));
    Instant deadline = START.plus(Duration.ofMinutes(1));
    MissionHandle mission = start(spec("root", grant(new Bounds(10, deadline, 1, 2, 3, Rate.parse("10/1m"), 3),
        Capability.of("edr.scan", "host:**"))));
    await().atMost(WAIT).until(() -> scan.executions.size() == 1);

    timePasses(Duration.ofSeconds(59));
    MissionSnapshot before = snapshot(mission);
    assertEquals(AgentStatus.RUNNING, before.status(), "a second before its deadline the agent still runs");
    assertFalse(mission.completion().toCompletableFuture().isDone());

    timePasses(Duration.ofSeconds(1));
    MissionOutcome outcome = outcome(mission);

    assertEquals(AgentStatus.HALTED, outcome.status());
    assertEquals("deadline", outcome.reason());
    assertEquals(deadline, outcome.endedAt(), "halted at its deadline, not later");
    assertEquals(List.of("deadline"), records(AuditKind.HALT).stream().map(r -> r.payload().get("reason")).toList());
    assertEquals(List.of(), records(AuditKind.LATE_RESULT_DISCARDED), "the call is still out");

    scan.release();

    await().atMost(WAIT).until(() -> records(AuditKind.LATE_RESULT_DISCARDED).size() == 1);
    AuditRecord late = records(AuditKind.LATE_RESULT_DISCARDED).get(0);
    assertEquals("s1", late.payload().get("call"));
    assertEquals("done", late.payload().get("outcome"));
    assertEquals(List.of(mission.root().value()), late.lineage());
    assertEquals(List.of(), records(AuditKind.TOOL_OUTCOME), "the result was not taken as an outcome");
    Script root = script("commander");
    assertEquals(List.of(), root.eventsOf(AgentEvent.ToolResult.class), "the agent never saw the late result");
    assertEquals(1, scan.executions.size());
  }

  // ---------------------------------------------------------------------------------------------- approvals

  @Test
  void anApprovalNobodyAnswersTimesOutAsADenialThatIsNotAStrike() throws Exception {
    FakeTool isolate = new FakeTool("host.isolate", 1, "host.release");
    runtime(b -> b.tool(isolate), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("i1", "host.isolate", "host:corp/ws-1")) : none()));
    Duration timeout = Duration.ofMinutes(2);
    MissionHandle mission = start(spec("root", grant(new Bounds(10, START.plus(Duration.ofHours(1)), 1, 2, 3,
        Rate.parse("10/1m"), 1), Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.empty(), true)))
        .withApprovalTimeout(timeout));
    await().atMost(WAIT).until(() -> records(AuditKind.APPROVAL).size() == 1);
    Script root = script("commander");
    snapshot(mission); // the host has finished the turn that asked, so its approval timer is set

    timePasses(timeout.minusSeconds(1));
    snapshot(mission);
    assertEquals(List.of(), root.eventsOf(AgentEvent.ApprovalResolved.class), "the call still waits");

    timePasses(Duration.ofSeconds(1));
    await().atMost(WAIT).until(() -> !root.eventsOf(AgentEvent.CallDenied.class).isEmpty());

    AgentEvent.ApprovalResolved resolved = root.eventsOf(AgentEvent.ApprovalResolved.class).get(0);
    assertEquals("i1", resolved.callId());
    assertFalse(resolved.approved());
    assertEquals(START.plus(timeout), resolved.at());
    assertThat(resolved.detail()).startsWith("nobody answered within");
    AgentEvent.CallDenied denied = root.eventsOf(AgentEvent.CallDenied.class).get(0);
    assertEquals("i1", denied.callId());
    assertEquals(List.of("approval timed out: " + resolved.detail()), denied.reasons());
    assertThat(root.events.indexOf(resolved)).isLessThan(root.events.indexOf(denied));
    assertEquals(List.of(), isolate.executions, "the tool never ran");
    assertEquals(List.of(), records(AuditKind.TOOL_EXECUTED));
    assertEquals(List.of("requested", "timed-out"), statuses(records(AuditKind.APPROVAL)));
    AuditRecord decision = records(AuditKind.DECISION).get(0);
    assertEquals("approval", decision.payload().get("reason"));
    assertEquals(false, decision.payload().get("strike"));
    MissionSnapshot after = snapshot(mission);
    assertEquals(AgentStatus.RUNNING, after.status(), "with maxStrikes 1, a strike would have halted it");
    assertEquals(0, agent(after, mission.root()).strikes());
  }

  @Test
  void anApprovalLetsExactlyItsOwnCallRunOnceAndADenialLetsNothingRun() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    FakeTool isolate = new FakeTool("host.isolate", 1, "host.release");
    runtime(b -> b.tool(isolate).approvals(approvals), Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("i1", "host.isolate", "host:corp/ws-1"));
      }
      if (event instanceof AgentEvent.ToolResult result && result.callId().equals("i1")) {
        return List.of(new Action.CallTool("i2", "host.isolate", "host:corp/ws-1"));
      }
      return none();
    }));
    MissionHandle mission = start(spec("root", grant(new Bounds(10, START.plus(Duration.ofHours(1)), 1, 2, 3,
        Rate.parse("10/1m"), 1), Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.empty(), true))));
    Script root = script("commander");

    ApprovalRequest first = pending(approvals);
    assertEquals(List.of("host.isolate", "host:corp/ws-1"), List.of(first.action(), first.resource()));
    assertEquals(mission.root(), first.agent().id());
    snapshot(mission);
    assertEquals(List.of(), isolate.executions, "nothing runs before the approval");

    assertTrue(approvals.approve(first.id(), "alice"));

    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.ToolResult.class).size() == 1);
    assertEquals(1, isolate.executions.size());
    assertEquals(mission.root().value() + "/i1", isolate.executions.get(0).call().callId());

    // The same tool on the same resource again: the first approval does not carry over.
    ApprovalRequest second = pending(approvals);
    assertNotEquals(first.id(), second.id());
    assertFalse(approvals.approve(first.id(), "alice"), "an approval is used once");
    snapshot(mission);
    assertEquals(1, isolate.executions.size(), "the second call waits for its own approval");

    assertTrue(approvals.deny(second.id(), "bob", "not twice"));

    await().atMost(WAIT).until(() -> !root.eventsOf(AgentEvent.CallDenied.class).isEmpty());
    assertFalse(approvals.approve(second.id(), "alice"), "a denied request cannot be approved after");
    snapshot(mission);
    assertEquals(1, isolate.executions.size(), "the denied call never ran");
    List<AgentEvent.ApprovalResolved> resolved = root.eventsOf(AgentEvent.ApprovalResolved.class);
    assertEquals(List.of("i1", "i2"), resolved.stream().map(AgentEvent.ApprovalResolved::callId).toList());
    assertEquals(List.of(true, false), resolved.stream().map(AgentEvent.ApprovalResolved::approved).toList());
    assertEquals("denied by bob: not twice", resolved.get(1).detail());
    AgentEvent.CallDenied denied = root.eventsOf(AgentEvent.CallDenied.class).get(0);
    assertEquals("i2", denied.callId());
    assertEquals(List.of("denied by bob: not twice"), denied.reasons());
    List<AuditRecord> trail = records(AuditKind.APPROVAL);
    assertEquals(List.of("i1", "i1", "i2", "i2"), trail.stream().map(r -> r.payload().get("call")).toList());
    assertEquals(List.of("requested", "approved", "requested", "denied"), statuses(trail));
    assertEquals(List.of("i1"), records(AuditKind.TOOL_EXECUTED).stream().map(r -> r.payload().get("call")).toList());
    MissionSnapshot after = snapshot(mission);
    assertEquals(AgentStatus.RUNNING, after.status());
    assertEquals(0, agent(after, mission.root()).strikes(), "a person's denial is not the agent's strike");
  }

  /** The one request waiting, once there is exactly one. */
  private static ApprovalRequest pending(InMemoryApprovals approvals) {
    await().atMost(WAIT).until(() -> approvals.pending().size() == 1);
    return approvals.pending().get(0);
  }

  private static List<Object> statuses(List<AuditRecord> records) {
    return records.stream().map(r -> r.payload().get("status")).toList();
  }

  // ---------------------------------------------------------------------------------------------- rate

  @Test
  void aTenfoldRateFloodIsDeniedStruckAndHaltedWhileASiblingAtItsOwnPaceIsUnaffected() throws Exception {
    FakeTool query = new FakeTool("siem.query");
    Rate rate = Rate.parse("5/1m");
    Instant deadline = START.plus(Duration.ofHours(1));
    AtomicInteger floodResults = new AtomicInteger();
    AtomicInteger steadyCalls = new AtomicInteger();
    int steadyTotal = 8;
    Map<String, Function<AgentEvent, List<Action>>> types = Map.of(
        "root", event -> {
          if (event instanceof AgentEvent.MissionStarted) {
            return List.of(
                new Action.Delegate("steady", "steady", MissionBrief.of("query at a walk"),
                    grant(leaf(deadline, 100, rate, 1), Capability.of("siem.query", "siem:**"))),
                new Action.Delegate("flooder", "flooder", MissionBrief.of("query at a run"),
                    grant(leaf(deadline, 100, rate, 50), Capability.of("siem.query", "siem:**"))));
          }
          // It stays running: its state after both children ended is what the test looks at.
          return none();
        },
        "flooder", event -> {
          if (event instanceof AgentEvent.MissionStarted) {
            return burst("f", 50);
          }
          if (event instanceof AgentEvent.ToolResult && floodResults.incrementAndGet() == 5) {
            return burst("g", 50);
          }
          return none();
        },
        "steady", event -> {
          if (event instanceof AgentEvent.MissionStarted || event instanceof AgentEvent.TimerFired) {
            return List.of(new Action.CallTool("s" + steadyCalls.incrementAndGet(), "siem.query", "siem:alerts"));
          }
          if (event instanceof AgentEvent.ToolResult) {
            return steadyCalls.get() < steadyTotal
                ? List.of(new Action.StartTimer("next", Duration.ofSeconds(15)))
                : List.of(new Action.Complete(Map.of("calls", steadyCalls.get())));
          }
          return none();
        });
    runtime(b -> b.tool(query), types);
    MissionHandle mission = start(spec("root", grant(new Bounds(1000, deadline, 1, 2, 3, Rate.parse("100/1m"), 50),
        Capability.of("siem.query", "siem:**"))));
    Script flooder = script("flooder");
    Script steady = script("steady");
    AgentId flooderId = id(flooder);
    AgentId steadyId = id(steady);

    await().atMost(WAIT).until(() -> !records(AuditKind.HALT).isEmpty());

    AuditRecord halt = records(AuditKind.HALT).get(0);
    assertEquals("strikes", halt.payload().get("reason"));
    assertEquals(List.of(flooderId.value()), halt.payload().get("subtree"));
    assertEquals(List.of("f1", "f2", "f3", "f4", "f5"), callsOf(query, flooderId),
        "the first five fill the window; nothing after them runs");
    List<String> deniedIds = new ArrayList<>();
    IntStream.rangeClosed(6, 50).forEach(i -> deniedIds.add("f" + i));
    List<AuditRecord> decisions = records(AuditKind.DECISION, flooderId);
    assertThat(decisions).allSatisfy(r -> {
      assertEquals("rate", r.payload().get("reason"));
      assertEquals(true, r.payload().get("strike"));
    });
    List<String> auditedIds = new ArrayList<>(deniedIds);
    IntStream.rangeClosed(1, 5).forEach(i -> auditedIds.add("g" + i));
    assertEquals(auditedIds, decisions.stream().map(r -> r.payload().get("call")).toList(),
        "45 of the first burst, then 5 of the second until the 50th strike; the rest never reached the gateway");
    // The 50th strike froze the agent: denials still queued for it then are never handed over (how many were already
    // handed over depends on how the host orders its own events), and none of them were for anything but the rate.
    List<AgentEvent.CallDenied> denials = flooder.eventsOf(AgentEvent.CallDenied.class);
    assertThat(denials.stream().map(AgentEvent.CallDenied::callId).toList()).isSubsetOf(deniedIds);
    assertThat(denials).allSatisfy(d -> assertEquals(List.of("more than 5/1m calls"), d.reasons()));

    advanceUntil(Duration.ofSeconds(5), 60, () -> !records(AuditKind.AGENT_ENDED, steadyId).isEmpty());

    List<String> steadyIds = IntStream.rangeClosed(1, steadyTotal).mapToObj(i -> "s" + i).toList();
    assertEquals(steadyIds, callsOf(query, steadyId), "every call of the sibling ran");
    assertEquals(List.of(), steady.eventsOf(AgentEvent.CallDenied.class));
    assertEquals(List.of(), records(AuditKind.DECISION, steadyId));
    List<AgentEvent.ToolResult> paced = steady.eventsOf(AgentEvent.ToolResult.class);
    assertEquals(steadyTotal, paced.size());
    for (int i = 1; i < paced.size(); i++) {
      assertThat(Duration.between(paced.get(i - 1).at(), paced.get(i).at())).as("the sibling's own pace")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(15));
    }
    Script root = script("commander");
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.ChildReported.class).size() == 1);
    assertEquals(List.of(flooderId), root.eventsOf(AgentEvent.ChildHalted.class).stream()
        .map(AgentEvent.ChildHalted::child).toList());
    MissionSnapshot snapshot = snapshot(mission);
    AgentSnapshot top = agent(snapshot, mission.root());
    assertEquals(AgentStatus.RUNNING, top.status(), "the root was not touched by its child's flood");
    assertEquals(0, top.strikes());
    AgentSnapshot flood = agent(snapshot, flooderId);
    assertEquals(AgentStatus.HALTED, flood.status());
    assertEquals("strikes", flood.haltReason());
    assertEquals(50, flood.strikes());
    AgentSnapshot walk = agent(snapshot, steadyId);
    assertEquals(AgentStatus.COMPLETED, walk.status(), () -> walk + trail());
    assertEquals(0, walk.strikes());
    assertEquals(5 + steadyTotal, query.executions.size());
  }

  private static List<Action> burst(String prefix, int calls) {
    List<Action> actions = new ArrayList<>();
    for (int i = 1; i <= calls; i++) {
      actions.add(new Action.CallTool(prefix + i, "siem.query", "siem:alerts"));
    }
    return actions;
  }

  /** The agent's own call ids of the executions of one agent, in order. */
  private static List<String> callsOf(FakeTool tool, AgentId agent) {
    return tool.executions.stream()
        .filter(e -> e.call().agent().equals(agent))
        .map(e -> e.call().callId().substring(agent.value().length() + 1))
        .toList();
  }

  /** Moves virtual time a step at a time until {@code done}; the agents pace themselves by their own timers. */
  private void advanceUntil(Duration step, int maxSteps, BooleanSupplier done) {
    for (int i = 0; i < maxSteps && !done.getAsBoolean(); i++) {
      timePasses(step);
    }
    await().atMost(WAIT).until(done::getAsBoolean);
  }

  // ---------------------------------------------------------------------------------------------- rollback

  @Test
  void aCompensationThatKeepsFailingIsRetriedWithDoublingBackoffThenReportedAndTheNextOneStillRuns() throws Exception {
    FakeTool isolate = new FakeTool("host.isolate", 1, "host.release");
    FakeTool release = new FakeTool("host.release", 0, null).failingFirst(5);
    Map<String, Function<AgentEvent, List<Action>>> types = Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("i1", "host.isolate", "host:corp/a"));
      }
      if (event instanceof AgentEvent.ToolResult result && result.callId().equals("i1")) {
        return List.of(new Action.CallTool("i2", "host.isolate", "host:corp/b"));
      }
      return none();
    });
    runtime(b -> b.tool(isolate).tool(release), types);
    MissionHandle mission = start(spec("root", grant(new Bounds(10, START.plus(Duration.ofHours(1)), 1, 1, 1,
        Rate.parse("10/1m"), 3), Capability.of("host.isolate", "host:corp/*"))).withRollbackOnHalt(true));
    await().atMost(WAIT).until(() -> records(AuditKind.TOOL_OUTCOME).size() == 2);

    mission.halt(mission.root(), "stop", true).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // Undo of host:corp/b first (reverse order): attempts at 0, 1, 3, 7 and 15 s fail, the last is reported failed.
    await().atMost(WAIT).until(() -> release.executions.size() == 1);
    for (Duration backoff : List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8))) {
      int before = release.executions.size();
      // The failure is audited when its retry timer is set: only then may virtual time move.
      await().atMost(WAIT).until(() -> records(AuditKind.COMPENSATION).stream()
          .filter(r -> "retrying".equals(r.payload().get("status"))).count() == before);
      timePasses(backoff.minusMillis(1));
      assertEquals(before, release.executions.size(), "no retry before its backoff" + trail());
      timePasses(Duration.ofMillis(1));
      try {
        await().atMost(WAIT).until(() -> release.executions.size() >= before + 1);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("retry " + before + " never ran at " + clock.instant() + trail(), e);
      }
    }
    // Then the undo of host:corp/a runs, and succeeds.
    try {
      await().atMost(WAIT).until(() -> release.executions.size() == 6);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(release.resources() + trail(), e);
    }

    assertEquals(List.of("host:corp/b", "host:corp/b", "host:corp/b", "host:corp/b", "host:corp/b", "host:corp/a"),
        release.resources());
    List<String> statuses = records(AuditKind.COMPENSATION).stream()
        .map(r -> r.payload().get("resource") + " " + r.payload().get("status")).toList();
    assertEquals(List.of("host:corp/b starting", "host:corp/b retrying", "host:corp/b starting", "host:corp/b retrying",
        "host:corp/b starting", "host:corp/b retrying", "host:corp/b starting", "host:corp/b retrying",
        "host:corp/b starting", "host:corp/b failed", "host:corp/a starting", "host:corp/a executed"), statuses);
  }

  // ---------------------------------------------------------------------------------------------- credentials

  @Test
  void theSigningKeyRotatesOnScheduleAndTheOldKeyStaysPublishedWhileItsCredentialsLive() throws Exception {
    dev.custos.credential.JwtCredentialBroker broker = dev.custos.credential.JwtCredentialBroker.builder()
        .clock(clock).rotateEvery(Duration.ofHours(1)).build();
    FakeTool query = new FakeTool("siem.query");
    runtime(b -> b.tool(query).credentials(broker), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("q1", "siem.query", "siem:alerts")) : none()));
    start(spec("root", grant(new Bounds(10, START.plus(Duration.ofHours(3)), 0, 0, 1, Rate.parse("10/1m"), 3),
        Capability.of("siem.query", "siem:alerts"))));
    await().atMost(WAIT).until(() -> query.executions.size() == 1);
    String first = broker.currentKeyId();

    timePasses(Duration.ofMinutes(59));
    assertEquals(first, broker.currentKeyId(), "not due yet" + trail());
    timePasses(Duration.ofMinutes(2));
    await().atMost(WAIT).until(() -> !broker.currentKeyId().equals(first));

    // The credential signed by the first key expired 5 minutes after the call; its key has left the JWKS.
    assertThat(broker.jwks(clock.instant()).getKeys().stream().map(k -> k.getKeyID()).toList())
        .containsExactly(broker.currentKeyId());
  }

  @Test
  void aCredentialIsReMintedBeforeItExpiresWhileTheAgentLivesAndNeverOutlivesItsDeadline() throws Exception {
    dev.custos.credential.JwtCredentialBroker broker = dev.custos.credential.JwtCredentialBroker.builder()
        .clock(clock).build();
    FakeTool query = new FakeTool("siem.query");
    AtomicInteger n = new AtomicInteger();
    runtime(b -> b.tool(query).credentials(broker), Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted || event instanceof AgentEvent.TimerFired) {
        // The timer first: once the test sees the call run, the next one is already scheduled.
        return List.of(new Action.StartTimer("next", Duration.ofMinutes(2)),
            new Action.CallTool("q" + n.incrementAndGet(), "siem.query", "siem:alerts"));
      }
      return none();
    }));
    Instant deadline = START.plus(Duration.ofMinutes(10)).plusSeconds(30);
    start(spec("root", grant(new Bounds(100, deadline, 0, 0, 1, Rate.parse("10/1m"), 3),
        Capability.of("siem.query", "siem:alerts"))));
    await().atMost(WAIT).until(() -> query.executions.size() == 1);
    for (int minute = 2; minute <= 10; minute += 2) {
      timePasses(Duration.ofMinutes(2));
      int expected = minute / 2 + 1;
      await().atMost(WAIT).until(() -> query.executions.size() == expected);
    }

    // Calls at 0, 2, 4, 6, 8, 10 min with 5-minute credentials: minted at 0 (ends at 5) and at 6, when the first had
    // run out; the second would end at 11 but the agent's deadline is 10:30, so it ends there and serves 8 and 10.
    List<String> ids = query.executions.stream().map(e -> e.credential().id()).distinct().toList();
    assertEquals(2, ids.size(), "credentials used " + ids + trail());
    assertEquals(START.plus(Duration.ofMinutes(5)), query.executions.get(0).credential().expiresAt());
    Credential last = query.executions.get(query.executions.size() - 1).credential();
    assertEquals(deadline, last.expiresAt(), "the last one ends at the agent's deadline, not 5 minutes later");
    assertThat(query.executions).allSatisfy(e -> assertThat(e.credential().expiresAt()).isAfter(clock.instant()
        .minus(Duration.ofMinutes(6))));
  }
}
