package dev.custos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
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
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import dev.custos.credential.InProcessCredentialBroker;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Delegation under pressure, end to end on the system clock: a fork bomb, a ping-pong of ever wider requests, a halt
 * in the middle of a busy tree, and the audit store going down. Each test checks its invariant on what the runtime
 * shows from outside: snapshots, the audit log, the tools' executions and the events agents were given.
 */
class DelegationLimitsTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final AtomicInteger runtimes = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final FakeTool query = new FakeTool("siem.query");
  private final FakeTool isolate = new FakeTool("host.isolate", 1, "host.release");
  private final FakeTool release = new FakeTool("host.release", 0, null);
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
        .actorSystem(testKit.system(), "custos-limits-" + runtimes.incrementAndGet())
        .audit(audit)
        .drainTimeout(Duration.ofSeconds(5))
        .tool(query).tool(isolate).tool(release);
    types.forEach((type, behaviour) -> builder.agentType(type, () -> {
      Script script = new Script(behaviour);
      scripts.add(script);
      return script;
    }));
    runtime = builder.build();
  }

  private MissionHandle start(String type, GrantRequest grant) {
    return runtime.startMission(MissionSpec.of(new MissionId("m1"), type, MissionBrief.of("contain"), grant));
  }

  private MissionSnapshot snapshot(MissionHandle mission) throws Exception {
    return mission.snapshot().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private List<AuditRecord> records(AuditKind kind) {
    return audit.records().stream().filter(r -> r.kind() == kind).toList();
  }

  /** The script of the agent with this role, once it has started. */
  private Script script(String role) {
    await().atMost(WAIT).until(() -> started().containsKey(role));
    return started().get(role);
  }

  /** Every started agent's script by role. */
  private Map<String, Script> started() {
    Map<String, Script> out = new HashMap<>();
    for (Script script : scripts) {
      List<AgentEvent.MissionStarted> started = script.eventsOf(AgentEvent.MissionStarted.class);
      if (!started.isEmpty()) {
        out.put(started.get(0).self().role(), script);
      }
    }
    return out;
  }

  private static AgentEvent.MissionStarted startOf(Script script) {
    return script.eventsOf(AgentEvent.MissionStarted.class).get(0);
  }

  private static List<Action> none() {
    return List.of();
  }

  private Instant in(Duration duration) {
    return runtime.now().plus(duration);
  }

  // ---------------------------------------------------------------------------------------------- fork bomb

  /**
   * Every bomb asks, as soon as it starts, for ten children of its own kind: one level shallower, no budget, its own
   * fan-out, and a fair share of its subtree. Nothing ever ends, so no slot is ever handed back and every agent started
   * counts against the root's subtree at once. {@code expected} is what the carving gives by hand (see the cases).
   */
  @ParameterizedTest(name = "subtree {0}, children {1}, depth {2}")
  @CsvSource({
      // 30 -> 3 children of 9 (no child slot left); each -> 3 of 2 (no slot); each at depth 2 is refused for depth.
      "30, 3, 2, 13",
      // 12 -> 5 children of 2 (slots and subtree run out together); each -> 1 of 1, then no subtree room at all.
      "12, 5, 4, 11",
      // 7 with fan-out 10 -> 6 children of 1: the subtree limit is met exactly, fan-out never binds.
      "7, 10, 10, 7"})
  void aForkBombIsStoppedByDepthFanOutAndSubtreeSize(int maxSubtreeAgents, int maxChildren, int maxDepth,
      int expected) throws Exception {
    int attempts = 10;
    runtime(Map.of("bomb", event -> {
      if (event instanceof AgentEvent.MissionStarted started) {
        Bounds own = started.grant().bounds();
        int share = Math.max(1, (own.maxSubtreeAgents() - 1) / Math.max(1, own.maxChildren()));
        Bounds child = new Bounds(0, own.deadline(), Math.max(0, own.maxDepth() - 1), own.maxChildren(), share,
            own.rate(), own.maxStrikes());
        List<Action> bombs = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
          bombs.add(new Action.Delegate("bomb", "bomb", MissionBrief.of("fork"),
              new GrantRequest(started.grant().capabilities(), child)));
        }
        return bombs;
      }
      return none();
    }));
    GrantRequest root = new GrantRequest(List.of(Capability.of("siem.query", "siem:**")),
        new Bounds(10, in(Duration.ofMinutes(5)), maxDepth, maxChildren, maxSubtreeAgents, Rate.parse("100/1s"),
            attempts + 1));
    MissionHandle mission = start("bomb", root);

    // Quiet: every bomb started has heard back about all its attempts, and the supervisor knows no more agents.
    await().atMost(WAIT).until(() -> {
      assertThat(scripts.size()).as("agents started").isLessThanOrEqualTo(maxSubtreeAgents);
      return scripts.stream().allMatch(s -> answers(s) == attempts)
          && snapshot(mission).agents().size() == scripts.size();
    });
    MissionSnapshot snapshot = snapshot(mission);
    List<AgentSnapshot> agents = snapshot.agents();

    assertThat(agents.size()).isLessThanOrEqualTo(maxSubtreeAgents);
    assertEquals(expected, agents.size(), "the carving allows exactly this many, and the bombs took them all");
    Map<AgentId, AgentSnapshot> byId = agents.stream().collect(Collectors.toMap(AgentSnapshot::id, a -> a));
    for (AgentSnapshot agent : agents) {
      assertEquals(AgentStatus.RUNNING, agent.status(), agent.id() + " was not halted: refusals stayed below its strikes");
      assertThat(agent.depth()).as("depth of %s", agent.id()).isLessThanOrEqualTo(maxDepth);
      if (agent.parent() != null) {
        AgentSnapshot parent = byId.get(agent.parent());
        assertEquals(parent.depth() + 1, agent.depth());
        assertThat(agent.grant().bounds().maxDepth()).isLessThan(parent.grant().bounds().maxDepth());
      }
      assertThat(mostAliveAtOnce(agent.children(), byId)).as("live children of %s", agent.id())
          .isLessThanOrEqualTo(agent.grant().bounds().maxChildren());
      assertThat(subtreeSize(agent, byId)).as("subtree of %s", agent.id())
          .isLessThanOrEqualTo(agent.grant().bounds().maxSubtreeAgents());
    }
    int refusals = scripts.stream().mapToInt(s -> s.eventsOf(AgentEvent.DelegationRefused.class).size()).sum();
    assertEquals(attempts * expected - (expected - 1), refusals, "every bomb tried all its attempts");
    assertEquals(refusals, (int) records(AuditKind.DELEGATION).stream()
        .filter(r -> "deny".equals(r.payload().get("decision"))).count(), "every refusal is audited");
  }

  private static int answers(Script script) {
    return script.eventsOf(AgentEvent.ChildStarted.class).size()
        + script.eventsOf(AgentEvent.DelegationRefused.class).size();
  }

  /** The most of these children alive at the same instant, from their start and end times. */
  private static int mostAliveAtOnce(List<AgentId> children, Map<AgentId, AgentSnapshot> byId) {
    int most = 0;
    for (AgentId at : children) {
      Instant t = byId.get(at).startedAt();
      int alive = 0;
      for (AgentId other : children) {
        AgentSnapshot o = byId.get(other);
        if (!o.startedAt().isAfter(t) && (o.endedAt() == null || o.endedAt().isAfter(t))) {
          alive++;
        }
      }
      most = Math.max(most, alive);
    }
    return most;
  }

  private static int subtreeSize(AgentSnapshot agent, Map<AgentId, AgentSnapshot> byId) {
    int size = 1;
    for (AgentId child : agent.children()) {
      size += subtreeSize(byId.get(child), byId);
    }
    return size;
  }

  // ---------------------------------------------------------------------------------------------- ping-pong

  /**
   * Each agent asks for the mission's whole root grant, then for its valid narrower request widened in one dimension at
   * a time (one request per dimension), then for the narrower request itself, which its child repeats one level down.
   */
  @Test
  void delegationPingPongNeverGrowsAuthority() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    GrantRequest[] rootGrant = new GrantRequest[1];
    runtime(Map.of("pong", event -> {
      if (!(event instanceof AgentEvent.MissionStarted started)) {
        return none();
      }
      runs.incrementAndGet();
      GrantRequest own = started.grant();
      List<Action> asks = new ArrayList<>();
      asks.add(new Action.Delegate("full", "pong", MissionBrief.of("take it all back"), rootGrant[0]));
      if (own.bounds().maxDepth() > 0) {
        GrantRequest narrow = narrower(own);
        widenings(own, narrow).forEach((what, wider) ->
            asks.add(new Action.Delegate("wide-" + what, "pong", MissionBrief.of("a bit more"), wider)));
        asks.add(new Action.Delegate("narrow", "pong", MissionBrief.of("carry on"), narrow));
      }
      return asks;
    }));
    rootGrant[0] = new GrantRequest(List.of(
        Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(16), false),
        Capability.of("host.release", List.of("host:**"), OptionalInt.empty(), true),
        Capability.of("siem.*", "siem:**")),
        new Bounds(64, in(Duration.ofMinutes(5)), 4, 3, 10, Rate.parse("64/1s"), 30));
    MissionHandle mission = start("pong", rootGrant[0]);

    await().atMost(WAIT).until(() -> {
      assertThat(scripts.size()).as("agents started").isLessThanOrEqualTo(5);
      return scripts.size() == 5 && scripts.stream().allMatch(s -> answered(s));
    });
    MissionSnapshot snapshot = snapshot(mission);
    List<AgentSnapshot> agents = snapshot.agents();

    assertEquals(5, agents.size(), "one narrower child per level, depth 0 to 4");
    assertEquals(5, runs.get());
    Map<AgentId, AgentSnapshot> byId = agents.stream().collect(Collectors.toMap(AgentSnapshot::id, a -> a));
    for (AgentSnapshot agent : agents.subList(1, agents.size())) {
      AgentSnapshot parent = byId.get(agent.parent());
      assertEquals(List.of(), widening(agent.grant(), parent.grant()),
          agent.path() + " holds " + agent.grant() + " under " + parent.grant());
      assertThat(agent.role()).isEqualTo("narrow");
    }
    int deniedTotal = 0;
    for (Script script : scripts) {
      AgentEvent.MissionStarted started = startOf(script);
      List<AgentEvent.DelegationRefused> refused = script.eventsOf(AgentEvent.DelegationRefused.class);
      boolean leaf = started.grant().bounds().maxDepth() == 0;
      int expectedWide = leaf ? 0 : widenings(started.grant(), narrower(started.grant())).size();
      assertEquals(1 + expectedWide, refused.size(), started.self().path() + " refusals: " + refused);
      assertEquals("full", refused.get(0).role(), "the root grant is never handed back down");
      for (AgentEvent.DelegationRefused wide : refused.subList(1, refused.size())) {
        assertThat(wide.role()).startsWith("wide-");
        assertEquals(1, wide.reasons().size(), wide.role() + " widens one thing and is refused for it: " + wide);
      }
      assertEquals(leaf ? List.of() : List.of("narrow"),
          script.eventsOf(AgentEvent.ChildStarted.class).stream().map(AgentEvent.ChildStarted::role).toList());
      AgentSnapshot self = byId.get(started.self().id());
      assertEquals(refused.size(), self.strikes(), "every widening request is a strike");
      deniedTotal += refused.size();
    }
    List<AuditRecord> delegations = records(AuditKind.DELEGATION);
    assertEquals(deniedTotal, delegations.stream().filter(r -> "deny".equals(r.payload().get("decision"))).count());
    assertEquals(4, delegations.stream().filter(r -> "allow".equals(r.payload().get("decision"))).count());
  }

  private static boolean answered(Script script) {
    List<AgentEvent.MissionStarted> started = script.eventsOf(AgentEvent.MissionStarted.class);
    if (started.isEmpty()) {
      return false;
    }
    GrantRequest own = started.get(0).grant();
    int asked = own.bounds().maxDepth() == 0 ? 1 : 2 + widenings(own, narrower(own)).size();
    return answers(script) == asked;
  }

  /** What an agent hands down: less of everything, one level shallower, patterns narrowed by one letter. */
  private static GrantRequest narrower(GrantRequest own) {
    List<Capability> capabilities = new ArrayList<>();
    for (Capability c : own.capabilities()) {
      OptionalInt calls = c.maxCalls().isPresent() ? OptionalInt.of(Math.max(1, c.maxCalls().getAsInt() / 2))
          : OptionalInt.empty();
      capabilities.add(new Capability(narrower(c.tool()), c.resources().stream().map(DelegationLimitsTest::narrower)
          .toList(), calls, c.requiresApproval()));
    }
    Bounds b = own.bounds();
    return new GrantRequest(capabilities, new Bounds(b.budget() / 2, b.deadline().minusSeconds(10), b.maxDepth() - 1,
        b.maxChildren(), b.maxSubtreeAgents() - 1, new Rate(Math.max(1, b.rate().calls() / 2), b.rate().per()),
        b.maxStrikes()));
  }

  /** {@code host:**} -> {@code host:*}, {@code host:corp/*} -> {@code host:corp/x*}; a literal stays. */
  private static Pattern narrower(Pattern pattern) {
    String text = pattern.text();
    if (text.endsWith("**")) {
      return Pattern.parse(text.substring(0, text.length() - 1));
    }
    if (text.endsWith("*")) {
      return Pattern.parse(text.substring(0, text.length() - 1) + "x*");
    }
    return pattern;
  }

  /** The valid {@code narrow} request, each time with one thing beyond what {@code own} holds. */
  private static Map<String, GrantRequest> widenings(GrantRequest own, GrantRequest narrow) {
    Map<String, GrantRequest> out = new LinkedHashMap<>();
    Bounds o = own.bounds();
    Bounds n = narrow.bounds();
    for (int i = 0; i < narrow.capabilities().size(); i++) {
      Capability c = narrow.capabilities().get(i);
      Capability held = own.capabilities().get(i);
      out.put("tool-" + i, replace(narrow, i, new Capability(Pattern.parse("*"), c.resources(), c.maxCalls(),
          c.requiresApproval())));
      out.put("resource-" + i, replace(narrow, i, new Capability(c.tool(), List.of(Pattern.parse("**")), c.maxCalls(),
          c.requiresApproval())));
      if (held.requiresApproval()) {
        out.put("approval-" + i, replace(narrow, i, new Capability(c.tool(), c.resources(), c.maxCalls(), false)));
      }
      if (held.maxCalls().isPresent()) {
        out.put("calls-" + i, replace(narrow, i, new Capability(c.tool(), c.resources(),
            OptionalInt.of(held.maxCalls().getAsInt() + 1), c.requiresApproval())));
        out.put("unlimited-" + i, replace(narrow, i, new Capability(c.tool(), c.resources(), OptionalInt.empty(),
            c.requiresApproval())));
      }
    }
    out.put("budget", bounds(narrow, new Bounds(o.budget() + 1, n.deadline(), n.maxDepth(), n.maxChildren(),
        n.maxSubtreeAgents(), n.rate(), n.maxStrikes())));
    out.put("deadline", bounds(narrow, new Bounds(n.budget(), o.deadline().plusSeconds(1), n.maxDepth(),
        n.maxChildren(), n.maxSubtreeAgents(), n.rate(), n.maxStrikes())));
    out.put("depth", bounds(narrow, new Bounds(n.budget(), n.deadline(), o.maxDepth(), n.maxChildren(),
        n.maxSubtreeAgents(), n.rate(), n.maxStrikes())));
    out.put("children", bounds(narrow, new Bounds(n.budget(), n.deadline(), n.maxDepth(), o.maxChildren() + 1,
        n.maxSubtreeAgents(), n.rate(), n.maxStrikes())));
    out.put("subtree", bounds(narrow, new Bounds(n.budget(), n.deadline(), n.maxDepth(), n.maxChildren(),
        o.maxSubtreeAgents(), n.rate(), n.maxStrikes())));
    out.put("rate", bounds(narrow, new Bounds(n.budget(), n.deadline(), n.maxDepth(), n.maxChildren(),
        n.maxSubtreeAgents(), new Rate(o.rate().calls() + 1, o.rate().per()), n.maxStrikes())));
    out.put("strikes", bounds(narrow, new Bounds(n.budget(), n.deadline(), n.maxDepth(), n.maxChildren(),
        n.maxSubtreeAgents(), n.rate(), o.maxStrikes() + 1)));
    return out;
  }

  private static GrantRequest replace(GrantRequest grant, int index, Capability capability) {
    List<Capability> capabilities = new ArrayList<>(grant.capabilities());
    capabilities.set(index, capability);
    return new GrantRequest(capabilities, grant.bounds());
  }

  private static GrantRequest bounds(GrantRequest grant, Bounds bounds) {
    return new GrantRequest(grant.capabilities(), bounds);
  }

  /**
   * Why {@code child} is not within {@code parent}, checked here on its own terms (not with the runtime's
   * {@code Attenuation}): empty when every capability lies within one of the parent's and every bound within its own.
   */
  private static List<String> widening(GrantRequest child, GrantRequest parent) {
    List<String> problems = new ArrayList<>();
    for (Capability c : child.capabilities()) {
      boolean covered = parent.capabilities().stream().anyMatch(p -> p.tool().contains(c.tool())
          && c.resources().stream().allMatch(r -> p.resources().stream().anyMatch(pr -> pr.contains(r)))
          && (!p.requiresApproval() || c.requiresApproval())
          && (p.maxCalls().isEmpty() || c.maxCalls().isPresent() && c.maxCalls().getAsInt() <= p.maxCalls().getAsInt()));
      if (!covered) {
        problems.add("capability " + c);
      }
    }
    Bounds cb = child.bounds();
    Bounds pb = parent.bounds();
    check(problems, cb.budget() <= pb.budget(), "budget");
    check(problems, !cb.deadline().isAfter(pb.deadline()), "deadline");
    check(problems, cb.maxDepth() < pb.maxDepth(), "maxDepth");
    check(problems, cb.maxChildren() <= pb.maxChildren(), "maxChildren");
    check(problems, cb.maxSubtreeAgents() < pb.maxSubtreeAgents(), "maxSubtreeAgents");
    check(problems, cb.rate().per().equals(pb.rate().per()) && cb.rate().calls() <= pb.rate().calls(), "rate");
    check(problems, cb.maxStrikes() <= pb.maxStrikes(), "maxStrikes");
    return problems;
  }

  private static void check(List<String> problems, boolean ok, String what) {
    if (!ok) {
      problems.add(what);
    }
  }

  // ---------------------------------------------------------------------------------------------- halt

  /** An agent that calls a tool every couple of milliseconds, and first delegates its one child when it has one. */
  private static Function<AgentEvent, List<Action>> busy(String childRole, String childType) {
    AtomicInteger n = new AtomicInteger();
    return event -> {
      if (event instanceof AgentEvent.MissionStarted started) {
        List<Action> actions = new ArrayList<>();
        if (childRole != null) {
          Bounds own = started.grant().bounds();
          actions.add(new Action.Delegate(childRole, childType, MissionBrief.of("keep looking"),
              new GrantRequest(started.grant().capabilities(), new Bounds(own.budget() / 10, own.deadline(),
                  own.maxDepth() - 1, 1, own.maxSubtreeAgents() - 1, own.rate(), own.maxStrikes()))));
        }
        actions.add(new Action.CallTool("q" + n.incrementAndGet(), "siem.query", "siem:alerts"));
        return actions;
      }
      if (event instanceof AgentEvent.ToolResult || event instanceof AgentEvent.CallDenied) {
        return List.of(new Action.StartTimer("tick", Duration.ofMillis(2)));
      }
      if (event instanceof AgentEvent.TimerFired) {
        return List.of(new Action.CallTool("q" + n.incrementAndGet(), "siem.query", "siem:alerts"));
      }
      return List.of();
    };
  }

  @Test
  void noEventOfAHaltedSubtreeAfterTheHalt() throws Exception {
    runtime(Map.of("root", busy("middle", "middle"), "middle", busy("leaf", "leaf"), "leaf", busy(null, null)));
    MissionHandle mission = start("root", new GrantRequest(List.of(Capability.of("siem.query", "siem:**")),
        new Bounds(1_000_000, in(Duration.ofMinutes(5)), 2, 1, 3, new Rate(1_000_000, Duration.ofSeconds(1)), 3)));
    AgentId root = mission.root();
    AgentId middle = startOf(script("middle")).self().id();
    AgentId leaf = startOf(script("leaf")).self().id();
    Set<AgentId> halted = Set.of(middle, leaf);
    await().atMost(WAIT).until(() -> executionsBy(root) >= 5 && executionsBy(middle) >= 5 && executionsBy(leaf) >= 5);

    List<AgentId> reply = mission.halt(middle, "enough", false).toCompletableFuture().get(5, TimeUnit.SECONDS);
    long haltedExecutions = query.executions.stream().filter(e -> halted.contains(e.call().agent())).count();
    int middleEvents = script("middle").events.size();
    int leafEvents = script("leaf").events.size();
    long lastSeq = audit.head().orElseThrow().seq();
    int rootBefore = executionsBy(root);

    Thread.sleep(300);

    assertEquals(List.of(middle, leaf), reply);
    assertEquals(haltedExecutions,
        query.executions.stream().filter(e -> halted.contains(e.call().agent())).count(), "no tool ran for them");
    assertEquals(middleEvents, script("middle").events.size(), "nothing more was delivered to the middle agent");
    assertEquals(leafEvents, script("leaf").events.size(), "nothing more was delivered to the leaf agent");
    List<AuditRecord> allowedLater = audit.records().stream()
        .filter(r -> r.seq() > lastSeq && halted.contains(agentOf(r)))
        .filter(r -> r.kind() == AuditKind.TOOL_EXECUTED || r.kind() == AuditKind.TOOL_OUTCOME)
        .toList();
    assertEquals(List.of(), allowedLater, "nothing of theirs was allowed or acted on after the halt answered");
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(executionsBy(root)).as("the root keeps working").isGreaterThanOrEqualTo(rootBefore + 5));
    AgentEvent.ChildHalted childHalted = script("commander").eventsOf(AgentEvent.ChildHalted.class).get(0);
    assertEquals(middle, childHalted.child());
    assertEquals("person", childHalted.reason());
    MissionSnapshot snapshot = snapshot(mission);
    assertEquals(AgentStatus.RUNNING, snapshot.status());
    assertEquals(List.of(AgentStatus.RUNNING, AgentStatus.HALTED, AgentStatus.HALTED),
        snapshot.agents().stream().map(AgentSnapshot::status).toList());
  }

  /**
   * The halt is decided while the child's host is in the middle of a turn (its agent is deciding): what that turn asks
   * for must not be allowed, audited as allowed or answered after the halt. Deterministic: the agent's decision waits on
   * a latch the test opens only after {@code halt} has answered.
   */
  @Test
  void aTurnInProgressWhenTheHaltIsDecidedLeavesNothingAfterTheHalt() throws Exception {
    CountDownLatch deciding = new CountDownLatch(1);
    CountDownLatch decide = new CountDownLatch(1);
    runtime(Map.of(
        "root", event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            Bounds own = started.grant().bounds();
            return List.of(new Action.Delegate("slow", "slow", MissionBrief.of("think"), new GrantRequest(
                started.grant().capabilities(), new Bounds(10, own.deadline(), 0, 0, 1, own.rate(), 3))));
          }
          return none();
        },
        "slow", event -> {
          if (event instanceof AgentEvent.MissionStarted) {
            return List.of(new Action.StartTimer("think", Duration.ofMillis(1)));
          }
          if (event instanceof AgentEvent.TimerFired) {
            // Holds the host's turn (a non-blocking agent that blocks) until the halt has been decided and answered.
            deciding.countDown();
            awaitQuietly(decide);
            return List.of(new Action.CallTool("late", "siem.query", "siem:alerts"),
                new Action.CallTool("bad", "shell.exec", "host:corp/ws-1"));
          }
          return none();
        }));
    MissionHandle mission = start("root", new GrantRequest(List.of(Capability.of("siem.query", "siem:**")),
        new Bounds(100, in(Duration.ofMinutes(5)), 1, 1, 2, Rate.parse("100/1s"), 3)));
    Script slow = script("slow");
    AgentId child = startOf(slow).self().id();
    assertTrue(deciding.await(5, TimeUnit.SECONDS));

    List<AgentId> reply = mission.halt(child, "stop thinking", false).toCompletableFuture().get(5, TimeUnit.SECONDS);
    int events = slow.events.size();
    decide.countDown();
    await().atMost(WAIT).until(() -> snapshot(mission).agents().get(1).status() == AgentStatus.HALTED);
    Thread.sleep(200);

    assertEquals(List.of(child), reply);
    assertEquals(List.of(), query.executions, "no effect ran: the credential was revoked");
    long haltSeq = records(AuditKind.HALT).get(0).seq();
    List<String> after = audit.records().stream()
        .filter(r -> r.seq() > haltSeq && child.equals(agentOf(r)))
        .map(r -> r.kind().text() + " " + r.payload())
        .toList();
    assertEquals(List.of(), after, "nothing of the halted agent is decided or issued after its halt record");
    assertEquals(events, slow.events.size(), "nothing is delivered to the halted agent after halt() answered");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The agent a record is about: the last of its lineage, or null for the supervisor's own records. */
  private static AgentId agentOf(AuditRecord record) {
    return record.lineage().isEmpty() ? null : new AgentId(record.lineage().get(record.lineage().size() - 1));
  }

  private int executionsBy(AgentId agent) {
    return (int) query.executions.stream().filter(e -> e.call().agent().equals(agent)).count();
  }

  // ---------------------------------------------------------------------------------------------- ending

  /**
   * A child completes, and its parent completes on hearing it. The child's completion must be what the supervisor
   * records, not a halt for "its parent ended". Made deterministic by a broker whose checks of the child's credentials
   * take a while: the child's host checks them (for its last state) between telling its parent and telling the
   * supervisor that it ended.
   */
  @Test
  void aChildThatCompletesIsRecordedCompletedWhenItsParentEndsOnHearingIt() throws Exception {
    SlowChecks broker = new SlowChecks();
    Custos.Builder builder = Custos.builder()
        .actorSystem(testKit.system(), "custos-limits-" + runtimes.incrementAndGet())
        .audit(audit).credentials(broker).tool(query);
    builder.agentType("root", () -> new Script(event -> {
      if (event instanceof AgentEvent.MissionStarted started) {
        return List.of(new Action.Delegate("worker", "worker", MissionBrief.of("one query"), new GrantRequest(
            started.grant().capabilities(), new Bounds(1, started.grant().bounds().deadline(), 0, 0, 1,
                started.grant().bounds().rate(), 1))));
      }
      return event instanceof AgentEvent.ChildReported ? List.of(new Action.Complete(Map.of())) : none();
    }));
    builder.agentType("worker", () -> new Script(event -> {
      if (event instanceof AgentEvent.MissionStarted started) {
        broker.slowFor = started.self().identity();
        return List.of(new Action.CallTool("q1", "siem.query", "siem:alerts"));
      }
      return event instanceof AgentEvent.ToolResult ? List.of(new Action.Complete(Map.of("found", 0))) : none();
    }));
    runtime = builder.build();
    MissionHandle mission = start("root", new GrantRequest(List.of(Capability.of("siem.query", "siem:**")),
        new Bounds(10, in(Duration.ofMinutes(5)), 1, 1, 2, Rate.parse("10/1s"), 3)));

    assertEquals(AgentStatus.COMPLETED, mission.completion().toCompletableFuture().get(5, TimeUnit.SECONDS).status());
    Thread.sleep(500);

    assertEquals(List.of(), records(AuditKind.HALT), "nothing was halted");
    List<AgentSnapshot> agents = snapshot(mission).agents();
    assertEquals(List.of(AgentStatus.COMPLETED, AgentStatus.COMPLETED),
        agents.stream().map(AgentSnapshot::status).toList());
    assertEquals(2, records(AuditKind.AGENT_ENDED).size(), "both ends are audited");
  }

  /**
   * Whoever waits on a mission's completion (a person, a simulation runner, a test) reads the audit trail next, so the
   * mission's end must be recorded by then. Deterministic: the completion's callback runs on the thread that completes
   * it, at that very moment.
   */
  @Test
  void theMissionsEndIsAuditedBeforeItsCompletionIsSeen() throws Exception {
    runtime(Map.of("root", event -> {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(new Action.StartTimer("done", Duration.ofMillis(200)));
      }
      return event instanceof AgentEvent.TimerFired ? List.of(new Action.Complete(Map.of())) : none();
    }));
    MissionHandle mission = start("root", new GrantRequest(List.of(),
        new Bounds(1, in(Duration.ofMinutes(5)), 0, 0, 1, Rate.parse("1/1s"), 1)));
    CompletableFuture<List<AuditKind>> seen = mission.completion()
        .thenApply(outcome -> audit.records().stream().map(AuditRecord::kind).toList())
        .toCompletableFuture();

    List<AuditKind> kinds = seen.get(5, TimeUnit.SECONDS);

    assertThat(kinds).endsWith(AuditKind.AGENT_ENDED, AuditKind.MISSION_ENDED);
  }

  /** A broker whose verifications for one presenter take 300 ms. */
  private static final class SlowChecks extends ForwardingBroker {
    volatile SpiffeId slowFor;

    SlowChecks() {
      super(new InProcessCredentialBroker());
    }

    @Override
    public Verification verify(String token, String audience, SpiffeId presenter, Instant now) {
      if (presenter.equals(slowFor)) {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.verify(token, audience, presenter, now);
    }
  }

  // ---------------------------------------------------------------------------------------------- audit store down

  @Test
  void whileTheAuditStoreIsDownNothingRunsAndNothingEverRunsUnrecorded() throws Exception {
    String unavailable = "the audit store did not record the call; nothing ran";
    runtime(Map.of("root", busy(null, null)));
    MissionHandle mission = start("root", new GrantRequest(List.of(Capability.of("siem.query", "siem:**")),
        new Bounds(1_000_000, in(Duration.ofMinutes(5)), 0, 0, 1, new Rate(1_000_000, Duration.ofSeconds(1)), 3)));
    Script root = script("commander");
    await().atMost(WAIT).until(() -> query.executions.size() >= 3);

    audit.setAvailable(false);
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.CallDenied.class).size() >= 3);
    int whileDown = query.executions.size();
    await().atMost(WAIT).until(() -> root.eventsOf(AgentEvent.CallDenied.class).size() >= 10);
    assertEquals(whileDown, query.executions.size(), "no call ran while the store was down");
    List<AgentEvent.CallDenied> denied = root.eventsOf(AgentEvent.CallDenied.class);
    assertThat(denied).allSatisfy(d -> assertEquals(List.of(unavailable), d.reasons()));

    audit.setAvailable(true);
    await().atMost(WAIT).until(() -> query.executions.size() >= whileDown + 5);

    MissionSnapshot running = snapshot(mission);
    assertEquals(AgentStatus.RUNNING, running.status(), "ten denials, maxStrikes 3: an outage is not the agent's strike");
    assertEquals(0, running.agents().get(0).strikes());
    mission.halt(mission.root(), "done", false).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(AgentStatus.HALTED, mission.completion().toCompletableFuture().get(5, TimeUnit.SECONDS).status());
    Set<String> recorded = records(AuditKind.TOOL_EXECUTED).stream()
        .map(r -> r.lineage().get(r.lineage().size() - 1) + "/" + r.payload().get("call"))
        .collect(Collectors.toSet());
    List<String> executed = query.executions.stream().map(e -> e.call().callId()).toList();
    assertThat(recorded).containsAll(executed);
    Set<String> deniedIds = denied.stream().map(d -> mission.root() + "/" + d.callId()).collect(Collectors.toSet());
    assertThat(executed).doesNotContainAnyElementsOf(deniedIds);
    // The denials could not be recorded while the store was down; they are on the record once it is back.
    await().atMost(WAIT).untilAsserted(() -> assertThat(records(AuditKind.DECISION).stream()
        .filter(r -> "audit-unavailable".equals(r.payload().get("reason")))
        .map(r -> mission.root() + "/" + r.payload().get("call"))
        .collect(Collectors.toSet())).containsAll(deniedIds));
    // Each names the credential minted for the call that never ran, one the agent was issued.
    Set<Object> issued = records(AuditKind.CREDENTIAL_ISSUED).stream().map(r -> r.payload().get("credential"))
        .collect(Collectors.toSet());
    assertThat(records(AuditKind.DECISION).stream().filter(r -> "audit-unavailable".equals(r.payload().get("reason")))
        .map(r -> r.payload().get("credential")).toList()).isNotEmpty().allSatisfy(c -> assertThat(issued).contains(c));
    assertTrue(audit.verify().intact(), audit.verify().toString());
  }
}
