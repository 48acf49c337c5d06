package dev.custos.sim.batch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The numbers of a batch, from its runs' summaries in seed order. Rates are fractions (0..1). Runs that threw
 * ({@code error}) count as runs that did not pass; the containment, time-to-contain, attacker-step, denial and halt
 * figures are over the runs that completed.
 *
 * <p>Percentiles are nearest-rank: p of n sorted values is the value at rank ceil(p/100 * n). Time to contain has
 * {@link #TIME_BINS} bins of equal width over the scenario's duration (fixed by the scenario, not by the data, so two
 * batches of one scenario compare bin by bin); attacker steps one bin per count from 0 to the playbook's length.
 *
 * @param runs every run
 * @param completed the runs that did not throw
 * @param errors the runs that threw
 * @param passed the runs that met every expectation
 * @param passRate passed / runs
 * @param contained the completed runs that contained the attacker
 * @param containmentRate contained / completed (0 when none completed)
 * @param timeToContain the time to contain of the contained runs, in virtual ms
 * @param timeToContainBins the histogram of time to contain
 * @param attackerSteps the attacker steps of the completed runs
 * @param attackerStepBins the histogram of attacker steps
 * @param denials denied tool calls in all completed runs
 * @param denialsPerRun denials / completed
 * @param halts halts in all completed runs, per reason, by reason
 * @param expectations per expectation name (in the order they first appear), its passes and its checks
 */
