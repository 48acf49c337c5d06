package dev.custos.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.custos.agent.AgentInfo;
import dev.custos.capability.Bounds;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.files.Problems;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.policy.MissionInfo;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyRequest;
import dev.custos.tool.Risk;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decision of spec/policies.md on hand-written cases, and how runtime requests become variables. */
class PolicySetTest {

  private static final String PACK = """
      policy: t
      rules:
        - id: no-export
          effect: forbid
          tools: ["data.export"]
          message: never export
        - id: deep-read-only
          effect: forbid
          when: agent.depth >= 3 && tool.risk != "read"
        - id: tier0
          effect: approve
          tools: ["host.*"]
          when: resource.criticality == "tier0"
          message: tier-0 needs a person
        - id: unsure
          effect: approve
          when: tool.risk == "high" && context.confidence < 0.8
        - id: hosts
          effect: permit
          tools: ["host.*", "siem.*"]
        - id: briefs
          effect: permit
          tools: ["agent.delegate"]
          releases: [secret]
      """;

  private static final PolicySet SET = set(PACK);

  private static PolicySet set(String yaml) {
    Problems problems = new Problems();
    PolicySet set = PackReader.parse("t.yaml", yaml, problems)
        .flatMap(pack -> PolicySet.of(List.of(pack), problems))
        .orElseThrow(() -> new AssertionError(problems.toString()));
    return set;
  }

  private static Facts.Builder call(String tool, String risk, String resource) {
    return Facts.builder().set(Variable.TOOL_NAME, tool).set(Variable.TOOL_RISK, risk)
        .set(Variable.RESOURCE_NAME, resource);
  }

  @Test
  void aMatchingForbidDeniesWhateverElseMatches() {
    PolicyDecision decision = SET.decide(call("data.export", "high", "net:198.51.100.9")
        .set(Variable.CONTEXT_APPROVED, true).build());
    assertEquals(new PolicyDecision.Forbid(SET.version(), List.of("no-export"), "never export"), decision);
  }

  @Test
  void everyMatchingForbidIsNamedInIdOrder() {
    PolicyDecision decision = SET.decide(call("data.export", "high", "net:x").set(Variable.AGENT_DEPTH, 3).build());
    assertEquals(new PolicyDecision.Forbid(SET.version(), List.of("deep-read-only", "no-export"),
        "forbidden by rule deep-read-only; never export"), decision);
  }

  @Test
  void aMatchingApproveAsksForAPerson() {
    PolicyDecision decision = SET.decide(call("host.isolate", "high", "host:core/dc-01")
        .set(Variable.RESOURCE_CRITICALITY, "tier0").set(Variable.CONTEXT_CONFIDENCE, 0.95).build());
    assertEquals(new PolicyDecision.RequireApproval(SET.version(), List.of("tier0"), "tier-0 needs a person"), decision);
  }

  @Test
  void anApprovedCallIsAllowedByItsApproveRules() {
    PolicyDecision decision = SET.decide(call("host.isolate", "high", "host:core/dc-01")
        .set(Variable.RESOURCE_CRITICALITY, "tier0").set(Variable.CONTEXT_APPROVED, true).build());
    assertEquals(new PolicyDecision.Permit(SET.version(), List.of("tier0", "unsure"), Set.of()), decision);
  }

  @Test
  void anApprovedCallNeedsNoPermitRule() {
    PolicyDecision decision = SET.decide(call("account.disable", "high", "account:alice")
        .set(Variable.CONTEXT_APPROVED, true).build());
    assertEquals(new PolicyDecision.Permit(SET.version(), List.of("unsure"), Set.of()), decision);
  }

  @Test
  void aMatchingPermitAllowsWhenNothingStricterMatches() {
    PolicyDecision decision = SET.decide(call("host.isolate", "high", "host:corp/ws-1")
        .set(Variable.CONTEXT_CONFIDENCE, 0.9).build());
    assertEquals(new PolicyDecision.Permit(SET.version(), List.of("hosts"), Set.of()), decision);
  }

  @Test
  void nothingMatchingDenies() {
    PolicyDecision decision = SET.decide(call("email.send", "low", "mail:ceo").build());
    assertEquals(new PolicyDecision.Forbid(SET.version(), List.of(),
        "no policy rule permits email.send on mail:ceo (default deny)"), decision);
    assertEquals(new PolicyDecision.Forbid(PolicySet.empty().version(), List.of(),
        "no policy rule permits siem.query on siem:alerts (default deny)"),
        PolicySet.empty().decide(call("siem.query", "read", "siem:alerts").build()));
  }

  @Test
  void aPermitReleasesItsLabels() {
    PolicyDecision decision = SET.decide(call(PolicyEngine.DELEGATE_TOOL, "low", "agent:commander/triage").build());
    assertEquals(new PolicyDecision.Permit(SET.version(), List.of("briefs"), Set.of("secret")), decision);
  }

