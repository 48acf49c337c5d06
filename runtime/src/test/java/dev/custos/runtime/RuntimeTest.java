package dev.custos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.Action;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.CredentialBroker;
import dev.custos.credential.InProcessCredentialBroker;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime end to end, on its own actor system and the system clock: one behaviour per test. */
class RuntimeTest {

  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final InProcessCredentialBroker broker = new InProcessCredentialBroker();
  /** The broker the runtime is built with: {@link #broker} unless a test wraps it. */
  private CredentialBroker brokerInUse = broker;
  private final FakeTool query = new FakeTool("siem.query");
  private final FakeTool isolate = new FakeTool("host.isolate", 2, "host.release");
  private final FakeTool release = new FakeTool("host.release", 0, null);
  private final FakeTool slow = new FakeTool("edr.scan").holding();
  private final List<Script> scripts = new ArrayList<>();
  private CustosRuntime runtime;

  @AfterEach
  void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  /** A runtime whose agent types are the given behaviours: type "root", "child", "grandchild"... as registered. */
  private CustosRuntime runtime(Map<String, Function<AgentEvent, List<Action>>> types) {
    Custos.Builder builder = Custos.builder().audit(audit).credentials(brokerInUse).drainTimeout(Duration.ofSeconds(5))
        .tool(query).tool(isolate).tool(release).tool(slow);
    types.forEach((type, behaviour) -> builder.agentType(type, () -> {
      Script script = new Script(behaviour);
      scripts.add(script);
      return script;
    }));
    runtime = builder.build();
    return runtime;
  }

  private Script script(int started) {
    await().atMost(5, TimeUnit.SECONDS).until(() -> scripts.size() > started);
    return scripts.get(started);
  }

  private static Bounds bounds(Instant deadline, long budget, int maxDepth, int maxStrikes) {
    return new Bounds(budget, deadline, maxDepth, 4, 30, Rate.parse("100/1s"), maxStrikes);
  }

  /** Bounds for a delegated agent: a small subtree of its own. */
  private static Bounds child(Instant deadline, long budget, int maxDepth, int maxStrikes) {
    return new Bounds(budget, deadline, maxDepth, 2, 3, Rate.parse("100/1s"), maxStrikes);
  }

  private Instant in(Duration duration) {
    return runtime.now().plus(duration);
  }

  private static GrantRequest grant(Bounds bounds, Capability... capabilities) {
    return new GrantRequest(List.of(capabilities), bounds);
  }

  private MissionHandle start(String type, GrantRequest grant, boolean rollback) {
    return runtime.startMission(MissionSpec.of(new MissionId("m1"), type, MissionBrief.of("contain"), grant)
        .withRollbackOnHalt(rollback));
  }

  private MissionOutcome outcome(MissionHandle mission) throws Exception {
    try {
      return mission.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      StringBuilder trail = new StringBuilder("the mission did not end; audit trail:");
      audit.records().forEach(r -> trail.append("\n  ").append(r.kind().text()).append(' ').append(r.lineage())
          .append(' ').append(r.payload()));
      scripts.forEach(s -> trail.append("\n  events: ").append(s.events));
      throw new AssertionError(trail.toString(), e);
    }
  }

  private List<AuditRecord> records(AuditKind kind) {
    return audit.records().stream().filter(r -> r.kind() == kind).toList();
  }

  private static List<Action> none() {
    return List.of();
  }