public record BatchAggregate(int runs, int completed, int errors, int passed, double passRate, int contained,
    double containmentRate, Distribution timeToContain, List<Bin> timeToContainBins, Distribution attackerSteps,
    List<Bin> attackerStepBins, long denials, double denialsPerRun, Map<String, Long> halts,
    Map<String, ExpectationCount> expectations) {

  /** How many bins the time-to-contain histogram has. */
  public static final int TIME_BINS = 10;

  /** Some values' spread; all 0 for no values ({@code count} 0). */
  public record Distribution(int count, long min, long p50, long p90, long p99, long max, double mean) {

    /** The distribution of {@code values} (any order). */
    public static Distribution of(List<Long> values) {
      if (values.isEmpty()) {
        return new Distribution(0, 0, 0, 0, 0, 0, 0);
      }
      List<Long> sorted = values.stream().sorted().toList();
      long sum = 0;
      for (long v : sorted) {
        sum += v;
      }
      return new Distribution(sorted.size(), sorted.get(0), percentile(sorted, 50), percentile(sorted, 90),
          percentile(sorted, 99), sorted.get(sorted.size() - 1), (double) sum / sorted.size());
    }

    /** Nearest rank. */
    static long percentile(List<Long> sorted, int p) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.size());
      return sorted.get(Math.max(rank, 1) - 1);
    }

    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("count", count);
      map.put("min", count == 0 ? null : min);
      map.put("p50", count == 0 ? null : p50);
      map.put("p90", count == 0 ? null : p90);
      map.put("p99", count == 0 ? null : p99);
      map.put("max", count == 0 ? null : max);
      map.put("mean", count == 0 ? null : mean);
      return map;
    }
  }

  /** A histogram bin: the values {@code from <= v < to} ({@code v <= to} for the last bin). */
  public record Bin(long from, long to, int count) {
    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("from", from);
      map.put("to", to);
      map.put("count", count);
      return map;
    }
  }

  /** How often an expectation held, of the runs that checked it. */
  public record ExpectationCount(int passed, int checked) {
    public double rate() {
      return checked == 0 ? 0 : (double) passed / checked;
    }
  }

  public BatchAggregate {
    timeToContainBins = List.copyOf(timeToContainBins);
    attackerStepBins = List.copyOf(attackerStepBins);
    halts = java.util.Collections.unmodifiableMap(new TreeMap<>(halts));
    expectations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(expectations));
  }

  /**
   * The aggregate of {@code summaries} (in seed order) of a scenario lasting {@code durationMs} whose attacker has
   * {@code playbookSteps} steps.
   */
  public static BatchAggregate of(List<RunSummary> summaries, long durationMs, int playbookSteps) {
    Objects.requireNonNull(summaries, "summaries");
    if (durationMs < 1 || playbookSteps < 0) {
      throw new IllegalArgumentException("duration " + durationMs + " ms, " + playbookSteps + " steps");
    }
    int errors = 0;
    int passed = 0;
    int contained = 0;
    long denials = 0;
    List<Long> times = new ArrayList<>();
    List<Long> steps = new ArrayList<>();
    Map<String, Long> halts = new TreeMap<>();
    Map<String, int[]> expectations = new LinkedHashMap<>();
    for (RunSummary s : summaries) {
      if (s.failedWithError()) {
        errors++;
        continue;
      }
      if (s.passed()) {
        passed++;
      }
      if (s.contained()) {
        contained++;
        s.containedAtMs().ifPresent(times::add);
      }
      steps.add((long) s.attackerSteps());
      denials += s.denials();
      s.halts().forEach((reason, n) -> halts.merge(reason, (long) n, Long::sum));
      for (RunSummary.Expectation e : s.expectations()) {
        int[] count = expectations.computeIfAbsent(e.name(), k -> new int[2]);
        count[0] += e.ok() ? 1 : 0;
        count[1]++;
      }
    }
    int runs = summaries.size();
    int completed = runs - errors;
    Map<String, ExpectationCount> counts = new LinkedHashMap<>();
    expectations.forEach((name, c) -> counts.put(name, new ExpectationCount(c[0], c[1])));
    return new BatchAggregate(runs, completed, errors, passed, runs == 0 ? 0 : (double) passed / runs, contained,
        completed == 0 ? 0 : (double) contained / completed, Distribution.of(times), timeBins(times, durationMs),
        Distribution.of(steps), stepBins(steps, playbookSteps), denials,
        completed == 0 ? 0 : (double) denials / completed, halts, counts);
  }

  /** {@link #TIME_BINS} bins of equal width (rounded up to a whole ms) from 0 to {@code durationMs}. */
  static List<Bin> timeBins(List<Long> values, long durationMs) {
    long width = (durationMs + TIME_BINS - 1) / TIME_BINS;
    int[] counts = new int[TIME_BINS];
    for (long v : values) {
      counts[(int) Math.min(Math.max(v, 0) / width, TIME_BINS - 1)]++;
    }
    List<Bin> bins = new ArrayList<>();
    for (int i = 0; i < TIME_BINS; i++) {
      bins.add(new Bin(i * width, i == TIME_BINS - 1 ? durationMs : (i + 1) * width, counts[i]));
    }
    return bins;
  }

  /** One bin per step count, 0 to {@code playbookSteps}: bin n counts the runs where n steps happened. */
  static List<Bin> stepBins(List<Long> values, int playbookSteps) {
    int[] counts = new int[playbookSteps + 1];
    for (long v : values) {
      counts[(int) Math.min(Math.max(v, 0), playbookSteps)]++;
    }
    List<Bin> bins = new ArrayList<>();
    for (int i = 0; i <= playbookSteps; i++) {
      bins.add(new Bin(i, i, counts[i]));
    }
    return bins;
  }

  /** The aggregate as ordered maps, as the batch JSON shows it. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("runs", runs);
    map.put("completed", completed);
    map.put("errors", errors);
    map.put("passed", passed);
    map.put("passRate", passRate);
    map.put("contained", contained);
    map.put("containmentRate", containmentRate);
    Map<String, Object> ttc = timeToContain.toMap();
    ttc.put("histogram", timeToContainBins.stream().map(Bin::toMap).toList());
    map.put("timeToContainMs", ttc);
    Map<String, Object> st = attackerSteps.toMap();
    st.put("histogram", attackerStepBins.stream().map(Bin::toMap).toList());
    map.put("attackerSteps", st);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("total", denials);
    d.put("perRun", denialsPerRun);
    map.put("denials", d);
    map.put("halts", new LinkedHashMap<>(halts));
    List<Map<String, Object>> list = new ArrayList<>();
    expectations.forEach((name, c) -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", name);
      e.put("passed", c.passed());
      e.put("checked", c.checked());
      e.put("rate", c.rate());
      list.add(e);
    });
    map.put("expectations", list);
    return map;
  }
}
