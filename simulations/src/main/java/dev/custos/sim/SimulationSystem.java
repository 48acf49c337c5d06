package dev.custos.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One actor system that runs simulations deterministically, one run after another, on the thread that created it.
 * Every actor turn, future callback and blocking agent decision runs on that thread through the
 * {@link SimulationExecutor}, every timer on the {@link VirtualScheduler}'s virtual time, and the runtime reads that time
 * through {@link #clock()}. So a run is a fixed function of what it is given: the same scenario and seed give the same
 * audit log, byte for byte, however loaded the machine is.
 *
 * <p>Starting an actor system costs far more than a run (tens of milliseconds warm, most of a second for the first in a
 * JVM), so one system serves many runs; {@link #newRun} resets it between them (drops pending timers, rewinds virtual
 * time to 0, seeds the thread's {@code ThreadLocalRandom}) and gives the next run its seeded parts. A batch keeps one
 * system per core, each on its own thread.
 *
 * <pre>{@code
 * try (SimulationSystem sim = SimulationSystem.create("sim-worker-1")) {
 *   for (long seed : seeds) {
 *     try (SimulationRun run = sim.newRun(seed)) {
 *       CustosRuntime runtime = run.runtime(b -> b.tool(new SimTool(run)).agentType("lead", Lead::new));
 *       CompletableFuture<MissionOutcome> outcome = runtime.startMission(spec).completion().toCompletableFuture();
 *       run.runUntil(run.start().plus(Duration.ofHours(1)), outcome::isDone);
 *       report(seed, run.audit().records());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>The actor system's config (on top of Pekko's reference config only, so an application.conf cannot change a run):
 * the default dispatcher runs on the simulation executor and the internal dispatcher is an alias of it (its own pool
 * would post tasks from other threads); the scheduler is virtual; Pekko logs nothing and starts no logger actors (the
 * SLF4J logger's start-up waits on the creating thread, which would never drain it); no dead-letter logging; no JVM
 * shutdown hooks.
 *
 * <p>Not thread safe: all of it, closing included, from the thread that created it.
 */
public final class SimulationSystem implements AutoCloseable {

  /** Where virtual time 0 is on the runtime's clock unless told otherwise. */
  public static final Instant DEFAULT_EPOCH = Instant.parse("2030-01-01T00:00:00Z");

  /** How much virtual time {@link #close} lets the actor system's shutdown take before it gives up on it. */
  private static final Duration SHUTDOWN_LIMIT = Duration.ofMinutes(5);

  private static final AtomicLong SYSTEMS = new AtomicLong();

  private final Thread owner;
  private final Instant epoch;
  private final SimulationExecutor executor;
  private final ActorSystem<Void> system;
  private final VirtualScheduler scheduler;
  private final Clock clock;
  private long runs;

  private SimulationSystem(String name, Instant epoch, Config extra) {
    this.owner = Thread.currentThread();
    this.epoch = Objects.requireNonNull(epoch, "epoch");
    this.executor = new SimulationExecutor();
    String id = name + "#" + SYSTEMS.incrementAndGet();
    SimulationExecutor.register(id, executor);
    try {
      this.system = ActorSystem.create(Behaviors.empty(), name, config(id).withFallback(extra)
          .withFallback(ConfigFactory.defaultReference()).resolve());
    } finally {
      // Pekko made the default dispatcher's executor while creating the system; the registration has done its work.
      SimulationExecutor.unregister(id);
    }
    if (!(system.classicSystem().scheduler() instanceof VirtualScheduler virtual)) {
      system.terminate();
      throw new IllegalStateException("the actor system did not take the virtual scheduler");
    }
    this.scheduler = virtual;
    this.clock = scheduler.clock(epoch);
    executor.drain();
  }

  /** A system named {@code name} (an actor system name: letters, digits, '-', '_'), virtual time 0 at {@link #DEFAULT_EPOCH}. */
  public static SimulationSystem create(String name) {
    return new SimulationSystem(name, DEFAULT_EPOCH, ConfigFactory.empty());
  }

  /**
   * A system whose virtual time 0 is {@code epoch}, with {@code extra} config under the simulation's own (which it
   * cannot override).
   */
  public static SimulationSystem create(String name, Instant epoch, Config extra) {
    return new SimulationSystem(name, epoch, extra);
  }

  /** The config every simulation system runs with; {@code executorId} names its registered executor. */
  static Config config(String executorId) {
    return ConfigFactory.parseString("""
        pekko {
          use-slf4j = off
          loggers = ["org.apache.pekko.event.Logging$StandardOutLogger"]
          loglevel = OFF
          stdout-loglevel = OFF
          log-config-on-start = off
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          jvm-shutdown-hooks = off
          jvm-exit-on-fatal-error = off
          coordinated-shutdown.run-by-jvm-shutdown-hook = off
          scheduler.implementation = "dev.custos.sim.VirtualScheduler"
          actor {
            internal-dispatcher = "pekko.actor.default-dispatcher"
            default-dispatcher {
              executor = "dev.custos.sim.SimulationExecutor$Configurator"
            }
          }
        }
        """).withValue("pekko.actor.default-dispatcher." + SimulationExecutor.ID_KEY,
        ConfigValueFactory.fromAnyRef(executorId));
  }

  // ---------------------------------------------------------------------------------------------- runs

  /**
   * Resets the system for the next run and returns that run, with its parts seeded from {@code seed}. The previous
   * run must be closed.
   *
   * @throws IllegalStateException off the simulation thread, or when the system is not at rest (see {@link #reset})
   */
  public SimulationRun newRun(long seed) {
    return newRun(seed, SimulationRun.Credentials.JWT);
  }

  /** As {@link #newRun(long)}, with the given kind of credential broker. */
  public SimulationRun newRun(long seed, SimulationRun.Credentials credentials) {
    reset(seed);
    runs++;
    return new SimulationRun(this, seed, credentials);
  }

  /**
   * Between runs: runs what is queued, drops every pending timer (a previous run's leftovers: its ask timeouts, tool
   * completions and timers still to come at its time limit), sets virtual time back to 0, and seeds this thread's
   * {@code ThreadLocalRandom} from {@code seed}, so actor uids, and any order that follows them, repeat.
   *
   * @return how many pending timers were dropped
   * @throws IllegalStateException off the simulation thread, or when tasks are still queued after the timers were
   *     dropped (something keeps the system busy)
   */
  public int reset(long seed) {
    requireOwner();
    executor.drain();
    int dropped = scheduler.clear();
    executor.drain();
    if (executor.queued() != 0) {
      throw new IllegalStateException(executor.queued() + " tasks are still queued after a drain");
    }
    scheduler.rewind();
    ThreadRandomSeed.seedCurrentThread(new SeededRandom(seed).derive("thread-local-random").nextLong());
    return dropped;
  }

  /** How many runs {@link #newRun} has started on this system. */
  public long runs() {
    return runs;
  }

  // ---------------------------------------------------------------------------------------------- running

  /** Runs every queued task, and the tasks they queue, until none is left; returns how many ran. */
  public long drain() {
    requireOwner();
    return executor.drain();
  }

  /**
   * Runs the simulation up to {@code limit} on the virtual clock: drains; then, while a timer is due by the limit,
   * moves virtual time to it, runs every timer due then and drains. Returns with virtual time at {@code limit}.
   */
  public Instant runUntil(Instant limit) {
    return runUntil(limit, () -> false);
  }

  /**
   * As {@link #runUntil(Instant)}, but stops as soon as {@code done} holds when the system is at rest (checked before
   * time moves on); then virtual time stays where it was. Periodic timers (the runtime's maintenance tick) do not keep
   * it going past the limit.
   *
   * @return the virtual time at which it stopped
   * @throws IllegalArgumentException if {@code limit} is before the current virtual time
   */
  public Instant runUntil(Instant limit, BooleanSupplier done) {
    requireOwner();
    long limitNanos = nanosAt(limit);
    if (limitNanos < scheduler.nanos()) {
      throw new IllegalArgumentException("the limit " + limit + " is before the virtual time " + clock.instant());
    }
    executor.drain();
    while (!done.getAsBoolean()) {
      OptionalLong next = scheduler.nextDue();
      if (next.isEmpty() || next.getAsLong() > limitNanos) {
        scheduler.advanceTo(limitNanos);
        break;
      }
      scheduler.advanceTo(next.getAsLong());
      executor.drain();
    }
    return clock.instant();
  }

  /**
   * What broke determinism since this system was created, if anything did: tasks submitted or timers touched from
   * another thread, and tasks that threw. Empty while its runs can be trusted; once not, the system stays suspect.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (executor.foreignSubmissions() > 0) {
      problems.add(executor.foreignSubmissions() + " tasks were submitted off the simulation thread (first from "
          + executor.firstForeignThread() + ")");
    }
    if (scheduler.foreignCalls() > 0) {
      problems.add(scheduler.foreignCalls() + " scheduler calls came from off the simulation thread");
    }
    executor.failures().forEach(f -> problems.add("a task failed: " + f));
    scheduler.failures().forEach(f -> problems.add("a timer failed: " + f));
    return problems;
  }

  /**
   * Throws when {@link #problems()} has any: a run with them cannot be trusted to repeat.
   *
   * @throws IllegalStateException naming every problem
   */
  public void requireDeterministic() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the simulation lost determinism: " + String.join("; ", problems));
    }
  }

  // ---------------------------------------------------------------------------------------------- parts

  public ActorSystem<Void> actorSystem() {
    return system;
  }

  public SimulationExecutor executor() {
    return executor;
  }

  public VirtualScheduler scheduler() {
    return scheduler;
  }

  /** The virtual clock: {@link #epoch()} plus the scheduler's virtual time. */
  public Clock clock() {
    return clock;
  }

  public Instant now() {
    return clock.instant();
  }

  /** The instant virtual time 0 stands for. */
  public Instant epoch() {
    return epoch;
  }

  /**
   * Terminates the actor system, running its shutdown on this thread in virtual time.
   *
   * @throws IllegalStateException off the simulation thread, or when the system has not terminated after
   *     {@link #SHUTDOWN_LIMIT} of virtual time
   */
  @Override
  public void close() {
    requireOwner();
    system.terminate();
    Instant limit = clock.instant().plus(SHUTDOWN_LIMIT);
    runUntil(limit, () -> system.whenTerminated().isCompleted());
    if (!system.whenTerminated().isCompleted()) {
      throw new IllegalStateException("the simulation's actor system did not terminate");
    }
  }

  @Override
  public String toString() {
    return "SimulationSystem[" + system.name() + ", " + runs + " runs, at " + clock.instant() + "]";
  }

  private long nanosAt(Instant instant) {
    return Duration.between(epoch, instant).toNanos();
  }

  private void requireOwner() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("a simulation system runs on the thread that created it (" + owner.getName()
          + "), not on " + Thread.currentThread().getName());
    }
  }
}
