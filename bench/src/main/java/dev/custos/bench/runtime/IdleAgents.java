package dev.custos.bench.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.audit.AuditLog;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Heap per idle agent. A mission's root delegates M agents, each of which delegates its share of leaves (about
 * {@code --fanout} each), until the runtime holds N live agents, none doing anything. The heap is read after full
 * collections before the runtime starts and once every agent has started; the difference over N is the bytes per
 * agent: its host (identity, grant, ledger, brief, agent, deadline timer), its actor, the supervisor's record of it and
 * its parent's reservation. Bare Pekko, measured first in the same JVM: the same tree of typed actors that do nothing.
 *
 * <p>By default the audit trail is hash-chained but not kept ({@link HashOnlyAuditLog}): a real runtime writes it to a
 * database, not the heap. {@code --audit memory} keeps it in an {@link InMemoryAuditLog} and so adds its records
 * (one per delegation) to the per-agent figure.
 *
 * <p>Several sizes ({@code --agents 100000,250000}) give a line through the readings, projected to 1,000,000 agents
 * for a run that cannot hold a million; one size projects bytes per agent times a million plus the heap in use before.
 */
public final class IdleAgents {

  private static final long TARGET_AGENTS = 1_000_000;
  private static final double TARGET_HEAP = 4.0 * (1L << 30);

  private IdleAgents() {}

  public static void main(String[] argv) {
    Args args = new Args("IdleAgents", "Heap per idle agent, Custos against a bare typed actor.")
        .option("agents", "1000000", "live agents per measurement; several sizes, comma-separated, fit a line")
        .option("fanout", "1000", "leaves per mid-level agent")
        .option("audit", "hash-only", "hash-only: chain, keep only the head; memory: InMemoryAuditLog keeps every record")
        .parse(argv);
    int[] sizes;
    try {
      sizes = Arrays.stream(args.string("agents").split(",")).mapToInt(s -> Integer.parseInt(s.trim().replace("_", "")))
          .toArray();
    } catch (NumberFormatException e) {
      args.fail("--agents must be whole numbers, comma-separated, such as 100000,250000");
      return;
    }
    if (Arrays.stream(sizes).anyMatch(n -> n < 3)) {
      args.fail("--agents needs at least 3 agents per measurement (a root, a mid-level agent, a leaf)");
    }
    int fanout = args.integer("fanout", 1);
    boolean memoryAudit = args.choice("audit", "hash-only", "memory").equals("memory");

    System.out.println("IdleAgents " + args.settings());
    System.out.println(Fixtures.environment());
    Table table = new Table("Idle agents: heap after full GC, audit " + (memoryAudit ? "in memory" : "hash-only")
        + ", fanout " + fanout);
    List<Reading> readings = new ArrayList<>();
    for (int n : sizes) {
      Shape shape = Shape.of(n, fanout);
      Reading pekko = pekkoReading(shape);
      System.out.printf("bare Pekko, %s actors: %s%n", Table.count(n), pekko);
      Reading custos = custosReading(shape, memoryAudit);
      System.out.printf("Custos, %s agents: %s%n", Table.count(n), custos);
      readings.add(custos);
      table.row("bytes per agent at " + Table.count(n), Table.bytes(custos.perAgent()), Table.bytes(pekko.perAgent()),
          Table.ratio(custos.perAgent(), pekko.perAgent()), "-", "-");
      table.row("heap with " + Table.count(n) + " live", Table.bytes(custos.after), Table.bytes(pekko.after),
          Table.ratio(custos.after, pekko.after), "-", "-");
      table.row("start rate at " + Table.count(n), Table.count(n * 1e9 / custos.buildNanos) + "/s",
          Table.count(n * 1e9 / pekko.buildNanos) + "/s", Table.ratio(pekko.buildNanos, custos.buildNanos), "-", "-");
    }
    double projected;
    String how;
    if (readings.size() >= 2) {
      Reading small = readings.get(0);
      Reading large = readings.get(readings.size() - 1);
      double slope = (double) (large.after - small.after) / (large.agents - small.agents);
      projected = large.after + slope * (TARGET_AGENTS - large.agents);
      how = String.format(Locale.ROOT, "projected on the line through %s and %s agents: %s per agent",
          Table.count(small.agents), Table.count(large.agents), Table.bytes(slope));
    } else {
      Reading only = readings.get(0);
      projected = only.before + only.perAgent() * TARGET_AGENTS;
      how = only.agents == TARGET_AGENTS ? "measured at 1,000,000 (heap before + bytes per agent x 1,000,000)"
          : "projected: heap before + bytes per agent x 1,000,000";
    }
    table.row("heap at 1,000,000 agents", Table.bytes(projected), "-", "-", "<= 4 GiB", Table.met(projected <= TARGET_HEAP))
        .note(how + ".")
        .note("ratio C/P: Custos / bare Pekko (over 1: Custos uses more heap, or starts more slowly).")
        .note("bytes per agent: (heap with the agents - heap before the actor system started) / agents; the "
            + "actor system's own few MiB are spread over the agents.")
        .print();
    System.exit(0);
  }

