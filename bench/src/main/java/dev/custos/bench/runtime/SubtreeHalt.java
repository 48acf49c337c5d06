package dev.custos.bench.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.GrantRequest;
import dev.custos.credential.InProcessCredentialBroker;
import dev.custos.identity.AgentId;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionHandle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Halting a large subtree. A mission's root agent delegates one child, the subtree's root, which delegates a tree of
 * the given shape ({@code 100x100}: 100 children, each delegating 100: 10,101 agents). Every agent makes one tool call,
 * so it holds a credential, and then waits. The timed part: from {@code MissionHandle.halt(subtree root)} until every
 * host of the subtree has stopped, read from the runtime's {@code custos.agents.live} gauge (polled every 50 µs). The
 * halt also revokes every credential of the subtree; after the round the benchmark checks that none of them is still
 * active, and that the halt named every agent of the subtree.
 *
 * <p>Bare Pekko, in the same JVM, alternating round by round: the same tree of plain actors under a top actor that
 * watches the subtree's root, stops it, and stamps the {@code Terminated}.
 *
 * <p>Every round builds a fresh runtime and a fresh actor system, so no round inherits another's actors or records.
 */
public final class SubtreeHalt {

  private static final long POLL_NANOS = 50_000;

  private SubtreeHalt() {}

  public static void main(String[] argv) {
    Args args = new Args("SubtreeHalt", "Halt of a large subtree with its credentials revoked, Custos against a bare "
        + "Pekko stop of the same tree.")
        .option("shape", "100x100", "children per level below the subtree's root (10x10x10x10 is 11,111 agents)")
        .option("rounds", "20", "measured rounds per side")
        .option("warmup", "3", "warm-up rounds per side, not reported")
        .parse(argv);
    int[] shape = parseShape(args, args.string("shape"));
    int rounds = args.integer("rounds", 1);
    int warmup = args.integer("warmup", 0);
    int subtree = subtreeSize(shape, 0);

    System.out.println("SubtreeHalt " + args.settings() + " (" + subtree + " agents in the subtree)");
    System.out.println(Fixtures.environment());
    for (int i = 0; i < warmup; i++) {
      CustosResult c = custosRound(shape, "w" + i);
      double p = pekkoRound(shape);
      System.out.printf("warm-up %d/%d: Custos %s, bare Pekko %s%n", i + 1, warmup, c, Table.millis(p));
    }
    double[] custos = new double[rounds];
    double[] decided = new double[rounds];
    double[] building = new double[rounds];
    double[] pekko = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      CustosResult c = custosRound(shape, "r" + i);
      custos[i] = c.stoppedNanos;
      decided[i] = c.decidedNanos;
      building[i] = c.buildNanos;
      pekko[i] = pekkoRound(shape);
      System.out.printf("round %d/%d: Custos %s, bare Pekko %s%n", i + 1, rounds, c, Table.millis(pekko[i]));
    }

