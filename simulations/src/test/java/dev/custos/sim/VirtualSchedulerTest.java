package dev.custos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.SchedulerTask;
import org.apache.pekko.dispatch.ExecutionContexts;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/** The virtual scheduler on its own: order, periods, cancellation, clearing, its clock. */
class VirtualSchedulerTest {

  private static final ExecutionContext SAME_THREAD = ExecutionContexts.fromExecutor(Runnable::run);

  private final VirtualScheduler scheduler = new VirtualScheduler(ConfigFactory.empty(), NoLogging.getInstance(), null);
  private final List<String> fired = new ArrayList<>();

  private static FiniteDuration ms(long millis) {
    return FiniteDuration.create(millis, TimeUnit.MILLISECONDS);
  }

  private Runnable record(String name) {
    return () -> fired.add(name + "@" + TimeUnit.NANOSECONDS.toMillis(scheduler.nanos()));
  }

  @Test
  void tasksFireByDueTimeAndTiesInTheOrderTheyWereScheduled() {
    scheduler.scheduleOnce(ms(20), record("a"), SAME_THREAD);
    scheduler.scheduleOnce(ms(20), record("b"), SAME_THREAD);
    scheduler.scheduleOnce(ms(10), record("c"), SAME_THREAD);
    scheduler.scheduleOnce(ms(20), record("d"), SAME_THREAD);

    assertEquals(OptionalLong.of(ms(10).toNanos()), scheduler.nextDue());
    assertEquals(4, scheduler.advanceTo(ms(25).toNanos()));

    assertEquals(List.of("c@10", "a@20", "b@20", "d@20"), fired, "each runs at its own due time");
    assertEquals(ms(25).toNanos(), scheduler.nanos());
    assertEquals(OptionalLong.empty(), scheduler.nextDue());
  }

  @Test
  void nothingFiresBeforeItIsDueAndTimeNeverGoesBack() {
    scheduler.scheduleOnce(ms(10), record("a"), SAME_THREAD);

    assertEquals(0, scheduler.advanceTo(ms(9).toNanos()));
    assertEquals(List.of(), fired);
    assertThrows(IllegalArgumentException.class, () -> scheduler.advanceTo(ms(5).toNanos()));
    assertEquals(1, scheduler.advanceTo(ms(10).toNanos()));
    assertEquals(List.of("a@10"), fired);
  }

  @Test
  void aTaskScheduledByARunningTaskRunsInTheSameAdvanceWhenDue() {
    scheduler.scheduleOnce(ms(10), () -> {
      fired.add("first@" + TimeUnit.NANOSECONDS.toMillis(scheduler.nanos()));
      scheduler.scheduleOnce(ms(0), record("now"), SAME_THREAD);
      scheduler.scheduleOnce(ms(5), record("later"), SAME_THREAD);
      scheduler.scheduleOnce(ms(50), record("too-late"), SAME_THREAD);
    }, SAME_THREAD);

    scheduler.advanceTo(ms(30).toNanos());

    assertEquals(List.of("first@10", "now@10", "later@15"), fired);
    assertEquals(1, scheduler.pending());
  }

  @Test
  void fixedRateAndFixedDelayTasksComeBackUntilCancelled() {
    Cancellable rate = scheduler.scheduleAtFixedRate(ms(10), ms(10), record("rate"), SAME_THREAD);
    Cancellable delay = scheduler.scheduleWithFixedDelay(ms(5), ms(20), record("delay"), SAME_THREAD);

    scheduler.advanceTo(ms(45).toNanos());
    assertEquals(List.of("delay@5", "rate@10", "rate@20", "delay@25", "rate@30", "rate@40", "delay@45"), fired);

    assertTrue(rate.cancel());
    assertFalse(rate.cancel(), "cancelled once");
    assertTrue(rate.isCancelled());
    fired.clear();
    scheduler.advanceTo(ms(70).toNanos());
    assertEquals(List.of("delay@65"), fired);
    assertTrue(delay.cancel());
    assertEquals(0, scheduler.pending());
    assertEquals(OptionalLong.empty(), scheduler.nextDue());
  }

  @Test
  void aCancelledTaskNeverRunsAndASchedulerTaskHearsOfIt() {
    List<String> told = new ArrayList<>();
    Cancellable a = scheduler.scheduleOnce(ms(10), new SchedulerTask() {
      @Override
      public void run() {
        fired.add("a");
      }

      @Override
      public void cancelled() {
        told.add("a");
      }
    }, SAME_THREAD);
    Cancellable b = scheduler.scheduleOnce(ms(20), record("b"), SAME_THREAD);

    assertTrue(a.cancel());
    assertEquals(List.of("a"), told);
    assertEquals(OptionalLong.of(ms(20).toNanos()), scheduler.nextDue(), "a cancelled head is skipped");
    scheduler.advanceTo(ms(30).toNanos());
    assertEquals(List.of("b@20"), fired);
    assertFalse(b.cancel(), "a one-off task that ran cannot be cancelled");
  }

  @Test
  void aPeriodicTaskThatThrowsStopsAndIsRecorded() {
    int[] runs = {0};
    Runnable failing = () -> {
      runs[0]++;
      throw new IllegalStateException("boom");
    };
    scheduler.scheduleAtFixedRate(ms(10), ms(10), failing, SAME_THREAD);

    scheduler.advanceTo(ms(100).toNanos());

    assertEquals(1, runs[0]);
    assertEquals(1, scheduler.failures().size());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void clearDropsEverythingAndRewindStartsTimeAgain() {
    scheduler.scheduleOnce(ms(10), record("a"), SAME_THREAD);
    scheduler.scheduleAtFixedRate(ms(10), ms(10), record("b"), SAME_THREAD);
    scheduler.advanceTo(ms(5).toNanos());

    assertThrows(IllegalStateException.class, scheduler::rewind, "pending tasks would fire at the wrong time");
    assertEquals(2, scheduler.clear());
    scheduler.rewind();

    assertEquals(0, scheduler.nanos());
    assertEquals(OptionalLong.empty(), scheduler.nextDue());
    scheduler.advanceTo(ms(100).toNanos());
    assertEquals(List.of(), fired);
  }

  @Test
  void theClockIsTheEpochPlusVirtualTime() {
    Instant epoch = Instant.parse("2030-01-01T00:00:00Z");
    java.time.Clock clock = scheduler.clock(epoch);
    assertEquals(epoch, clock.instant());

    scheduler.advanceTo(Duration.ofMinutes(3).plusNanos(7).toNanos());

    assertEquals(epoch.plus(Duration.ofMinutes(3)).plusNanos(7), clock.instant());
    assertEquals(epoch.plus(Duration.ofMinutes(3)).toEpochMilli(), clock.millis());
  }

  @Test
  void callsFromAnotherThreadAreCounted() throws Exception {
    Thread other = new Thread(() -> scheduler.schedule(Duration.ofSeconds(1), () -> { }));
    other.start();
    other.join();

    assertEquals(1, scheduler.foreignCalls());
  }
}