  @Test
  void aConditionThatFailsCountsAsMatchingForForbidAndNotForPermit() {
    PolicySet set = set("""
        policy: f
        rules:
          - { id: late-forbid, effect: forbid, when: 'timestamp(context.time).getHours() >= 22' }
          - { id: late-permit, effect: permit, when: 'timestamp(context.time).getHours() < 22' }
        """);
    Facts badTime = call("siem.query", "read", "siem:alerts").set(Variable.CONTEXT_TIME, "not a time").build();
    assertEquals(List.of("late-forbid"), set.decide(badTime).ruleIds());
    Facts evening = call("siem.query", "read", "siem:alerts").set(Variable.CONTEXT_TIME, "2026-11-29T23:00:00Z").build();
    assertEquals(PolicyDecision.Forbid.class, set.decide(evening).getClass());
    Facts morning = call("siem.query", "read", "siem:alerts").set(Variable.CONTEXT_TIME, "2026-11-29T09:00:00Z").build();
    assertEquals(new PolicyDecision.Permit(set.version(), List.of("late-permit"), Set.of()), set.decide(morning));
  }

  @Test
  void theVersionIsTheContentNotTheOrder() {
    PolicySet a = set("policy: a\nrules:\n  - { id: x, effect: permit }\n");
    PolicySet b = set("policy: a\nrules:\n  - { id: x, effect: forbid }\n");
    assertNotEquals(a.version(), b.version());
    assertEquals(a.version(), set("policy: a\nrules:\n  - { id: x, effect: permit }\n").version());
  }

  private static final AgentInfo CONTAINMENT = new AgentInfo(new AgentId("a3"), "containment",
      "commander/containment", "containment", 1,
      SpiffeId.forAgent("custos.local", new MissionId("m1"), "commander/containment"));
  private static final MissionInfo MISSION = new MissionInfo(new MissionId("m1"), "contain-ransomware", "high");
  private static final Instant AT = Instant.parse("2026-11-29T10:00:00Z");

  @Test
  void aToolCallBecomesVariablesWithTheResourceDescribed() {
    ResourceDirectory directory = name -> name.equals("host:core/dc-01")
        ? new ResourceDirectory.ResourceFacts("host", "core", "tier0", false) : ResourceDirectory.fromName(name);
    PolicyEngine engine = PolicyEngine.of(SET, directory);
    Facts facts = engine.facts(new PolicyRequest.ToolCall(CONTAINMENT, MISSION, AT, "host.isolate", Risk.HIGH, 5,
        "host:core/dc-01", Map.of("confidence", 0.9), Map.of("time", AT.toString(), "approved", false,
        "confidence", 0.9)));
    assertEquals(Facts.builder()
        .set(Variable.AGENT_ID, "a3").set(Variable.AGENT_PATH, "commander/containment")
        .set(Variable.AGENT_ROLE, "containment").set(Variable.AGENT_TYPE, "containment").set(Variable.AGENT_DEPTH, 1)
        .set(Variable.AGENT_MISSION, "m1").set(Variable.MISSION_ID, "m1").set(Variable.MISSION_NAME, "contain-ransomware")
        .set(Variable.MISSION_SEVERITY, "high")
        .set(Variable.TOOL_NAME, "host.isolate").set(Variable.TOOL_RISK, "high").set(Variable.TOOL_COST, 5)
        .set(Variable.RESOURCE_NAME, "host:core/dc-01").set(Variable.RESOURCE_KIND, "host")
        .set(Variable.RESOURCE_ZONE, "core").set(Variable.RESOURCE_CRITICALITY, "tier0")
        .set(Variable.CONTEXT_CONFIDENCE, 0.9).set(Variable.CONTEXT_TIME, AT.toString())
        .build(), facts);
    assertEquals(PolicyDecision.RequireApproval.class, engine.decide(new PolicyRequest.ToolCall(CONTAINMENT, MISSION,
        AT, "host.isolate", Risk.HIGH, 5, "host:core/dc-01", Map.of(), Map.of("confidence", 0.9))).getClass());
  }

  @Test
  void aDelegationIsDecidedAsTheDelegateTool() {
    PolicyEngine engine = PolicyEngine.of(SET, ResourceDirectory.NAMES_ONLY);
    GrantRequest grant = new GrantRequest(List.of(), new Bounds(0, AT.plus(Duration.ofMinutes(5)), 0, 0, 1,
        Rate.parse("1/1s"), 1));
    PolicyRequest.Delegation delegation = new PolicyRequest.Delegation(CONTAINMENT, MISSION, AT, "forensics",
        "forensics", grant, Set.of("secret"), Map.of("approved", true));
    Facts facts = engine.facts(delegation);
    assertEquals(PolicyEngine.DELEGATE_TOOL, facts.get(Variable.TOOL_NAME));
    assertEquals("agent:commander/containment/forensics", facts.get(Variable.RESOURCE_NAME));
    assertEquals("agent", facts.get(Variable.RESOURCE_KIND));
    assertEquals("forensics", facts.get(Variable.CHILD_TYPE));
    assertEquals(true, facts.get(Variable.CONTEXT_APPROVED));
    assertEquals(new PolicyDecision.Permit(SET.version(), List.of("briefs"), Set.of("secret")),
        engine.decide(delegation));
  }

  @Test
  void namesAloneGiveKindAndZone() {
    assertEquals(new ResourceDirectory.ResourceFacts("host", "corp", "", false),
        ResourceDirectory.fromName("host:corp/fin-ws-01"));
    assertEquals(new ResourceDirectory.ResourceFacts("account", "", "", false),
        ResourceDirectory.fromName("account:svc-backup"));
    assertEquals(new ResourceDirectory.ResourceFacts("", "", "", false), ResourceDirectory.fromName("plain"));
  }
}
