package dev.custos.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A clock that stands still until a test moves it, for tests on Pekko's {@code ManualTime}. Thread safe.
 *
 * <p>Built on a scheduler's virtual milliseconds ({@code ExplicitlyTriggeredScheduler::currentTimeMs}), it moves
 * exactly when {@code ManualTime.timePasses} moves that scheduler, and reads each timer's due time while the timer
 * fires. That matters: a clock advanced by the test next to {@code timePasses} leaves a window (timePasses sleeps
 * before it moves) in which an actor reads the new time but starts its timer on the old one, so the timer fires a step
 * early or late. {@link #advance} moves the clock on its own, for code that reads only the clock.
 */
final class ManualClock extends Clock {

  private final Instant start;
  private final LongSupplier millis;
  private final long base;
  private final AtomicLong advancedNanos = new AtomicLong();

  /** A clock at {@code start} that moves only by {@link #advance}. */
  ManualClock(Instant start) {
    this(start, () -> 0L);
  }

  /** A clock at {@code start} now, moving with {@code millis} (a scheduler's virtual time) and {@link #advance}. */
  ManualClock(Instant start, LongSupplier millis) {
    this.start = Objects.requireNonNull(start);
    this.millis = Objects.requireNonNull(millis);
    this.base = millis.getAsLong();
  }

  /** Moves the clock forward by itself; time never goes back. */
  Instant advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a manual clock does not go back: " + duration);
    }
    advancedNanos.addAndGet(duration.toNanos());
    return instant();
  }

  @Override
  public Instant instant() {
    return start.plusMillis(millis.getAsLong() - base).plusNanos(advancedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!ZoneOffset.UTC.equals(zone)) {
      throw new UnsupportedOperationException("a manual clock keeps UTC");
    }
    return this;
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}
