package dev.custos.sim;

import com.typesafe.config.Config;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * The simulation's only executor: {@link #execute} appends the task to a first-in first-out queue and returns; nothing
 * runs until the simulation thread calls {@link #drain}, which runs queued tasks, those they queue included, on that
 * thread until the queue is empty. So every actor turn, future callback and blocking agent decision of a simulation
 * runs on one thread in an order fixed by the order of submission, and "the queue is empty" means "the system is idle
 * until the next timer".
 *
 * <p>Pekko uses it as the default dispatcher's executor through {@link Configurator}; the runtime uses it directly as
 * its decision executor. {@link SimulationSystem} makes one per actor system and registers it under an id the
 * configurator reads from the dispatcher's config.
 *
 * <p>A task submitted from any thread but the simulation thread (the one that made this executor) is a bug: something
 * completed work off the simulation thread, at a moment no seed decides. It is still queued, so nothing hangs, but it
 * is counted ({@link #foreignSubmissions()}) and the simulation refuses the run.
 *
 * <p>Thread safety: {@link #execute} may be called from any thread; {@link #drain} only from the simulation thread.
 */
public final class SimulationExecutor extends AbstractExecutorService {

  /** The dispatcher config key naming the registered executor a {@link Configurator} hands to Pekko. */
  public static final String ID_KEY = "custos-simulation-executor";

  /** At most this many tasks in one drain, unless told otherwise: a livelock fails instead of spinning forever. */
  public static final long DEFAULT_MAX_TASKS_PER_DRAIN = 50_000_000L;

  private static final Map<String, SimulationExecutor> REGISTERED = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>(1024); // guarded by lock
  private final Thread owner;
  private final long maxTasksPerDrain;
  private final List<String> failures = new ArrayList<>(); // guarded by lock
  private long foreignSubmissions; // guarded by lock
  private String firstForeignThread; // guarded by lock
  private long executed; // guarded by lock
  private boolean draining;
  private boolean shutdown; // guarded by lock

  /** An executor whose simulation thread is the calling thread. */
  public SimulationExecutor() {
    this(DEFAULT_MAX_TASKS_PER_DRAIN);
  }

  /** An executor whose simulation thread is the calling thread and whose drains stop after {@code maxTasksPerDrain}. */
  public SimulationExecutor(long maxTasksPerDrain) {
    if (maxTasksPerDrain < 1) {
      throw new IllegalArgumentException("maxTasksPerDrain must be at least 1, got " + maxTasksPerDrain);
    }
    this.owner = Thread.currentThread();
    this.maxTasksPerDrain = maxTasksPerDrain;
  }

  /** Queues the task; it runs in a later {@link #drain}, after every task queued before it. */
  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    synchronized (lock) {
      if (Thread.currentThread() != owner) {
        if (foreignSubmissions++ == 0) {
          firstForeignThread = Thread.currentThread().getName();
        }
      }
      queue.addLast(task);
    }
  }

  /**
   * Runs queued tasks on the calling thread, first queued first, until none is left, and returns how many ran. A task
   * that throws is recorded ({@link #failures()}) and the drain goes on.
   *
   * @throws IllegalStateException if called from a thread other than the simulation thread, from within a drain, or
   *     when one drain runs more than its bound of tasks (a livelock)
   */
  public long drain() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("drain() from " + Thread.currentThread().getName()
          + "; only the simulation thread " + owner.getName() + " may run the simulation");
    }
    if (draining) {
      throw new IllegalStateException("drain() called from a task it is running");
    }
    draining = true;
    long ran = 0;
    try {
      while (true) {
        Runnable task;
        synchronized (lock) {
          task = queue.pollFirst();
          if (task == null) {
            executed += ran;
            return ran;
          }
        }
        if (++ran > maxTasksPerDrain) {
          throw new IllegalStateException("one drain ran more than " + maxTasksPerDrain
              + " tasks: the simulation does not come to rest (a livelock?)");
        }
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          if (e instanceof VirtualMachineError) {
            throw e;
          }
          synchronized (lock) {
            failures.add(task.getClass().getName() + " threw " + e);
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  /** How many tasks wait to run. */
  public int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** How many tasks drains have run so far. */
  public long executed() {
    synchronized (lock) {
      return executed;
    }
  }

  /** Tasks submitted from a thread other than the simulation thread; any is a bug that breaks determinism. */
  public long foreignSubmissions() {
    synchronized (lock) {
      return foreignSubmissions;
    }
  }

  /** The name of the first thread that submitted a task off the simulation thread, or null when none did. */
  public String firstForeignThread() {
    synchronized (lock) {
      return firstForeignThread;
    }
  }

  /** Failures of tasks run so far, oldest first; a copy. */
  public List<String> failures() {
    synchronized (lock) {
      return List.copyOf(failures);
    }
  }

  /** The thread that may drain, and from which every task should come. */
  public Thread simulationThread() {
    return owner;
  }

  // ---------------------------------------------------------------------------------------------- ExecutorService

  /** Pekko shuts its dispatcher's executor down when the system terminates; queued tasks still run when drained. */
  @Override
  public void shutdown() {
    synchronized (lock) {
      shutdown = true;
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    synchronized (lock) {
      shutdown = true;
      List<Runnable> left = new ArrayList<>(queue);
      queue.clear();
      return left;
    }
  }

  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  @Override
  public boolean isTerminated() {
    synchronized (lock) {
      return shutdown && queue.isEmpty();
    }
  }

  /** Never waits: only a drain empties the queue, and the waiting thread would be the one to drain it. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SimulationExecutor[" + queue.size() + " queued, " + executed + " run, " + foreignSubmissions
          + " foreign]";
    }
  }

  // ---------------------------------------------------------------------------------------------- registration

  /** Makes {@code executor} the one a {@link Configurator} with {@code id} in its config hands to Pekko. */
  static void register(String id, SimulationExecutor executor) {
    if (REGISTERED.putIfAbsent(id, executor) != null) {
      throw new IllegalStateException("a simulation executor is already registered as " + id);
    }
  }

  static void unregister(String id) {
    REGISTERED.remove(id);
  }

  /**
   * The {@code ExecutorServiceConfigurator} Pekko instantiates for a dispatcher whose {@code executor} names this class
   * ({@code "dev.custos.sim.SimulationExecutor$Configurator"}): it hands Pekko the {@link SimulationExecutor}
   * registered under the dispatcher's {@value #ID_KEY}, and fails the dispatcher's creation when there is none.
   */
  public static final class Configurator extends ExecutorServiceConfigurator {

    private final SimulationExecutor executor;

    /** The constructor Pekko calls. */
    public Configurator(Config config, DispatcherPrerequisites prerequisites) {
      super(config, prerequisites);
      String id = config.getString(ID_KEY);
      this.executor = REGISTERED.get(id);
      if (executor == null) {
        throw new IllegalStateException("no simulation executor is registered as '" + id + "'");
      }
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
      return new ExecutorServiceFactory() {
        @Override
        public ExecutorService createExecutorService() {
          return executor;
        }
      };
    }
  }
}