  /** A root, {@code mids} mid-level agents, and {@code leaves[i]} leaves under mid-level agent i: {@code agents} in all. */
  private record Shape(int agents, int[] leaves) {
    static Shape of(int agents, int fanout) {
      int mids = (int) Math.ceil((agents - 1) / (double) (fanout + 1));
      int leafCount = agents - 1 - mids;
      int[] leaves = new int[mids];
      for (int i = 0; i < mids; i++) {
        leaves[i] = leafCount / mids + (i < leafCount % mids ? 1 : 0);
      }
      return new Shape(agents, leaves);
    }

    int mids() {
      return leaves.length;
    }

    int widest() {
      return Math.max(mids(), Arrays.stream(leaves).max().orElse(0));
    }
  }

  /** Heap in use before and after the agents started, and how long starting them took. */
  private record Reading(int agents, long before, long after, long buildNanos) {
    double perAgent() {
      return (double) (after - before) / agents;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "heap %s -> %s, %s per agent, started in %s", Table.bytes(before),
          Table.bytes(after), Table.bytes(perAgent()), Table.millis(buildNanos));
    }
  }

  // ---------------------------------------------------------------------------------------------- Custos

  private static Reading custosReading(Shape shape, boolean memoryAudit) {
    long before = Fixtures.usedHeapAfterGc();
    Progress started = new Progress(shape.agents());
    Instant deadline = Clock.systemUTC().instant().plus(Duration.ofHours(6));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AuditLog audit = memoryAudit
        ? new InMemoryAuditLog(Math.max(InMemoryAuditLog.DEFAULT_CAPACITY, 2 * shape.agents() + 100))
        : new HashOnlyAuditLog();
    CustosRuntime runtime = Custos.builder().name("custos-idle").tool(new NoopTool()).audit(audit).meterRegistry(meters)
        .agentType("idle", () -> new Idle(shape, deadline, started))
        .build();
    try {
      Gauge live = Fixtures.liveAgents(meters);
      started.start();
      runtime.startMission(Fixtures.mission("idle", "idle",
          Fixtures.grant(0, deadline, 2, shape.widest(), shape.agents())));
      long buildNanos = started.awaitNanos("starting " + shape.agents() + " Custos agents");
      while (live.value() < shape.agents()) {
        Fixtures.sleep(10);
      }
      Fixtures.sleep(1_000); // the supervisor's last AgentStarted messages
      long after = Fixtures.usedHeapAfterGc();
      return new Reading(shape.agents(), before, after, buildNanos);
    } finally {
      runtime.close();
    }
  }

  /**
   * The root delegates the mid-level agents, telling each in its brief how many leaves to delegate; mid-level agents
   * delegate them; everyone then waits. Refusals break the run.
   */
  private static final class Idle implements Agent {
    private final Shape shape;
    private final Instant deadline;
    private final Progress started;

    Idle(Shape shape, Instant deadline, Progress started) {
      this.shape = shape;
      this.deadline = deadline;
      this.started = started;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted start) {
        started.tick();
        List<Action> actions = new ArrayList<>();
        if (start.self().depth() == 0) {
          for (int leaves : shape.leaves()) {
            MissionBrief brief = new MissionBrief("delegate your leaves", Map.of("leaves", Fact.of(leaves)));
            actions.add(new Action.Delegate("mid", "idle", brief,
                Fixtures.grant(0, deadline, 1, shape.widest(), leaves + 1)));
          }
        } else if (start.self().depth() == 1) {
          int leaves = ((Number) start.brief().fact("leaves")).intValue();
          MissionBrief brief = MissionBrief.of("wait");
          for (int i = 0; i < leaves; i++) {
            actions.add(new Action.Delegate("leaf", "idle", brief, Fixtures.grant(0, deadline, 0, 0, 1)));
          }
        }
        return actions;
      }
      if (event instanceof AgentEvent.DelegationRefused refused) {
        started.problem("a delegation was refused: " + refused.reasons());
      } else if (event instanceof AgentEvent.ChildFailed || event instanceof AgentEvent.ChildHalted) {
        started.problem("a child ended: " + event);
      }
      return List.of();
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------- bare Pekko

  private static Reading pekkoReading(Shape shape) {
    long before = Fixtures.usedHeapAfterGc();
    Progress started = new Progress(shape.agents());
    started.start();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      started.tick();
      for (int i = 0; i < shape.mids(); i++) {
        int leaves = shape.leaves()[i];
        context.spawn(Behaviors.<Void>setup(mid -> {
          started.tick();
          for (int j = 0; j < leaves; j++) {
            mid.spawn(plain(started), "leaf-" + j);
          }
          return Behaviors.empty();
        }), "mid-" + i);
      }
      return Behaviors.empty();
    }), "pekko-idle");
    try {
      long buildNanos = started.awaitNanos("starting " + shape.agents() + " bare actors");
      Fixtures.sleep(1_000);
      long after = Fixtures.usedHeapAfterGc();
      return new Reading(shape.agents(), before, after, buildNanos);
    } finally {
      Fixtures.terminate(system);
    }
  }

  /** A typed actor that reports its start once and then does nothing. */
  private static Behavior<Void> plain(Progress started) {
    return Behaviors.setup(context -> {
      started.tick();
      return Behaviors.empty();
    });
  }
}
