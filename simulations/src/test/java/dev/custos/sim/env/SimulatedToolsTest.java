package dev.custos.sim.env;

import static dev.custos.sim.env.Scenarios.DC;
import static dev.custos.sim.env.Scenarios.EXFIL;
import static dev.custos.sim.env.Scenarios.SVC;
import static dev.custos.sim.env.Scenarios.WS1;
import static dev.custos.sim.env.Scenarios.WS2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialRequest;
import dev.custos.credential.CredentialScope;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.runtime.AgentStatus;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSpec;
import dev.custos.scenario.Detection;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.SimulatedTool;
import dev.custos.sim.SimulationRun;
import dev.custos.sim.SimulationSystem;
import dev.custos.tool.Compensation;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulated tools: called by an agent through a real runtime on a simulation run (credentials minted by the run's
 * broker, verified by the tools), each one's effect and result shape, their seeded delays; called directly with
 * credentials that are another agent's, expired, for another audience, out of scope or revoked, which they refuse and
 * record; compensations; and the same seed giving the same world twice.
 */
class SimulatedToolsTest {

  private static final MissionId MISSION = new MissionId("m1");
  private static SimulationSystem sim;

  @BeforeAll
  static void start() {
    sim = SimulationSystem.create("tools-test");
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  // ---------------------------------------------------------------------------------------------- through a runtime

  /** A call the test agent makes, and what it got. */
  record Call(String id, String tool, String resource) {}

  record Heard(String callId, long sentMs, long atMs, ToolOutcome outcome) {}

  record MissionRun(List<Heard> heard, World world, MissionOutcome outcome) {}

  /** Makes the first calls at once; when all are answered, the second ones; then completes. */
  private static final class Caller implements Agent {
    private final List<List<Call>> phases;
    private final List<Heard> heard;
    private final Instant start;
    private int phase;
    private int waiting;
    private long sentMs;

    Caller(List<List<Call>> phases, List<Heard> heard, Instant start) {
      this.phases = phases;
      this.heard = heard;
      this.start = start;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        return send(started.at());
      }
      if (event instanceof AgentEvent.ToolResult result) {
        heard.add(new Heard(result.callId(), sentMs, Duration.between(start, result.at()).toMillis(),
            result.outcome()));
        if (--waiting == 0) {
          return phase < phases.size() ? send(result.at()) : List.of(new Action.Complete(Map.of()));
        }
      }
      return List.of();
    }

    private List<Action> send(Instant at) {
      sentMs = Duration.between(start, at).toMillis();
      List<Action> actions = new ArrayList<>();
      for (Call call : phases.get(phase++)) {
        actions.add(new Action.CallTool(call.id(), call.tool(), call.resource(), Map.of("confidence", 0.95)));
      }
      waiting = actions.size();
      return actions;
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  private static MissionRun mission(Scenario scenario, long seed, List<List<Call>> phases) {
    List<Heard> heard = new ArrayList<>();
    try (SimulationRun run = sim.newRun(seed)) {
      World world = World.of(scenario, run);
      world.raise(WS1, "T1486", "files encrypted", null, null);
      List<Tool> tools = SimulatedTools.create(world, run);
      Instant start = run.start();
      CustosRuntime runtime = run.runtime(b -> {
        tools.forEach(b::tool);
        b.agentType("caller", () -> new Caller(phases, heard, start));
      });
      GrantRequest grant = new GrantRequest(List.of(Capability.of("*",
          List.of("siem:alerts", "host:**", "account:*", "net:**", "ticket:*"), OptionalInt.empty(), false)),
          new Bounds(1_000, start.plus(Duration.ofHours(1)), 0, 0, 1, new Rate(60, Duration.ofMinutes(1)), 3));
      CompletableFuture<MissionOutcome> done = runtime.startMission(
          MissionSpec.of(MISSION, "caller", MissionBrief.of("call every tool"), grant)).completion()
          .toCompletableFuture();
      run.runUntil(start.plus(Duration.ofHours(1)), done::isDone);
      return new MissionRun(heard, world, done.getNow(null));
    }
  }

  private static final List<List<Call>> EVERY_TOOL = List.of(
      List.of(new Call("siem", "siem.query", "siem:alerts"),
          new Call("scan-1", "edr.scan", WS1),
          new Call("scan-dc", "edr.scan", DC),
          new Call("isolate", "host.isolate", WS2),
          new Call("disable", "account.disable", SVC),
          new Call("block", "firewall.block", EXFIL),
          new Call("snap", "forensics.snapshot", WS1),
          new Call("ticket", "ticket.update", "ticket:INC-1"),
          new Call("export", "data.export", "net:198.51.100.9"),
          new Call("nowhere", "host.isolate", "host:corp/nope"),
          new Call("nobody", "account.disable", "account:mallory")),
      List.of(new Call("release", "host.release", WS2),
          new Call("enable", "account.enable", SVC),
          new Call("unblock", "firewall.unblock", EXFIL),
          new Call("restore", "host.restore", WS1)));

  private static Map<String, ToolOutcome> byCall(List<Heard> heard) {
    Map<String, ToolOutcome> outcomes = new LinkedHashMap<>();
    heard.forEach(h -> outcomes.put(h.callId(), h.outcome()));
    return outcomes;
  }

  @Test
  void anAgentsOwnCredentialsAreAcceptedAndEveryToolActsAndAnswersInItsShape() {
    MissionRun run = mission(Scenarios.ransomwareSeenAtOnce(), 7, EVERY_TOOL);
    assertEquals(AgentStatus.COMPLETED, run.outcome().status(), run.outcome().toString());
    Map<String, ToolOutcome> got = byCall(run.heard());

    assertEquals(List.of(), run.world().credentialRefusals(), "the runtime's credentials verify");
    assertEquals(new ToolOutcome.Done(Map.of("alerts", List.of(Map.of("id", "al-1", "host", WS1, "technique",
        "T1486", "text", "files encrypted", "atMs", 0L)))), got.get("siem"));
    assertEquals(new ToolOutcome.Done(Map.of("host", WS1, "compromised", true, "techniques", List.of())),
        got.get("scan-1"), "the start host is compromised; no step ran, so no technique");
    assertEquals(new ToolOutcome.Done(Map.of("host", DC, "compromised", false, "techniques", List.of())),
        got.get("scan-dc"));
    assertEquals(new ToolOutcome.Done(Map.of("host", WS2)), got.get("isolate"));
    assertEquals(new ToolOutcome.Done(Map.of("account", SVC)), got.get("disable"));
    assertEquals(new ToolOutcome.Done(Map.of("address", EXFIL)), got.get("block"));
    assertEquals(new ToolOutcome.Done(Map.of("host", WS1, "snapshot", "snap-1")), got.get("snap"));
    assertEquals(new ToolOutcome.Done(Map.of("ticket", "ticket:INC-1")), got.get("ticket"));
    assertEquals(new ToolOutcome.Done(Map.of("exported", "net:198.51.100.9")), got.get("export"));
    assertEquals(new ToolOutcome.Failed("unknown host host:corp/nope"), got.get("nowhere"));
    assertEquals(new ToolOutcome.Failed("unknown account account:mallory"), got.get("nobody"));
    assertEquals(new ToolOutcome.Done(Map.of("host", WS2)), got.get("release"));
    assertEquals(new ToolOutcome.Done(Map.of("account", SVC)), got.get("enable"));
    assertEquals(new ToolOutcome.Done(Map.of("address", EXFIL)), got.get("unblock"));
    assertEquals(new ToolOutcome.Done(Map.of("host", WS1)), got.get("restore"));

    World world = run.world();
    assertEquals(List.of(), world.isolatedHosts(), "isolated, then released");
    assertEquals(List.of(), world.disabledAccounts());
    assertEquals(List.of(), world.blockedAddresses());
    assertEquals(java.util.Set.of(WS2, SVC, EXFIL), java.util.Set.copyOf(world.blockChanges().stream()
        .filter(World.BlockChange::blocked).map(World.BlockChange::resource).toList()));
    assertEquals(6, world.blockChanges().size(), "three blocks, three lifts");
    assertEquals(List.of(WS1), world.restoredHosts());
    assertEquals(List.of(), world.compromisedHosts(), "the restore rebuilt the only compromised host");
    assertEquals(Map.of(WS1, List.of("snap-1")), world.snapshots());
    assertEquals(List.of("net:198.51.100.9"), world.exports());
    assertEquals(Map.of("ticket:INC-1", 1), world.tickets());
    assertEquals(13, world.effects().size(), "every call but the two on unknown resources");
    for (int i = 0; i < world.effects().size(); i++) {
      World.Effect effect = world.effects().get(i);
      assertEquals(i + 1, effect.seq());
      assertEquals("a1", effect.agent());
      assertTrue(i == 0 || world.effects().get(i - 1).atMs() <= effect.atMs(), "effects in time order");
    }
    for (Heard h : run.heard()) {
      if (h.outcome() instanceof ToolOutcome.Done) {
        long took = h.atMs() - h.sentMs();
        assertTrue(took >= 200 && took <= 2_000, h.callId() + " answered after " + took + " ms");
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameWorldTwiceAndAnotherSeedOtherTimes() {
    Scenario scenario = Scenarios.ransomware();   // 0.9 detection: the scans draw
    MissionRun first = mission(scenario, 5, EVERY_TOOL);
    MissionRun again = mission(scenario, 5, EVERY_TOOL);
    MissionRun other = mission(scenario, 6, EVERY_TOOL);

    assertEquals(first.world().effects(), again.world().effects());
    assertEquals(first.world().blockChanges(), again.world().blockChanges());
    assertEquals(first.heard(), again.heard());
    assertNotEquals(first.world().effects(), other.world().effects(), "another seed, other delays");
  }

  // ---------------------------------------------------------------------------------------------- direct calls

  /** A run with the world and tools, and credentials minted by the run's broker for two agents. */
  private static final class Direct implements AutoCloseable {
    final SimulationRun run;
    final World world;
    final Map<String, Tool> tools = new LinkedHashMap<>();
    final AgentId commander = new AgentId("a1");
    final AgentId containment = new AgentId("a2");
    final SpiffeId commanderId = SpiffeId.forAgent("custos.local", MISSION, "commander");
    final SpiffeId containmentId = SpiffeId.forAgent("custos.local", MISSION, "commander/containment");

    Direct(Scenario scenario, long seed) {
      run = sim.newRun(seed);
      world = World.of(scenario, run);
      SimulatedTools.create(world, run).forEach(t -> tools.put(t.name(), t));
    }

    Credential issue(AgentId holder, String audience, CredentialScope scope, Duration life) {
      boolean root = holder.equals(commander);
      Instant now = run.now();
      return run.credentials().issue(new CredentialRequest(holder, root ? commanderId : containmentId, MISSION,
          root ? List.of(commander) : List.of(commander, containment), audience, now, now.plus(life))
          .withScope(scope));
    }

    /** {@code tool} on {@code resource}, called by the commander with {@code credential}, answered. */
    ToolOutcome call(String tool, String resource, Credential credential) {
      CompletionStage<ToolOutcome> stage = tools.get(tool).execute(new ToolCall("a1/c1", tool, resource, Map.of(),
          commander, commanderId), credential);
      CompletableFuture<ToolOutcome> future = stage.toCompletableFuture();
      run.runUntil(run.now().plusSeconds(5), future::isDone);
      return future.getNow(null);
    }

    @Override
    public void close() {
      run.close();
    }
  }

  private static String reasonOf(ToolOutcome outcome) {
    return outcome instanceof ToolOutcome.Failed failed ? failed.reason() : "done: " + outcome;
  }

  @Test
  void badCredentialsAreRefusedAndRecorded() {
    try (Direct d = new Direct(Scenarios.ransomwareSeenAtOnce(), 7)) {
      CredentialScope corp = CredentialScope.of("host.isolate", "host:corp/*");
      Credential own = d.issue(d.commander, "host.isolate", corp, Duration.ofMinutes(5));
      Credential childs = d.issue(d.containment, "host.isolate", corp, Duration.ofMinutes(5));
      Credential otherAudience = d.issue(d.commander, "account.disable", CredentialScope.of("account.disable",
          "account:*"), Duration.ofMinutes(5));
      Credential shortLived = d.issue(d.commander, "host.isolate", corp, Duration.ofMinutes(1));

      String stolen = reasonOf(d.call("host.isolate", WS2, childs));
      assertTrue(stolen.startsWith("credential refused: wrong-holder"), stolen);
      assertTrue(reasonOf(d.call("host.isolate", WS2, otherAudience)).startsWith("credential refused: wrong-audience"));
      assertTrue(reasonOf(d.call("host.isolate", DC, own)).startsWith("credential refused: out-of-scope"));
      assertEquals(List.of(), d.world.isolatedHosts(), "no refused call acted");

      assertEquals(new ToolOutcome.Done(Map.of("host", WS2)), d.call("host.isolate", WS2, own));
      assertEquals(List.of(WS2), d.world.isolatedHosts());

      d.run.runUntil(d.run.now().plus(Duration.ofMinutes(2)), () -> false);
      assertTrue(reasonOf(d.call("host.isolate", WS1, shortLived)).startsWith("credential refused: expired"));
      d.run.credentials().revokeLineage(d.commander, d.run.now());
      assertTrue(reasonOf(d.call("host.isolate", WS1, own)).startsWith("credential refused: revoked"));

      List<World.CredentialRefusal> refusals = d.world.credentialRefusals();
      assertEquals(List.of("wrong-holder", "wrong-audience", "out-of-scope", "expired", "revoked"),
          refusals.stream().map(World.CredentialRefusal::reason).toList(), "each refusal recorded");
      assertEquals(new World.CredentialRefusal(0, childs.id(), "a1", "host.isolate", WS2, "wrong-holder"),
          refusals.get(0));
      assertEquals(otherAudience.id(), refusals.get(1).credential());
      assertEquals(List.of(WS2), d.world.isolatedHosts());
      assertEquals(1, d.world.effects().size());
    }
  }

  @Test
  void aNullCredentialIsRefused() {
    try (Direct d = new Direct(Scenarios.ransomwareSeenAtOnce(), 7)) {
      assertTrue(reasonOf(d.call("siem.query", "siem:alerts", null)).startsWith("credential refused: malformed"));
      assertEquals(1, d.world.credentialRefusals().size());
    }
  }

  @Test
  void theScanFindsACompromiseWithTheDetectionProbability() {
    Scenario never = Scenarios.ransomware(new Detection(0.0, Duration.ZERO), false);
    try (Direct d = new Direct(never, 7)) {
      Credential scan = d.issue(d.commander, "edr.scan", CredentialScope.of("edr.scan", "host:**"),
          Duration.ofMinutes(5));
      assertEquals(new ToolOutcome.Done(Map.of("host", WS1, "compromised", false, "techniques", List.of())),
          d.call("edr.scan", WS1, scan), "never seen");
    }
    Scenario half = Scenarios.ransomware(new Detection(0.5, Duration.ZERO), false);
    int found = 0;
    for (long seed = 0; seed < 10; seed++) {
      try (Direct d = new Direct(half, seed)) {
        Credential scan = d.issue(d.commander, "edr.scan", CredentialScope.of("edr.scan", "host:**"),
            Duration.ofMinutes(5));
        d.world.stepHappened(half.attacker().steps().get(0));
        for (int i = 0; i < 20; i++) {
          ToolOutcome outcome = d.call("edr.scan", WS1, scan);
          Map<String, Object> data = ((ToolOutcome.Done) outcome).data();
          if ((Boolean) data.get("compromised")) {
            found++;
            assertEquals(List.of("T1486"), data.get("techniques"));
          }
        }
      }
    }
    assertTrue(found > 70 && found < 130, "about half of 200 scans: " + found);
  }

  // ---------------------------------------------------------------------------------------------- metadata

  @Test
  void namesRisksCostsAndCompensations() {
    try (Direct d = new Direct(Scenarios.ransomware(), 1)) {
      assertEquals(SimulatedTool.names(), List.copyOf(d.tools.keySet()));
      Map<String, Risk> risks = new LinkedHashMap<>();
      d.tools.values().forEach(t -> risks.put(t.name(), t.risk()));
      assertEquals(Map.ofEntries(Map.entry("siem.query", Risk.READ), Map.entry("edr.scan", Risk.READ),
          Map.entry("forensics.snapshot", Risk.READ), Map.entry("host.isolate", Risk.HIGH),
          Map.entry("account.disable", Risk.HIGH), Map.entry("host.restore", Risk.HIGH),
          Map.entry("data.export", Risk.HIGH), Map.entry("host.release", Risk.LOW),
          Map.entry("account.enable", Risk.LOW), Map.entry("firewall.block", Risk.LOW),
          Map.entry("firewall.unblock", Risk.LOW), Map.entry("ticket.update", Risk.LOW)), risks);
      d.tools.values().forEach(t -> assertTrue(t.cost() > 0 && t.cost() <= 10, t.name() + " costs " + t.cost()));
      d.tools.values().forEach(t -> assertEquals(t.name(), t.audience()));

      Map<String, Optional<Compensation>> undo = new LinkedHashMap<>();
      for (Tool tool : d.tools.values()) {
        String resource = switch (SimulatedTool.named(tool.name()).orElseThrow().resourceKind()) {
          case "host" -> WS2;
          case "account" -> SVC;
          case "net" -> EXFIL;
          case "ticket" -> "ticket:INC-1";
          default -> "siem:alerts";
        };
        Optional<Compensation> c = tool.compensation(new ToolCall("a1/c1", tool.name(), resource, Map.of(),
            d.commander, d.commanderId));
        if (c.isPresent()) {
          undo.put(tool.name(), c);
        }
      }
      assertEquals(Map.of(
          "host.isolate", Optional.of(new Compensation("host.release", WS2)),
          "account.disable", Optional.of(new Compensation("account.enable", SVC)),
          "firewall.block", Optional.of(new Compensation("firewall.unblock", EXFIL))), undo);
    }
  }
}
