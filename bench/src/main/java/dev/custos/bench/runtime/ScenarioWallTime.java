package dev.custos.bench.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import dev.custos.sim.SimulationSystem;
import dev.custos.sim.batch.BatchRunner;
import dev.custos.sim.batch.RunSummary;
import dev.custos.sim.run.Report;
import dev.custos.sim.run.RunResult;
import dev.custos.sim.run.ScenarioRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Wall time of scenario simulations, as {@code custos run} and {@code custos batch} spend it: one run of each library
 * scenario on a warm, reused simulation system (the run and its JSON report), and whole batches of one scenario on all
 * cores, as {@code custos batch} runs them (a simulation system per worker, created inside the timed part).
 *
 * <p>Every measured run must end as the scenario file expects with its own seed, and no batch run may end in error:
 * a broken simulation stops the program rather than report a time.
 */
public final class ScenarioWallTime {

  private ScenarioWallTime() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args("ScenarioWallTime", "Wall time of one warm scenario run (each library scenario) and of a "
        + "batch of runs on all cores.")
        .option("scenarios", "simulations/scenarios", "directory of scenario files (run from the repository root: "
            + "their policy paths are relative to it)")
        .option("warmup", "30", "untimed runs of each scenario first, seeds 1000 and on")
        .option("runs", "50", "timed runs of each scenario, seeds 1 and on")
        .option("batch-scenario", "ransomware-outbreak.yaml", "the batch's scenario, in --scenarios")
        .option("batch-runs", "1000", "runs per batch")
        .option("batch-rounds", "3", "batches timed, after one warm-up batch of a tenth the size")
        .option("threads", String.valueOf(BatchRunner.defaultThreads()), "batch workers (custos batch: one per core)")
        .parse(argv);
    Path directory = Path.of(args.string("scenarios"));
    int warmup = args.integer("warmup", 0);
    int runs = args.integer("runs", 1);
    int batchRuns = args.integer("batch-runs", 1);
    int batchRounds = args.integer("batch-rounds", 1);
    int threads = args.integer("threads", 1);
    System.out.println("ScenarioWallTime " + args.settings());
    System.out.println(Fixtures.environment());
    quiet();

    List<Scenario> scenarios = read(directory);
    Table table = new Table("Scenario wall time: one warm run (simulation + JSON report), " + runs + " runs each; "
        + "a batch of " + batchRuns + " on " + threads + " threads, " + batchRounds + " rounds");
    try (SimulationSystem sim = SimulationSystem.create("custos-bench")) {
      for (Scenario scenario : scenarios) {
        for (int i = 0; i < warmup; i++) {
          Report.of(ScenarioRunner.run(scenario, 1000 + i, sim)).toJson();
        }
      }
      for (Scenario scenario : scenarios) {
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
          long seed = i == 0 ? scenario.seed() : i;
          long started = System.nanoTime();
          RunResult result = ScenarioRunner.run(scenario, seed, sim);
          Report report = Report.of(result);
          int bytes = report.toJson().length();
          millis[i] = (System.nanoTime() - started) / 1e6;
          if (i == 0 && !report.passed()) {
            throw new IllegalStateException(scenario.name() + " does not meet its expectations with its own seed "
                + seed + ": the simulation is not the one the file describes");
          }
          if (bytes == 0) {
            throw new IllegalStateException(scenario.name() + " seed " + seed + " gave an empty report");
          }
        }
        double p99 = Table.percentile(millis, 99);
        System.out.printf(Locale.ROOT, "%-40s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", scenario.name(),
            Table.median(millis), p99, Table.max(millis));
        table.row(scenario.name() + ", one run p50 / p99", String.format(Locale.ROOT, "%.1f / %.1f ms",
            Table.median(millis), p99), "-", "-", "<= 300 ms", Table.met(p99 <= 300));
      }
    }

    Scenario batched = scenarios.stream()
        .filter(s -> directory.resolve(args.string("batch-scenario")).getFileName().toString()
            .equals(s.name() + ".yaml"))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no scenario " + args.string("batch-scenario") + " in "
            + directory));
    batch(batched, Math.max(1, batchRuns / 10), threads, "warm-up");
    double[] seconds = new double[batchRounds];
    for (int round = 0; round < batchRounds; round++) {
      seconds[round] = batch(batched, batchRuns, threads, "round " + (round + 1) + "/" + batchRounds);
    }
    double median = Table.median(seconds);
    table.row("batch of " + batchRuns + " " + batched.name() + " (median)", Table.spread(seconds,
        s -> String.format(Locale.ROOT, "%.1f s", s)), "-", "-", "<= 60 s",
        Table.met(median <= 60));
    table.row("  runs per second", Table.count(batchRuns / median), "-", "-", "-", "-");
    table.note("a run: ScenarioRunner.run on a reused simulation system, then its JSON report; p99 is the nearest "
        + "rank over the runs");
    table.note("a batch: BatchRunner as custos batch uses it, simulation systems created inside the timed part; "
        + "without the JVM's start and the file's reading");
    table.note("no bare-Pekko counterpart: the columns for it are empty");
    table.print();
  }

  /** Every scenario file in {@code directory}, by name; a file that does not read stops the program. */
  private static List<Scenario> read(Path directory) throws IOException {
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files = listed.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no scenario files (*.yaml) in " + directory);
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (Path file : files) {
      Problems problems = new Problems();
      scenarios.add(ScenarioFile.read(file, problems).orElseThrow(() -> new IllegalArgumentException(
          String.join("\n", problems.lines()))));
    }
    return scenarios;
  }

  /** Seconds one batch took; a run that ended in error stops the program. */
  private static double batch(Scenario scenario, int runs, int threads, String label) throws InterruptedException {
    long started = System.nanoTime();
    List<RunSummary> summaries = BatchRunner.of(scenario, 1, runs).threads(threads).run();
    double seconds = (System.nanoTime() - started) / 1e9;
    long errors = summaries.stream().filter(s -> RunSummary.ERROR.equals(s.verdict())).count();
    if (errors > 0) {
      throw new IllegalStateException(errors + " of " + runs + " runs of " + scenario.name() + " ended in error");
    }
    long passed = summaries.stream().filter(s -> RunSummary.PASS.equals(s.verdict())).count();
    System.out.printf(Locale.ROOT, "batch %s: %d runs in %.2f s, %.0f runs/s, %d passed%n", label, runs, seconds,
        runs / seconds, passed);
    return seconds;
  }

  /** Custos and Pekko log errors only: the runtime logs every mission at INFO. */
  private static void quiet() {
    ((Logger) LoggerFactory.getLogger("dev.custos")).setLevel(Level.ERROR);
    ((Logger) LoggerFactory.getLogger("org.apache.pekko")).setLevel(Level.ERROR);
  }
}
