package dev.custos.bench.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.audit.AuditLog;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Mediated tool calls per second and their latency. Each of A calling agents (non-blocking, the root of its own
 * mission) keeps K calls of a no-op tool in flight: on every result it makes the next call, until the round's calls
 * are made. A call is the gateway's whole path: capability, rate, ledger, policy (capability-only), credential (minted
 * at the first call, verified on each), the audit record of the allowed call (in-memory, hash-chained) before the tool
 * runs, the tool (an already completed future), the outcome's audit record, and the result event. Latency is stamped by
 * the agent itself: from the decision that makes the call to the decision that gets its result.
 *
 * <p>Bare Pekko, in the same JVM, alternating round by round: A client actors, each asking its own server actor with a
 * message carrying {@code replyTo}, K requests in flight, the same number of calls.
 *
 * <p>By Little's law the mean latency is (A x K) / throughput, so a run meets the latency target only with few calls in
 * flight. The defaults (one agent, 4 in flight) measure both targets in one run; raise {@code --in-flight} or
 * {@code --agents} to see throughput under more concurrency.
 */
public final class MediatedCallThroughput {

  private MediatedCallThroughput() {}

  public static void main(String[] argv) {
    Args args = new Args("MediatedCallThroughput", "Mediated tool calls per second and latency, Custos against a "
        + "bare Pekko ask round trip.")
        .option("agents", "1", "calling agents (Custos) / client-server pairs (bare Pekko)")
        .option("in-flight", "4", "calls each agent keeps in flight")
        .option("calls", "200000", "calls per round, over all agents")
        .option("rounds", "5", "measured rounds per side")
        .option("warmup", "5", "warm-up rounds per side, not reported")
        .option("audit", "memory", "memory: InMemoryAuditLog (keeps every record); hash-only: chain, keep only the head")
        .parse(argv);
    int agents = args.integer("agents", 1);
    int inFlight = args.integer("in-flight", 1);
    int perAgent = Math.max(1, args.integer("calls", 1) / agents);
    int rounds = args.integer("rounds", 1);
    int warmup = args.integer("warmup", 0);
    boolean memoryAudit = args.choice("audit", "memory", "hash-only").equals("memory");

    System.out.println("MediatedCallThroughput " + args.settings());
    System.out.println(Fixtures.environment());
    for (int i = 0; i < warmup; i++) {
      Result c = custosRound(agents, inFlight, perAgent, memoryAudit, "w" + i);
      Result p = pekkoRound(agents, inFlight, perAgent);
      System.out.printf("warm-up %d/%d: Custos %s, bare Pekko %s%n", i + 1, warmup, c, p);
    }
    double[] custosRate = new double[rounds];
    double[] pekkoRate = new double[rounds];
    Histogram custosLatency = new Histogram(3);
    Histogram pekkoLatency = new Histogram(3);
    for (int i = 0; i < rounds; i++) {
      Result c = custosRound(agents, inFlight, perAgent, memoryAudit, "r" + i);
      Result p = pekkoRound(agents, inFlight, perAgent);
      custosRate[i] = c.callsPerSecond;
      pekkoRate[i] = p.callsPerSecond;
      custosLatency.add(c.latency);
      pekkoLatency.add(p.latency);
      System.out.printf("round %d/%d: Custos %s, bare Pekko %s%n", i + 1, rounds, c, p);
    }

    double cRate = Table.median(custosRate);
    double pRate = Table.median(pekkoRate);
    double c50 = custosLatency.getValueAtPercentile(50);
    double p50 = pekkoLatency.getValueAtPercentile(50);
    double c99 = custosLatency.getValueAtPercentile(99);
    double p99 = pekkoLatency.getValueAtPercentile(99);
    double c999 = custosLatency.getValueAtPercentile(99.9);
    double p999 = pekkoLatency.getValueAtPercentile(99.9);
    new Table("Mediated tool calls: " + agents + " agent(s) x " + inFlight + " in flight, " + (long) perAgent * agents
        + " calls per round, " + rounds + " rounds, audit " + (memoryAudit ? "in memory" : "hash-only"))
        .row("calls/s, median (min-max)", Table.spread(custosRate, Table::count), Table.spread(pekkoRate, Table::count),
            Table.ratio(cRate, pRate), ">= 100,000/s", Table.met(cRate >= 100_000))
        .row("latency p50", Table.micros(c50), Table.micros(p50), Table.ratio(c50, p50), "-", "-")
        .row("latency p99", Table.micros(c99), Table.micros(p99), Table.ratio(c99, p99), "<= 50 µs",
            Table.met(c99 <= 50_000))
        .row("latency p99.9", Table.micros(c999), Table.micros(p999), Table.ratio(c999, p999), "-", "-")
        .row("latency max", Table.micros(custosLatency.getMaxValue()), Table.micros(pekkoLatency.getMaxValue()),
            Table.ratio(custosLatency.getMaxValue(), pekkoLatency.getMaxValue()), "-", "-")
        .note("latency percentiles are over every call of the measured rounds (HdrHistogram, 3 digits); calls/s is "
            + "per round.")
        .note("ratio C/P: Custos / bare Pekko; for calls/s under 1 means Custos is slower, for latency over 1 does.")
        .note(String.format(Locale.ROOT, "Little's law: %d calls in flight at the Custos median rate give a mean "
            + "latency of %s.", agents * inFlight, Table.micros(agents * inFlight * 1e9 / cRate)))
        .note("the targets are stated for 2 cores; this run had " + Runtime.getRuntime().availableProcessors() + ".")
        .print();
    System.exit(0);
  }

