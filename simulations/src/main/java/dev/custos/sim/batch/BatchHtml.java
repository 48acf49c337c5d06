package dev.custos.sim.batch;

import static dev.custos.sim.html.HtmlPage.time;

import dev.custos.sim.batch.BatchAggregate.Bin;
import dev.custos.sim.batch.BatchAggregate.Distribution;
import dev.custos.sim.html.HtmlPage;
import dev.custos.sim.run.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * A batch's aggregate as one self-contained {@link HtmlPage}: what ran, how often the runs passed and contained the
 * attacker, histograms (ECharts, inlined) of the time to contain, the attacker steps and the denials per run with their
 * percentiles, the halts by reason, and the runs that failed or threw, each with the command that reruns it. Every
 * number a chart draws is in a table too, so the page reads without JavaScript. Every text from the scenario or a run
 * is escaped. Built from the report's summaries, in seed order, and its aggregate: the same scenario and seeds give the
 * same bytes.
 */
final class BatchHtml {

  /** How many failing runs, and how many runs that threw, the page lists one by one. */
  static final int LISTED = 50;

  /** The most bins the histogram of denials per run has. */
  static final int DENIAL_BINS = 20;

  /** At most this many bins in the close-up of the times to contain. */
  static final int CLOSE_UP_BINS = 24;

  /** Bin widths a close-up may take, in ms: round numbers of virtual time. */
  private static final long[] ROUND_WIDTHS = {100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000,
      120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000};

  /** A file name that a POSIX shell reads as one word, unquoted. */
  private static final Pattern SHELL_WORD = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

  /** The page's own style, after {@link HtmlPage#BASE_CSS}. */
  private static final String CSS = """
      .chart{width:100%;height:300px;margin:.5em 0 1em}td.n,th.n{text-align:right}
      details{margin:.5em 0 1em}summary{cursor:pointer;color:#555}code.cmd{white-space:nowrap}
      """;

  /** Draws each chart of {@code DATA.charts} whose element exists; escapes every text it puts in a tooltip. */
  private static final String CHART_SCRIPT = """
      (function () {
        if (!window.echarts) { return; }
      """ + HtmlPage.JS_ESCAPE + """
        DATA.charts.forEach(function (c) {
          var el = document.getElementById(c.id);
          if (!el) { return; }
          var chart = echarts.init(el, null, {renderer: 'svg'});
          chart.setOption({
            animation: false,
            title: {subtext: c.note, left: 'center', top: 0},
            tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}, formatter: function (ps) {
              return esc(c.axis) + ': ' + esc(ps[0].name) + '<br>' + esc(ps[0].value) + ' runs';
            }},
            grid: {left: 60, right: 30, top: 50, bottom: 60},
            xAxis: {type: 'category', name: c.axis, nameLocation: 'middle', nameGap: 40, data: c.labels},
            yAxis: {type: 'value', name: 'runs', minInterval: 1},
            series: [{name: c.name, type: 'bar', barCategoryGap: '10%',
              data: c.bins.map(function (b) { return b.count; })}]
          });
          window.addEventListener('resize', function () { chart.resize(); });
        });
      })();
      """;

  private final BatchReport report;
  private final BatchAggregate aggregate;
  private final String scenarioFile;
  private final List<RunSummary> completed;
  private final HtmlPage html;
  private final List<Map<String, Object>> charts = new ArrayList<>();

  private BatchHtml(BatchReport report, String scenarioFile) {
    this.report = Objects.requireNonNull(report, "report");
    this.aggregate = report.aggregate();
    this.scenarioFile = Objects.requireNonNull(scenarioFile, "scenarioFile");
    this.completed = report.summaries().stream().filter(s -> !s.failedWithError()).toList();
    this.html = HtmlPage.begin("Custos batch: " + report.scenario() + ", seeds " + seeds(), CSS);
  }

  /** The page of {@code report}, whose scenario the user named {@code scenarioFile}. */
  static String render(BatchReport report, String scenarioFile) {
    return new BatchHtml(report, scenarioFile).page();
  }

