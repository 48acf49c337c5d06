package dev.custos.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.Action;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A halted subtree accounts for every call it had in flight, at every depth. The subtree's root here has no call of
 * its own, so its host is done at once; the deepest agents wait on slow tools. Each of those calls must end with an
 * audit record: the late result discarded when it comes, or the call abandoned when the drain timeout passes first;
 * and nothing of the subtree may execute after its halt record.
 */
class HaltDrainTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final AtomicInteger runtimes = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final FakeTool scan = new FakeTool("edr.scan").holding();
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

  /**
   * commander -> sub -> mid -> leaf, leaf-2: sub and mid only delegate; each leaf makes one slow call and, should it
   * ever hear back, another.
   */
  private MissionHandle start(Duration drainTimeout) {
    return start(drainTimeout, delegating("sub", "sub", 1));
  }

  private MissionHandle start(Duration drainTimeout, Function<AgentEvent, List<Action>> root) {
    Custos.Builder builder = Custos.builder()
        .actorSystem(testKit.system(), "custos-drain-" + runtimes.incrementAndGet())
        .audit(audit)
        .drainTimeout(drainTimeout)
        .tool(scan);
    Map<String, Function<AgentEvent, List<Action>>> types = Map.of(
        "root", root,
        "sub", delegating("mid", "mid", 1),
        "mid", delegating("leaf", "leaf", 2),
        "leaf", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            return List.of(new Action.CallTool("slow", "edr.scan", "host:corp/" + started.self().role()));
          }
          return List.of(new Action.CallTool("again", "edr.scan", "host:corp/again"));
        });
    types.forEach((type, behaviour) -> builder.agentType(type, () -> {
      Script script = new Script(behaviour);
      scripts.add(script);
      return script;
    }));
    runtime = builder.build();
    return runtime.startMission(MissionSpec.of(new MissionId("m1"), "root", MissionBrief.of("contain"),
        new GrantRequest(List.of(Capability.of("edr.scan", "host:corp/*")),
            new Bounds(100, runtime.now().plus(Duration.ofMinutes(5)), 3, 2, 10, Rate.parse("100/1s"), 3))));
  }

  /** Delegates {@code count} children of one type, each a slice of what this agent holds, one level shallower. */
  private static Function<AgentEvent, List<Action>> delegating(String role, String type, int count) {
    return event -> {
      if (!(event instanceof AgentEvent.MissionStarted started)) {
        return List.of();
      }
      Bounds own = started.grant().bounds();
      List<Action> actions = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        actions.add(new Action.Delegate(role, type, MissionBrief.of("go"), new GrantRequest(
            started.grant().capabilities(), new Bounds(own.budget() / 4, own.deadline(), own.maxDepth() - 1,
                2, (own.maxSubtreeAgents() - 1) / count, own.rate(), own.maxStrikes()))));
      }
      return actions;
    };
  }

  private AgentId id(String role) {
    return Script.awaitStartedAs(scripts, role, WAIT).id();
  }

  private List<AuditRecord> records(AuditKind kind) {
    return audit.records().stream().filter(r -> r.kind() == kind).toList();
  }

  private static AgentId agentOf(AuditRecord record) {
    return record.lineage().isEmpty() ? null : new AgentId(record.lineage().get(record.lineage().size() - 1));
  }

  private String trail() {
    StringBuilder out = new StringBuilder("\naudit trail:");
    audit.records().forEach(r -> out.append("\n  ").append(r.seq()).append(' ').append(r.kind().text()).append(' ')
        .append(r.lineage()).append(' ').append(r.payload()));
    return out.toString();
  }

  /** Halts {@code sub} with both leaves' calls in flight; returns the halted ids, checked. */
  private List<AgentId> haltWithCallsInFlight(MissionHandle mission) throws Exception {
    AgentId sub = id("sub");
    AgentId mid = id("mid");
    AgentId leaf = id("leaf");
    AgentId leaf2 = id("leaf-2");
    await().atMost(WAIT).until(() -> scan.executions.size() == 2);

    List<AgentId> halted = mission.halt(sub, "stop", false).toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertEquals(List.of(sub, mid, leaf, leaf2), halted);
    return halted;
  }

  /** Nothing of the subtree was allowed, executed or acted on after its halt record; the chain verifies. */
  private void nothingAfterTheHalt(Set<AgentId> subtree, int executionsAtHalt) {
    long haltSeq = records(AuditKind.HALT).get(0).seq();
    List<AuditRecord> after = audit.records().stream()
        .filter(r -> r.seq() > haltSeq && subtree.contains(agentOf(r)))
        .filter(r -> r.kind() != AuditKind.LATE_RESULT_DISCARDED)
        .toList();
    assertEquals(List.of(), after, "after the halt, only late results of the subtree are audited" + trail());
    assertEquals(executionsAtHalt, scan.executions.size(), "no tool ran after the halt");
    Script leaf = Script.startedAs(scripts, "leaf").orElseThrow();
    Script leaf2 = Script.startedAs(scripts, "leaf-2").orElseThrow();
    assertEquals(1, leaf.events.size(), "the leaf heard nothing after its start");
    assertEquals(1, leaf2.events.size(), "the second leaf heard nothing after its start");
    assertTrue(audit.verify().intact(), audit.verify().toString());
  }

  @Test
  void lateResultsOfTheDeepestAgentsAreDiscardedAndAuditedThoughTheSubtreeRootHadNoCall() throws Exception {
    MissionHandle mission = start(Duration.ofSeconds(30));
    List<AgentId> halted = haltWithCallsInFlight(mission);
    AgentId leaf = halted.get(2);
    AgentId leaf2 = halted.get(3);
    Thread.sleep(200); // the subtree's root and middle have processed their halt; the leaves still wait

    scan.release();

    await().atMost(WAIT).until(() -> records(AuditKind.LATE_RESULT_DISCARDED).size() == 2);
    Thread.sleep(200);
    List<AuditRecord> late = records(AuditKind.LATE_RESULT_DISCARDED);
    assertEquals(Set.of(leaf, leaf2), Set.of(agentOf(late.get(0)), agentOf(late.get(1))), trail());
    for (AuditRecord record : late) {
      assertEquals("slow", record.payload().get("call"));
      assertEquals("done", record.payload().get("outcome"), "the result that came, discarded");
    }
    nothingAfterTheHalt(Set.copyOf(halted), 2);
  }

  @Test
  void callsStillOutAtTheDrainTimeoutAreAuditedAsAbandoned() throws Exception {
    MissionHandle mission = start(Duration.ofMillis(500));
    List<AgentId> halted = haltWithCallsInFlight(mission);

    await().atMost(WAIT).until(() -> records(AuditKind.LATE_RESULT_DISCARDED).size() == 2);
    List<AuditRecord> abandoned = records(AuditKind.LATE_RESULT_DISCARDED);
    for (AuditRecord record : abandoned) {
      assertEquals("slow", record.payload().get("call"));
      assertTrue(record.payload().get("outcome").toString().startsWith("abandoned"), trail());
    }
    scan.release(); // too late: the hosts are gone, and nothing more is audited or run
    Thread.sleep(300);
    assertEquals(2, records(AuditKind.LATE_RESULT_DISCARDED).size(), trail());
    nothingAfterTheHalt(Set.copyOf(halted), 2);
  }

  /**
   * Not a halt but the same gap: an agent that completes with a call of its own executing and a child waiting on one.
   * Its host drains its call and outlives the child, which its parent's end halts; both late results are audited.
   */
  @Test
  void anAgentThatEndsWithCallsOutInItsOwnHostAndItsChildAuditsTheirLateResults() throws Exception {
    MissionHandle mission = start(Duration.ofSeconds(30), event -> {
      if (event instanceof AgentEvent.MissionStarted started) {
        Bounds own = started.grant().bounds();
        return List.of(new Action.CallTool("own", "edr.scan", "host:corp/own"),
            new Action.Delegate("leaf", "leaf", MissionBrief.of("go"), new GrantRequest(started.grant().capabilities(),
                new Bounds(10, own.deadline(), 0, 0, 1, own.rate(), own.maxStrikes()))));
      }
      if (event instanceof AgentEvent.ChildStarted) {
        // Time for the child to make its call before this agent ends and its end halts the child.
        return List.of(new Action.StartTimer("quit", Duration.ofMillis(300)));
      }
      if (event instanceof AgentEvent.TimerFired) {
        return List.of(new Action.Complete(Map.of("done", true)));
      }
      return List.of();
    });
    AgentId root = mission.root();
    AgentId leaf = id("leaf");
    await().atMost(WAIT).until(() -> scan.executions.size() == 2 && mission.completion().toCompletableFuture().isDone());
    assertEquals(AgentStatus.COMPLETED, mission.completion().toCompletableFuture().get().status());
    Thread.sleep(200);

    scan.release();

    await().atMost(WAIT).until(() -> records(AuditKind.LATE_RESULT_DISCARDED).size() == 2);
    Map<AgentId, Object> late = new java.util.HashMap<>();
    records(AuditKind.LATE_RESULT_DISCARDED).forEach(r -> late.put(agentOf(r), r.payload().get("call")));
    assertEquals(Map.of(root, "own", leaf, "slow"), late, trail());
    assertEquals(List.of(), records(AuditKind.TOOL_OUTCOME), "neither result was acted on");
    assertEquals(2, scan.executions.size());
    assertTrue(audit.verify().intact(), audit.verify().toString());
  }
}
