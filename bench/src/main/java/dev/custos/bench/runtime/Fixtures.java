package dev.custos.bench.runtime;

import dev.custos.agent.MissionBrief;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.identity.MissionId;
import dev.custos.runtime.MissionSpec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;

/** What the runtime benchmarks share: grants wide enough never to be the limit, waiting, heap readings. */
final class Fixtures {

  /** A rate no benchmark reaches: the rate check runs on every call but never denies. */
  static final Rate NO_RATE_LIMIT = new Rate(999_999_999, Duration.ofSeconds(1));

  /** The one capability every benchmark agent holds: the no-op tool on any resource, without a call limit. */
  static final Capability NOOP = Capability.of(NoopTool.NAME, "res:**");

  /** The one resource benchmark agents call the no-op tool on. */
  static final String RESOURCE = "res:bench/1";

  /** How long any benchmark waits for one round before it calls the run broken. */
  static final Duration ROUND_TIMEOUT = Duration.ofMinutes(10);

  private Fixtures() {}

  /** A grant on {@link #NOOP} with the given carve-outs, no rate limit and one strike (any denial halts). */
  static GrantRequest grant(long budget, Instant deadline, int maxDepth, int maxChildren, int maxSubtreeAgents) {
    return new GrantRequest(List.of(NOOP),
        new Bounds(budget, deadline, maxDepth, maxChildren, maxSubtreeAgents, NO_RATE_LIMIT, 1));
  }

  static MissionSpec mission(String id, String agentType, GrantRequest grant) {
    return MissionSpec.of(new MissionId(id), agentType, MissionBrief.of("benchmark " + id), grant);
  }

  /** The runtime's {@code custos.agents.live} gauge: hosts started and not yet stopped. */
  static Gauge liveAgents(MeterRegistry meters) {
    Gauge gauge = meters.find("custos.agents.live").gauge();
    if (gauge == null) {
      throw new IllegalStateException("the runtime registered no custos.agents.live gauge");
    }
    return gauge;
  }

  /** Waits for {@code future}, at most {@link #ROUND_TIMEOUT}; a timeout or failure ends the program with {@code what}. */
  static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + ROUND_TIMEOUT, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    }
  }

  static void terminate(ActorSystem<?> system) {
    system.terminate();
    await(system.getWhenTerminated().toCompletableFuture(), "terminating " + system.name());
  }

  /**
   * Collects garbage until the used heap stops shrinking (at most five full collections), so rounds start alike and
   * heap readings hold only what is reachable.
   */
  static long usedHeapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      sleep(100);
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (now >= used - (1 << 20)) {
        return Math.min(now, used);
      }
      used = now;
    }
    return used;
  }

  /** Before a timed round: a full collection, so garbage of the previous round is not collected during this one. */
  static void settle() {
    System.gc();
    sleep(200);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** One line on where the numbers come from: cores, JVM, heap, collectors. */
  static String environment() {
    Runtime runtime = Runtime.getRuntime();
    String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", "));
    return "cores " + runtime.availableProcessors() + " · JDK " + System.getProperty("java.version") + " · max heap "
        + Table.bytes(runtime.maxMemory()) + " · GC " + collectors;
  }
}
