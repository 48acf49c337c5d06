package dev.custos.bench.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One timed round, as agents and actors report it from their own threads: {@link #start()} (or the first {@link #startOnce()}) stamps the beginning, each
 * {@link #tick()} counts an expected event, and the last tick stamps the end. Anything unexpected (a refusal, a denial,
 * a failure) goes to {@link #problem}, which ends the round as broken: a benchmark never reports a round in which the
 * runtime did something other than what it claims to measure. Thread safe.
 */
final class Progress {

  private final AtomicInteger remaining;
  private final CompletableFuture<Long> elapsed = new CompletableFuture<>();
  private final AtomicLong startedAt = new AtomicLong();

  Progress(int expectedTicks) {
    this.remaining = new AtomicInteger(expectedTicks);
  }

  void start() {
    startedAt.set(System.nanoTime());
  }

  /** Starts the clock unless someone already did: the first of several senders starts the round. */
  void startOnce() {
    startedAt.compareAndSet(0, System.nanoTime());
  }

  void tick() {
    if (remaining.decrementAndGet() == 0) {
      elapsed.complete(System.nanoTime() - startedAt.get());
    }
  }

  void problem(String what) {
    elapsed.completeExceptionally(new IllegalStateException(what));
  }

  /** Nanoseconds from {@link #start()} to the last tick; throws when a problem was reported or time ran out. */
  long awaitNanos(String what) {
    return Fixtures.await(elapsed, what);
  }

  int remaining() {
    return remaining.get();
  }
}
