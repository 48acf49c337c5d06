package dev.custos.sim;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionHandle;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSpec;
import dev.custos.tool.Compensation;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A small mission for determinism tests: a lead delegates to three responders, each of which delegates to two workers
 * (ten agents); workers wait on timers with seeded delays, call simulated tools whose results come back at seeded
 * virtual delays (some fail), isolate hosts (with an undo) and keep watching, and some go rogue (calls outside their grant and of an
 * unknown tool: denials, strikes, a halt); responders ask for an approval nobody gives (it times out); a person halts
 * one responder's subtree with rollback at a seeded time; a snapshot is taken; the lead completes at a fixed 10
 * minutes, which halts whatever still runs.
 */
final class TestMission {

  /** When the lead completes, from the run's start: the mission's end time whatever the seed. */
  static final Duration WRAP_UP = Duration.ofMinutes(10);

  /** What one run left behind. */
  record Result(long seed, String auditHash, String sideHash, int records, Map<AuditKind, Integer> kinds, int agents,
      MissionOutcome outcome, Instant stoppedAt, List<String> side, List<AuditRecord> log) {}

  private TestMission() {}

  /** Runs the mission once with {@code seed} on {@code sim}, with signed credentials, and returns what it left. */
  static Result run(SimulationSystem sim, long seed) {
    return run(sim, seed, SimulationRun.Credentials.JWT);
  }

  /** Runs the mission once with {@code seed} on {@code sim} and returns what it left. */
  static Result run(SimulationSystem sim, long seed, SimulationRun.Credentials credentials) {
    List<String> side = new ArrayList<>();
    Result result;
    try (SimulationRun run = sim.newRun(seed, credentials)) {
      Instant start = run.start();
      SeededRandom agents = run.random("agents");
      SeededRandom tools = run.random("tools");
      int[] workers = {0};
      CustosRuntime runtime = run.runtime(b -> b
          .tool(new SimTool(run, tools, "host.scan", Risk.READ, 1, null, 0.1))
          .tool(new SimTool(run, tools, "host.isolate", Risk.HIGH, 5, "host.release", 0.05))
          .tool(new SimTool(run, tools, "host.release", Risk.LOW, 0, null, 0.0))
          .tool(new SimTool(run, tools, "account.disable", Risk.HIGH, 2, null, 0.0))
          .agentType("lead", () -> new Lead(start))
          .agentType("responder", () -> new Responder(agents, start))
          .agentType("worker", () -> new Worker(agents, workers[0]++ % 2 == 1)));
      MissionSpec spec = new MissionSpec(new MissionId("sim-mission"), "determinism", "lead",
          MissionBrief.of("contain the incident"), rootGrant(start), true, Duration.ofMinutes(2), "high");
      MissionHandle mission = runtime.startMission(spec);
      CompletableFuture<MissionOutcome> outcome = mission.completion().toCompletableFuture();

      SeededRandom person = run.random("person");
      Instant haltAt = start.plusMillis(150_000 + person.nextInt(90_000));
      run.at(haltAt, () -> mission.halt(new AgentId("a3"), "a person halts zone-1", true)
          .thenAccept(ids -> side.add("halted at " + run.now() + ": " + ids)));
      run.at(start.plus(Duration.ofMinutes(7)), () -> mission.snapshot()
          .thenAccept(snapshot -> side.add("snapshot at " + run.now() + ": " + snapshot)));

      Instant stoppedAt = run.runUntil(start.plus(Duration.ofHours(1)), outcome::isDone);
      List<AuditRecord> records = run.audit().records();
      Map<AuditKind, Integer> kinds = new EnumMap<>(AuditKind.class);
      records.forEach(r -> kinds.merge(r.kind(), 1, Integer::sum));
      if (!(run.audit().verify() instanceof dev.custos.audit.Verification.Intact)) {
        throw new AssertionError("the audit chain of seed " + seed + " does not verify: " + run.audit().verify());
      }
      int agentCount = 1 + (int) records.stream()
          .filter(r -> r.kind() == AuditKind.DELEGATION && "allow".equals(r.payload().get("decision"))).count();
      result = new Result(seed, auditHash(records), sha256(String.join("\n", side)), records.size(), kinds,
          agentCount, outcome.getNow(null), stoppedAt, List.copyOf(side), records);
    }
    return result;
  }

