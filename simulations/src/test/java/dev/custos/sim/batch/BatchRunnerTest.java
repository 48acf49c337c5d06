package dev.custos.sim.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custos.sim.SimulationSystem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The batch runner's scheduling, failures and ordering, and the aggregate's arithmetic on known summaries. */
class BatchRunnerTest {

  private static RunSummary summary(long seed, boolean passed, Long containedAtMs, int steps, int denials,
      Map<String, Integer> halts, List<RunSummary.Expectation> expectations) {
    return new RunSummary(seed, passed ? RunSummary.PASS : RunSummary.FAIL, containedAtMs != null,
        containedAtMs == null ? OptionalLong.empty() : OptionalLong.of(containedAtMs), steps, denials,
        new TreeMap<>(halts), expectations, 0, "");
  }

  private static RunSummary.Expectation ok(String name) {
    return new RunSummary.Expectation(name, true);
  }

  private static RunSummary.Expectation failed(String name) {
    return new RunSummary.Expectation(name, false);
  }

  @Test
  void theAggregateOfKnownSummaries() {
    List<RunSummary> runs = List.of(
        summary(1, true, 1_000L, 1, 2, Map.of("strikes", 1), List.of(ok("contained"), ok("halted: rogue"))),
        summary(2, true, 25_000L, 2, 0, Map.of(), List.of(ok("contained"), ok("halted: rogue"))),
        summary(3, false, null, 4, 5, Map.of("strikes", 2, "budget", 1),
            List.of(failed("contained"), ok("halted: rogue"))),
        summary(4, false, 99_999L, 3, 1, Map.of(), List.of(ok("contained"), failed("halted: rogue"))),
        RunSummary.failed(5, new IllegalStateException("boom")));

    BatchAggregate a = BatchAggregate.of(runs, 100_000, 4);

    assertEquals(5, a.runs());
    assertEquals(4, a.completed());
    assertEquals(1, a.errors());
    assertEquals(2, a.passed());
    assertEquals(0.4, a.passRate(), 1e-12);
    assertEquals(3, a.contained());
    assertEquals(0.75, a.containmentRate(), 1e-12);
    assertEquals(new BatchAggregate.Distribution(3, 1_000, 25_000, 99_999, 99_999, 99_999, 125_999 / 3.0),
        a.timeToContain());
    assertEquals(List.of(new BatchAggregate.Bin(0, 10_000, 1), new BatchAggregate.Bin(10_000, 20_000, 0),
        new BatchAggregate.Bin(20_000, 30_000, 1)), a.timeToContainBins().subList(0, 3));
    assertEquals(new BatchAggregate.Bin(90_000, 100_000, 1), a.timeToContainBins().get(9));
    assertEquals(3, a.timeToContainBins().stream().mapToInt(BatchAggregate.Bin::count).sum());
    assertEquals(new BatchAggregate.Distribution(4, 1, 2, 4, 4, 4, 2.5), a.attackerSteps());
    assertEquals(List.of(0, 1, 1, 1, 1), a.attackerStepBins().stream().map(BatchAggregate.Bin::count).toList());
    assertEquals(8, a.denials());
    assertEquals(2.0, a.denialsPerRun(), 1e-12);
    assertEquals(Map.of("budget", 1L, "strikes", 3L), a.halts());
    assertEquals(List.of("budget", "strikes"), new ArrayList<>(a.halts().keySet()), "halts by reason, sorted");
    assertEquals(List.of("contained", "halted: rogue"), new ArrayList<>(a.expectations().keySet()));
    assertEquals(new BatchAggregate.ExpectationCount(3, 4), a.expectations().get("contained"));
    assertEquals(0.75, a.expectations().get("halted: rogue").rate(), 1e-12);
  }

  @Test
  void percentilesAreNearestRank() {
    BatchAggregate.Distribution d = BatchAggregate.Distribution.of(
        LongStream.rangeClosed(1, 100).map(i -> 101 - i).boxed().toList());
    assertEquals(new BatchAggregate.Distribution(100, 1, 50, 90, 99, 100, 50.5), d);
    assertEquals(new BatchAggregate.Distribution(1, 7, 7, 7, 7, 7, 7), BatchAggregate.Distribution.of(List.of(7L)));
    assertEquals(0, BatchAggregate.Distribution.of(List.of()).count());
  }

  @Test
  void aRunThatThrowsIsKeptWithItsSeedAndTheBatchGoesOn() throws Exception {
    Set<SimulationSystem> systems = Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));
    Map<Long, String> threadOfSeed = new ConcurrentHashMap<>();
    List<Integer> progress = new CopyOnWriteArrayList<>();
    BatchRunner.Job job = (seed, sim) -> {
      systems.add(sim);
      threadOfSeed.put(seed, Thread.currentThread().getName());
      sim.drain(); // throws off the system's own thread
      if (seed == 13) {
        throw new IllegalStateException("seed thirteen broke");
      }
      return summary(seed, true, null, 0, 0, Map.of(), List.of(ok("x")));
    };

    List<RunSummary> results = BatchRunner.of(job, 10, 8, 2, (done, total) -> progress.add(done)).run();

    assertEquals(LongStream.range(10, 18).boxed().toList(), results.stream().map(RunSummary::seed).toList());
    RunSummary thirteen = results.get(3);
    assertEquals(RunSummary.ERROR, thirteen.verdict());
    assertEquals("java.lang.IllegalStateException: seed thirteen broke", thirteen.error());
    assertThat(results).filteredOn(r -> r.seed() != 13).allMatch(RunSummary::passed);
    assertThat(results).allMatch(r -> r.wallNanos() > 0);
    assertEquals(8, progress.size());
    assertThat(progress).contains(8);
    assertThat(threadOfSeed.values()).containsOnly("custos-batch-1", "custos-batch-2");
    // one system per worker, reused; the worker that hit the failure starts one fresh system
    assertThat(systems.size()).isBetween(2, 3);
    BatchAggregate a = BatchAggregate.of(results, 1000, 0);
    assertEquals(1, a.errors());
    assertEquals(7, a.passed());
  }

  @Test
  void oneThreadRunsEverySeedInOrder() throws Exception {
    List<Long> order = new CopyOnWriteArrayList<>();
    BatchRunner.of((seed, sim) -> {
      order.add(seed);
      return summary(seed, false, null, 0, 0, Map.of(), List.of());
    }, 0, 5, 1, (d, t) -> { }).run();
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), order);
  }

  @Test
  void badSizesAreRefused() {
    BatchRunner.Job job = (seed, sim) -> summary(seed, true, null, 0, 0, Map.of(), List.of());
    assertThrows(IllegalArgumentException.class, () -> BatchRunner.of(job, 0, 0, 1, (d, t) -> { }));
    assertThrows(IllegalArgumentException.class, () -> BatchRunner.of(job, 0, 1, 0, (d, t) -> { }));
    assertThrows(IllegalArgumentException.class, () -> BatchRunner.of(job, Long.MAX_VALUE, 2, 1, (d, t) -> { }));
  }

  @Test
  void csvFieldsAreQuotedWhenTheyMustBe() {
    assertEquals("plain", BatchReport.csvField("plain"));
    assertEquals("\"a,b\"", BatchReport.csvField("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", BatchReport.csvField("say \"hi\""));
  }
}
