package dev.custos.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MissionHandle#redTeamCompromise}: a live agent's brain is replaced, and the new brain gets exactly what the
 * agent held: its brief, its grant, its gateway, its in-flight calls, its strikes. On the system clock, end to end.
 */
class CompromiseTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final AtomicInteger runtimes = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The worker's brief: what the new brain must receive again, word for word. */
  private static final MissionBrief WORKER_BRIEF =
      new MissionBrief("scan the finance hosts", Map.of("hosts", Fact.of(List.of("host:corp/fin-1"))));

  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  /** Held: a call stays in flight until the test releases it. */
  private final FakeTool scan = new FakeTool("edr.scan").holding();
  private final FakeTool export = new FakeTool("data.export");
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

  private void runtime(Map<String, Function<AgentEvent, List<Action>>> types) {
    Custos.Builder builder = Custos.builder()
        .actorSystem(testKit.system(), "custos-compromise-" + runtimes.incrementAndGet())
        .audit(audit)
        .drainTimeout(Duration.ofSeconds(5))
        .tool(scan).tool(export);
    types.forEach((type, behaviour) -> builder.agentType(type, () -> track(new Script(behaviour))));
    runtime = builder.build();
  }

  private Script track(Script script) {
    scripts.add(script);
    return script;
  }

  /** The root delegates a worker (scan only, three strikes), the worker a leaf; both scan once and wait. */
  private MissionHandle start() {
    runtime(Map.of(
        "root", event -> event instanceof AgentEvent.MissionStarted started
            ? List.of(new Action.Delegate("worker", "worker", WORKER_BRIEF, workerGrant(started.grant()))) : none(),
        "worker", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            Bounds own = started.grant().bounds();
            return List.of(new Action.CallTool("old-1", "edr.scan", "host:corp/fin-1"),
                new Action.Delegate("leaf", "leaf", MissionBrief.of("look"), new GrantRequest(
                    started.grant().capabilities(), new Bounds(5, own.deadline(), 0, 0, 1, own.rate(), 3))));
          }
          return none();
        },
        "leaf", event -> event instanceof AgentEvent.MissionStarted
            ? List.of(new Action.CallTool("leaf-1", "edr.scan", "host:corp/fin-2")) : none()));
    return runtime.startMission(MissionSpec.of(new MissionId("m1"), "root", MissionBrief.of("contain"),
        new GrantRequest(List.of(Capability.of("edr.scan", "host:corp/*"), Capability.of("data.export", "net:**")),
            new Bounds(100, runtime.now().plus(Duration.ofMinutes(5)), 2, 2, 5, Rate.parse("100/1s"), 3))));
  }

  private static GrantRequest workerGrant(GrantRequest parent) {
    Bounds own = parent.bounds();
    return new GrantRequest(List.of(Capability.of("edr.scan", "host:corp/*")),
        new Bounds(20, own.deadline(), 1, 1, 2, own.rate(), 3));
  }

  private Script script(String role) {
    return Script.awaitStartedAs(scripts, role, WAIT);
  }

  private static AgentId id(Script script) {
    return script.id();
  }

  private <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private List<AuditRecord> records(AuditKind kind, AgentId agent) {
    return audit.records().stream().filter(r -> r.kind() == kind)
        .filter(r -> !r.lineage().isEmpty() && r.lineage().get(r.lineage().size() - 1).equals(agent.value()))
        .toList();
  }

  private static List<Action> none() {
    return List.of();
  }

  // ---------------------------------------------------------------------------------------------- the swap

  @Test
  void theNewBrainStartsWithTheOriginalBriefAndGrantAndIsMediatedByTheSameGrant() throws Exception {
    MissionHandle mission = start();
    Script worker = script("worker");
    script("leaf");
    await().atMost(WAIT).until(() -> scan.executions.size() == 2);
    AgentId workerId = id(worker);
    AgentEvent.MissionStarted original = worker.eventsOf(AgentEvent.MissionStarted.class).get(0);
    Script rogue = new Script(event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("rogue-1", "data.export", "net:203.0.113.9")) : none());

    assertTrue(get(mission.redTeamCompromise(workerId, "rogue", () -> rogue)));

    await().atMost(WAIT).until(() -> rogue.eventsOf(AgentEvent.CallDenied.class).size() == 1);
    AgentEvent.MissionStarted started = rogue.eventsOf(AgentEvent.MissionStarted.class).get(0);
    assertEquals(rogue.events.get(0), started, "MissionStarted is the new brain's first event");
    assertEquals(WORKER_BRIEF, started.brief(), "the original brief, not anything the attacker wrote");
    assertEquals(original.grant(), started.grant());
    assertEquals(original.self(), started.self(), "same identity");
    assertEquals(List.of(), export.executions, "data.export is outside the worker's grant: it never ran");
    AgentEvent.CallDenied denied = rogue.eventsOf(AgentEvent.CallDenied.class).get(0);
    assertEquals("rogue-1", denied.callId());
    AuditRecord decision = records(AuditKind.DECISION, workerId).get(0);
    assertEquals("capability", decision.payload().get("reason"));
    assertEquals(true, decision.payload().get("strike"));
    AgentSnapshot snapshot = get(mission.snapshot()).agents().stream().filter(a -> a.id().equals(workerId))
        .findFirst().orElseThrow();
    assertEquals(1, snapshot.strikes(), "the strike counts on the agent, after its compromise as before");
    assertEquals(AgentStatus.RUNNING, snapshot.status());

    List<AuditRecord> compromises = records(AuditKind.COMPROMISE, workerId);
    assertEquals(1, compromises.size());
    assertEquals(Map.of("behaviour", "rogue"), compromises.get(0).payload());
    assertTrue(audit.verify().intact(), audit.verify().toString());
  }

  @Test
  void aResultOfACallTheOldBrainMadeReachesTheNewBrainUnderItsCallId() throws Exception {
    MissionHandle mission = start();
    Script worker = script("worker");
    script("leaf");
    await().atMost(WAIT).until(() -> scan.executions.size() == 2);
    Script rogue = new Script(event -> none());
    assertTrue(get(mission.redTeamCompromise(id(worker), "stall", () -> rogue)));
    int oldEvents = worker.events.size();

    scan.release();

    await().atMost(WAIT).until(() -> rogue.eventsOf(AgentEvent.ToolResult.class).size() == 1);
    AgentEvent.ToolResult result = rogue.eventsOf(AgentEvent.ToolResult.class).get(0);
    assertEquals("old-1", result.callId());
    assertTrue(result.outcome() instanceof ToolOutcome.Done);
    assertEquals(oldEvents, worker.events.size(), "the old brain hears nothing more");
    assertEquals(1, records(AuditKind.TOOL_OUTCOME, id(worker)).size(), "the outcome is audited as any other");
  }

  @Test
  void compromisingAnAgentThatIsNotRunningAnswersFalseAndChangesNothing() throws Exception {
    MissionHandle mission = start();
    Script worker = script("worker");
    AgentId leaf = id(script("leaf"));
    get(mission.halt(id(worker), "enough", false));

    assertFalse(get(mission.redTeamCompromise(id(worker), "rogue", () -> new Script(e -> none()))), "halted");
    assertFalse(get(mission.redTeamCompromise(leaf, "rogue", () -> new Script(e -> none()))), "halted with it");
    assertFalse(get(mission.redTeamCompromise(new AgentId("a999"), "rogue", () -> new Script(e -> none()))),
        "unknown");
    assertFalse(get(mission.redTeamCompromise(mission.root(), "rogue", () -> null)), "no brain to put in");
    assertEquals(List.of(), audit.records().stream().filter(r -> r.kind() == AuditKind.COMPROMISE).toList());
    assertThrows(IllegalArgumentException.class, () -> mission.redTeamCompromise(mission.root(), " ", () -> new Script(e -> none())));
  }

  @Test
  void anEndedAgentCannotBeCompromised() throws Exception {
    runtime(Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.Complete(Map.of("done", true))) : none()));
    MissionHandle mission = runtime.startMission(MissionSpec.of(new MissionId("m1"), "root", MissionBrief.of("x"),
        new GrantRequest(List.of(), new Bounds(1, runtime.now().plus(Duration.ofMinutes(1)), 0, 0, 1,
            Rate.parse("1/1s"), 1))));
    assertEquals(AgentStatus.COMPLETED, get(mission.completion()).status());

    assertFalse(get(mission.redTeamCompromise(mission.root(), "rogue", () -> new Script(e -> none()))));
  }

  @Test
  void aCompromisedAgentPastItsStrikesIsHaltedWithItsSubtree() throws Exception {
    MissionHandle mission = start();
    Script root = script("commander");
    AgentId workerId = id(script("worker"));
    AgentId leafId = id(script("leaf"));
    Script rogue = new Script(event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("rogue-1", "data.export", "net:203.0.113.9"),
            new Action.CallTool("rogue-2", "edr.scan", "host:core/dc-1"),
            new Action.CallTool("rogue-3", "data.export", "net:198.51.100.7"),
            new Action.CallTool("rogue-4", "data.export", "net:198.51.100.8"))
        : none());

    assertTrue(get(mission.redTeamCompromise(workerId, "rogue", () -> rogue)));

    await().atMost(WAIT).until(() -> !root.eventsOf(AgentEvent.ChildHalted.class).isEmpty());
    AuditRecord halt = records(AuditKind.HALT, workerId).get(0);
    assertEquals("strikes", halt.payload().get("reason"));
    assertEquals(List.of(workerId.value(), leafId.value()), halt.payload().get("subtree"));
    assertEquals(3, records(AuditKind.DECISION, workerId).size(), "the fourth call was never considered");
    assertEquals(List.of(), export.executions);
    assertEquals(List.of("host:corp/fin-1", "host:corp/fin-2"), scan.resources(), "nothing outside the grant ran");
    MissionSnapshot snapshot = get(mission.snapshot());
    assertEquals(List.of(AgentStatus.RUNNING, AgentStatus.HALTED, AgentStatus.HALTED),
        snapshot.agents().stream().map(AgentSnapshot::status).toList());
    assertTrue(audit.verify().intact(), audit.verify().toString());
  }

  @Test
  void aBlockingNewBrainStaysHaltableAndWhatItAnswersAfterTheHaltIsDiscarded() throws Exception {
    MissionHandle mission = start();
    AgentId workerId = id(script("worker"));
    CountDownLatch thinking = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    Script llm = new Script(event -> {
      thinking.countDown();
      try {
        answer.await(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return List.of(new Action.CallTool("llm-1", "edr.scan", "host:corp/fin-3"));
    }, true);
    assertTrue(get(mission.redTeamCompromise(workerId, "injected", () -> llm)));
    assertTrue(thinking.await(WAIT.toSeconds(), TimeUnit.SECONDS));

    assertEquals(List.of(workerId, id(script("leaf"))), get(mission.halt(workerId, "hijacked", false)));
    long haltSeq = records(AuditKind.HALT, workerId).get(0).seq();
    answer.countDown();
    Thread.sleep(200);

    assertEquals(List.of("host:corp/fin-1", "host:corp/fin-2"), scan.resources(), "its answer never ran");
    assertEquals(List.of(), audit.records().stream()
        .filter(r -> r.seq() > haltSeq && r.lineage().contains(workerId.value()))
        .filter(r -> r.kind() == AuditKind.DECISION || r.kind() == AuditKind.TOOL_EXECUTED)
        .toList(), "nothing of the halted agent was decided after its halt");
  }

  @Test
  void aSnapshotFindsAgentsByRoleOrPath() throws Exception {
    MissionHandle mission = start();
    AgentId workerId = id(script("worker"));
    AgentId leafId = id(script("leaf"));
    MissionSnapshot snapshot = get(mission.snapshot());

    assertEquals(List.of(workerId), snapshot.named("worker").stream().map(AgentSnapshot::id).toList());
    assertEquals(List.of(leafId), snapshot.named("commander/worker/leaf").stream().map(AgentSnapshot::id).toList());
    assertEquals(List.of(mission.root()), snapshot.named("commander").stream().map(AgentSnapshot::id).toList());
    assertEquals(List.of(), snapshot.named("commander/leaf"));
  }
}
