package dev.custos.agents;

import static org.awaitility.Awaitility.await;

import dev.custos.agent.Agent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.approval.ApprovalAnswer;
import dev.custos.approval.ApprovalRequest;
import dev.custos.approval.ApprovalService;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.identity.MissionId;
import dev.custos.runtime.AgentSnapshot;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionHandle;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSnapshot;
import dev.custos.runtime.MissionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A real runtime (its own actor system, the system clock) over a {@link FakeEnvironment}, with every defence agent and
 * behaviour registered as an agent type; a test may put another agent in place of a type, which is how it compromises
 * one. Approvals are answered at once, approving or denying, so nothing waits for a person.
 */
final class Harness implements AutoCloseable {

  /** Approves every request at once, bound to the request's action. */
  static final ApprovalService APPROVE = new Answering(true);

  /** Denies every request at once. */
  static final ApprovalService DENY = new Answering(false);

  /** A person who answers every request at once, always the same way. */
  private record Answering(boolean approve) implements ApprovalService {
    @Override
    public CompletionStage<ApprovalAnswer> request(ApprovalRequest request) {
      return CompletableFuture.completedFuture(approve
          ? ApprovalAnswer.approve(request.actionHash(), "tester") : ApprovalAnswer.deny("tester", "not now"));
    }

    @Override
    public void withdraw(String requestId) {}
  }

  final FakeEnvironment env = new FakeEnvironment();
  final InMemoryAuditLog audit = new InMemoryAuditLog();
  final CustosRuntime runtime;
  private int missions;

  Harness(ApprovalService approvals, Map<String, Supplier<Agent>> replaced) {
    Map<String, Supplier<Agent>> types = new LinkedHashMap<>(DefenceAgents.types());
    types.putAll(Behaviours.types());
    types.putAll(replaced);
    Custos.Builder builder = Custos.builder().audit(audit).approvals(approvals).drainTimeout(Duration.ofSeconds(5));
    env.tools().forEach(builder::tool);
    types.forEach(builder::agentType);
    runtime = builder.build();
  }

  Harness() {
    this(APPROVE, Map.of());
  }

  Instant in(Duration duration) {
    return runtime.now().plus(duration);
  }

  /** Bounds with room for a small tree, a generous rate and three strikes. */
  Bounds bounds(Duration deadline, long budget) {
    return new Bounds(budget, in(deadline), 3, 4, 30, Rate.parse("100/1s"), 3);
  }

  static GrantRequest grant(Bounds bounds, Capability... capabilities) {
    return new GrantRequest(List.of(capabilities), bounds);
  }

  static MissionBrief brief(String objective, Map<String, Object> facts) {
    Map<String, Fact> out = new LinkedHashMap<>();
    facts.forEach((name, value) -> out.put(name, Fact.of(value)));
    return new MissionBrief(objective, out);
  }

  MissionHandle start(String type, MissionBrief brief, GrantRequest grant) {
    return start(type, brief, grant, false);
  }

  /** A mission that, when {@code rollbackOnHalt}, undoes the effects of a halted subtree. */
  MissionHandle start(String type, MissionBrief brief, GrantRequest grant, boolean rollbackOnHalt) {
    missions++;
    return runtime.startMission(MissionSpec.of(new MissionId("m" + missions), type, brief, grant)
        .withRollbackOnHalt(rollbackOnHalt));
  }

  /** Agents of one type: the first ones made by {@code firsts}, one each in order, every later one by {@code then}. */
  @SafeVarargs
  static Supplier<Agent> firstThen(Supplier<Agent> then, Supplier<Agent>... firsts) {
    AtomicInteger made = new AtomicInteger();
    return () -> {
      int n = made.getAndIncrement();
      return n < firsts.length ? firsts[n].get() : then.get();
    };
  }

  /** The mission's outcome; on a timeout, fails with the audit trail so the test says what happened. */
  MissionOutcome outcome(MissionHandle mission) {
    try {
      return mission.completion().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      StringBuilder trail = new StringBuilder("the mission did not end: " + e + "; audit trail:");
      audit.records().forEach(r -> trail.append("\n  ").append(r.kind().text()).append(' ').append(r.lineage())
          .append(' ').append(r.payload()));
      throw new AssertionError(trail.toString(), e);
    }
  }

  MissionSnapshot snapshot(MissionHandle mission) {
    return mission.snapshot().toCompletableFuture().join();
  }

  /** The agent of that role (as the snapshot names it: {@code containment}, {@code containment-2}). */
  static AgentSnapshot agent(MissionSnapshot snapshot, String role) {
    return snapshot.agents().stream().filter(a -> a.role().equals(role)).findFirst()
        .orElseThrow(() -> new AssertionError("no agent with role " + role + " in " + snapshot.agents()));
  }

  /** A list of texts in an audit payload. */
  @SuppressWarnings("unchecked")
  static List<String> texts(Object value) {
    return (List<String>) value;
  }

  List<AuditRecord> records(AuditKind kind) {
    return audit.records().stream().filter(r -> r.kind() == kind).toList();
  }

  /** Waits until the environment saw at least {@code count} executions of {@code tool}. */
  void awaitExecutions(String tool, int count) {
    await().atMost(10, TimeUnit.SECONDS).until(() -> env.of(tool).size() >= count);
  }

  /**
   * A credential the broker issued to another agent, as a leak would hand it over: a triage agent of a mission of its
   * own scans one host, and the scan tool keeps the credential it was presented.
   */
  String leakCredential() {
    MissionHandle victim = start(DefenceAgents.TRIAGE, brief("scan", Map.of("hosts", List.of("host:corp/leaky"))),
        grant(bounds(Duration.ofMinutes(1), 10), Capability.of("edr.scan", "host:corp/*")));
    outcome(victim);
    return env.of("edr.scan").stream().filter(e -> e.resource().equals("host:corp/leaky")).findFirst().orElseThrow()
        .credential().token();
  }

  @Override
  public void close() {
    runtime.close();
  }
}