  @Test
  void aRootAgentCallsAToolAndCompletes() throws Exception {
    runtime(Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("q1", "siem.query", "siem:alerts"));
      }
      if (event instanceof AgentEvent.ToolResult result) {
        return List.of(new Action.Complete(Map.of("seen", ((ToolOutcome.Done) result.outcome()).data())));
      }
      return none();
    }));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 1, 3),
        Capability.of("siem.query", "siem:alerts")), false);

    MissionOutcome outcome = outcome(mission);

    assertEquals(AgentStatus.COMPLETED, outcome.status());
    assertEquals(Map.of("seen", Map.of("tool", "siem.query", "resource", "siem:alerts")), outcome.report());
    assertEquals(1, query.executions.size());
    FakeTool.Execution execution = query.executions.get(0);
    assertEquals("spiffe://custos.local/mission/m1/agent/commander", execution.call().caller().toString());
    assertEquals(execution.credential().holder(), mission.root());
    // Audit first: the allowed record is written before the outcome, and the chain verifies.
    List<AuditKind> kinds = audit.records().stream().map(AuditRecord::kind).toList();
    assertThat(kinds).containsSubsequence(AuditKind.MISSION_STARTED, AuditKind.CREDENTIAL_ISSUED,
        AuditKind.TOOL_EXECUTED, AuditKind.TOOL_OUTCOME, AuditKind.AGENT_ENDED, AuditKind.MISSION_ENDED);
    assertTrue(audit.verify().intact(), audit.verify().toString());
    // Nothing of the mission stays usable after it ends.
    assertEquals(0, broker.activeCount(mission.root(), runtime.now()));
  }

  @Test
  void aWideningDelegationIsRefusedAuditedAndAStrike() throws Exception {
    runtime(Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted started) {
        Bounds wide = started.grant().bounds();
        return List.of(new Action.Delegate("containment", "root", MissionBrief.of("isolate"),
            grant(wide, Capability.of("host.*", "host:**"))));
      }
      if (event instanceof AgentEvent.DelegationRefused) {
        return List.of(new Action.Complete(Map.of()));
      }
      return none();
    }));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 2, 3),
        Capability.of("host.isolate", "host:corp/*")), false);

    assertEquals(AgentStatus.COMPLETED, outcome(mission).status());
    AgentEvent.DelegationRefused refused = script(0).eventsOf(AgentEvent.DelegationRefused.class).get(0);
    assertThat(refused.reasons()).contains(
        "capability 0: tool 'host.*' is not covered by any capability of the parent",
        "maxDepth 2 is not smaller than the parent's (2)");
    AuditRecord record = records(AuditKind.DELEGATION).get(0);
    assertEquals("deny", record.payload().get("decision"));
    assertEquals(true, record.payload().get("strike"));
    assertEquals(1, scripts.size(), "nothing was spawned");
  }

  @Test
  void threeStrikesHaltTheChildAndItsSubtreeButNotItsParent() throws Exception {
    AtomicInteger depth = new AtomicInteger();
    runtime(Map.of(
        "root", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            return List.of(new Action.Delegate("containment", "rogue", MissionBrief.of("isolate"),
                grant(child(started.grant().bounds().deadline(), 5, 1, 3),
                    Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(2), false))));
          }
          if (event instanceof AgentEvent.ChildHalted) {
            return List.of(new Action.Complete(Map.of("child", "halted")));
          }
          return none();
        },
        "rogue", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            depth.set(started.self().depth());
            return List.of(
                new Action.Delegate("helper", "idle", MissionBrief.of("wait"),
                    grant(new Bounds(1, started.grant().bounds().deadline(), 0, 0, 1, Rate.parse("1/1s"), 1))),
                new Action.CallTool("x1", "host.isolate", "host:core/dc-01"));
          }
          if (event instanceof AgentEvent.CallDenied denied) {
            return List.of(new Action.CallTool(denied.callId() + "x", "host.isolate", "host:core/dc-01"));
          }
          return none();
        },
        "idle", event -> none()));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 20, 3, 3),
        Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(10), false)), false);

    MissionOutcome outcome = outcome(mission);

    assertEquals(AgentStatus.COMPLETED, outcome.status());
    assertEquals(1, depth.get());
    AuditRecord halt = records(AuditKind.HALT).get(0);
    assertEquals("strikes", halt.payload().get("reason"));
    assertEquals(List.of("a2", "a3"), halt.payload().get("subtree"));
    assertEquals(List.of(), isolate.executions, "no effect of the rogue ran");
    MissionSnapshot snapshot = mission.snapshot().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(List.of(AgentStatus.COMPLETED, AgentStatus.HALTED, AgentStatus.HALTED),
        snapshot.agents().stream().map(AgentSnapshot::status).toList());
    assertEquals("commander/containment/helper", snapshot.agents().get(2).path());
    assertEquals(3, snapshot.agents().get(1).strikes());
  }

  @Test
  void aSecretFactNeverReachesAChild() throws Exception {
    runtime(Map.of(
        "root", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            Bounds b = child(started.grant().bounds().deadline(), 1, 0, 1);
            return List.of(
                new Action.Delegate("leaky", "child", new MissionBrief("triage",
                    Map.of("host", Fact.of("fin-ws-01"), "password", Fact.secret("hunter2"))), grant(b)),
                new Action.Delegate("clean", "child", new MissionBrief("triage",
                    Map.of("host", Fact.of("fin-ws-01"))), grant(b)));
          }
          if (event instanceof AgentEvent.ChildReported) {
            return List.of(new Action.Complete(Map.of()));
          }
          return none();
        },
        "child", event -> event instanceof AgentEvent.MissionStarted
            ? List.of(new Action.Complete(Map.of("ok", true))) : none()));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 2, 5)), false);

    assertEquals(AgentStatus.COMPLETED, outcome(mission).status());
    Script root = script(0);
    assertEquals(List.of("the brief carries facts labelled [secret], which policy does not release"),
        root.eventsOf(AgentEvent.DelegationRefused.class).get(0).reasons());
    assertEquals(2, scripts.size(), "only the clean child was spawned");
    AgentEvent.MissionStarted childStart = script(1).eventsOf(AgentEvent.MissionStarted.class).get(0);
    assertEquals(new MissionBrief("triage", Map.of("host", Fact.of("fin-ws-01"))), childStart.brief());
    assertThat(audit.records().toString()).doesNotContain("hunter2");
  }

  @Test
  void budgetIsReservedBeforeTheCallSoOvershootIsZero() throws Exception {
    AtomicInteger n = new AtomicInteger();
    runtime(Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted || event instanceof AgentEvent.ToolResult) {
        int i = n.incrementAndGet();
        return List.of(new Action.CallTool("i" + i, "host.isolate", "host:corp/ws-" + i));
      }
      return none();
    }));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 7, 1, 3),
        Capability.of("host.isolate", "host:corp/*")), false);

    MissionOutcome outcome = outcome(mission);

    assertEquals(AgentStatus.HALTED, outcome.status());
    assertEquals("budget", outcome.reason());
    assertEquals(3, isolate.executions.size(), "three calls of cost 2 fit a budget of 7, the fourth halts");
    assertEquals(4, n.get());
  }

  @Test
  void callsInFlightWhenTheBudgetRunsOutNeverRun() throws Exception {
    // A store that takes 200 ms to make a record durable: the first three calls still wait for theirs when the fourth
    // finds the budget gone and freezes the agent.
    SlowAudit slowAudit = new SlowAudit(Duration.ofMillis(200));
    Script[] root = new Script[1];
    runtime = Custos.builder().audit(slowAudit).credentials(broker).tool(isolate)
        .agentType("root", () -> root[0] = new Script(event -> {
          if (event instanceof AgentEvent.MissionStarted) {
            List<Action> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
              calls.add(new Action.CallTool("i" + i, "host.isolate", "host:corp/ws-" + i));
            }
            return calls;
          }
          return none();
        }))
        .build();
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 7, 1, 3),
        Capability.of("host.isolate", "host:corp/*")), false);

    assertEquals("budget", mission.completion().toCompletableFuture().get(10, TimeUnit.SECONDS).reason());
    Thread.sleep(400);
    assertEquals(List.of(), isolate.executions);
    assertEquals(3, slowAudit.records.records().stream().filter(r -> r.kind() == AuditKind.TOOL_EXECUTED).count());
  }

  @Test
  void aHaltWhileACallIsInFlightDiscardsTheLateResultAndRevokesTheCredential() throws Exception {
    runtime(Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("s1", "edr.scan", "host:corp/ws-1")) : none()));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 1, 3),
        Capability.of("edr.scan", "host:**")), false);
    await().atMost(5, TimeUnit.SECONDS).until(() -> slow.executions.size() == 1);

    List<AgentId> halted = mission.halt(mission.root(), "looks wrong", false).toCompletableFuture().get(5, TimeUnit.SECONDS);
    slow.release();

    assertEquals(List.of(mission.root()), halted);
    assertEquals(AgentStatus.HALTED, outcome(mission).status());
    await().atMost(5, TimeUnit.SECONDS).until(() -> !records(AuditKind.LATE_RESULT_DISCARDED).isEmpty());
    assertEquals(List.of(), script(0).eventsOf(AgentEvent.ToolResult.class), "the agent never saw the late result");
    FakeTool.Execution execution = slow.executions.get(0);
    Verification check = broker.verify(execution.credential().token(), "edr.scan", execution.call().caller(),
        runtime.now());
    assertEquals(Verification.Reason.REVOKED, assertInstanceOf(Verification.Rejected.class, check).reason());
    assertEquals("person", records(AuditKind.HALT).get(0).payload().get("reason"));
  }

  @Test
  void repliesToHaltAndSnapshotContinueWhereTheyArriveNotOnTheCommonPool() throws Exception {
    runtime(Map.of("root", event -> none()));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 1, 3),
        Capability.of("siem.query", "log:**")), false);

    // Pekko's Java ask hands back Scala's converted future, which runs even thenApply on CompletableFuture's default
    // async executor (the common pool, or a new thread per task when the pool has one thread): a simulation running
    // everything on one thread could not tell when such a callback ran. It must run where the reply arrived (an actor
    // thread) or, when the reply was already there, on the caller's.
    String caller = Thread.currentThread().getName();
    String snapshotThread = mission.snapshot().thenApply(s -> Thread.currentThread().getName())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    String haltThread = mission.halt(mission.root(), "stop", false).thenApply(ids -> Thread.currentThread().getName())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(snapshotThread).matches(name -> name.equals(caller) || name.contains("pekko.actor.default-dispatcher"),
        "the caller's or an actor's thread");
    assertThat(haltThread).matches(name -> name.equals(caller) || name.contains("pekko.actor.default-dispatcher"),
        "the caller's or an actor's thread");
  }

  @Test
  void rollbackRunsCompensationsInReverseOrderOnce() throws Exception {
    runtime(Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("i1", "host.isolate", "host:corp/a"));
      }
      if (event instanceof AgentEvent.ToolResult result && result.callId().equals("i1")) {
        return List.of(new Action.CallTool("i2", "host.isolate", "host:corp/b"));
      }
      if (event instanceof AgentEvent.ToolResult result && result.callId().equals("i2")) {
        return List.of(new Action.CallTool("i3", "host.isolate", "host:corp/c"));
      }
      return none();
    }));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 1, 3),
        Capability.of("host.isolate", "host:corp/*")), true);
    await().atMost(5, TimeUnit.SECONDS).until(() -> isolate.executions.size() == 3
        && records(AuditKind.TOOL_OUTCOME).size() == 3);

    mission.halt(mission.root(), "stop", true).toCompletableFuture().get(5, TimeUnit.SECONDS);

    await().atMost(5, TimeUnit.SECONDS).until(() -> release.executions.size() == 3);
    assertEquals(List.of("host:corp/c", "host:corp/b", "host:corp/a"), release.resources());
    assertEquals(List.of(), mission.halt(mission.root(), "again", true).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(3, release.executions.size(), "a second halt undoes nothing twice");
    assertThat(release.executions.get(0).call().caller().toString()).endsWith("/mission/m1/supervisor");
  }

  @Test
  void aFailingCompensationIsRetriedWithBackoffAndItsFailuresAudited() throws Exception {
    release.failingFirst(2);
    runtime(Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("i1", "host.isolate", "host:corp/a")) : none()));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 1, 3),
        Capability.of("host.isolate", "host:corp/*")), true);
    await().atMost(5, TimeUnit.SECONDS).until(() -> records(AuditKind.TOOL_OUTCOME).size() == 1);

    mission.halt(mission.root(), "stop", true).toCompletableFuture().get(5, TimeUnit.SECONDS);

    // Two failures, retried after 1 s and 2 s, then the undo runs.
    await().atMost(10, TimeUnit.SECONDS).until(() -> release.executions.size() == 3
        && records(AuditKind.COMPENSATION).stream().anyMatch(r -> "executed".equals(r.payload().get("status"))));
    List<Object> statuses = records(AuditKind.COMPENSATION).stream().map(r -> r.payload().get("status")).toList();
    assertEquals(List.of("starting", "retrying", "starting", "retrying", "starting", "executed"), statuses);
    List<Instant> attempts = records(AuditKind.COMPENSATION).stream()
        .filter(r -> "starting".equals(r.payload().get("status"))).map(AuditRecord::at).toList();
    assertThat(Duration.between(attempts.get(0), attempts.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(Duration.between(attempts.get(1), attempts.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertEquals(List.of("host:corp/a", "host:corp/a", "host:corp/a"), release.resources());
  }

  /**
   * The simulation's credential-thief scenario: the root's credential leaks to its child, which presents it in every
   * call until strikes halt it; the root then completes. Returns the leaked token.
   */
  private String aThiefPresentsItsParentsCredential() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> leaked = new java.util.concurrent.atomic.AtomicReference<>();
    runtime(Map.of(
        "root", event -> {
          if (event instanceof AgentEvent.MissionStarted) {
            return List.of(new Action.CallTool("q1", "siem.query", "siem:alerts"));
          }
          if (event instanceof AgentEvent.ToolResult result && result.callId().equals("q1")) {
            leaked.set(query.executions.get(0).credential().token());
            return List.of(new Action.Delegate("thief", "thief", MissionBrief.of("x"),
                grant(child(in(Duration.ofMinutes(4)), 3, 0, 3), Capability.of("siem.query", "siem:alerts"))));
          }
          if (event instanceof AgentEvent.ChildHalted) {
            return List.of(new Action.Complete(Map.of()));
          }
          return none();
        },
        "thief", event -> event instanceof AgentEvent.MissionStarted || event instanceof AgentEvent.CallDenied
            ? List.of(new Action.CallTool("t" + System.nanoTime(), "siem.query", "siem:alerts",
                Map.of("authorization", "Bearer " + leaked.get())))
            : none()));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 1, 5),
        Capability.of("siem.query", "siem:alerts")), false);

    assertEquals(AgentStatus.COMPLETED, outcome(mission).status());
    assertEquals(1, query.executions.size(), "only the root's own call ran");
    assertEquals("strikes", records(AuditKind.HALT).get(0).payload().get("reason"));
    assertThat(audit.records().toString()).doesNotContain(leaked.get());
    return leaked.get();
  }

  @Test
  void anotherAgentsCredentialPresentedInACallIsRefusedAuditedByItsIdAndAStrike() throws Exception {
    aThiefPresentsItsParentsCredential();

    List<AuditRecord> rejected = records(AuditKind.CREDENTIAL_REJECTED);
    assertEquals(3, rejected.size());
    assertEquals("a2", rejected.get(0).payload().get("presentedBy"));
    // Each record names the presented credential by its id, the root's own: never by its token.
    String jti = query.executions.get(0).credential().id();
    for (AuditRecord record : rejected) {
      assertEquals(List.of(jti, List.of(jti), "a credential that is not the caller's own was presented"), List.of(
          record.payload().get("credential"), record.payload().get("credentials"), record.payload().get("reason")));
    }
    assertEquals(List.of(jti), records(AuditKind.CREDENTIAL_ISSUED).stream()
        .map(r -> r.payload().get("credential")).toList(), "the id is that of the credential the root was issued");
  }

  @Test
  void aBrokerThatCannotNameTheCredentialLeavesItsIdOutAndTheReasonSaysSo() throws Exception {
    brokerInUse = new CannotName(broker);

    aThiefPresentsItsParentsCredential();

    List<AuditRecord> rejected = records(AuditKind.CREDENTIAL_REJECTED);
    assertEquals(3, rejected.size(), "found all the same: the broker still knows its tokens");
    for (AuditRecord record : rejected) {
      assertEquals(List.of(false, List.of(), "a credential that is not the caller's own was presented; the credential"
          + " broker cannot name it, so no id is recorded"), List.of(record.payload().containsKey("credential"),
          record.payload().get("credentials"), record.payload().get("reason")));
    }
  }

  /** A broker that finds its tokens in text but, like a third party's written before ids could be asked, not names. */
  private static final class CannotName extends ForwardingBroker {

    CannotName(CredentialBroker inner) {
      super(inner);
    }

    @Override
    public List<String> credentialIdsIn(String text) {
      return List.of();
    }
  }

  @Test
  void anAgentThatThrowsFailsAndItsParentGoesOn() throws Exception {
    runtime(Map.of(
        "root", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            return List.of(new Action.Delegate("broken", "thrower", MissionBrief.of("x"),
                grant(child(started.grant().bounds().deadline(), 1, 0, 1))));
          }
          if (event instanceof AgentEvent.ChildFailed failed) {
            return List.of(new Action.Complete(Map.of("failure", failed.reason())));
          }
          return none();
        },
        "thrower", event -> {
          throw new IllegalStateException("bug in agent");
        }));
    MissionHandle mission = start("root", grant(bounds(in(Duration.ofMinutes(5)), 10, 2, 3)), false);

    MissionOutcome outcome = outcome(mission);

    assertEquals(AgentStatus.COMPLETED, outcome.status());
    assertEquals(Map.of("failure", "the agent threw IllegalStateException: bug in agent"), outcome.report());
  }

  @Test
  void aMissionNamingUnknownPartsIsRejectedWhole() {
    runtime(Map.of("root", event -> none()));
    MissionRejectedException e = assertThrows(MissionRejectedException.class, () -> runtime.startMission(
        MissionSpec.of(new MissionId("m1"), "nobody", MissionBrief.of("x"),
            grant(bounds(in(Duration.ofMinutes(5)), 1, 1, 1), Capability.of("shell.exec", "host:**")))));
    assertEquals(List.of("no agent type 'nobody' is registered (known: [root])",
        "capability 0: no registered tool matches 'shell.exec'"), e.problems());
    assertEquals(0, audit.size(), "nothing started");
  }
}
