package dev.custos.cli;

import dev.custos.scenario.Scenario;
import dev.custos.sim.batch.BatchAggregate;
import dev.custos.sim.batch.BatchReport;
import dev.custos.sim.batch.BatchRunner;
import dev.custos.sim.batch.RunSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custos batch FILE --runs N [--first-seed S] [--json PATH] [--csv PATH] [--html PATH] [--threads T]}. */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Simulate a scenario file with many seeds and aggregate the outcomes.",
        "Validates the file, runs seeds S..S+N-1 on one worker thread per core (each reusing one simulation system), "
            + "shows progress on standard error, and prints the containment rate, the time to contain (min, p50, "
            + "p90, p99, max), the attacker steps, the denials, the halts by reason and the expectations' pass rates.",
        "--json writes the aggregate and every run's summary, --csv one row per run, --html one self-contained page "
            + "(no network needed: the chart library is inlined) with the pass and containment rates, histograms and "
            + "percentiles of the time to contain, the attacker steps and the denials per run, the halts by reason, "
            + "and the failing runs with the `custos run FILE --seed N` command that reruns each; none holds "
            + "wall-clock times or the thread count, so the same file and seeds give the same bytes."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every run met every expectation",
        "1:some run failed an expectation or threw (its seed and message are in the summary and the files)",
        "2:bad input: a bad option, or a problem in the file (every problem on standard error as FILE:LINE:COLUMN: "
            + "message)"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class BatchCommand implements Callable<Integer> {

  /** How many failed runs the summary names one by one. */
  private static final int LISTED = 10;

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file (YAML).")
  private Path file;

  @Option(names = "--runs", paramLabel = "N", required = true, description = "How many seeds to run (at least 1).")
  private int runs;

  @Option(names = "--first-seed", paramLabel = "S", description = "The first seed; the scenario's seed if not given.")
  private Long firstSeed;

  @Option(names = "--json", paramLabel = "PATH", description = "Write the aggregate and the runs' summaries as JSON.")
  private Path json;

  @Option(names = "--csv", paramLabel = "PATH", description = "Write one CSV row per run, after a header line.")
  private Path csv;

  @Option(names = "--html", paramLabel = "PATH",
      description = "Write the aggregate as one self-contained HTML page with histograms and the failing runs.")
  private Path html;

  @Option(names = "--threads", paramLabel = "T", description = "Worker threads; one per core if not given.")
  private Integer threads;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String bad = runs < 1 ? "--runs must be at least 1, got " + runs
        : firstSeed != null && firstSeed < 0 ? "--first-seed may not be negative, got " + firstSeed
        : threads != null && threads < 1 ? "--threads must be at least 1, got " + threads
        : firstSeed != null && firstSeed > Long.MAX_VALUE - runs + 1 ? "--first-seed " + firstSeed + " leaves no room "
            + "for " + runs + " seeds"
        : null;
    if (bad != null) {
      err.println(bad);
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    Optional<Scenario> read = Simulations.read(file, err);
    if (read.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario = read.get();
    long first = firstSeed != null ? firstSeed : scenario.seed();
    if (first > Long.MAX_VALUE - runs + 1) {
      err.println("the scenario's seed " + first + " leaves no room for " + runs + " seeds");
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    int workers = Math.min(threads != null ? threads : BatchRunner.defaultThreads(), runs);
    ProgressLine progress = new ProgressLine(err, System.console() != null);
    BatchRunner runner = BatchRunner.of(BatchRunner.scenarioJob(scenario), first, runs, workers, progress);
    long started = System.nanoTime();
    List<RunSummary> summaries = Simulations.quietly(runner::run);
    long wallNanos = System.nanoTime() - started;
    progress.finish();
    BatchReport report = BatchReport.of(scenario, first, summaries);
    summary(out, scenario, first, report, wallNanos, workers);
    if (json != null && !Simulations.write(json, report.toJson(), "json", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    if (csv != null && !Simulations.write(csv, report.toCsv(), "csv", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    if (html != null && !Simulations.write(html, report.toHtml(file.toString()), "html", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    out.flush();
    return report.passed() ? ExitCodes.OK : ExitCodes.NO;
  }

  private static void summary(PrintWriter out, Scenario scenario, long first, BatchReport report, long wallNanos,
      int workers) {
    BatchAggregate a = report.aggregate();
    double seconds = wallNanos / 1e9;
    out.printf(Locale.ROOT, "scenario %s, %d runs (seeds %d..%d): %d passed, %d failed, %d errors%n", scenario.name(),
        a.runs(), first, first + a.runs() - 1, a.passed(), a.completed() - a.passed(), a.errors());
    out.printf(Locale.ROOT, "  wall time: %.1f s on %d threads, %.1f runs/s%n", seconds, workers,
        a.runs() / Math.max(seconds, 1e-9));
    out.printf(Locale.ROOT, "  contained: %d of %d completed runs (%s)%n", a.contained(), a.completed(),
        percent(a.containmentRate()));
    BatchAggregate.Distribution t = a.timeToContain();
    if (t.count() == 0) {
      out.println("  time to contain: no run contained the attacker");
    } else {
      out.printf(Locale.ROOT, "  time to contain (ms): min %d, p50 %d, p90 %d, p99 %d, max %d%n", t.min(), t.p50(),
          t.p90(), t.p99(), t.max());
      out.println("    " + a.timeToContainBins().stream().map(b -> b.from() + "-" + b.to() + ": " + b.count())
          .collect(Collectors.joining(", ")));
    }
    BatchAggregate.Distribution s = a.attackerSteps();
    if (s.count() > 0) {
      out.printf(Locale.ROOT, "  attacker steps: min %d, p50 %d, p90 %d, p99 %d, max %d, mean %.2f%n", s.min(),
          s.p50(), s.p90(), s.p99(), s.max(), s.mean());
      out.println("    " + a.attackerStepBins().stream().map(b -> b.from() + " steps: " + b.count())
          .collect(Collectors.joining(", ")));
    }
    out.printf(Locale.ROOT, "  denials: %d in all, %.2f per run%n", a.denials(), a.denialsPerRun());
    out.println("  halts: " + (a.halts().isEmpty() ? "none" : a.halts().entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
    out.printf(Locale.ROOT, "  expectations: %s of runs met all%n", percent(a.passRate()));
    a.expectations().forEach((name, c) -> out.printf(Locale.ROOT, "    %s: %d of %d (%s)%n", name, c.passed(),
        c.checked(), percent(c.rate())));
    List<RunSummary> errors = report.summaries().stream().filter(RunSummary::failedWithError).toList();
    for (RunSummary e : errors.subList(0, Math.min(LISTED, errors.size()))) {
      out.printf("  error, seed %d: %s%n", e.seed(), e.error());
    }
    if (errors.size() > LISTED) {
      out.printf("  ... and %d more errors%n", errors.size() - LISTED);
    }
  }

  private static String percent(double rate) {
    return String.format(Locale.ROOT, "%.1f%%", rate * 100);
  }

  /**
   * Progress on standard error: on a terminal one line redrawn after each run; else a line at every tenth of the
   * batch (so a CI log gets at most ten).
   */
  static final class ProgressLine implements BatchRunner.Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean terminal;
    private int shownTenths;
    private boolean drawn;

    ProgressLine(PrintWriter err, boolean terminal) {
      this.err = err;
      this.terminal = terminal;
    }

    @Override
    public synchronized void update(int done, int total) {
      if (terminal) {
        int filled = (int) ((long) done * WIDTH / total);
        err.printf(Locale.ROOT, "\rbatch [%s%s] %3d%% %d/%d", "#".repeat(filled), ".".repeat(WIDTH - filled),
            (long) done * 100 / total, done, total);
        err.flush();
        drawn = true;
        return;
      }
      int tenths = (int) ((long) done * 10 / total);
      if (tenths > shownTenths) {
        shownTenths = tenths;
        err.printf(Locale.ROOT, "batch: %d of %d runs (%d%%)%n", done, total, (long) done * 100 / total);
        err.flush();
      }
    }

    synchronized void finish() {
      if (drawn) {
        err.println();
        err.flush();
      }
    }
  }
}
