package dev.custos.sim.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.approval.ApprovalAnswer;
import dev.custos.approval.ApprovalRequest;
import dev.custos.approval.ApprovalService;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.identity.MissionId;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.policy.PolicyRequest;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionHandle;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSnapshot;
import dev.custos.runtime.MissionSpec;
import dev.custos.scenario.Scenario;
import dev.custos.sim.SimulationRun;
import dev.custos.sim.SimulationSystem;
import dev.custos.sim.env.Containment;
import dev.custos.sim.env.SimulatedTools;
import dev.custos.sim.env.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The report's events say what the runtime recorded: the policy version a call waiting for a person was asked under,
 * the id of a credential an agent presented (never its token), which delegation a delegation's approval was about, and
 * what became of a request withdrawn because its agent stopped. The library's example runs through the scenario
 * runner; the other cases run a small mission of scripted agents on a simulation run, the runner's parts without its
 * agents, so the runtime writes every record the report reads.
 */
@ExtendWith(QuietRuntimeLog.class)
class ReportTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();


  // ---------------------------------------------------------------------------------------------- policy versions

  @Test
  void aCallThatWaitedForApprovalNamesThePackVersionItWasAskedUnderAsItsAllowDoes() throws Exception {
    JsonNode events = MAPPER.readTree(ScenarioRunnerTest.reportOf(ScenarioRunnerTest.scenario(
        Path.of("scenarios/cloud-key-leak.yaml")), 23)).get("events");

    List<JsonNode> asking = kind(events, "tool-call").stream()
        .filter(e -> "approval-required".equals(e.get("decision").asText())).toList();
    assertFalse(asking.isEmpty(), "cloud-key-leak's containment disables a privileged account: a person is asked "
        + "(soc-baseline)");
    for (JsonNode ask : asking) {
      JsonNode request = after(events, ask, "approval");
      assertEquals(ask.get("seq").asLong(), request.get("call").asLong());
      assertEquals("requested", request.get("status").asText());
      assertEquals(ask.get("reason").asText(), request.get("detail").asText(), "why the person is asked");
      assertTrue(request.get("withdrawnAtMs").isNull());
      JsonNode answer = after(events, request, "approval");
      assertEquals(List.of(ask.get("seq").asLong(), "approved"), List.of(answer.get("call").asLong(),
          answer.get("status").asText()));
      assertThat(answer.get("detail").asText()).startsWith("approved by ");
      JsonNode allowed = sameCallAfter(events, answer, ask);
      assertEquals("allow", allowed.get("decision").asText());
      assertFalse(ask.get("policyVersion").isNull(), ask.toString());
      assertEquals(allowed.get("policyVersion").asText(), ask.get("policyVersion").asText(),
          "asked and allowed under the same pack");
    }
    // The pack's version is a content hash, the same on every call it decided.
    Set<String> versions = new java.util.TreeSet<>();
    kind(events, "tool-call").stream().filter(e -> !e.get("policyVersion").isNull())
        .forEach(e -> versions.add(e.get("policyVersion").asText()));
    assertEquals(1, versions.size(), versions.toString());
  }

  // ---------------------------------------------------------------------------------------------- credentials

  @Test
  void aThiefPresentingItsParentsCredentialIsRejectedByJtiAndTheAuditHoldsNoToken() throws Exception {
    AtomicReference<String> leaked = new AtomicReference<>();
    AtomicReference<Credential> stolen = new AtomicReference<>();
    Mission run = new Mission();
    run.type("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("q1", "siem.query", "siem:alerts"));
      }
      if (event instanceof AgentEvent.ToolResult) {
        // The leak: the root's own credential reaches its child by a way around the runtime.
        Credential own = ((JwtCredentialBroker) run.sim.credentials()).issued().get(0);
        stolen.set(own);
        leaked.set(own.token());
        return List.of(new Action.Delegate("thief", "thief", MissionBrief.of("triage"),
            grant(childBounds(run.in(Duration.ofMinutes(10)), 3), Capability.of("siem.query", "siem:alerts"))));
      }
      return event instanceof AgentEvent.ChildHalted ? List.of(new Action.Complete(Map.of())) : List.of();
    });
    AtomicReference<Integer> attempts = new AtomicReference<>(0);
    run.type("thief", event -> {
      if (event instanceof AgentEvent.MissionStarted || event instanceof AgentEvent.CallDenied) {
        attempts.set(attempts.get() + 1);
        return List.of(new Action.CallTool("steal-" + attempts.get(), "siem.query", "siem:alerts",
            Map.of("credential", leaked.get())));
      }
      return List.of();
    });

    Ran ran = run.start(grant(bounds(run.in(Duration.ofMinutes(20)), 1, 5),
        Capability.of("siem.query", "siem:alerts")), b -> { });

    List<JsonNode> rejected = kind(ran.events, "credential-rejected");
    assertEquals(3, rejected.size(), "three strikes halt the thief");
    String jti = stolen.get().id();
    for (JsonNode e : rejected) {
      assertEquals(List.of(jti, "a2", "siem.query", "a credential that is not the caller's own was presented"),
          List.of(e.get("credential").asText(), e.get("presentedBy").asText(), e.get("tool").asText(),
              e.get("reason").asText()));
    }
    assertEquals("a1", credentialHolder(ran.report, jti), "the credential the report lists as the root's");
    for (JsonNode e : kind(ran.events, "tool-call")) {
      if ("a2".equals(e.get("agent").asText())) {
        assertEquals(List.of("deny", "foreign-credential"), List.of(e.get("decision").asText(),
            e.get("reason").asText()));
        assertTrue(e.get("credential").isNull(), "the runtime presented none of its own for it");
      }
    }
    assertThat(ran.audit.toString()).doesNotContain(leaked.get());
    assertThat(ran.json).doesNotContain(leaked.get());
  }

  // ---------------------------------------------------------------------------------------------- delegations

  /** Delegations need a person and are permitted once approved; calls are permitted. */
  private static PolicyDecisionPoint delegationsNeedApproval() {
    return request -> {
      if (!(request instanceof PolicyRequest.Delegation)) {
        return new PolicyDecision.Permit("v1", List.of("calls"), Set.of());
      }
      return request.approved()
          ? new PolicyDecision.Permit("v2", List.of("delegation-approved"), Set.of())
          : new PolicyDecision.RequireApproval("v1", List.of("delegation-needs-a-person"),
              "a new agent needs a person");
    };
  }

  @Test
  void aDelegationsApprovalRefersToTheDelegationEventItDecided() throws Exception {
    Mission run = new Mission();
    run.type("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.Delegate("worker", "worker", MissionBrief.of("scan"),
            grant(childBounds(run.in(Duration.ofMinutes(10)), 1))));
      }
      return event instanceof AgentEvent.ChildReported ? List.of(new Action.Complete(Map.of())) : List.of();
    });
    run.type("worker", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.Complete(Map.of())) : List.of());

    Ran ran = run.start(grant(bounds(run.in(Duration.ofMinutes(20)), 1, 3)),
        b -> b.policy(delegationsNeedApproval()).approvals(new Answering(run.sim, Duration.ofSeconds(45), false)));

    List<JsonNode> approvals = kind(ran.events, "approval");
    JsonNode delegation = kind(ran.events, "delegation").get(0);
    assertEquals(List.of("allow", "worker", "a2"), List.of(delegation.get("decision").asText(),
        delegation.get("role").asText(), delegation.get("child").asText()));
    assertEquals(List.of("requested", "approved"), approvals.stream().map(e -> e.get("status").asText()).toList());
    for (JsonNode approval : approvals) {
      assertEquals(delegation.get("seq").asLong(), approval.get("call").asLong(),
          "the delegation decided after its answer: the approval refers forward to it");
      assertTrue(approval.get("seq").asLong() < delegation.get("seq").asLong());
    }
    assertEquals(List.of(0L, 45_000L, 45_000L), List.of(approvals.get(0).get("atMs").asLong(),
        approvals.get(1).get("atMs").asLong(), delegation.get("atMs").asLong()));
    assertEquals("a new agent needs a person", approvals.get(0).get("detail").asText());
    assertEquals("approved by alice", approvals.get(1).get("detail").asText());
    assertTrue(kind(ran.events, "tool-call").isEmpty(), "a delegation is not a tool call");
  }

  @Test
  void anApprovalGivenForAnotherActionIsADenialOfTheCallThatAskedAndSaysWhy() throws Exception {
    Mission run = new Mission();
    run.type("root", event -> event instanceof AgentEvent.MissionStarted
        ? List.of(new Action.CallTool("i1", "host.isolate", "host:corp/fin-ws-01"))
        : event instanceof AgentEvent.CallDenied ? List.of(new Action.Complete(Map.of())) : List.of());

    Ran ran = run.start(grant(bounds(run.in(Duration.ofMinutes(20)), 0, 3), Capability.of("host.isolate",
        List.of("host:corp/*"), OptionalInt.empty(), true)), b -> b.approvals(new Answering(run.sim,
        Duration.ofSeconds(30), true)));

    List<JsonNode> approvals = kind(ran.events, "approval");
    assertEquals(List.of("requested", "denied"), approvals.stream().map(e -> e.get("status").asText()).toList());
    assertEquals("the approval was given for a different action", approvals.get(1).get("detail").asText());
    assertEquals(List.of("mismatched"), ran.audit.stream().filter(r -> r.kind() == AuditKind.APPROVAL)
        .map(r -> r.payload().get("status")).filter(s -> !"requested".equals(s)).toList(), "what the audit says");
    List<JsonNode> calls = kind(ran.events, "tool-call");
    assertEquals(List.of("approval-required", "deny"), calls.stream().map(e -> e.get("decision").asText()).toList());
    assertEquals(calls.get(0).get("seq").asLong(), approvals.get(1).get("call").asLong());
    assertEquals("capability-only", calls.get(0).get("policyVersion").asText(),
        "the capability asked: the version of the policy that permitted the call");
  }

  // ---------------------------------------------------------------------------------------------- withdrawals

  @Test
  void requestsWithdrawnWhenTheirAgentEndsAreMarkedOnTheRequestAndWhatTheyAskedForIsDenied() throws Exception {
    Mission run = new Mission();
    run.type("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("i1", "host.isolate", "host:corp/fin-ws-01"),
            new Action.Delegate("worker", "worker", MissionBrief.of("scan"),
                grant(childBounds(run.in(Duration.ofMinutes(10)), 1))),
            new Action.StartTimer("give-up", Duration.ofSeconds(10)));
      }
      return event instanceof AgentEvent.TimerFired ? List.of(new Action.Complete(Map.of())) : List.of();
    });
    run.type("worker", event -> List.of(new Action.Complete(Map.of())));

    // Nobody ever answers: the root gives up after 10 s, its call and its delegation still waiting.
    Ran ran = run.start(grant(bounds(run.in(Duration.ofMinutes(20)), 1, 3), Capability.of("host.isolate",
        List.of("host:corp/*"), OptionalInt.empty(), true)), b -> b.policy(delegationsNeedApproval())
        .approvals(new Answering(run.sim, null, false)));

    List<JsonNode> approvals = kind(ran.events, "approval");
    assertEquals(List.of("requested", "requested"), approvals.stream().map(e -> e.get("status").asText()).toList(),
        () -> "a withdrawal is none of the spec's statuses: no event of its own: " + ran.events);
    for (JsonNode approval : approvals) {
      assertEquals(10_000, approval.get("withdrawnAtMs").asLong(), approval.toString());
    }
    List<JsonNode> calls = kind(ran.events, "tool-call");
    assertEquals(List.of("approval-required", "deny"), calls.stream().map(e -> e.get("decision").asText()).toList());
    assertEquals(calls.get(0).get("seq").asLong(), approvals.get(0).get("call").asLong());
    assertEquals(List.of("agent-stopped", "v1", 10_000L), List.of(calls.get(1).get("reason").asText(),
        calls.get(1).get("policyVersion").asText(), calls.get(1).get("atMs").asLong()));
    assertEquals("v1", calls.get(0).get("policyVersion").asText());
    JsonNode delegation = kind(ran.events, "delegation").get(0);
    assertEquals(List.of("deny", "worker", "the delegating agent ended"), List.of(delegation.get("decision").asText(),
        delegation.get("role").asText(), delegation.get("reason").asText()));
    assertTrue(delegation.get("child").isNull());
    assertEquals(delegation.get("seq").asLong(), approvals.get(1).get("call").asLong());
    JsonNode root = ran.report.get("agents").get(0);
    assertEquals(List.of("completed", 0L), List.of(root.get("status").asText(), root.get("budgetUsed").asLong()),
        "the withdrawn call's charge came back");
  }

  // ---------------------------------------------------------------------------------------------- agents

  @Test
  void anAgentsBudgetUsedAndCallsAreItsOwnNotItsChildrens() throws Exception {
    Mission run = new Mission();
    run.type("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("s1", "edr.scan", "host:corp/fin-ws-01"),
            new Action.Delegate("worker", "worker", MissionBrief.of("query"), grant(
                childBounds(run.in(Duration.ofMinutes(10)), 1), Capability.of("siem.query", List.of("siem:alerts"),
                    OptionalInt.of(3), false))));
      }
      return event instanceof AgentEvent.ChildReported ? List.of(new Action.Complete(Map.of())) : List.of();
    });
    run.type("worker", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.CallTool("q1", "siem.query", "siem:alerts"));
      }
      if (event instanceof AgentEvent.ToolResult result) {
        return "q1".equals(result.callId()) ? List.of(new Action.CallTool("q2", "siem.query", "siem:alerts"))
            : List.of(new Action.Complete(Map.of()));
      }
      return List.of();
    });

    Ran ran = run.start(grant(bounds(run.in(Duration.ofMinutes(20)), 1, 3),
        Capability.of("edr.scan", "host:**"), Capability.of("siem.query", List.of("siem:alerts"), OptionalInt.of(5),
            false)), b -> { });

    JsonNode root = ran.report.get("agents").get(0);
    JsonNode worker = ran.report.get("agents").get(1);
    assertEquals(List.of("completed", "completed"), List.of(root.get("status").asText(),
        worker.get("status").asText()));
    // edr.scan costs 2, siem.query 1: the root's ledger counts the worker's 2 queries too, its own spending does not.
    assertEquals(List.of(2L, 1L), List.of(root.get("budgetUsed").asLong(), root.get("calls").asLong()));
    assertEquals(List.of(2L, 2L), List.of(worker.get("budgetUsed").asLong(), worker.get("calls").asLong()));
  }

  // ---------------------------------------------------------------------------------------------- harness

  private static GrantRequest grant(Bounds bounds, Capability... capabilities) {
    return new GrantRequest(List.of(capabilities), bounds);
  }

  /** A root's bounds: room for {@code maxDepth} levels of children below it. */
  private static Bounds bounds(Instant deadline, int maxDepth, int maxStrikes) {
    return new Bounds(20, deadline, maxDepth, 2, 3, Rate.parse("30/1m"), maxStrikes);
  }

  /** A child's bounds: a share of its parent's, no children of its own. */
  private static Bounds childBounds(Instant deadline, int maxStrikes) {
    return new Bounds(5, deadline, 0, 0, 1, Rate.parse("30/1m"), maxStrikes);
  }

  /** One mission of scripted agents on a simulation run of the example's world and tools. */
  private static final class Mission {
    final SimulationSystem system = SimulationSystem.create("report-test");
    final SimulationRun sim = system.newRun(7);
    private final Map<String, Function<AgentEvent, List<Action>>> types = new java.util.LinkedHashMap<>();

    void type(String name, Function<AgentEvent, List<Action>> behaviour) {
      types.put(name, behaviour);
    }

    Instant in(Duration duration) {
      return sim.start().plus(duration);
    }

    /** Runs the root of type {@code root} with {@code grant} until it ends, and reports the run. */
    Ran start(GrantRequest grant, Consumer<Custos.Builder> parts) throws Exception {
      try {
        Scenario scenario = ScenarioRunnerTest.example();
        World world = World.of(scenario, sim);
        CustosRuntime runtime = sim.runtime(b -> {
          SimulatedTools.create(world, sim).forEach(b::tool);
          types.forEach((name, behaviour) -> b.agentType(name, () -> new Scripted(behaviour)));
          parts.accept(b);
        });
        MissionHandle mission = runtime.startMission(MissionSpec.of(new MissionId("m1"), "root",
            MissionBrief.of("contain"), grant));
        CompletableFuture<MissionOutcome> outcome = mission.completion().toCompletableFuture();
        Instant stopped = sim.runUntil(in(Duration.ofMinutes(30)), outcome::isDone);
        assertTrue(outcome.isDone(), "the mission ended");
        CompletableFuture<MissionSnapshot> snapshot = mission.snapshot().toCompletableFuture();
        sim.runUntil(sim.now().plus(Duration.ofSeconds(30)), snapshot::isDone);
        List<AuditRecord> audit = sim.audit().records();
        RunResult result = new RunResult(scenario, 7, sim.start(), stopped, Optional.of(outcome.join()),
            snapshot.join(), audit, sim.audit().verify(), List.of(), new Containment(0, false, OptionalLong.empty()),
            world.credentialRefusals(), List.of());
        String json = Report.of(result).toJson();
        JsonNode report = MAPPER.readTree(json);
        assertTrue(report.get("audit").get("verified").asBoolean());
        return new Ran(json, report, report.get("events"), audit);
      } finally {
        sim.close();
        system.close();
      }
    }
  }

  private record Ran(String json, JsonNode report, JsonNode events, List<AuditRecord> audit) {}

  /** An agent that answers each event as its script says, on the actor's thread. */
  private record Scripted(Function<AgentEvent, List<Action>> script) implements Agent {
    @Override
    public List<Action> onEvent(AgentEvent event) {
      return script.apply(event);
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  /**
   * Answers every request after {@code delay} of virtual time as alice: an approval of the request's own action, or
   * (with {@code otherAction}) of some other action. A null delay never answers.
   */
  private record Answering(SimulationRun run, Duration delay, boolean otherAction) implements ApprovalService {
    @Override
    public CompletionStage<ApprovalAnswer> request(ApprovalRequest request) {
      if (delay == null) {
        return new CompletableFuture<>();
      }
      String hash = otherAction ? "0".repeat(64) : request.actionHash();
      return run.after(delay, () -> ApprovalAnswer.approve(hash, "alice"));
    }

    @Override
    public void withdraw(String requestId) {}
  }

  // ---------------------------------------------------------------------------------------------- reading events

  private static List<JsonNode> kind(JsonNode events, String kind) {
    List<JsonNode> found = new ArrayList<>();
    events.forEach(e -> {
      if (kind.equals(e.get("kind").asText())) {
        found.add(e);
      }
    });
    return found;
  }

  /** The first event of {@code kind} after {@code event} by the same agent. */
  private static JsonNode after(JsonNode events, JsonNode event, String kind) {
    for (JsonNode e : events) {
      if (e.get("seq").asLong() > event.get("seq").asLong() && kind.equals(e.get("kind").asText())
          && e.get("agent").equals(event.get("agent"))) {
        return e;
      }
    }
    throw new AssertionError("no " + kind + " after " + event);
  }

  /** The first tool-call after {@code from} of {@code call}'s agent, tool and resource. */
  private static JsonNode sameCallAfter(JsonNode events, JsonNode from, JsonNode call) {
    for (JsonNode e : events) {
      if (e.get("seq").asLong() > from.get("seq").asLong() && "tool-call".equals(e.get("kind").asText())
          && e.get("agent").equals(call.get("agent")) && e.get("tool").equals(call.get("tool"))
          && e.get("resource").equals(call.get("resource"))) {
        return e;
      }
    }
    throw new AssertionError("no final decision for " + call);
  }

  private static String credentialHolder(JsonNode report, String id) {
    for (JsonNode c : report.get("credentials")) {
      if (id.equals(c.get("id").asText())) {
        return c.get("holder").asText();
      }
    }
    throw new AssertionError("no credential " + id);
  }
}
