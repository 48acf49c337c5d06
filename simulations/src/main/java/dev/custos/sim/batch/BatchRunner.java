package dev.custos.sim.batch;

import dev.custos.scenario.Scenario;
import dev.custos.sim.SimulationSystem;
import dev.custos.sim.run.ScenarioRunner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs seeds {@code first .. first + runs - 1} of one job on worker threads, one {@link SimulationSystem} per worker,
 * created on it and reused for run after run (starting a system costs far more than a run). Workers take the next seed
 * from a shared counter, so a slow run does not hold the others up. Each run leaves a {@link RunSummary} only.
 *
 * <p>The result lists the summaries by seed, whatever thread ran which: a run depends on its seed only, so the list is
 * the same for 1 thread or 8. A run that throws is an {@code error} summary with its seed and the exception's message;
 * its worker drops its system (it may be left mid-run) and starts a fresh one for its next seed; the batch goes on.
 */
public final class BatchRunner {

  /** One run: the summary of seed {@code seed} run on {@code sim}, on the thread that created {@code sim}. */
  @FunctionalInterface
  public interface Job {
    RunSummary run(long seed, SimulationSystem sim);
  }

  /** Told after each run how many of the batch's runs are done; called from the worker threads. */
  @FunctionalInterface
  public interface Progress {
    void update(int done, int total);
  }

  private final Job job;
  private final long firstSeed;
  private final int runs;
  private final int threads;
  private final Progress progress;

  private BatchRunner(Job job, long firstSeed, int runs, int threads, Progress progress) {
    this.job = Objects.requireNonNull(job, "job");
    if (runs < 1) {
      throw new IllegalArgumentException("a batch has at least 1 run, got " + runs);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("a batch has at least 1 thread, got " + threads);
    }
    if (firstSeed < 0 || firstSeed > Long.MAX_VALUE - runs + 1) {
      throw new IllegalArgumentException("seeds " + firstSeed + " and the " + (runs - 1) + " after it are not all "
          + "between 0 and " + Long.MAX_VALUE);
    }
    this.firstSeed = firstSeed;
    this.runs = runs;
    this.threads = threads;
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /** A batch of {@code runs} runs of {@code job}, from {@code firstSeed}, on {@code threads} workers. */
  public static BatchRunner of(Job job, long firstSeed, int runs, int threads, Progress progress) {
    return new BatchRunner(job, firstSeed, runs, threads, progress);
  }

  /** A batch of {@code scenario}, on one worker per core. */
  public static BatchRunner of(Scenario scenario, long firstSeed, int runs) {
    return of(scenarioJob(scenario), firstSeed, runs, defaultThreads(), (done, total) -> { });
  }

  /** The job that runs {@code scenario} with {@link ScenarioRunner} and summarises the result. */
  public static Job scenarioJob(Scenario scenario) {
    Objects.requireNonNull(scenario, "scenario");
    return (seed, sim) -> RunSummary.of(ScenarioRunner.run(scenario, seed, sim));
  }

  /** One worker per core. */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  public BatchRunner threads(int threads) {
    return new BatchRunner(job, firstSeed, runs, threads, progress);
  }

  public BatchRunner progress(Progress progress) {
    return new BatchRunner(job, firstSeed, runs, threads, progress);
  }

  /**
   * Runs the batch and returns every run's summary, by seed.
   *
   * @throws InterruptedException when interrupted waiting for the workers (they are interrupted and stop after their
   *     current run)
   */
  public List<RunSummary> run() throws InterruptedException {
    RunSummary[] results = new RunSummary[runs];
    AtomicLong next = new AtomicLong();
    AtomicInteger done = new AtomicInteger();
    int workers = Math.min(threads, runs);
    List<Thread> started = new ArrayList<>();
    for (int w = 1; w <= workers; w++) {
      String name = "custos-batch-" + w;
      Thread thread = new Thread(() -> work(name, next, done, results), name);
      thread.setDaemon(true);
      started.add(thread);
      thread.start();
    }
    try {
      for (Thread thread : started) {
        thread.join();
      }
    } catch (InterruptedException e) {
      started.forEach(Thread::interrupt);
      throw e;
    }
    for (int i = 0; i < runs; i++) {
      if (results[i] == null) { // only if a worker died outside a run: never lose the seed
        results[i] = RunSummary.failed(firstSeed + i, new IllegalStateException("the run's worker stopped"));
      }
    }
    return List.copyOf(Arrays.asList(results));
  }

  private void work(String name, AtomicLong next, AtomicInteger done, RunSummary[] results) {
    SimulationSystem sim = null;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        long i = next.getAndIncrement();
        if (i >= runs) {
          return;
        }
        long seed = firstSeed + i;
        long started = System.nanoTime();
        RunSummary summary;
        try {
          if (sim == null) {
            sim = SimulationSystem.create(name);
          }
          summary = job.run(seed, sim);
          if (summary.seed() != seed) {
            throw new IllegalStateException("the run of seed " + seed + " reported seed " + summary.seed());
          }
        } catch (Throwable failure) {
          summary = RunSummary.failed(seed, failure);
          closeQuietly(sim);
          sim = null;
        }
        results[(int) i] = summary.withWallNanos(System.nanoTime() - started);
        progress.update(done.incrementAndGet(), runs);
      }
    } finally {
      closeQuietly(sim);
    }
  }

  private static void closeQuietly(SimulationSystem sim) {
    if (sim == null) {
      return;
    }
    try {
      sim.close();
    } catch (RuntimeException e) {
      // a system that failed a run may not shut down cleanly; it is dropped either way
    }
  }
}