  /** One round of one side: its rate and the latency of each of its calls. */
  private record Result(double callsPerSecond, Histogram latency) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s/s p50 %s p99 %s", Table.count(callsPerSecond),
          Table.micros(latency.getValueAtPercentile(50)), Table.micros(latency.getValueAtPercentile(99)));
    }
  }

  private static Histogram merge(List<Histogram> parts) {
    Histogram all = new Histogram(3);
    parts.forEach(all::add);
    return all;
  }

  // ---------------------------------------------------------------------------------------------- Custos

  private static Result custosRound(int agents, int inFlight, int perAgent, boolean memoryAudit, String id) {
    Fixtures.settle();
    long calls = (long) agents * perAgent;
    Progress progress = new Progress(Math.toIntExact(calls));
    // Two records per call (allowed, outcome), one credential per agent, a few per mission.
    AuditLog audit = memoryAudit
        ? new InMemoryAuditLog((int) Math.max(InMemoryAuditLog.DEFAULT_CAPACITY, 2 * calls + 10L * agents + 100))
        : new HashOnlyAuditLog();
    List<Caller> callers = new CopyOnWriteArrayList<>();
    CustosRuntime runtime = Custos.builder().name("custos-calls").tool(new NoopTool()).audit(audit)
        .meterRegistry(new SimpleMeterRegistry())
        .agentType("caller", () -> {
          Caller caller = new Caller(perAgent, inFlight, progress);
          callers.add(caller);
          return caller;
        })
        .build();
    try {
      Instant deadline = Clock.systemUTC().instant().plus(Duration.ofHours(1));
      for (int a = 0; a < agents; a++) {
        runtime.startMission(Fixtures.mission("calls-" + id + "-" + a, "caller",
            Fixtures.grant(Long.MAX_VALUE / 2, deadline, 0, 0, 1)));
      }
      long nanos = progress.awaitNanos("Custos call round " + id);
      return new Result(calls * 1e9 / nanos, merge(callers.stream().map(c -> c.latency).toList()));
    } finally {
      runtime.close();
    }
  }

  /**
   * Keeps {@code inFlight} calls going until it has made {@code total}; stamps each call when it decides it and again
   * when the result reaches it. Any denial breaks the round.
   */
  private static final class Caller implements Agent {
    private final int total;
    private final int inFlight;
    private final Progress progress;
    private final long[] sentAt;
    final Histogram latency = new Histogram(3);
    private int sent;

    Caller(int total, int inFlight, Progress progress) {
      this.total = total;
      this.inFlight = inFlight;
      this.progress = progress;
      this.sentAt = new long[total];
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.ToolResult result) {
        long now = System.nanoTime();
        String callId = result.callId();
        int call = Integer.parseInt(callId, 1, callId.length(), 10);
        latency.recordValue(now - sentAt[call]);
        progress.tick();
        return sent < total ? List.of(next()) : List.of();
      }
      if (event instanceof AgentEvent.MissionStarted) {
        progress.startOnce();
        List<Action> first = new ArrayList<>(inFlight);
        while (sent < total && first.size() < inFlight) {
          first.add(next());
        }
        return first;
      }
      if (event instanceof AgentEvent.CallDenied denied) {
        progress.problem("call " + denied.callId() + " was denied: " + denied.reasons());
      }
      return List.of();
    }

    private Action next() {
      int call = sent++;
      sentAt[call] = System.nanoTime();
      return new Action.CallTool("c" + call, NoopTool.NAME, Fixtures.RESOURCE);
    }

    @Override
    public boolean blocking() {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------- bare Pekko

  private static Result pekkoRound(int pairs, int inFlight, int perClient) {
    Fixtures.settle();
    long calls = (long) pairs * perClient;
    Progress progress = new Progress(Math.toIntExact(calls));
    List<Histogram> latencies = new CopyOnWriteArrayList<>();
    ActorSystem<Go> system = ActorSystem.create(Behaviors.setup(context -> {
      List<ActorRef<Client.Command>> clients = new ArrayList<>();
      for (int i = 0; i < pairs; i++) {
        ActorRef<Request> server = context.spawn(server(), "server-" + i);
        Histogram latency = new Histogram(3);
        latencies.add(latency);
        clients.add(context.spawn(Client.create(server, perClient, inFlight, progress, latency), "client-" + i));
      }
      return Behaviors.receive(Go.class).onMessage(Go.class, go -> {
        clients.forEach(c -> c.tell(Client.Start.INSTANCE));
        return Behaviors.same();
      }).build();
    }), "pekko-calls");
    try {
      system.tell(new Go());
      long nanos = progress.awaitNanos("bare Pekko ask round");
      return new Result(calls * 1e9 / nanos, merge(latencies));
    } finally {
      Fixtures.terminate(system);
    }
  }

  private record Go() {}

  private record Request(int seq, ActorRef<Client.Command> replyTo) {}

  private static Behavior<Request> server() {
    return Behaviors.receive(Request.class).onMessage(Request.class, request -> {
      request.replyTo().tell(new Client.Response(request.seq()));
      return Behaviors.same();
    }).build();
  }

  /** The bare twin of {@link Caller}: asks its server, K requests in flight, stamping each. */
  static final class Client {
    sealed interface Command {}

    enum Start implements Command { INSTANCE }

    record Response(int seq) implements Command {}

    private Client() {}

    static Behavior<Command> create(ActorRef<Request> server, int total, int inFlight, Progress progress,
        Histogram latency) {
      return Behaviors.setup(context -> {
        long[] sentAt = new long[total];
        int[] sent = {0};
        ActorRef<Command> self = context.getSelf();
        Runnable next = () -> {
          int call = sent[0]++;
          sentAt[call] = System.nanoTime();
          server.tell(new Request(call, self));
        };
        return Behaviors.receive(Command.class)
            .onMessageEquals(Start.INSTANCE, () -> {
              progress.startOnce();
              while (sent[0] < total && sent[0] < inFlight) {
                next.run();
              }
              return Behaviors.same();
            })
            .onMessage(Response.class, response -> {
              latency.recordValue(System.nanoTime() - sentAt[response.seq()]);
              progress.tick();
              if (sent[0] < total) {
                next.run();
              }
              return Behaviors.same();
            })
            .build();
      });
    }
  }
}
