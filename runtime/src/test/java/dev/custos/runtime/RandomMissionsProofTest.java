package dev.custos.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.custos.Seeds;
import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import dev.custos.credential.CredentialVerifier;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.tool.ToolCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Random agents drive random actions (calls inside and outside their grants, delegations that narrow or widen, ends)
 * through one runtime, many missions, a seed each. After every mission the invariants are checked against a model built
 * from what the tools saw and what the audit log holds, not from the runtime's own bookkeeping:
 * <ol>
 *   <li>attenuation: every agent's grant is within its parent's;
 *   <li>conservation: no subtree spent more budget, or more calls of a limited capability, than its root's grant;
 *   <li>complete mediation: every effect was made with the caller's own valid credential (checked by the tool with
 *       the verifier library, scope included), within its grant, after a durable audit record of it;
 *   <li>halt: no effect of an agent was accepted after the audit record of a halt covering it;
 *   <li>the audit chain verifies, and no credential of the mission is usable after it ended.
 * </ol>
 */
class RandomMissionsProofTest {

  private static final int MISSIONS = 40;
  private static final List<String> TOOLS = List.of("siem.query", "host.isolate", "account.disable", "data.export");
  private static final List<String> RESOURCES = List.of("host:corp/a", "host:corp/b", "host:core/dc", "account:svc-1",
      "account:alice", "siem:alerts", "net:1.2.3.4");

  /** An agent that acts at random from its own seeded source. */
  private static final class RandomAgent implements Agent {
    private final SplittableRandom random;
    private int actions;
    private GrantRequest grant;

    RandomAgent(long seed) {
      this.random = new SplittableRandom(seed);
    }

    @Override
    public boolean blocking() {
      return random.nextInt(4) == 0;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        grant = started.grant();
      }
      List<Action> out = new ArrayList<>();
      if (actions >= 12) {
        out.add(new Action.Complete(Map.of("actions", actions)));
        return out;
      }
      int n = 1 + random.nextInt(event instanceof AgentEvent.MissionStarted ? 3 : 2);
      for (int i = 0; i < n; i++, actions++) {
        int roll = random.nextInt(20);
        if (roll < 12) {
          out.add(call());
        } else if (roll < 17) {
          out.add(new Action.Delegate("r" + random.nextInt(3), "random", MissionBrief.of("help"), childGrant()));
        } else if (roll < 18) {
          out.add(new Action.Complete(Map.of("actions", actions)));
        } else if (roll < 19) {
          out.add(new Action.Fail("gave up"));
        } else {
          out.add(new Action.StartTimer("t", Duration.ofMillis(random.nextInt(5))));
        }
      }
      return out;
    }

    /** Mostly a call its grant covers, sometimes anything. */
    private Action.CallTool call() {
      String id = "c" + actions;
      if (!grant.capabilities().isEmpty() && random.nextInt(10) < 7) {
        Capability held = grant.capabilities().get(random.nextInt(grant.capabilities().size()));
        List<String> inside = RESOURCES.stream().filter(r -> held.resources().stream().anyMatch(p -> p.matches(r)))
            .toList();
        if (held.tool().isLiteral() && !inside.isEmpty()) {
          return new Action.CallTool(id, held.tool().text(), inside.get(random.nextInt(inside.size())));
        }
      }
      return new Action.CallTool(id, TOOLS.get(random.nextInt(TOOLS.size())),
          RESOURCES.get(random.nextInt(RESOURCES.size())));
    }

