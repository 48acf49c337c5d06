package dev.custos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.custos.agent.Action;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.approval.ApprovalAnswer;
import dev.custos.approval.ApprovalRequest;
import dev.custos.approval.ApprovalService;
import dev.custos.approval.InMemoryApprovals;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.policy.CapabilityOnlyPolicy;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.policy.PolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.testkit.ExplicitlyTriggeredScheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The approval workflow end to end, on virtual time (see {@link BoundsTest} for the set-up): an approval is bound to
 * the hash of the exact call (or delegation) and used once, a timeout denies, the policy is asked again once approved,
 * and an agent's pending approvals are bounded. A snapshot serves as a barrier: it is answered only after each live
 * host has handled what was already in its mailbox.
 */
class ApprovalsTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final ExplicitlyTriggeredScheduler scheduler =
      (ExplicitlyTriggeredScheduler) testKit.system().classicSystem().scheduler();
  private static final AtomicInteger runtimes = new AtomicInteger();
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant DEADLINE = START.plus(Duration.ofHours(1));
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final String DIFFERENT_ACTION = "the approval was given for a different action";

  private final ManualClock clock = new ManualClock(START, scheduler::currentTimeMs);
  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final List<Script> scripts = new CopyOnWriteArrayList<>();
  private final FakeTool isolate = new FakeTool("host.isolate", 1, "host.release");
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

  // ---------------------------------------------------------------------------------------------- harness

  /** A runtime in the test kit's system on the manual clock, with the isolate tool, the given parts and agent types. */
  private void runtime(Consumer<Custos.Builder> parts, Map<String, Function<AgentEvent, List<Action>>> types) {
    Custos.Builder builder = Custos.builder()
        .actorSystem(testKit.system(), "custos-approvals-" + runtimes.incrementAndGet())
        .clock(clock)
        .audit(audit)
        .drainTimeout(Duration.ofMinutes(10))
        .tool(isolate);
    parts.accept(builder);
    types.forEach((type, behaviour) -> builder.agentType(type, () -> {
      Script script = new Script(behaviour);
      scripts.add(script);
      return script;
    }));
    runtime = builder.build();
  }

  private void timePasses(Duration duration) {
    Instant before = clock.instant();
    manualTime.timePasses(duration);
    assertEquals(before.plus(duration), clock.instant(), "the clock follows the scheduler");
  }

  private MissionHandle start(GrantRequest grant) {
    return runtime.startMission(MissionSpec.of(new MissionId("m1"), "root", MissionBrief.of("contain"), grant)
        .withApprovalTimeout(TIMEOUT));
  }

  /** A root that may isolate any corp host, each call waiting for approval, and delegate to two children. */
  private static GrantRequest rootGrant(int maxStrikes) {
    return new GrantRequest(List.of(Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.empty(), true)),
        new Bounds(100, DEADLINE, 1, 2, 3, Rate.parse("100/1m"), maxStrikes));
  }

  /** What a child asks for: isolate corp hosts, each call still waiting for approval, as its parent's do. */
  private static GrantRequest childGrant() {
    return new GrantRequest(List.of(Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.empty(), true)),
        new Bounds(10, DEADLINE, 0, 0, 1, Rate.parse("100/1m"), 3));
  }

  private static Action.CallTool isolateCall(String callId, String host) {
    return new Action.CallTool(callId, "host.isolate", "host:corp/" + host);
  }

  private MissionSnapshot snapshot(MissionHandle mission) throws Exception {
    return mission.snapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static AgentSnapshot agent(MissionSnapshot snapshot, AgentId id) {
    return snapshot.agents().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
  }

  private MissionOutcome outcome(MissionHandle mission) throws Exception {
    await().atMost(WAIT).until(() -> mission.completion().toCompletableFuture().isDone());
    return mission.completion().toCompletableFuture().get();
  }

  private List<AuditRecord> records(AuditKind kind) {
    return audit.records().stream().filter(r -> r.kind() == kind).toList();
  }

  private List<Object> field(AuditKind kind, String name) {
    return records(kind).stream().map(r -> r.payload().get(name)).toList();
  }

  /** The root's script, once it started. */
  private Script root() {
    await().atMost(WAIT).until(() -> !scripts.isEmpty());
    return scripts.get(0);
  }

  /** The requests waiting, once there are exactly {@code n}. */
  private static List<ApprovalRequest> pending(InMemoryApprovals approvals, int n) {
    await().atMost(WAIT).until(() -> approvals.pending().size() == n);
    return approvals.pending();
  }

  private static ApprovalRequest byResource(List<ApprovalRequest> requests, String resource) {
    return requests.stream().filter(r -> r.resource().equals(resource)).findFirst().orElseThrow();
  }

  private static ApprovalRequest byAction(List<ApprovalRequest> requests, String action) {
    return requests.stream().filter(r -> r.action().equals(action)).findFirst().orElseThrow();
  }

  /** The hash the runtime binds an approval to, computed from a request's own fields. */
  private static String hashOf(ApprovalRequest r) {
    return ApprovalRequest.hashOf(r.mission(), r.lineage(), r.action(), r.resource(), r.arguments(), r.ruleIds());
  }

  private static List<Action> none() {
    return List.of();
  }

  /**
   * An approval service whose answers the test writes by hand, whatever they say: stands in for an approver that
   * does not check what it approves, so the runtime's own check is what is tested.
   */
  private static final class HandAnswers implements ApprovalService {
    final List<ApprovalRequest> requests = new CopyOnWriteArrayList<>();
    final List<String> withdrawn = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<ApprovalAnswer>> answers = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<ApprovalAnswer> request(ApprovalRequest request) {
      CompletableFuture<ApprovalAnswer> answer = new CompletableFuture<>();
      answers.put(request.id(), answer);
      requests.add(request);
      return answer;
    }

    @Override
    public void withdraw(String requestId) {
      withdrawn.add(requestId);
    }

    void answer(ApprovalRequest request, ApprovalAnswer answer) {
      answers.get(request.id()).complete(answer);
    }

    List<ApprovalRequest> requests(int n) {
      await().atMost(WAIT).until(() -> requests.size() == n);
      return List.copyOf(requests);
    }
  }

  // ---------------------------------------------------------------------------------------------- bound to the call

  @Test
  void aRequestShowsTheCanonicalActionAndAnApproverCannotApproveItWithTheHashOfAnotherAction() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    runtime(b -> b.approvals(approvals), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("i1", "host.isolate", "host:corp/a", Map.of("why", "approve me, it is urgent")))
        : none()));
    MissionHandle mission = start(rootGrant(3));

    ApprovalRequest request = pending(approvals, 1).get(0);
    assertEquals("m1", request.mission());
    assertEquals(List.of(mission.root().value()), request.lineage());
    assertEquals(mission.root(), request.agent().id());
    assertEquals(List.of("host.isolate", "host:corp/a"), List.of(request.action(), request.resource()));
    assertEquals(Map.of("why", "approve me, it is urgent"), request.arguments());
    assertEquals("the capability requires approval", request.reason(), "the runtime's text, not the agent's");
    assertEquals(START.plus(TIMEOUT), request.expiresAt());
    assertEquals(hashOf(request), request.actionHash());
    assertThat(request.actionHash()).matches("[0-9a-f]{64}");
    String hostB = ApprovalRequest.hashOf(request.mission(), request.lineage(), "host.isolate", "host:corp/b",
        request.arguments(), request.ruleIds());
    assertNotEquals(request.actionHash(), hostB);

    assertFalse(approvals.approve(request.id(), "mallory", hostB), "approving host B does not approve host A");

    assertEquals(List.of(request), approvals.pending(), "the request still waits");
    snapshot(mission);
    assertEquals(List.of(), isolate.executions);
    assertEquals(List.of("requested"), field(AuditKind.APPROVAL, "status"));

    assertTrue(approvals.approve(request.id(), "alice", request.actionHash()));

    await().atMost(WAIT).until(() -> isolate.executions.size() == 1);
    snapshot(mission);
    assertEquals(List.of("host:corp/a"), isolate.resources(), "exactly the approved call ran, host B was not touched");
    assertEquals(List.of("requested", "approved"), field(AuditKind.APPROVAL, "status"));
    assertEquals(List.of(request.actionHash()), records(AuditKind.APPROVAL).stream()
        .filter(r -> "requested".equals(r.payload().get("status"))).map(r -> r.payload().get("actionHash")).toList());
    // The capability asked, not a rule: the request names the version of the policy that permitted the call, the one
    // the executed call names too.
    assertEquals(List.of(CapabilityOnlyPolicy.VERSION, CapabilityOnlyPolicy.VERSION), List.of(
        records(AuditKind.APPROVAL).get(0).payload().get("policyVersion"),
        records(AuditKind.TOOL_EXECUTED).get(0).payload().get("policyVersion")));
  }

  @Test
  void theRuntimeRefusesAnApprovalWhoseHashIsNotTheWaitingCallsAndRunsNothing() throws Exception {
    HandAnswers approvals = new HandAnswers();
    runtime(b -> b.approvals(approvals), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(isolateCall("i1", "a"), isolateCall("i2", "a")) : none()));
    MissionHandle mission = start(rootGrant(3));
    List<ApprovalRequest> requests = approvals.requests(2);
    ApprovalRequest hostA = requests.get(0);
    String hostB = ApprovalRequest.hashOf(hostA.mission(), hostA.lineage(), "host.isolate", "host:corp/b",
        hostA.arguments(), hostA.ruleIds());

    // One approval names host B, the other names no action at all.
    approvals.answer(hostA, ApprovalAnswer.approve(hostB, "mallory"));
    approvals.answer(requests.get(1), new ApprovalAnswer(true, "mallory", "", ""));

    Script root = root();
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.CallDenied.class).size() == 2);
    MissionSnapshot after = snapshot(mission);
    assertEquals(List.of(), isolate.executions, "neither host A nor host B was isolated");
    assertEquals(List.of(), records(AuditKind.TOOL_EXECUTED));
    for (AgentEvent.CallDenied denied : root.eventsOf(AgentEvent.CallDenied.class)) {
      assertEquals(List.of(DIFFERENT_ACTION), denied.reasons());
    }
    assertEquals(List.of(false, false), root.eventsOf(AgentEvent.ApprovalResolved.class).stream()
        .map(AgentEvent.ApprovalResolved::approved).toList());
    List<AuditRecord> mismatched = records(AuditKind.APPROVAL).stream()
        .filter(r -> "mismatched".equals(r.payload().get("status"))).toList();
    assertEquals(2, mismatched.size());
    assertEquals(hostA.actionHash(), mismatched.get(0).payload().get("actionHash"));
    assertEquals(hostB, mismatched.get(0).payload().get("approvedHash"));
    assertEquals(List.of("approval", "approval"), field(AuditKind.DECISION, "reason"));
    assertEquals(List.of(false, false), field(AuditKind.DECISION, "strike"));
    AgentSnapshot self = agent(after, mission.root());
    assertEquals(0, self.budgetUsed(), "both charges were refunded");
    assertEquals(0, self.strikes(), "the approver's mistake is not the agent's strike");
  }

  // ---------------------------------------------------------------------------------------------- single use

  @Test
  void anApprovalRunsItsCallOnceAndTheSameCallAgainWaitsForAnApprovalOfItsOwn() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    runtime(b -> b.approvals(approvals), Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(isolateCall("i1", "a"));
      }
      if (event instanceof AgentEvent.ToolResult result && result.callId().equals("i1")) {
        return List.of(isolateCall("i2", "a"));
      }
      return none();
    }));
    MissionHandle mission = start(rootGrant(3));
    ApprovalRequest first = pending(approvals, 1).get(0);

    assertTrue(approvals.approve(first.id(), "alice"));

    Script root = root();
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.ToolResult.class).size() == 1);
    ApprovalRequest second = pending(approvals, 1).get(0);
    assertNotEquals(first.id(), second.id());
    assertEquals(first.actionHash(), second.actionHash(), "the same action: only the request's id tells them apart");
    assertFalse(approvals.approve(first.id(), "alice"), "an approval is used once");
    assertFalse(approvals.deny(first.id(), "alice", "too late"), "an answered request takes no second answer");
    snapshot(mission);
    assertEquals(1, isolate.executions.size(), "the second call waits for its own approval");
    assertEquals(List.of(second), approvals.pending());

    assertTrue(approvals.approve(second.id(), "bob", second.actionHash()));

    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.ToolResult.class).size() == 2);
    assertFalse(approvals.approve(second.id(), "bob"));
    snapshot(mission);
    assertEquals(List.of("host:corp/a", "host:corp/a"), isolate.resources());
    assertEquals(List.of(mission.root() + "/i1", mission.root() + "/i2"),
        isolate.executions.stream().map(e -> e.call().callId()).toList());
    assertEquals(List.of("i1", "i2"), field(AuditKind.TOOL_EXECUTED, "call"));
    assertEquals(List.of("requested", "approved", "requested", "approved"), field(AuditKind.APPROVAL, "status"));
    assertEquals(List.of("alice", "bob"), records(AuditKind.APPROVAL).stream()
        .filter(r -> "approved".equals(r.payload().get("status"))).map(r -> r.payload().get("by")).toList());
  }

  // ---------------------------------------------------------------------------------------------- timeout

  @Test
  void aTimeoutDeniesTheCallWithdrawsTheRequestAndALateApprovalChangesNothing() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    runtime(b -> b.approvals(approvals), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(isolateCall("i1", "a")) : none()));
    MissionHandle mission = start(rootGrant(1));
    ApprovalRequest request = pending(approvals, 1).get(0);
    Script root = root();
    snapshot(mission);

    timePasses(TIMEOUT.minusSeconds(1));
    snapshot(mission);
    assertEquals(List.of(request), approvals.pending(), "a second before it expires it still waits");
    assertEquals(List.of(), root.eventsOf(AgentEvent.ApprovalResolved.class));

    timePasses(Duration.ofSeconds(1));
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.CallDenied.class).size() == 1);

    assertEquals(List.of(), approvals.pending(), "withdrawn from the queue");
    assertFalse(approvals.approve(request.id(), "alice"), "a late approval finds nothing to approve");
    MissionSnapshot after = snapshot(mission);
    assertEquals(List.of(), isolate.executions);
    assertEquals(List.of(), records(AuditKind.TOOL_EXECUTED));
    assertEquals(List.of("requested", "timed-out"), field(AuditKind.APPROVAL, "status"));
    AgentEvent.ApprovalResolved resolved = root.eventsOf(AgentEvent.ApprovalResolved.class).get(0);
    assertEquals(List.of("i1", false, START.plus(TIMEOUT)), List.of(resolved.callId(), resolved.approved(),
        resolved.at()));
    assertEquals(List.of("approval timed out: " + resolved.detail()),
        root.eventsOf(AgentEvent.CallDenied.class).get(0).reasons());
    assertEquals(List.of("approval"), field(AuditKind.DECISION, "reason"));
    AgentSnapshot self = agent(after, mission.root());
    assertEquals(AgentStatus.RUNNING, after.status(), "not a strike: with maxStrikes 1 a strike would halt it");
    assertEquals(0, self.strikes());
    assertEquals(0, self.budgetUsed(), "the charge was refunded");
  }

  // ---------------------------------------------------------------------------------------------- flood control

  @Test
  void anAgentGetsAtMostMaxPendingApprovalsWaitingAndEachCallPastTheBoundIsDeniedAsAStrike() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    List<Action> burst = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      burst.add(isolateCall("f" + i, "h" + i));
    }
    runtime(b -> b.approvals(approvals).maxPendingApprovals(3), Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return burst;
      }
      if (event instanceof AgentEvent.ToolResult result && result.callId().equals("f1")) {
        return List.of(isolateCall("g1", "h11"));
      }
      return none();
    }));
    MissionHandle mission = start(rootGrant(10));

    await().atMost(WAIT).until(() -> records(AuditKind.DECISION).size() == 7);
    MissionSnapshot snapshot = snapshot(mission);
    List<ApprovalRequest> waiting = approvals.pending();
    assertEquals(List.of("host:corp/h1", "host:corp/h2", "host:corp/h3"),
        waiting.stream().map(ApprovalRequest::resource).toList());
    assertEquals(List.of("f4", "f5", "f6", "f7", "f8", "f9", "f10"), field(AuditKind.DECISION, "call"));
    assertThat(records(AuditKind.DECISION)).allSatisfy(r -> {
      assertEquals("approval-flood", r.payload().get("reason"));
      assertEquals(true, r.payload().get("strike"));
    });
    Script root = root();
    List<AgentEvent.CallDenied> denied = root.eventsOf(AgentEvent.CallDenied.class);
    assertEquals(7, denied.size());
    assertEquals(List.of("3 calls of the agent already wait for approval, the most it may have waiting"),
        denied.get(0).reasons());
    AgentSnapshot self = agent(snapshot, mission.root());
    assertEquals(7, self.strikes());
    assertEquals(AgentStatus.RUNNING, snapshot.status(), "7 strikes of 10");
    assertEquals(3, self.budgetUsed(), "only the three waiting calls hold a charge; the denied ones were refunded");

    // The bound counts calls that wait: once one is approved and runs, a new call may wait in its place.
    assertTrue(approvals.approve(waiting.get(0).id(), "alice"));
    await().atMost(WAIT).until(() -> approvals.pending().size() == 3
        && approvals.pending().stream().anyMatch(r -> r.resource().equals("host:corp/h11")));
    snapshot(mission);
    assertEquals(List.of("host:corp/h1"), isolate.resources());
    assertEquals(7, records(AuditKind.DECISION).size(), "g1 was not denied");
  }

  @Test
  void anApprovalFloodHaltsTheAgentAtMaxStrikesAndItsWaitingRequestsAreWithdrawn() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    List<Action> burst = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      burst.add(isolateCall("f" + i, "h" + i));
    }
    runtime(b -> b.approvals(approvals).maxPendingApprovals(2), Map.of("root", event ->
        event instanceof AgentEvent.MissionStarted ? burst : none()));
    MissionHandle mission = start(rootGrant(3));

    MissionOutcome outcome = outcome(mission);

    assertEquals(AgentStatus.HALTED, outcome.status());
    assertEquals("strikes", outcome.reason());
    await().atMost(WAIT).until(() -> approvals.pending().isEmpty());
    // The halt withdrew the two waiting requests and denied their calls: a final record for every call, no strike.
    assertEquals(List.of("f3", "f4", "f5", "f1", "f2"), field(AuditKind.DECISION, "call"),
        "the third strike froze the agent: f6 to f10 never reached the gateway");
    assertEquals(List.of("approval-flood", "approval-flood", "approval-flood", "agent-stopped", "agent-stopped"),
        field(AuditKind.DECISION, "reason"));
    assertEquals(List.of(true, true, true, false, false), field(AuditKind.DECISION, "strike"));
    assertEquals(List.of("f1", "f2", "f1", "f2"), field(AuditKind.APPROVAL, "call"));
    assertEquals(List.of("requested", "requested", "withdrawn", "withdrawn"), field(AuditKind.APPROVAL, "status"));
    assertEquals(List.of("the agent was halted", "the agent was halted"), records(AuditKind.APPROVAL).subList(2, 4)
        .stream().map(r -> r.payload().get("detail")).toList());
    assertEquals(List.of(), isolate.executions);
    assertEquals(0, agent(snapshot(mission), mission.root()).budgetUsed(), "the withdrawn calls' charges came back");
    assertThrows(IllegalArgumentException.class, () -> Custos.builder().maxPendingApprovals(0));
  }

  @Test
  void anAgentThatEndsWithACallWaitingWithdrawsTheRequestAndTheCallIsDeniedWithItsChargeReturned() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    runtime(b -> b.approvals(approvals), Map.of("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(isolateCall("i1", "a"), new Action.Complete(Map.of())) : none()));
    MissionHandle mission = start(rootGrant(3));

    assertEquals(AgentStatus.COMPLETED, outcome(mission).status());

    assertEquals(List.of(), approvals.pending(), "nobody is asked to approve what can no longer happen");
    assertEquals(List.of("requested", "withdrawn"), field(AuditKind.APPROVAL, "status"));
    assertEquals(List.of("i1", "i1"), field(AuditKind.APPROVAL, "call"));
    assertEquals("the agent ended", records(AuditKind.APPROVAL).get(1).payload().get("detail"));
    AuditRecord denied = records(AuditKind.DECISION).get(0);
    assertEquals(List.of("i1", "agent-stopped", List.of("approval withdrawn: the agent ended"),
        CapabilityOnlyPolicy.VERSION, false), List.of(denied.payload().get("call"), denied.payload().get("reason"),
        denied.payload().get("details"), denied.payload().get("policyVersion"), denied.payload().get("strike")));
    assertEquals(1, records(AuditKind.DECISION).size());
    assertEquals(List.of(), isolate.executions);
    assertEquals(0, agent(snapshot(mission), mission.root()).budgetUsed(), "the call never ran: its charge came back");
  }

  // ---------------------------------------------------------------------------------------------- asked again

  @Test
  void anApprovedCallIsDecidedAgainAndAForbidThenDeniesItWhileAPermitRunsItUnderTheNewDecision() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    List<PolicyRequest> asked = new CopyOnWriteArrayList<>();
    PolicyDecisionPoint policy = request -> {
      asked.add(request);
      if (!(request instanceof PolicyRequest.ToolCall call) || !request.approved()) {
        return new PolicyDecision.RequireApproval("v1", List.of("isolation-needs-a-person"),
            "isolating a host needs a person");
      }
      // Reloaded while the calls waited: host a is now off limits.
      return call.resource().equals("host:corp/a")
          ? new PolicyDecision.Forbid("v2", List.of("freeze-a"), "host a is frozen")
          : new PolicyDecision.Permit("v2", List.of("approved-isolation"), Set.of());
    };
    GrantRequest grant = new GrantRequest(List.of(Capability.of("host.isolate", "host:corp/*")),
        new Bounds(100, DEADLINE, 0, 0, 1, Rate.parse("100/1m"), 1));
    runtime(b -> b.approvals(approvals).policy(policy), Map.of("root", event ->
        event instanceof AgentEvent.MissionStarted ? List.of(isolateCall("i1", "a"), isolateCall("i2", "b")) : none()));
    MissionHandle mission = start(grant);
    List<ApprovalRequest> requests = pending(approvals, 2);
    ApprovalRequest a = byResource(requests, "host:corp/a");
    ApprovalRequest b = byResource(requests, "host:corp/b");
    assertEquals("isolating a host needs a person", a.reason(), "the rule's message");
    assertEquals(List.of("isolation-needs-a-person"), a.ruleIds());
    assertEquals(hashOf(a), a.actionHash());

    assertTrue(approvals.approve(a.id(), "alice"));
    assertTrue(approvals.approve(b.id(), "alice"));

    Script root = root();
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.CallDenied.class).size() == 1
        && root.eventsOf(AgentEvent.ToolResult.class).size() == 1);
    MissionSnapshot after = snapshot(mission);
    assertEquals(List.of("host:corp/b"), isolate.resources(), "only the call the policy still allows ran");
    AgentEvent.CallDenied denied = root.eventsOf(AgentEvent.CallDenied.class).get(0);
    assertEquals(List.of("i1", List.of("host a is frozen")), List.of(denied.callId(), denied.reasons()));
    assertEquals(List.of(true, true), root.eventsOf(AgentEvent.ApprovalResolved.class).stream()
        .map(AgentEvent.ApprovalResolved::approved).toList(), "the person did approve both");
    AuditRecord deny = records(AuditKind.DECISION).get(0);
    assertEquals(List.of("i1", "policy", "v2", List.of("freeze-a"), false), List.of(deny.payload().get("call"),
        deny.payload().get("reason"), deny.payload().get("policyVersion"), deny.payload().get("rules"),
        deny.payload().get("strike")));
    AuditRecord executed = records(AuditKind.TOOL_EXECUTED).get(0);
    assertEquals(List.of("i2", "v2", List.of("approved-isolation")), List.of(executed.payload().get("call"),
        executed.payload().get("policyVersion"), executed.payload().get("rules")));
    assertEquals(List.of(false, false, true, true), asked.stream().map(PolicyRequest::approved).toList());
    assertEquals(List.of("v1", "v1"), records(AuditKind.APPROVAL).stream()
        .filter(r -> "requested".equals(r.payload().get("status"))).map(r -> r.payload().get("policyVersion")).toList(),
        "each request names the version of the policy that asked");
    assertEquals(AgentStatus.RUNNING, after.status(), "a policy change while waiting is no strike (maxStrikes 1)");
    assertEquals(1, agent(after, mission.root()).budgetUsed(), "the denied call's charge was refunded");
  }

  @Test
  void aPolicyThatThrowsDeniesAsNoPolicyWouldAndTheAgentGoesOn() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    PolicyDecisionPoint broken = request -> {
      if (asked.incrementAndGet() == 1) {
        throw new IllegalStateException("rules store unreachable");
      }
      return new PolicyDecision.Permit("v1", List.of("calls"), Set.of());
    };
    GrantRequest grant = new GrantRequest(List.of(Capability.of("host.isolate", "host:corp/*")),
        new Bounds(100, DEADLINE, 0, 0, 1, Rate.parse("100/1m"), 3));
    runtime(b -> b.policy(broken), Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(isolateCall("first", "a"));
      }
      return event instanceof AgentEvent.CallDenied ? List.of(isolateCall("second", "b")) : none();
    }));
    MissionHandle mission = start(grant);
    Script root = root();
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.ToolResult.class).size() == 1);
    AgentEvent.CallDenied denied = root.eventsOf(AgentEvent.CallDenied.class).get(0);
    assertEquals(List.of("first", List.of("the policy decision point failed: rules store unreachable")),
        List.of(denied.callId(), denied.reasons()));
    assertEquals(List.of("host:corp/b"), isolate.resources());
    assertEquals(List.of("policy", Services.POLICY_FAILED), List.of(records(AuditKind.DECISION).get(0).payload()
        .get("reason"), records(AuditKind.DECISION).get(0).payload().get("policyVersion")));
    MissionSnapshot after = snapshot(mission);
    assertEquals(AgentStatus.RUNNING, after.status());
    assertEquals(0, agent(after, mission.root()).strikes(), "a broken policy is not the agent's strike");
  }

  // ---------------------------------------------------------------------------------------------- delegations

  /** Delegations need a person and are permitted once approved; calls are permitted. */
  private static PolicyDecisionPoint delegationsNeedApproval(List<PolicyRequest> asked) {
    return request -> {
      asked.add(request);
      if (!(request instanceof PolicyRequest.Delegation)) {
        return new PolicyDecision.Permit("v1", List.of("calls"), Set.of());
      }
      return request.approved()
          ? new PolicyDecision.Permit("v2", List.of("delegation-approved"), Set.of())
          : new PolicyDecision.RequireApproval("v1", List.of("delegation-needs-a-person"),
              "a new agent needs a person");
    };
  }

  private static Function<AgentEvent, List<Action>> delegatesTwice() {
    return event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.Delegate("containment", "child", MissionBrief.of("isolate"), childGrant()),
            new Action.Delegate("eradication", "child", MissionBrief.of("clean"), childGrant()))
        : none();
  }

  @Test
  void aDelegationNeedingApprovalSpawnsItsChildOnlyOnceApprovedAndADeniedOneNever() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    List<PolicyRequest> asked = new CopyOnWriteArrayList<>();
    runtime(b -> b.approvals(approvals).policy(delegationsNeedApproval(asked)),
        Map.of("root", delegatesTwice(), "child", event -> none()));
    MissionHandle mission = start(rootGrant(3));
    List<ApprovalRequest> requests = pending(approvals, 2);
    ApprovalRequest containment = byAction(requests, "delegate:containment");
    ApprovalRequest eradication = byAction(requests, "delegate:eradication");
    assertEquals(List.of("m1", List.of(mission.root().value()), "child", Map.of("grant",
        Supervisor.describe(childGrant())), List.of("delegation-needs-a-person"), "a new agent needs a person"),
        List.of(containment.mission(), containment.lineage(), containment.resource(), containment.arguments(),
            containment.ruleIds(), containment.reason()));
    assertEquals(hashOf(containment), containment.actionHash());
    assertNotEquals(containment.actionHash(), eradication.actionHash());
    Script root = root();
    assertEquals(1, snapshot(mission).agents().size(), "nothing spawned before the approval");
    assertEquals(1, scripts.size());

    assertFalse(approvals.approve(containment.id(), "alice", eradication.actionHash()), "bound to its own action");
    assertTrue(approvals.approve(containment.id(), "alice", containment.actionHash()));

    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.ChildStarted.class).size() == 1);
    assertEquals("containment", root.eventsOf(AgentEvent.ChildStarted.class).get(0).role());
    AuditRecord allowed = records(AuditKind.DELEGATION).get(0);
    assertEquals(List.of("allow", "containment", "v2", List.of("delegation-approved")), List.of(
        allowed.payload().get("decision"), allowed.payload().get("role"), allowed.payload().get("policyVersion"),
        allowed.payload().get("rules")), "granted under the decision asked again once approved");

    assertTrue(approvals.deny(eradication.id(), "bob", "one is enough"));

    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.DelegationRefused.class).size() == 1);
    AgentEvent.DelegationRefused refused = root.eventsOf(AgentEvent.DelegationRefused.class).get(0);
    assertEquals(List.of("eradication", List.of("denied by bob: one is enough")),
        List.of(refused.role(), refused.reasons()));
    MissionSnapshot after = snapshot(mission);
    assertEquals(List.of("commander", "containment"), after.agents().stream().map(AgentSnapshot::role).toList());
    assertEquals(2, scripts.size(), "one child was ever made");
    assertEquals(0, agent(after, mission.root()).strikes());
    assertEquals(List.of("requested", "requested", "approved", "denied"), field(AuditKind.APPROVAL, "status"));
    assertEquals(List.of("v1", "v1"), records(AuditKind.APPROVAL).stream()
        .filter(r -> "requested".equals(r.payload().get("status"))).map(r -> r.payload().get("policyVersion")).toList(),
        "a delegation's request names the version of the policy that asked too");
    assertEquals(List.of(containment.id(), eradication.id()), field(AuditKind.DELEGATION, "approval"),
        "each delegation record names the approval it waited on");
    assertEquals(List.of(containment.id(), eradication.id()), records(AuditKind.APPROVAL).stream()
        .filter(r -> "requested".equals(r.payload().get("status"))).map(r -> r.payload().get("approval")).toList());
    assertEquals(1, asked.stream().filter(r -> r instanceof PolicyRequest.Delegation && r.approved()).count());
  }

  @Test
  void aDelegationApprovedForAnotherActionOrNeverAnsweredSpawnsNothing() throws Exception {
    HandAnswers approvals = new HandAnswers();
    runtime(b -> b.approvals(approvals).policy(delegationsNeedApproval(new CopyOnWriteArrayList<>())),
        Map.of("root", delegatesTwice(), "child", event -> none()));
    MissionHandle mission = start(rootGrant(3));
    List<ApprovalRequest> requests = approvals.requests(2);
    ApprovalRequest containment = byAction(requests, "delegate:containment");
    ApprovalRequest eradication = byAction(requests, "delegate:eradication");
    Script root = root();
    snapshot(mission);

    approvals.answer(containment, ApprovalAnswer.approve(eradication.actionHash(), "mallory"));

    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.DelegationRefused.class).size() == 1);
    assertEquals(List.of(DIFFERENT_ACTION), root.eventsOf(AgentEvent.DelegationRefused.class).get(0).reasons());
    snapshot(mission);
    assertEquals(List.of(), approvals.withdrawn);

    timePasses(TIMEOUT);

    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.DelegationRefused.class).size() == 2);
    assertEquals(List.of("approval timed out"), root.eventsOf(AgentEvent.DelegationRefused.class).get(1).reasons());
    assertEquals(List.of(eradication.id()), approvals.withdrawn);
    MissionSnapshot after = snapshot(mission);
    assertEquals(1, after.agents().size(), "no child was spawned");
    assertEquals(1, scripts.size());
    assertEquals(List.of("requested", "requested", "mismatched", "timed-out"), field(AuditKind.APPROVAL, "status"));
    assertEquals("nobody answered within 2m", records(AuditKind.APPROVAL).get(3).payload().get("detail"));
    assertEquals(List.of("deny", "deny"), field(AuditKind.DELEGATION, "decision"));
    assertEquals(List.of(containment.id(), eradication.id()), field(AuditKind.DELEGATION, "approval"));
    assertEquals(0, agent(after, mission.root()).strikes());
  }

  @Test
  void haltingAnAgentWithdrawsTheDelegationsItWaitsOn() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    runtime(b -> b.approvals(approvals).policy(delegationsNeedApproval(new CopyOnWriteArrayList<>())),
        Map.of("root", delegatesTwice(), "child", event -> none()));
    MissionHandle mission = start(rootGrant(3));
    List<ApprovalRequest> requests = pending(approvals, 2);

    mission.halt(mission.root(), "stop", false).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertEquals(List.of(), approvals.pending(), "nobody is asked to approve what can no longer happen");
    assertFalse(approvals.approve(requests.get(0).id(), "alice"));
    assertEquals(AgentStatus.HALTED, outcome(mission).status());
    assertEquals(List.of("requested", "requested", "withdrawn", "withdrawn"), field(AuditKind.APPROVAL, "status"));
    assertEquals(field(AuditKind.APPROVAL, "approval").subList(2, 4), field(AuditKind.DELEGATION, "approval"),
        "each withdrawn request's delegation is denied, naming it");
    assertEquals(List.of("deny", "deny"), field(AuditKind.DELEGATION, "decision"));
    assertEquals(1, scripts.size(), "no child was spawned");
  }
}