  /** SHA-256 over every record's canonical text and chain hash, in order. */
  static String auditHash(List<AuditRecord> records) {
    StringBuilder all = new StringBuilder();
    for (AuditRecord record : records) {
      all.append(record.canonical()).append('\n').append(record.hash()).append('\n');
    }
    return sha256(all.toString());
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------- grants

  private static GrantRequest rootGrant(Instant start) {
    return new GrantRequest(List.of(
        Capability.of("host.scan", "host:**"),
        Capability.of("host.isolate", "host:**"),
        Capability.of("account.disable", List.of("account:**"), OptionalInt.empty(), true)),
        new Bounds(10_000, start.plus(Duration.ofHours(1)), 2, 4, 12, new Rate(60, Duration.ofMinutes(1)), 3));
  }

  private static GrantRequest responderGrant(String zone, Instant start) {
    return new GrantRequest(List.of(
        Capability.of("host.scan", "host:" + zone + "/*"),
        Capability.of("host.isolate", List.of("host:" + zone + "/*"), OptionalInt.of(4), false),
        Capability.of("account.disable", List.of("account:" + zone + "-*"), OptionalInt.empty(), true)),
        new Bounds(1_000, start.plus(Duration.ofMinutes(50)), 1, 2, 3, new Rate(30, Duration.ofMinutes(1)), 3));
  }

  private static GrantRequest workerGrant(String zone, Instant start) {
    return new GrantRequest(List.of(
        Capability.of("host.scan", "host:" + zone + "/*"),
        Capability.of("host.isolate", List.of("host:" + zone + "/*"), OptionalInt.of(2), false)),
        new Bounds(100, start.plus(Duration.ofMinutes(40)), 0, 0, 1, new Rate(10, Duration.ofMinutes(1)), 2));
  }

  // ---------------------------------------------------------------------------------------------- agents

  /** Delegates a responder per zone and completes at {@link #WRAP_UP}, whatever is still running. */
  private static final class Lead implements Agent {
    private final Instant start;
    private int heard;

    Lead(Instant start) {
      this.start = start;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted) {
        List<Action> actions = new ArrayList<>();
        for (int zone = 0; zone < 3; zone++) {
          String name = "zone-" + zone;
          actions.add(new Action.Delegate("responder", "responder",
              new MissionBrief("contain " + name, Map.of("zone", Fact.of(name))), responderGrant(name, start)));
        }
        actions.add(new Action.StartTimer("wrap-up", WRAP_UP));
        return actions;
      }
      if (event instanceof AgentEvent.TimerFired) {
        return List.of(new Action.Complete(Map.of("heard", heard)));
      }
      if (event instanceof AgentEvent.ChildReported || event instanceof AgentEvent.ChildFailed
          || event instanceof AgentEvent.ChildHalted) {
        heard++;
      }
      return List.of();
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  /**
   * Delegates two workers (the second of zone-1 rogue, others rogue by chance), scans its gateway, asks to disable a
   * service account (nobody approves), and completes once both workers ended. Blocking: decides on the executor.
   */
  private static final class Responder implements Agent {
    private final SeededRandom random;
    private final Instant start;
    private String zone;
    private int ended;

    Responder(SeededRandom random, Instant start) {
      this.random = random;
      this.start = start;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        zone = (String) started.brief().fact("zone");
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          boolean rogue = zone.equals("zone-1") ? i == 1 : random.nextInt(5) == 0;
          actions.add(new Action.Delegate("worker", "worker", new MissionBrief("isolate what is infected in " + zone,
              Map.of("zone", Fact.of(zone), "rogue", Fact.of(rogue))), workerGrant(zone, start)));
        }
        actions.add(new Action.CallTool("gateway", "host.scan", "host:" + zone + "/gateway"));
        actions.add(new Action.CallTool("svc", "account.disable", "account:" + zone + "-svc"));
        return actions;
      }
      if (event instanceof AgentEvent.ChildReported || event instanceof AgentEvent.ChildFailed
          || event instanceof AgentEvent.ChildHalted) {
        if (++ended == 2) {
          return List.of(new Action.Complete(Map.of("zone", zone)));
        }
      }
      return List.of();
    }
  }