    /** Usually a narrowing of its own grant, sometimes a widening. */
    private GrantRequest childGrant() {
      List<Capability> capabilities = new ArrayList<>();
      for (Capability held : grant.capabilities()) {
        if (random.nextInt(3) == 0) {
          continue;
        }
        OptionalInt calls = held.maxCalls().isPresent() || random.nextBoolean()
            ? OptionalInt.of(1 + random.nextInt(2)) : OptionalInt.empty();
        List<Pattern> resources = random.nextInt(8) == 0 ? List.of(Pattern.parse("**")) : held.resources();
        capabilities.add(new Capability(held.tool(), resources, calls, held.requiresApproval()));
      }
      Bounds own = grant.bounds();
      boolean widen = random.nextInt(6) == 0;
      Bounds bounds = new Bounds(widen ? own.budget() + 1 : random.nextInt((int) Math.min(own.budget(), 5) + 1),
          own.deadline(), Math.max(0, own.maxDepth() - (widen ? 0 : 1)), Math.min(own.maxChildren(), 3),
          Math.max(1, Math.min(own.maxSubtreeAgents() / 3, 6)), own.rate(), own.maxStrikes());
      return new GrantRequest(capabilities, bounds);
    }
  }

  @Test
  void randomMissionsKeepEveryInvariant() throws Exception {
    long seed = Seeds.seed();
    SplittableRandom seeds = new SplittableRandom(seed);
    InMemoryAuditLog audit = new InMemoryAuditLog();
    // Both brokers keep every invariant; the default, signed one is the one checked here.
    JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
    Map<String, VerifyingTool> tools = new HashMap<>();
    Custos.Builder builder = Custos.builder().audit(audit).credentials(broker).drainTimeout(Duration.ofSeconds(2));
    for (String name : TOOLS) {
      VerifyingTool tool = new VerifyingTool(name, 1 + name.length() % 3, CredentialVerifier.forBroker(broker), audit);
      tools.put(name, tool);
      builder.tool(tool);
    }
    builder.agentType("random", () -> new RandomAgent(seeds.nextLong()));
    int effects = 0;
    int halts = 0;
    int agentsSeen = 0;
    try (CustosRuntime runtime = builder.build()) {
      for (int m = 0; m < MISSIONS; m++) {
        String where = "mission " + m + ", " + Seeds.describe(seed);
        MissionId id = new MissionId("m" + m);
        GrantRequest root = new GrantRequest(List.of(
            Capability.of("siem.query", "siem:alerts"),
            Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(6), false),
            Capability.of("account.disable", List.of("account:*"), OptionalInt.of(3), false)),
            new Bounds(40, runtime.now().plus(Duration.ofMinutes(10)), 3, 3, 12, Rate.parse("1000/1s"), 5));
        MissionHandle mission = runtime.startMission(MissionSpec.of(id, "random", MissionBrief.of("defend"), root));
        try {
          mission.completion().toCompletableFuture().get(3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          // Agents that stopped acting without ending: a person halts the mission, which is a path worth checking.
          mission.halt(mission.root(), "idle", false).toCompletableFuture().get(5, TimeUnit.SECONDS);
          mission.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Thread.sleep(50); // let halted hosts drain, so the snapshot and the tools are final for this mission
        MissionSnapshot snapshot = mission.snapshot().toCompletableFuture().get(5, TimeUnit.SECONDS);
        agentsSeen += snapshot.agents().size();
        List<VerifyingTool.Accepted> accepted = new ArrayList<>();
        tools.values().forEach(t -> t.accepted.stream()
            .filter(a -> a.credential().mission().equals(id)).forEach(accepted::add));
        effects += accepted.size();
        halts += records(audit, id, AuditKind.HALT).size();
        checkAttenuation(snapshot, where);
        checkConservation(snapshot, accepted, tools, where);
        checkMediation(snapshot, accepted, audit, id, where);
        checkHalts(accepted, audit, id, where);
        for (AgentSnapshot agent : snapshot.agents()) {
          assertEquals(0, broker.activeCount(agent.id(), runtime.now()), agent.id() + " holds a live credential, " + where);
        }
      }
    }
    assertTrue(audit.verify().intact(), audit.verify().toString());
    // The runtime presents only credentials that fit the call: a tool refuses one only when a halt revoked it on the way.
    tools.values().forEach(t -> assertTrue(t.refused.stream().allMatch(r -> r.reason() == Verification.Reason.REVOKED),
        t.name() + " refused " + t.refused + ", " + Seeds.describe(seed)));
    Map<String, Integer> refusals = new java.util.TreeMap<>();
    audit.records().stream().filter(r -> r.kind() == AuditKind.DELEGATION && "deny".equals(r.payload().get("decision")))
        .forEach(r -> ((List<?>) r.payload().get("reasons")).forEach(
            reason -> refusals.merge(String.valueOf(reason).replaceAll("[0-9]+", "N"), 1, Integer::sum)));
    Map<String, Integer> haltReasons = new java.util.TreeMap<>();
    audit.records().stream().filter(r -> r.kind() == AuditKind.HALT)
        .forEach(r -> haltReasons.merge(String.valueOf(r.payload().get("reason")), 1, Integer::sum));
    assertTrue(effects > MISSIONS && halts > MISSIONS / 10 && agentsSeen > MISSIONS * 3 / 2,
        effects + " effects, " + halts + " halts " + haltReasons + ", " + agentsSeen + " agents, refusals " + refusals
            + ", " + Seeds.describe(seed));
  }

  private static List<AuditRecord> records(InMemoryAuditLog audit, MissionId mission, AuditKind kind) {
    return audit.records().stream().filter(r -> r.mission().equals(mission.value()) && r.kind() == kind).toList();
  }

  /** Every agent's grant is within its parent's: each capability inside one of the parent's, each bound no larger. */
  private static void checkAttenuation(MissionSnapshot snapshot, String where) {
    Map<AgentId, AgentSnapshot> byId = new HashMap<>();
    snapshot.agents().forEach(a -> byId.put(a.id(), a));
    for (AgentSnapshot agent : snapshot.agents()) {
      if (agent.parent() == null) {
        continue;
      }
      GrantRequest child = agent.grant();
      GrantRequest parent = byId.get(agent.parent()).grant();
      Bounds c = child.bounds();
      Bounds p = parent.bounds();
      assertTrue(c.budget() <= p.budget() && !c.deadline().isAfter(p.deadline()) && c.maxDepth() < p.maxDepth()
          && c.maxChildren() <= p.maxChildren() && c.maxSubtreeAgents() < p.maxSubtreeAgents()
          && c.rate().within(p.rate()) && c.maxStrikes() <= p.maxStrikes(), agent.id() + " bounds widen, " + where);
      for (Capability capability : child.capabilities()) {
        boolean covered = parent.capabilities().stream().anyMatch(h -> h.tool().contains(capability.tool())
            && capability.resources().stream().allMatch(r -> h.resources().stream().anyMatch(hr -> hr.contains(r)))
            && (!h.requiresApproval() || capability.requiresApproval())
            && (h.maxCalls().isEmpty() || capability.maxCalls().isPresent()
                && capability.maxCalls().getAsInt() <= h.maxCalls().getAsInt()));
        if (!covered) {
          fail(agent.id() + "'s " + capability + " is not within its parent's grant " + parent + ", " + where);
        }
      }
    }
  }

  /** No subtree spent more budget than its root grant, nor more calls than a limited capability of its root allows. */
  private static void checkConservation(MissionSnapshot snapshot, List<VerifyingTool.Accepted> accepted,
      Map<String, VerifyingTool> tools, String where) {
    Map<AgentId, AgentSnapshot> byId = new HashMap<>();
    snapshot.agents().forEach(a -> byId.put(a.id(), a));
    for (AgentSnapshot agent : snapshot.agents()) {
      long spent = 0;
      Map<String, Integer> callsByTool = new HashMap<>();
      for (VerifyingTool.Accepted a : accepted) {
        if (a.credential().lineage().contains(agent.id())) {
          spent += tools.get(a.call().tool()).cost();
          callsByTool.merge(a.call().tool(), 1, Integer::sum);
        }
      }
      long budget = agent.grant().bounds().budget();
      long total = spent;
      assertTrue(total <= budget, agent.id() + "'s subtree spent " + total + " of " + budget + ", " + where);
      for (Capability capability : agent.grant().capabilities()) {
        // Every tool here has one capability per tool name, so calls of the tool are calls of the capability.
        if (capability.maxCalls().isPresent() && capability.tool().isLiteral()) {
          int made = callsByTool.getOrDefault(capability.tool().text(), 0);
          long sameTool = agent.grant().capabilities().stream().filter(c -> c.tool().equals(capability.tool())).count();
          if (sameTool == 1) {
            assertTrue(made <= capability.maxCalls().getAsInt(), agent.id() + " made " + made + " calls of "
                + capability + ", " + where);
          }
        }
      }
    }
  }

  /** Each effect: the caller's own credential, for that tool, within the caller's grant, after its audit record. */
  private static void checkMediation(MissionSnapshot snapshot, List<VerifyingTool.Accepted> accepted,
      InMemoryAuditLog audit, MissionId mission, String where) {
    Map<AgentId, AgentSnapshot> byId = new HashMap<>();
    snapshot.agents().forEach(a -> byId.put(a.id(), a));
    List<AuditRecord> executed = records(audit, mission, AuditKind.TOOL_EXECUTED);
    for (VerifyingTool.Accepted a : accepted) {
      ToolCall call = a.call();
      AgentSnapshot caller = byId.get(call.agent());
      assertEquals(call.agent(), a.credential().holder(), "a credential of another agent was accepted, " + where);
      assertEquals(caller.identity(), call.caller(), where);
      boolean covered = caller.grant().capabilities().stream()
          .anyMatch(c -> c.covers(call.tool(), call.resource()));
      assertTrue(covered, call + " is outside " + caller.grant() + ", " + where);
      String callId = call.callId().substring(call.callId().indexOf('/') + 1);
      boolean recorded = executed.stream().anyMatch(r -> r.lineage().get(r.lineage().size() - 1)
          .equals(call.agent().value()) && callId.equals(r.payload().get("call"))
          && r.seq() <= a.auditSize());
      assertTrue(recorded, "no audit record before " + call + ", " + where);
    }
  }

  /** No effect accepted after the audit record of a halt covering its agent. */
  private static void checkHalts(List<VerifyingTool.Accepted> accepted, InMemoryAuditLog audit, MissionId mission,
      String where) {
    for (AuditRecord halt : records(audit, mission, AuditKind.HALT)) {
      @SuppressWarnings("unchecked")
      List<String> subtree = (List<String>) halt.payload().get("subtree");
      for (VerifyingTool.Accepted a : accepted) {
        if (subtree.contains(a.call().agent().value()) && a.auditSize() >= halt.seq()) {
          fail("an effect of " + a.call().agent() + " was accepted after halt record " + halt.seq() + ", " + where);
        }
      }
    }
  }
}