  private String page() {
    summary();
    expectations();
    timeToContain();
    attackerSteps();
    denials();
    halts();
    failing();
    errors();
    if (!charts.isEmpty()) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("charts", charts);
      html.chartLibrary().script("DATA", data, CHART_SCRIPT);
    }
    return html.end();
  }

  // ---------------------------------------------------------------------------------------------- sections

  private void summary() {
    int runs = aggregate.runs();
    boolean pass = report.passed();
    html.raw("<h2 id=\"summary\">Summary</h2>\n<table>\n");
    html.row("Scenario", report.scenario());
    if (!report.description().isEmpty()) {
      html.row("Description", report.description());
    }
    html.row("Seeds", seeds() + " (" + runs + " runs)");
    html.row("Custos version", Report.CUSTOS_VERSION);
    html.raw("<tr><th>Verdict</th><td class=\"").raw(pass ? "ok" : "bad").raw("\">").raw(pass ? "pass" : "fail")
        .raw("</td></tr>\n");
    html.row("Met every expectation", ofRuns(aggregate.passed(), runs));
    html.row("Failed an expectation", ofRuns(aggregate.completed() - aggregate.passed(), runs));
    html.row("Threw an exception", ofRuns(aggregate.errors(), runs));
    html.row("Contained the attacker", aggregate.contained() + " of " + aggregate.completed() + " completed runs ("
        + percent(aggregate.containmentRate()) + ")");
    html.raw("<tr><th>Rerun this batch</th><td><code class=\"cmd\">")
        .text("custos batch " + shellWord(scenarioFile) + " --runs " + runs + " --first-seed " + report.firstSeed())
        .raw("</code></td></tr>\n</table>\n");
  }

  private void expectations() {
    html.raw("<h2 id=\"expectations\">Expectations</h2>\n");
    if (aggregate.expectations().isEmpty()) {
      html.raw("<p class=\"muted\">The scenario states no expectations: every run that did not throw passed.</p>\n");
      return;
    }
    html.raw("<p>").text(percent(aggregate.passRate()) + " of the runs met every expectation (" + aggregate.passed()
        + " of " + aggregate.runs() + ").").raw("</p>\n");
    html.raw("<table>\n<tr><th>Expectation</th><th class=\"n\">Held</th><th class=\"n\">Checked</th>"
        + "<th class=\"n\">Rate</th><th class=\"n\">Failed</th></tr>\n");
    aggregate.expectations().forEach((name, c) -> html.raw("<tr><td>").text(name).raw("</td><td class=\"n\">")
        .text(c.passed()).raw("</td><td class=\"n\">").text(c.checked()).raw("</td><td class=\"n ")
        .raw(c.passed() == c.checked() ? "ok" : "bad").raw("\">").text(percent(c.rate()))
        .raw("</td><td class=\"n\">").text(c.checked() - c.passed()).raw("</td></tr>\n"));
    html.raw("</table>\n");
  }

  private void timeToContain() {
    html.raw("<h2 id=\"time-to-contain\">Time to contain</h2>\n");
    Distribution d = aggregate.timeToContain();
    if (d.count() == 0) {
      html.raw("<p class=\"muted\">No run contained the attacker.</p>\n");
      return;
    }
    List<Bin> bins = aggregate.timeToContainBins();
    html.raw("<p class=\"muted\">").text("Virtual time (mm:ss) from the start of a run to the moment the attacker was "
        + "contained, over the " + d.count() + " runs that contained it; " + bins.size() + " bins of "
        + time(bins.get(0).to() - bins.get(0).from()) + " over the scenario's " + time(bins.get(bins.size() - 1).to())
        + ".").raw("</p>\n");
    List<String> labels = bins.stream().map(b -> time(b.from()) + "\u2013" + time(b.to())).toList();
    chart("time-to-contain-chart", "time to contain", "mm:ss", labels, bins,
        percentiles(d, HtmlPage::time) + ", mean " + time(Math.round(d.mean())));
    html.raw("<table>\n").raw(distributionHeading());
    distributionRow("mm:ss", d, HtmlPage::time, time(Math.round(d.mean())));
    distributionRow("ms", d, Long::toString, String.format(Locale.ROOT, "%.1f", d.mean()));
    html.raw("</table>\n");
    binTable("Time to contain (from, to)", labels, bins);
    List<Long> times = completed.stream().filter(s -> s.containedAtMs().isPresent())
        .map(s -> s.containedAtMs().getAsLong()).toList();
    if (bins.stream().filter(b -> b.count() > 0).count() <= 3 && d.max() > d.min()) {
      // The fixed bins keep batches comparable, but tightly grouped times fill one or two of them: look closer.
      List<Bin> close = closeUpBins(times);
      html.raw("<h3>Close-up</h3>\n<p class=\"muted\">").text("The same times in " + close.size() + " bins of "
          + time(close.get(0).to() - close.get(0).from()) + ", from " + time(close.get(0).from()) + " to "
          + time(close.get(close.size() - 1).to()) + ".").raw("</p>\n");
      List<String> closeLabels = close.stream().map(b -> time(b.from()) + "\u2013" + time(b.to())).toList();
      chart("time-to-contain-close-up-chart", "time to contain", "mm:ss", closeLabels, close,
          percentiles(d, HtmlPage::time));
      binTable("Time to contain (from, to)", closeLabels, close);
    }
  }

  /**
   * Bins of one round width over the observed times, from the multiple of the width at or below the least to past the
   * greatest: the narrowest of {@link #ROUND_WIDTHS} that needs at most {@link #CLOSE_UP_BINS} bins. Bin {@code i}
   * counts the times {@code from <= t < to}, as the fixed bins do.
   */
  static List<Bin> closeUpBins(List<Long> times) {
    if (times.isEmpty()) {
      throw new IllegalArgumentException("no times to bin");
    }
    long min = times.stream().mapToLong(Long::longValue).min().getAsLong();
    long max = times.stream().mapToLong(Long::longValue).max().getAsLong();
    long width = ROUND_WIDTHS[ROUND_WIDTHS.length - 1];
    for (long w : ROUND_WIDTHS) {
      if (max / w - min / w + 1 <= CLOSE_UP_BINS) {
        width = w;
        break;
      }
    }
    long from = min / width * width;
    int[] counts = new int[(int) ((max - from) / width) + 1];
    for (long t : times) {
      counts[(int) ((t - from) / width)]++;
    }
    List<Bin> bins = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      bins.add(new Bin(from + i * width, from + (i + 1) * width, counts[i]));
    }
    return bins;
  }

  private void attackerSteps() {
    html.raw("<h2 id=\"attacker-steps\">Attacker steps</h2>\n");
    Distribution d = aggregate.attackerSteps();
    if (d.count() == 0) {
      html.raw("<p class=\"muted\">No run completed.</p>\n");
      return;
    }
    List<Bin> bins = aggregate.attackerStepBins();
    html.raw("<p class=\"muted\">").text("How many of the playbook's " + (bins.size() - 1) + " steps happened, per "
        + "completed run (" + d.count() + " runs).").raw("</p>\n");
    countHistogram("attacker-steps-chart", "attacker steps", "steps that happened", d, bins);
  }

  private void denials() {
    html.raw("<h2 id=\"denials\">Denials</h2>\n");
    if (completed.isEmpty()) {
      html.raw("<p class=\"muted\">No run completed.</p>\n");
      return;
    }
    List<Long> perRun = completed.stream().map(s -> (long) s.denials()).toList();
    html.raw("<p class=\"muted\">").text(aggregate.denials() + " denied tool calls in all, "
        + String.format(Locale.ROOT, "%.2f", aggregate.denialsPerRun()) + " per completed run; the histogram counts "
        + "the runs by their denied calls.").raw("</p>\n");
    countHistogram("denials-chart", "denials", "denied calls per run", Distribution.of(perRun),
        countBins(perRun, DENIAL_BINS));
  }

  private void halts() {
    html.raw("<h2 id=\"halts\">Halts by reason</h2>\n");
    if (aggregate.halts().isEmpty()) {
      html.raw("<p class=\"muted\">No agent was halted in any completed run.</p>\n");
      return;
    }
    html.raw("<table>\n<tr><th>Reason</th><th class=\"n\">Halts</th><th class=\"n\">Runs with one</th>"
        + "<th class=\"n\">Halts per completed run</th></tr>\n");
    aggregate.halts().forEach((reason, n) -> {
      long runs = completed.stream().filter(s -> s.halts().containsKey(reason)).count();
      html.raw("<tr><td>").text(reason).raw("</td><td class=\"n\">").text(n).raw("</td><td class=\"n\">")
          .text(runs + " (" + percent((double) runs / completed.size()) + ")").raw("</td><td class=\"n\">")
          .text(String.format(Locale.ROOT, "%.2f", (double) n / completed.size())).raw("</td></tr>\n");
    });
    html.raw("</table>\n");
  }

  private void failing() {
    html.raw("<h2 id=\"failing\">Failing runs</h2>\n");
    List<RunSummary> failing = completed.stream().filter(s -> !s.passed()).toList();
    if (failing.isEmpty()) {
      html.raw("<p class=\"muted\">No run failed an expectation.</p>\n");
      return;
    }
    html.raw("<p>").text(failing.size() + (failing.size() == 1 ? " run" : " runs") + " failed an expectation"
        + (failing.size() > LISTED ? "; the first " + LISTED + " by seed" : "") + ". Each command reruns its seed and "
        + "prints what happened; add --html PATH for the run's own page.").raw("</p>\n");
    html.raw("<table>\n<tr><th class=\"n\">Seed</th><th>What failed</th><th>Contained</th>"
        + "<th class=\"n\">Attacker steps</th><th>Reproduce</th></tr>\n");
    for (RunSummary s : failing.subList(0, Math.min(LISTED, failing.size()))) {
      html.raw("<tr><td class=\"n\">").text(s.seed()).raw("</td><td>");
      boolean first = true;
      for (RunSummary.Expectation e : s.expectations()) {
        if (!e.ok()) {
          html.raw(first ? "" : "<br>").text(e.detail().isEmpty() ? e.name() : e.name() + ": " + e.detail());
          first = false;
        }
      }
      html.raw("</td><td>").text(s.containedAtMs().isPresent() ? "yes, at " + time(s.containedAtMs().getAsLong())
          : "no").raw("</td><td class=\"n\">").text(s.attackerSteps()).raw("</td><td>");
      reproduce(s.seed());
      html.raw("</td></tr>\n");
    }
    html.raw("</table>\n");
    more(failing.size(), "failing runs");
  }

  private void errors() {
    html.raw("<h2 id=\"errors\">Runs that threw</h2>\n");
    List<RunSummary> errors = report.summaries().stream().filter(RunSummary::failedWithError).toList();
    if (errors.isEmpty()) {
      html.raw("<p class=\"muted\">No run threw.</p>\n");
      return;
    }
    html.raw("<p>").text(errors.size() + (errors.size() == 1 ? " run" : " runs") + " threw an exception: no outcome, "
        + "counted as not passing" + (errors.size() > LISTED ? "; the first " + LISTED + " by seed" : "") + ".")
        .raw("</p>\n");
    html.raw("<table>\n<tr><th class=\"n\">Seed</th><th>Error</th><th>Reproduce</th></tr>\n");
    for (RunSummary s : errors.subList(0, Math.min(LISTED, errors.size()))) {
      html.raw("<tr><td class=\"n\">").text(s.seed()).raw("</td><td><code>").text(s.error()).raw("</code></td><td>");
      reproduce(s.seed());
      html.raw("</td></tr>\n");
    }
    html.raw("</table>\n");
    more(errors.size(), "runs that threw");
  }

  // ---------------------------------------------------------------------------------------------- pieces

  /** A histogram of whole counts: its chart, its distribution's table, its bins' table. */
  private void countHistogram(String id, String name, String axis, Distribution d, List<Bin> bins) {
    List<String> labels = bins.stream().map(b -> b.from() == b.to() ? Long.toString(b.from())
        : b.from() + "\u2013" + b.to()).toList();
    String mean = String.format(Locale.ROOT, "%.2f", d.mean());
    chart(id, name, axis, labels, bins, percentiles(d, Long::toString) + ", mean " + mean);
    html.raw("<table>\n").raw(distributionHeading());
    distributionRow(name, d, Long::toString, mean);
    html.raw("</table>\n");
    binTable(axis, labels, bins);
  }

  /** A chart's place on the page and its data, drawn by the one script at the end of the page. */
  private void chart(String id, String name, String axis, List<String> labels, List<Bin> bins, String note) {
    html.raw("<div id=\"").raw(id).raw("\" class=\"chart\"></div>\n");
    Map<String, Object> chart = new LinkedHashMap<>();
    chart.put("id", id);
    chart.put("name", name);
    chart.put("axis", axis);
    chart.put("note", note);
    chart.put("labels", labels);
    chart.put("bins", bins.stream().map(Bin::toMap).toList());
    charts.add(chart);
  }

  private static String distributionHeading() {
    return "<tr><th></th><th class=\"n\">Runs</th><th class=\"n\">min</th><th class=\"n\">p50</th>"
        + "<th class=\"n\">p90</th><th class=\"n\">p99</th><th class=\"n\">max</th><th class=\"n\">mean</th></tr>\n";
  }

  private void distributionRow(String unit, Distribution d, LongFunction<String> format, String mean) {
    html.raw("<tr><th>").text(unit).raw("</th><td class=\"n\">").text(d.count());
    for (long v : new long[] {d.min(), d.p50(), d.p90(), d.p99(), d.max()}) {
      html.raw("</td><td class=\"n\">").text(format.apply(v));
    }
    html.raw("</td><td class=\"n\">").text(mean).raw("</td></tr>\n");
  }

  /** The bins as a table, folded: the chart shows them, the table holds the exact counts. */
  private void binTable(String heading, List<String> labels, List<Bin> bins) {
    html.raw("<details><summary>The histogram as a table</summary>\n<table>\n<tr><th>").text(heading)
        .raw("</th><th class=\"n\">Runs</th></tr>\n");
    for (int i = 0; i < bins.size(); i++) {
      html.raw("<tr><td>").text(labels.get(i)).raw("</td><td class=\"n\">").text(bins.get(i).count())
          .raw("</td></tr>\n");
    }
    html.raw("</table>\n</details>\n");
  }

  private void reproduce(long seed) {
    html.raw("<code class=\"cmd\">").text("custos run " + shellWord(scenarioFile) + " --seed " + seed)
        .raw("</code>");
  }

  private void more(int all, String what) {
    if (all > LISTED) {
      html.raw("<p class=\"muted\">").text("and " + (all - LISTED) + " more " + what + " (the --csv and --json files "
          + "list every run)").raw("</p>\n");
    }
  }

  private String seeds() {
    return report.firstSeed() + ".." + (report.firstSeed() + aggregate.runs() - 1);
  }

  private static String percentiles(Distribution d, LongFunction<String> format) {
    return "p50 " + format.apply(d.p50()) + ", p90 " + format.apply(d.p90()) + ", p99 " + format.apply(d.p99());
  }

  private static String ofRuns(int n, int runs) {
    return n + " of " + runs + " runs (" + percent(runs == 0 ? 0 : (double) n / runs) + ")";
  }

  private static String percent(double rate) {
    return String.format(Locale.ROOT, "%.1f%%", rate * 100);
  }

  /**
   * Bins of whole counts from 0 to the largest value: one per count when there are at most {@code maxBins} counts, else
   * at most {@code maxBins} of equal width. Bin {@code i} counts the values {@code from <= v <= to}, both ends
   * included, as the attacker steps' bins do.
   */
  static List<Bin> countBins(List<Long> values, int maxBins) {
    if (maxBins < 1) {
      throw new IllegalArgumentException("at least 1 bin, got " + maxBins);
    }
    long max = values.stream().mapToLong(v -> Math.max(v, 0)).max().orElse(0);
    long width = max / maxBins + 1; // ceil((max + 1) / maxBins)
    int[] counts = new int[(int) (max / width) + 1];
    for (long v : values) {
      counts[(int) (Math.max(v, 0) / width)]++;
    }
    List<Bin> bins = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      bins.add(new Bin(i * width, i * width + width - 1, counts[i]));
    }
    return bins;
  }

  /** {@code path} as one shell word: as is when it needs no quoting, else in single quotes. */
  static String shellWord(String path) {
    return SHELL_WORD.matcher(path).matches() ? path : "'" + path.replace("'", "'\\''") + "'";
  }
}