  /**
   * Waits a seeded while, scans a seeded host, isolates it when the scan worked (retries a failed scan once), then
   * watches: scans again at seeded intervals and completes after three; a rogue one first calls outside its grant and
   * an unknown tool, two strikes, which halt it.
   */
  private static final class Worker implements Agent {
    private final SeededRandom random;
    private final boolean blocking;
    private String zone;
    private boolean rogue;
    private boolean isolated;
    private int tries;
    private int watches;
    private int calls;

    Worker(SeededRandom random, boolean blocking) {
      this.random = random;
      this.blocking = blocking;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        zone = (String) started.brief().fact("zone");
        rogue = (Boolean) started.brief().fact("rogue");
        return List.of(new Action.StartTimer("look", Duration.ofMillis(1_000 + random.nextInt(90_000))));
      }
      if (event instanceof AgentEvent.TimerFired timer) {
        List<Action> actions = new ArrayList<>();
        if (timer.key().equals("look")) {
          if (rogue) {
            actions.add(new Action.CallTool("c" + ++calls, "host.isolate", "host:zone-9/dc-01"));
            actions.add(new Action.CallTool("c" + ++calls, "net.block", "net:0.0.0.0/0"));
          }
          tries++;
        }
        actions.add(new Action.CallTool("c" + ++calls, "host.scan", "host:" + zone + "/ws-" + random.nextInt(10)));
        return actions;
      }
      if (event instanceof AgentEvent.ToolResult result) {
        boolean done = result.outcome() instanceof ToolOutcome.Done;
        if (result.tool().equals("host.isolate")) {
          isolated = true;
          return watchLater();
        }
        if (isolated) {
          return ++watches >= 3 ? List.of(new Action.Complete(Map.of("watched", watches))) : watchLater();
        }
        if (done) {
          return List.of(new Action.CallTool("c" + ++calls, "host.isolate", result.resource()));
        }
        return tries < 2 ? List.of(new Action.StartTimer("look", Duration.ofMillis(500 + random.nextInt(30_000))))
            : List.of(new Action.Fail("the scan kept failing"));
      }
      return List.of();
    }

    private List<Action> watchLater() {
      return List.of(new Action.StartTimer("watch", Duration.ofMillis(30_000 + random.nextInt(60_000))));
    }

    /** Every other worker decides on the executor, the rest on the actor thread: both paths are exercised. */
    @Override
    public boolean blocking() {
      return blocking;
    }
  }

  // ---------------------------------------------------------------------------------------------- tools

  /** A simulated tool: answers after a seeded virtual delay, and fails with a seeded probability. */
  private static final class SimTool implements Tool {
    private final SimulationRun run;
    private final SeededRandom random;
    private final String name;
    private final Risk risk;
    private final long cost;
    private final String undo;
    private final double failure;

    SimTool(SimulationRun run, SeededRandom random, String name, Risk risk, long cost, String undo, double failure) {
      this.run = run;
      this.random = random;
      this.name = name;
      this.risk = risk;
      this.cost = cost;
      this.undo = undo;
      this.failure = failure;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Risk risk() {
      return risk;
    }

    @Override
    public long cost() {
      return cost;
    }

    @Override
    public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
      Duration delay = Duration.ofMillis(100 + random.nextInt(20_000));
      boolean fails = random.nextDouble() < failure;
      return run.after(delay, () -> fails ? new ToolOutcome.Failed("simulated failure")
          : new ToolOutcome.Done(Map.of("tool", name, "resource", call.resource(), "credential", credential.id())));
    }

    @Override
    public Optional<Compensation> compensation(ToolCall call) {
      return undo == null ? Optional.empty() : Optional.of(new Compensation(undo, call.resource(), Map.of()));
    }
  }
}