    double c50 = Table.median(custos);
    double p50 = Table.median(pekko);
    double c99 = Table.percentile(custos, 99);
    double p99 = Table.percentile(pekko, 99);
    new Table("Subtree halt: " + subtree + " agents (shape " + args.string("shape") + "), each holding a credential, "
        + rounds + " rounds")
        .row("halt to all stopped, p50", Table.millis(c50), Table.millis(p50), Table.ratio(c50, p50), "-", "-")
        .row("halt to all stopped, p99", Table.millis(c99), Table.millis(p99), Table.ratio(c99, p99), "<= 150 ms",
            Table.met(c99 <= 150_000_000))
        .row("halt to all stopped, max", Table.millis(Table.max(custos)), Table.millis(Table.max(pekko)),
            Table.ratio(Table.max(custos), Table.max(pekko)), "-", "-")
        .row("halt decided (ask answered), p50", Table.millis(Table.median(decided)), "-", "-", "-", "-")
        .row("building the tree, p50", Table.millis(Table.median(building)), "-", "-", "-", "-")
        .note("p99 is the nearest rank over the rounds: with fewer than 100 rounds it is the slowest round.")
        .note("ratio C/P: Custos time / bare Pekko time (over 1: Custos is slower).")
        .note("every round checked: the halt named all " + subtree + " agents and none of them holds an active "
            + "credential afterwards.")
        .note("halt decided: the supervisor has marked the subtree halted, revoked its credentials (one lineage entry) "
            + "and sent every host its Halt; the hosts stop after that.")
        .note("the target is stated for 2 cores; this run had " + Runtime.getRuntime().availableProcessors() + ".")
        .print();
    System.exit(0);
  }

  private static int[] parseShape(Args args, String text) {
    try {
      int[] shape = Arrays.stream(text.split("x")).mapToInt(s -> Integer.parseInt(s.replace("_", ""))).toArray();
      if (shape.length == 0 || Arrays.stream(shape).anyMatch(n -> n < 1)) {
        args.fail("--shape needs whole numbers of at least 1, such as 100x100");
      }
      return shape;
    } catch (NumberFormatException e) {
      args.fail("--shape must look like 100x100, not '" + text + "'");
      return new int[0];
    }
  }

  /** Agents in a subtree whose root sits at {@code level} of {@code shape} (level 0: the subtree's root). */
  static int subtreeSize(int[] shape, int level) {
    int size = 1;
    for (int l = shape.length - 1; l >= level; l--) {
      size = 1 + shape[l] * size;
    }
    return size;
  }

  // ---------------------------------------------------------------------------------------------- Custos

  private record CustosResult(long buildNanos, long decidedNanos, long stoppedNanos) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "built in %s, halt decided in %s, all stopped in %s",
          Table.millis(buildNanos), Table.millis(decidedNanos), Table.millis(stoppedNanos));
    }
  }

  private static CustosResult custosRound(int[] shape, String id) {
    Fixtures.settle();
    int subtree = subtreeSize(shape, 0);
    int total = subtree + 1;
    // Every agent's call returns a result; the mission root hears of the subtree root's start.
    Progress built = new Progress(total + 1);
    AtomicReference<AgentId> subtreeRoot = new AtomicReference<>();
    Instant deadline = Clock.systemUTC().instant().plus(Duration.ofHours(1));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    InProcessCredentialBroker broker = new InProcessCredentialBroker();
    CustosRuntime runtime = Custos.builder().name("custos-halt").tool(new NoopTool())
        .audit(new InMemoryAuditLog(Math.max(InMemoryAuditLog.DEFAULT_CAPACITY, 8 * total)))
        .credentials(broker).meterRegistry(meters)
        .agentType("node", () -> new Node(shape, deadline, built, subtreeRoot))
        .build();
    try {
      Gauge live = Fixtures.liveAgents(meters);
      built.start();
      MissionHandle mission = runtime.startMission(Fixtures.mission("halt-" + id, "node", nodeGrant(shape, -1,
          deadline)));
      long buildNanos = built.awaitNanos("building the Custos tree");
      waitFor(() -> live.value() >= total, "all " + total + " Custos hosts to start");
      Fixtures.settle();

      AtomicLong decidedAt = new AtomicLong();
      long start = System.nanoTime();
      CompletableFuture<List<AgentId>> halted = mission.halt(subtreeRoot.get(), "benchmark", false)
          .toCompletableFuture().whenComplete((ids, failure) -> decidedAt.set(System.nanoTime()));
      while (live.value() > 1) {
        LockSupport.parkNanos(POLL_NANOS);
        if (System.nanoTime() - start > Fixtures.ROUND_TIMEOUT.toNanos()) {
          throw new IllegalStateException("the halted subtree did not stop: " + (long) live.value() + " hosts live");
        }
      }
      long stopped = System.nanoTime() - start;
      List<AgentId> ids = Fixtures.await(halted, "the halt's answer");
      check(ids.size() == subtree, "the halt named " + ids.size() + " agents, the subtree has " + subtree);
      Instant now = runtime.now();
      long active = ids.stream().filter(a -> broker.activeCount(a, now) > 0).count();
      check(active == 0, active + " halted agents still hold an active credential");
      return new CustosResult(buildNanos, decidedAt.get() - start, stopped);
    } finally {
      runtime.close();
    }
  }

  /**
   * The grant of an agent at {@code level} of the shape (-1: the mission's root, above the subtree): deep enough for
   * the levels below, room for its whole subtree, and two budget units per agent of it (each call costs one). A
   * child's {@code maxChildren} may not exceed its parent's, so each level may have as many children as the widest
   * level below it.
   */
  private static GrantRequest nodeGrant(int[] shape, int level, Instant deadline) {
    int size = level < 0 ? 1 + subtreeSize(shape, 0) : subtreeSize(shape, level);
    int widest = level < 0 ? 1 : 0;
    for (int l = Math.max(0, level); l < shape.length; l++) {
      widest = Math.max(widest, shape[l]);
    }
    int depth = shape.length - level;
    return Fixtures.grant(2L * size, deadline, depth, widest, size);
  }

  /**
   * One agent of the tree: delegates its level's children, makes one call (so it holds a credential), then waits.
   * The mission's root (depth 0) delegates only the subtree's root. Refusals and denials break the round.
   */
  private static final class Node implements Agent {
    private final int[] shape;
    private final Instant deadline;
    private final Progress built;
    private final AtomicReference<AgentId> subtreeRoot;
    private final MissionBrief brief = MissionBrief.of("stand by");
    private int level;

    Node(int[] shape, Instant deadline, Progress built, AtomicReference<AgentId> subtreeRoot) {
      this.shape = shape;
      this.deadline = deadline;
      this.built = built;
      this.subtreeRoot = subtreeRoot;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        level = started.self().depth() - 1;
        int children = level < 0 ? 1 : level < shape.length ? shape[level] : 0;
        List<Action> actions = new ArrayList<>(children + 1);
        actions.add(new Action.CallTool("hold", NoopTool.NAME, Fixtures.RESOURCE));
        if (children > 0) {
          GrantRequest childGrant = nodeGrant(shape, level + 1, deadline);
          for (int i = 0; i < children; i++) {
            actions.add(new Action.Delegate("n", "node", brief, childGrant));
          }
        }
        return actions;
      }
      if (event instanceof AgentEvent.ToolResult) {
        built.tick();
      } else if (event instanceof AgentEvent.ChildStarted child && level < 0) {
        subtreeRoot.set(child.child());
        built.tick();
      } else if (event instanceof AgentEvent.CallDenied denied) {
        built.problem("a call was denied: " + denied.reasons());
      } else if (event instanceof AgentEvent.DelegationRefused refused) {
        built.problem("a delegation was refused: " + refused.reasons());
      }
      return List.of();
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) {
    long end = System.nanoTime() + Fixtures.ROUND_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Fixtures.sleep(1);
    }
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalStateException(problem);
    }
  }

  // ---------------------------------------------------------------------------------------------- bare Pekko

  private static double pekkoRound(int[] shape) {
    Fixtures.settle();
    Progress built = new Progress(subtreeSize(shape, 0));
    CompletableFuture<Long> stoppedAt = new CompletableFuture<>();
    ActorSystem<Top.Command> system = ActorSystem.create(Top.create(shape, built, stoppedAt), "pekko-halt");
    try {
      built.start();
      built.awaitNanos("building the bare Pekko tree");
      Fixtures.settle();
      long start = System.nanoTime();
      system.tell(Top.StopSubtree.INSTANCE);
      return Fixtures.await(stoppedAt, "stopping the bare Pekko subtree") - start;
    } finally {
      Fixtures.terminate(system);
    }
  }

  /** Spawns and watches the subtree's root; stops it when told and stamps its {@code Terminated}. */
  static final class Top {
    sealed interface Command {}

    enum StopSubtree implements Command { INSTANCE }

    enum SubtreeStopped implements Command { INSTANCE }

    private Top() {}

    static Behavior<Command> create(int[] shape, Progress built, CompletableFuture<Long> stoppedAt) {
      return Behaviors.setup(context -> {
        ActorRef<Void> root = context.spawn(plainNode(shape, 0, built), "subtree");
        context.watchWith(root, SubtreeStopped.INSTANCE);
        return Behaviors.receive(Command.class)
            .onMessageEquals(StopSubtree.INSTANCE, () -> {
              context.stop(root);
              return Behaviors.same();
            })
            .onMessageEquals(SubtreeStopped.INSTANCE, () -> {
              stoppedAt.complete(System.nanoTime());
              return Behaviors.same();
            })
            .build();
      });
    }

    /** A plain actor of the tree: spawns its level's children, reports once that it started, then does nothing. */
    private static Behavior<Void> plainNode(int[] shape, int level, Progress built) {
      return Behaviors.setup(context -> {
        if (level < shape.length) {
          for (int i = 0; i < shape[level]; i++) {
            context.spawn(plainNode(shape, level + 1, built), "n" + i);
          }
        }
        built.tick();
        return Behaviors.empty();
      });
    }
  }
}
