package dev.custos.bench.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.GrantRequest;
import dev.custos.identity.WorkloadKeys;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Delegations per second: one agent delegates N children in one decision, and the round ends when the parent has been
 * told of every child's start and every child has run its first event. Each delegation is the whole path: the
 * parent host's attenuation check and reservation, the supervisor's policy decision, naming and SPIFFE identity, its
 * audit record (in-memory, hash-chained), the grant back to the parent, and the child host's spawn and start.
 *
 * <p>Bare Pekko, in the same JVM, alternating round by round: a parent actor spawns N children in one message, each
 * child tells the parent once that it started. With {@code --children-do complete} the Custos children complete at once
 * and the round also waits for every report at the parent; the bare children then stop and the parent also waits for
 * every {@code Terminated}.
 *
 * <p>Also measured on its own: Ed25519 key pair generation ({@link WorkloadKeys#generate}), which the design puts at
 * spawn but which the runtime does not yet do, so its cost is not in the delegation rate.
 */
public final class DelegationThroughput {

  private DelegationThroughput() {}

  public static void main(String[] argv) {
    Args args = new Args("DelegationThroughput", "Delegations per second, Custos against a bare Pekko spawn.")
        .option("children", "20000", "delegations per round (one parent, all children at once)")
        .option("rounds", "10", "measured rounds per side")
        .option("warmup", "5", "warm-up rounds per side, not reported")
        .option("children-do", "idle", "idle: children stay alive; complete: they end at once and report")
        .parse(argv);
    int n = args.integer("children", 1);
    int rounds = args.integer("rounds", 1);
    int warmup = args.integer("warmup", 0);
    boolean complete = args.choice("children-do", "idle", "complete").equals("complete");

    System.out.println("DelegationThroughput " + args.settings());
    System.out.println(Fixtures.environment());
    for (int i = 0; i < warmup; i++) {
      System.out.printf("warm-up %d/%d: Custos %s/s, bare Pekko %s/s%n", i + 1, warmup,
          Table.count(custosRound(n, complete, "w" + i)), Table.count(pekkoRound(n, complete)));
    }
    double[] custos = new double[rounds];
    double[] pekko = new double[rounds];
    int auditRecords = 0;
    for (int i = 0; i < rounds; i++) {
      Round round = new Round();
      custos[i] = custosRound(n, complete, "r" + i, round);
      auditRecords = round.auditRecords;
      pekko[i] = pekkoRound(n, complete);
      System.out.printf("round %d/%d: Custos %s/s, bare Pekko %s/s%n", i + 1, rounds, Table.count(custos[i]),
          Table.count(pekko[i]));
    }
    double keysPerSecond = keyPairsPerSecond();

    double c = Table.median(custos);
    double p = Table.median(pekko);
    new Table("Delegation throughput: " + n + " children per round, " + rounds + " rounds, children "
        + (complete ? "complete at once" : "stay idle") + " (median (min-max) of the rounds)")
        .row("delegations/s", Table.spread(custos, Table::count), Table.spread(pekko, Table::count),
            Table.ratio(c, p), ">= 20,000/s", Table.met(c >= 20_000))
        .row("µs per delegation", Table.micros(1e9 / c), Table.micros(1e9 / p), Table.ratio(p, c), "-", "-")
        .row("Ed25519 key pair alone", Table.count(keysPerSecond) + "/s", "-", "-", "-", "-")
        .note("ratio C/P: Custos rate / bare Pekko rate for delegations/s (under 1: Custos is slower); Custos time / "
            + "bare Pekko time for µs per delegation (over 1: Custos is slower).")
        .note("audit records per delegation: " + String.format(Locale.ROOT, "%.2f", (double) auditRecords / n)
            + " (the in-memory hash-chained log, one lock).")
        .note("the key pair row is WorkloadKeys.generate on one thread (" + Table.micros(1e9 / keysPerSecond)
            + " each); the runtime makes no key pair at spawn yet, so the delegation rate does not include it.")
        .note("the target is stated for 2 cores; this run had " + Runtime.getRuntime().availableProcessors() + ".")
        .print();
    System.exit(0);
  }

  /** What one Custos round leaves behind that the summary reports. */
  private static final class Round {
    int auditRecords;
  }

  private static double custosRound(int n, boolean complete, String id) {
    return custosRound(n, complete, id, new Round());
  }

  private static double custosRound(int n, boolean complete, String id, Round round) {
    Fixtures.settle();
    // The parent hears of n starts (and n reports when children complete); each child runs its first event.
    Progress progress = new Progress(complete ? 3 * n : 2 * n);
    Instant deadline = Clock.systemUTC().instant().plus(Duration.ofHours(1));
    GrantRequest childGrant = Fixtures.grant(1, deadline, 0, 0, 1);
    InMemoryAuditLog audit = new InMemoryAuditLog(Math.max(InMemoryAuditLog.DEFAULT_CAPACITY, 4 * n + 100));
    CustosRuntime runtime = Custos.builder().name("custos-delegation").tool(new NoopTool()).audit(audit)
        .meterRegistry(new SimpleMeterRegistry())
        .agentType("parent", () -> new Parent(n, childGrant, progress))
        .agentType("child", () -> new Child(complete, progress))
        .build();
    try {
      runtime.startMission(Fixtures.mission("delegation-" + id, "parent", Fixtures.grant(n, deadline, 1, n, n + 1)));
      long nanos = progress.awaitNanos("Custos delegation round " + id);
      round.auditRecords = audit.size();
      return n * 1e9 / nanos;
    } finally {
      runtime.close();
    }
  }

  /** Delegates n children in its first decision and counts what it hears of them. */
  private static final class Parent implements Agent {
    private final int n;
    private final GrantRequest childGrant;
    private final Progress progress;
    private final MissionBrief brief = MissionBrief.of("stand by");

    Parent(int n, GrantRequest childGrant, Progress progress) {
      this.n = n;
      this.childGrant = childGrant;
      this.progress = progress;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted) {
        progress.start();
        List<Action> delegations = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          delegations.add(new Action.Delegate("worker", "child", brief, childGrant));
        }
        return delegations;
      }
      if (event instanceof AgentEvent.ChildStarted || event instanceof AgentEvent.ChildReported) {
        progress.tick();
      } else if (event instanceof AgentEvent.DelegationRefused refused) {
        progress.problem("a delegation was refused: " + refused.reasons());
      } else if (event instanceof AgentEvent.ChildFailed failed) {
        progress.problem("a child failed: " + failed.reason());
      } else if (event instanceof AgentEvent.ChildHalted halted) {
        progress.problem("a child was halted: " + halted.reason());
      }
      return List.of();
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  /** Counts its start; then waits, or completes at once. */
  private static final class Child implements Agent {
    private final boolean complete;
    private final Progress progress;

    Child(boolean complete, Progress progress) {
      this.complete = complete;
      this.progress = progress;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted) {
        progress.tick();
        return complete ? List.of(new Action.Complete(Map.of())) : List.of();
      }
      return List.of();
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------- bare Pekko

  private static double pekkoRound(int n, boolean complete) {
    Fixtures.settle();
    Progress progress = new Progress(complete ? 2 * n : n);
    ActorSystem<BareParent.Command> system =
        ActorSystem.create(BareParent.create(n, complete, progress), "pekko-delegation");
    try {
      system.tell(BareParent.Spawn.INSTANCE);
      return n * 1e9 / progress.awaitNanos("bare Pekko spawn round");
    } finally {
      Fixtures.terminate(system);
    }
  }

  /** Spawns n children in one message; counts their hellos (and, when they complete, their terminations). */
  static final class BareParent {
    sealed interface Command {}

    enum Spawn implements Command { INSTANCE }

    enum ChildStarted implements Command { INSTANCE }

    enum ChildStopped implements Command { INSTANCE }

    private BareParent() {}

    static Behavior<Command> create(int n, boolean complete, Progress progress) {
      return Behaviors.setup(context -> Behaviors.receive(Command.class)
          .onMessageEquals(Spawn.INSTANCE, () -> {
            progress.start();
            ActorRef<Command> self = context.getSelf();
            for (int i = 0; i < n; i++) {
              ActorRef<Void> child = context.spawn(bareChild(self, complete), "c" + i);
              if (complete) {
                context.watchWith(child, ChildStopped.INSTANCE);
              }
            }
            return Behaviors.same();
          })
          .onMessageEquals(ChildStarted.INSTANCE, () -> {
            progress.tick();
            return Behaviors.same();
          })
          .onMessageEquals(ChildStopped.INSTANCE, () -> {
            progress.tick();
            return Behaviors.same();
          })
          .build());
    }

    private static Behavior<Void> bareChild(ActorRef<Command> parent, boolean complete) {
      return Behaviors.setup(context -> {
        parent.tell(ChildStarted.INSTANCE);
        return complete ? Behaviors.stopped() : Behaviors.empty();
      });
    }
  }

  // ---------------------------------------------------------------------------------------------- key pairs

  /** Ed25519 key pairs per second on this thread: 1 s of warm-up, then 2 s measured. */
  private static double keyPairsPerSecond() {
    SecureRandom random = new SecureRandom();
    long sink = 0;
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < warmEnd) {
      sink += WorkloadKeys.generate(random).publicKey().hashCode();
    }
    long start = System.nanoTime();
    long end = start + 2_000_000_000L;
    long made = 0;
    long now;
    do {
      sink += WorkloadKeys.generate(random).publicKey().hashCode();
      made++;
      now = System.nanoTime();
    } while (now < end);
    if (sink == 42) {
      System.out.print(""); // keeps the keys alive in the JIT's eyes
    }
    return made * 1e9 / (now - start);
  }
}
