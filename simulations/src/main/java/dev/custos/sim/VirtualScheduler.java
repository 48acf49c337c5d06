package dev.custos.sim;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerTask;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * A Pekko {@link Scheduler} on virtual time, for simulations: nothing fires until the simulation thread calls
 * {@link #advanceTo}, and then every task due by that time fires on that thread, in order of due time and, for tasks due
 * at the same time, in the order they were scheduled. Pekko makes it when {@code pekko.scheduler.implementation} names
 * this class (see {@link SimulationSystem}); Pekko's typed timers, ask timeouts and the runtime's periodic maintenance
 * all run on it.
 *
 * <p>Time is a count of virtual nanoseconds from 0; {@link #clock(Instant)} reads it as an instant from an epoch, the
 * clock the runtime is given. Virtual time never moves by itself and never goes back, except through {@link #rewind}
 * between runs, when nothing is pending.
 *
 * <p>A task runs through the {@link ExecutionContext} it was scheduled with: Pekko's timers pass a same-thread one, so
 * the timer's message is sent at once; a task given the actor system's dispatcher is queued on the
 * {@link SimulationExecutor} and runs when the simulation drains it. Periodic tasks come back {@code interval} after
 * their due time (fixed rate) or after they ran (fixed delay), which is the same time here, since virtual time stands
 * still while a task runs.
 *
 * <p>Thread safety: every method may be called from any thread (a lock guards the queue), but a simulation that does
 * so from a thread other than the one that created the scheduler is no longer deterministic; such calls are counted
 * ({@link #foreignCalls()}) so the simulation can refuse the run.
 */
public final class VirtualScheduler implements Scheduler {

  /** A scheduled task; ordered by due time, then by the sequence number it was given when (re)scheduled. */
  private final class Task implements Cancellable, Comparable<Task> {
    final Runnable runnable;
    final ExecutionContext executor;
    /** 0 for a one-off task; the period of a periodic one. */
    final long periodNanos;
    long due;
    long seq;
    boolean cancelled;
    boolean done;

    Task(Runnable runnable, ExecutionContext executor, long due, long periodNanos) {
      this.runnable = runnable;
      this.executor = executor;
      this.due = due;
      this.periodNanos = periodNanos;
    }

    @Override
    public int compareTo(Task other) {
      int byTime = Long.compare(due, other.due);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }

    @Override
    public boolean cancel() {
      synchronized (lock) {
        countForeign();
        if (cancelled || done) {
          return false;
        }
        cancelled = true;
        // Left in the queue and skipped when it comes up: removal from the middle of a heap is linear.
        live--;
      }
      if (runnable instanceof SchedulerTask task) {
        task.cancelled();
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      synchronized (lock) {
        return cancelled;
      }
    }
  }

  private final Object lock = new Object();
  private final PriorityQueue<Task> queue = new PriorityQueue<>(); // guarded by lock
  private final Thread owner;
  private final LoggingAdapter log;
  private final List<String> failures = new ArrayList<>(); // guarded by lock
  private long now; // guarded by lock
  private long nextSeq; // guarded by lock
  private int live; // guarded by lock
  private long foreignCalls; // guarded by lock
  private boolean advancing; // guarded by lock

  /**
   * The constructor Pekko calls (the signature of its own schedulers). The creating thread becomes the simulation
   * thread: the ActorSystem is created on the thread that will run it.
   */
  public VirtualScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.owner = Thread.currentThread();
    this.log = log;
  }

  // ---------------------------------------------------------------------------------------------- Pekko's Scheduler

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
    return add(runnable, executor, delay.toNanos(), 0);
  }

  /**
   * Fixed rate: the next run is due {@code interval} after this one was due. Deprecated in Pekko's API in favour of
   * {@code scheduleAtFixedRate}, which calls it; it is the method a scheduler implements.
   */
  @Override
  @SuppressWarnings("deprecation")
  public Cancellable schedule(FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable,
      ExecutionContext executor) {
    return add(runnable, executor, initialDelay.toNanos(), requirePositive(interval));
  }

  /** Fixed delay: the next run is due {@code delay} after this one ran, which in virtual time is when it was due. */
  @Override
  public Cancellable scheduleWithFixedDelay(FiniteDuration initialDelay, FiniteDuration delay, Runnable runnable,
      ExecutionContext executor) {
    return add(runnable, executor, initialDelay.toNanos(), requirePositive(delay));
  }

  /** Pekko reads this to refuse timers finer than the scheduler can tell apart; a virtual nanosecond is exact. */
  @Override
  public double maxFrequency() {
    return 1.0e9;
  }

  // ---------------------------------------------------------------------------------------------- the simulation's side

  /**
   * Runs {@code task} on the simulation thread once {@code delay} of virtual time has passed, directly (not through an
   * executor): how a simulated tool completes its call "later".
   */
  public Cancellable schedule(Duration delay, Runnable task) {
    return add(task, null, delay.toNanos(), 0);
  }

  /** Virtual nanoseconds since 0. */
  public long nanos() {
    synchronized (lock) {
      return now;
    }
  }

  /** When the next live task is due, in virtual nanoseconds; empty when nothing is pending. */
  public OptionalLong nextDue() {
    synchronized (lock) {
      countForeign();
      Task head = liveHead();
      return head == null ? OptionalLong.empty() : OptionalLong.of(head.due);
    }
  }

  /** How many tasks are scheduled and neither cancelled nor (for one-off tasks) run. */
  public int pending() {
    synchronized (lock) {
      return live;
    }
  }

  /**
   * Moves virtual time to {@code nanos}, running, on the calling thread, every task due by then, earliest first and
   * first-scheduled first among equals; while a task runs the time is its due time. Tasks scheduled by a running task
   * run in the same call when they fall due by {@code nanos}.
   *
   * @return how many tasks ran
   * @throws IllegalArgumentException if {@code nanos} is before the current virtual time
   * @throws IllegalStateException if called from within a running task
   */
  public int advanceTo(long nanos) {
    synchronized (lock) {
      countForeign();
      if (nanos < now) {
        throw new IllegalArgumentException("virtual time does not go back: at " + now + " ns, asked for " + nanos);
      }
      if (advancing) {
        throw new IllegalStateException("advanceTo called from a task it is running");
      }
      advancing = true;
    }
    int ran = 0;
    try {
      while (true) {
        Task task;
        synchronized (lock) {
          task = liveHead();
          if (task == null || task.due > nanos) {
            now = nanos;
            return ran;
          }
          queue.poll();
          now = task.due;
          if (task.periodNanos == 0) {
            task.done = true;
            live--;
          }
        }
        boolean ok = run(task);
        ran++;
        synchronized (lock) {
          if (task.periodNanos > 0 && !task.cancelled) {
            if (ok) {
              task.due += task.periodNanos;
              task.seq = nextSeq++;
              queue.add(task);
            } else {
              // As Pekko's own schedulers do: a periodic task that throws (its actor is gone) stops.
              task.cancelled = true;
              live--;
            }
          }
        }
      }
    } finally {
      synchronized (lock) {
        advancing = false;
      }
    }
  }

  /**
   * Drops every pending task, between runs: what a run leaves at its time limit (its timers, ask timeouts, tool
   * completions still to come) must not fire in the next. Dropped tasks are neither run nor told they were cancelled.
   *
   * @return how many live tasks were dropped
   */
  public int clear() {
    synchronized (lock) {
      countForeign();
      int dropped = live;
      for (Task task : queue) {
        task.cancelled = true;
      }
      queue.clear();
      live = 0;
      return dropped;
    }
  }

  /**
   * Sets virtual time back to 0, so the next run starts where every run starts.
   *
   * @throws IllegalStateException if any task is pending: it would fire at the wrong time
   */
  public void rewind() {
    synchronized (lock) {
      countForeign();
      if (live > 0) {
        throw new IllegalStateException(live + " scheduled tasks are pending; clear() them before rewinding time");
      }
      queue.clear();
      now = 0;
      nextSeq = 0;
    }
  }

  /** Calls made from a thread other than the simulation thread; any is a bug that breaks determinism. */
  public long foreignCalls() {
    synchronized (lock) {
      return foreignCalls;
    }
  }

  /** Failures of tasks run so far (a task that threw), oldest first; a copy. */
  public List<String> failures() {
    synchronized (lock) {
      return List.copyOf(failures);
    }
  }

  /**
   * A clock reading this scheduler's virtual time as {@code epoch} plus the virtual nanoseconds, in UTC: the runtime's
   * clock in a simulation, so timers and the clock move together.
   */
  public Clock clock(Instant epoch) {
    return new VirtualClock(this, Objects.requireNonNull(epoch, "epoch"));
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "VirtualScheduler[at " + now + " ns, " + live + " pending]";
    }
  }

  // ---------------------------------------------------------------------------------------------- internals

  private Task add(Runnable runnable, ExecutionContext executor, long delayNanos, long periodNanos) {
    Objects.requireNonNull(runnable, "runnable");
    synchronized (lock) {
      countForeign();
      Task task = new Task(runnable, executor, saturatedAdd(now, Math.max(0, delayNanos)), periodNanos);
      task.seq = nextSeq++;
      queue.add(task);
      live++;
      return task;
    }
  }

  /** The earliest task that is not cancelled, cancelled ones at the head dropped on the way; null when none. */
  private Task liveHead() {
    Task head = queue.peek();
    while (head != null && head.cancelled) {
      queue.poll();
      head = queue.peek();
    }
    return head;
  }

  /** Runs one task; false when it threw, which is recorded unless it is Pekko's "the actor is gone" signal. */
  private boolean run(Task task) {
    try {
      if (task.executor == null) {
        task.runnable.run();
      } else {
        task.executor.execute(task.runnable);
      }
      return true;
    } catch (RuntimeException e) {
      if (!isTargetGone(e)) {
        String failure = "a task due at " + task.due + " ns threw " + e;
        synchronized (lock) {
          failures.add(failure);
        }
        log.error(e, "virtual scheduler: {}", failure);
      }
      return false;
    }
  }

  /** Pekko throws its (private) SchedulerException from a periodic task whose actor has terminated. */
  private static boolean isTargetGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getName().equals("org.apache.pekko.actor.SchedulerException")) {
        return true;
      }
    }
    return false;
  }

  private void countForeign() {
    if (Thread.currentThread() != owner) {
      foreignCalls++;
    }
  }

  private static long requirePositive(FiniteDuration interval) {
    long nanos = interval.toNanos();
    if (nanos <= 0) {
      throw new IllegalArgumentException("a periodic task needs a positive interval, got " + interval);
    }
    return nanos;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** The runtime's clock in a simulation: the epoch plus the scheduler's virtual time. */
  private static final class VirtualClock extends Clock {
    private final VirtualScheduler scheduler;
    private final Instant epoch;

    VirtualClock(VirtualScheduler scheduler, Instant epoch) {
      this.scheduler = scheduler;
      this.epoch = epoch;
    }

    @Override
    public Instant instant() {
      return epoch.plusNanos(scheduler.nanos());
    }

    @Override
    public long millis() {
      return instant().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      if (!ZoneOffset.UTC.equals(zone)) {
        throw new UnsupportedOperationException("a virtual clock keeps UTC");
      }
      return this;
    }

    @Override
    public String toString() {
      return "VirtualClock[" + instant() + "]";
    }
  }
}
