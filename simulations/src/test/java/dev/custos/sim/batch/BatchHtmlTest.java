package dev.custos.sim.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import dev.custos.sim.batch.BatchAggregate.Bin;
import dev.custos.sim.html.HtmlPage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The batch page, from known summaries: self-contained, the aggregate's numbers, the failing seeds, escaping. */
class BatchHtmlTest {

  private static final String FILE = "scenarios/ransomware-outbreak.yaml";
  private static final long FIRST = 1000;
  private static final int RUNS = 80;

  /**
   * 80 runs from seed 1000: every fourth passes, contained by a time that grows with the seed; seed 1007 throws; the
   * others fail an expectation, not contained, with many denials.
   */
  private static List<RunSummary> summaries(RunSummary.Expectation extraFailure) {
    List<RunSummary> runs = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      long seed = FIRST + i;
      if (i == 7) {
        runs.add(RunSummary.failed(seed, new IllegalStateException("the worker broke")));
      } else if (i % 4 == 0) {
        runs.add(new RunSummary(seed, RunSummary.PASS, true, OptionalLong.of((i + 1) * 20_000L), 1, i % 5,
            new TreeMap<>(Map.of("strikes", 1)), List.of(new RunSummary.Expectation("maxAttackerSteps", true)),
            0, ""));
      } else {
        List<RunSummary.Expectation> expectations = new ArrayList<>();
        expectations.add(new RunSummary.Expectation("maxAttackerSteps", false, "4 steps happened, at most 2 expected"));
        if (i == 3) {
          expectations.add(extraFailure);
        }
        runs.add(new RunSummary(seed, RunSummary.FAIL, false, OptionalLong.empty(), 4, 30 + i,
            new TreeMap<>(Map.of("strikes", 2, "budget", 1)), expectations, 0, ""));
      }
    }
    return runs;
  }

  private static Scenario example(Optional<String> description) {
    Problems problems = new Problems();
    Scenario s = ScenarioFile.read(Path.of(FILE), problems).orElseThrow(() -> new AssertionError(problems.lines()));
    return new Scenario(s.name(), description, s.seed(), s.duration(), s.environment(), s.attacker(), s.supervisor(),
        s.compromise(), s.expect());
  }

  private static BatchReport report() {
    Scenario scenario = example(Optional.of("Ransomware on a finance workstation spreads over SMB."));
    return BatchReport.of(scenario, FIRST, summaries(new RunSummary.Expectation("notHalted: commander", false,
        "commander (a1) halted")));
  }

  @Test
  void thePageInlinesTheChartLibraryAndReferencesNothingOutsideItself() throws Exception {
    String page = report().toHtml(FILE);

    assertThat(page).startsWith("<!DOCTYPE html>\n<html lang=\"en\">\n").endsWith("</body>\n</html>\n")
        .contains("<title>Custos batch: ransomware-outbreak, seeds 1000..1079</title>");
    String library = echarts();
    assertThat(page).contains("<script>\n" + library + "\n</script>\n");
    assertThat(page.split("<script", -1)).as("the library's and the charts' script blocks only").hasSize(3);
    String rest = page.replace(library, "");
    assertThat(rest).doesNotContain("http:").doesNotContain("https:").doesNotContain("src=").doesNotContain("href=")
        .doesNotContain("<link").doesNotContain("@import").doesNotContain("url(").doesNotContain("//");
    for (String section : List.of("summary", "expectations", "time-to-contain", "attacker-steps", "denials", "halts",
        "failing", "errors")) {
      assertThat(page).contains("<h2 id=\"" + section + "\">");
    }
  }

  @Test
  void theChartsDrawTheAggregatesBinsAndThePageShowsItsPercentiles() throws Exception {
    BatchReport report = report();
    BatchAggregate a = report.aggregate();
    String page = report.toHtml(FILE);

    JsonNode charts = data(page).get("charts");
    assertEquals(List.of("time-to-contain-chart", "attacker-steps-chart", "denials-chart"), ids(charts));
    assertThat(a.timeToContainBins().stream().filter(b -> b.count() > 0).count()).as("a histogram worth drawing")
        .isGreaterThan(3);
    assertEquals(a.timeToContainBins(), bins(charts.get(0)));
    assertEquals("00:00\u201303:00", charts.get(0).get("labels").get(0).asText());
    assertEquals(a.attackerStepBins(), bins(charts.get(1)));
    assertEquals(List.of(0, 20, 0, 0, 59), a.attackerStepBins().stream().map(Bin::count).toList());
    List<Long> denials = report.summaries().stream().filter(s -> !s.failedWithError())
        .map(s -> (long) s.denials()).toList();
    assertEquals(BatchHtml.countBins(denials, BatchHtml.DENIAL_BINS), bins(charts.get(2)));

    BatchAggregate.Distribution t = a.timeToContain();
    assertEquals(new BatchAggregate.Distribution(20, 20_000, 740_000, 1_380_000, 1_540_000, 1_540_000, 780_000),
        t);
    assertThat(page).contains("<tr><th>mm:ss</th><td class=\"n\">20</td><td class=\"n\">00:20</td>"
        + "<td class=\"n\">12:20</td><td class=\"n\">23:00</td><td class=\"n\">25:40</td><td class=\"n\">25:40</td>"
        + "<td class=\"n\">13:00</td></tr>");
    assertThat(charts.get(0).get("note").asText()).isEqualTo("p50 12:20, p90 23:00, p99 25:40, mean 13:00");
    assertThat(page).contains("<tr><th>Contained the attacker</th><td>20 of 79 completed runs (25.3%)</td></tr>")
        .contains("<tr><th>Met every expectation</th><td>20 of 80 runs (25.0%)</td></tr>")
        .contains("<tr><th>Verdict</th><td class=\"bad\">fail</td></tr>")
        .contains("<tr><td>maxAttackerSteps</td><td class=\"n\">20</td><td class=\"n\">79</td>"
            + "<td class=\"n bad\">25.3%</td><td class=\"n\">59</td></tr>")
        .contains("<tr><td>strikes</td><td class=\"n\">138</td><td class=\"n\">79 (100.0%)</td>"
            + "<td class=\"n\">1.75</td></tr>")
        .contains("<tr><td>budget</td><td class=\"n\">59</td><td class=\"n\">59 (74.7%)</td>");
  }

  @Test
  void aFailingSeedIsListedWithWhatFailedAndTheCommandThatRerunsIt() {
    String page = report().toHtml(FILE);

    assertThat(page).contains("<tr><td class=\"n\">1003</td><td>maxAttackerSteps: 4 steps happened, at most 2 "
        + "expected<br>notHalted: commander: commander (a1) halted</td><td>no</td><td class=\"n\">4</td>"
        + "<td><code class=\"cmd\">custos run scenarios/ransomware-outbreak.yaml --seed 1003</code></td></tr>");
    assertThat(page).doesNotContain("--seed 1000<").doesNotContain("--seed 1004<");
    // 59 failing runs: the first 50 by seed listed, then how many more
    assertThat(page).contains("--seed 1067</code>").doesNotContain("--seed 1069</code>")
        .contains("<p class=\"muted\">and 9 more failing runs (the --csv and --json files list every run)</p>");
    assertThat(page.split("<code class=\"cmd\">custos run ", -1)).hasSize(50 + 1 + 1);
    assertThat(page).contains("<tr><td class=\"n\">1007</td><td><code>java.lang.IllegalStateException: the worker "
        + "broke</code></td><td><code class=\"cmd\">custos run scenarios/ransomware-outbreak.yaml --seed 1007</code>"
        + "</td></tr>");
    assertThat(page).contains("<code class=\"cmd\">custos batch scenarios/ransomware-outbreak.yaml --runs 80 "
        + "--first-seed 1000</code>");
  }

  @Test
  void textFromTheScenarioFileAndTheRunsIsEscaped() throws Exception {
    Scenario scenario = example(Optional.of("</td><script>alert('description')</script>"));
    BatchReport report = BatchReport.of(scenario, FIRST, summaries(new RunSummary.Expectation(
        "halted: <img src=x onerror=alert(1)>", false, "</td><script>alert(\"detail\")</script> & more")));

    String page = report.toHtml("my scenarios/<b>it's</b>.yaml");

    assertThat(page).contains("<tr><th>Description</th><td>&lt;/td&gt;&lt;script&gt;alert(&#39;description&#39;)"
        + "&lt;/script&gt;</td></tr>")
        .contains("<br>halted: &lt;img src=x onerror=alert(1)&gt;: &lt;/td&gt;&lt;script&gt;alert(&quot;detail&quot;)"
            + "&lt;/script&gt; &amp; more</td>")
        .contains("<tr><td>halted: &lt;img src=x onerror=alert(1)&gt;</td>")
        .contains("<code class=\"cmd\">custos run &#39;my scenarios/&lt;b&gt;it&#39;\\&#39;&#39;s&lt;/b&gt;.yaml&#39; "
            + "--seed 1003</code>");
    assertThat(page.split("<script", -1)).as("the library's and the charts' script blocks only").hasSize(3);
    String rest = page.replace(echarts(), "");
    assertThat(rest).doesNotContain("<img").doesNotContain("<script>alert").doesNotContain("<b>");
  }

  @Test
  void theSameSummariesGiveTheSameBytes() {
    assertEquals(report().toHtml(FILE), report().toHtml(FILE));
  }

  @Test
  void aBatchWithNothingToDrawSaysSo() throws Exception {
    Scenario scenario = example(Optional.empty());
    List<RunSummary> passing = LongStream.range(5, 8).mapToObj(seed -> new RunSummary(seed, RunSummary.PASS, false,
        OptionalLong.empty(), 4, 0, new TreeMap<>(), List.of(), 0, "")).toList();

    String page = BatchReport.of(scenario, 5, passing).toHtml(FILE);

    assertThat(page).contains("<tr><th>Verdict</th><td class=\"ok\">pass</td></tr>")
        .doesNotContain("<th>Description</th>")
        .contains("The scenario states no expectations").contains("No run contained the attacker.")
        .contains("No agent was halted in any completed run.").contains("No run failed an expectation.")
        .contains("No run threw.");
    assertEquals(List.of("attacker-steps-chart", "denials-chart"), ids(data(page).get("charts")));

    List<RunSummary> thrown = List.of(RunSummary.failed(5, new IllegalStateException("x")));
    String errors = BatchReport.of(scenario, 5, thrown).toHtml(FILE);
    assertThat(errors).contains("No run completed.").contains("<td class=\"bad\">fail</td>")
        .doesNotContain("<script");
  }

  @Test
  void denialBinsAreOnePerCountUntilThereAreTooMany() {
    assertEquals(List.of(new Bin(0, 0, 0)), BatchHtml.countBins(List.of(), 20));
    assertEquals(List.of(new Bin(0, 0, 1), new Bin(1, 1, 2), new Bin(2, 2, 0), new Bin(3, 3, 1)),
        BatchHtml.countBins(List.of(3L, 1L, 0L, 1L), 20));
    List<Bin> wide = BatchHtml.countBins(LongStream.rangeClosed(0, 40).boxed().toList(), 20);
    assertEquals(14, wide.size(), "41 counts in bins of 3");
    assertEquals(new Bin(0, 2, 3), wide.get(0));
    assertEquals(new Bin(39, 41, 2), wide.get(13));
    assertEquals(41, wide.stream().mapToInt(Bin::count).sum());
    assertEquals(20, BatchHtml.countBins(List.of(0L, 39L), 20).size());
    assertEquals(20, BatchHtml.countBins(List.of(19L), 20).size());
  }

  @Test
  void closeUpBinsTakeTheNarrowestRoundWidthThatFitsTheObservedTimes() {
    List<Bin> close = BatchHtml.closeUpBins(List.of(271_170L, 270_200L, 316_982L, 315_291L));
    assertEquals(new Bin(270_000, 272_000, 2), close.get(0), "2 s bins: 1 s would need 47");
    assertEquals(List.of(new Bin(314_000, 316_000, 1), new Bin(316_000, 318_000, 1)),
        close.subList(close.size() - 2, close.size()));
    assertThat(close.size()).isLessThanOrEqualTo(BatchHtml.CLOSE_UP_BINS);
    assertEquals(4, close.stream().mapToInt(Bin::count).sum());
    for (int i = 1; i < close.size(); i++) {
      assertEquals(close.get(i - 1).to(), close.get(i).from(), "the bins tile the range");
    }
    assertEquals(List.of(new Bin(1_000, 1_100, 1), new Bin(1_100, 1_200, 0), new Bin(1_200, 1_300, 1)),
        BatchHtml.closeUpBins(List.of(1_000L, 1_250L)));
    assertEquals(List.of(new Bin(59_900, 60_000, 1)), BatchHtml.closeUpBins(List.of(59_999L)));
  }

  @Test
  void timesGroupedInFewFixedBinsGetACloseUpChartAndSpreadTimesDoNot() throws Exception {
    List<RunSummary> runs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      runs.add(new RunSummary(FIRST + i, RunSummary.PASS, true, OptionalLong.of(270_000L + 1_500L * i), 1, 2,
          new TreeMap<>(Map.of("strikes", 1)), List.of(new RunSummary.Expectation("contained", true)), 0, ""));
    }
    String page = BatchReport.of(example(Optional.empty()), FIRST, runs).toHtml(FILE);

    JsonNode charts = data(page).get("charts");
    assertEquals(List.of("time-to-contain-chart", "time-to-contain-close-up-chart", "attacker-steps-chart",
        "denials-chart"), ids(charts));
    List<Bin> close = bins(charts.get(1));
    assertEquals(List.of(270_000L, 314_000L), List.of(close.get(0).from(), close.get(close.size() - 1).to()),
        "2 s bins over 04:30 to 05:13.5");
    assertEquals(30, close.stream().mapToInt(Bin::count).sum());
    assertThat(page).contains("<h3>Close-up</h3>").contains("The same times in 22 bins of 00:02, from 04:30 to 05:14.");

    assertThat(ids(data(report().toHtml(FILE)).get("charts"))).as("times over many fixed bins: no close-up")
        .doesNotContain("time-to-contain-close-up-chart");
  }

  @Test
  void aFileNameIsQuotedForTheShellOnlyWhenItMustBe() {
    assertEquals("scenarios/a-b_c.yaml", BatchHtml.shellWord("scenarios/a-b_c.yaml"));
    assertEquals("'my dir/it'\\''s.yaml'", BatchHtml.shellWord("my dir/it's.yaml"));
    assertEquals("'$(rm -rf x).yaml'", BatchHtml.shellWord("$(rm -rf x).yaml"));
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** The page's chart data: the JSON after {@code var DATA = }. */
  static JsonNode data(String page) throws Exception {
    int start = page.indexOf("var DATA = ");
    assertThat(start).as("the page has chart data").isNotNegative();
    start += "var DATA = ".length();
    return new ObjectMapper().readTree(page.substring(start, page.indexOf(";\n", start)));
  }

  private static List<String> ids(JsonNode charts) {
    List<String> ids = new ArrayList<>();
    charts.forEach(c -> ids.add(c.get("id").asText()));
    return ids;
  }

  private static List<Bin> bins(JsonNode chart) {
    List<Bin> bins = new ArrayList<>();
    chart.get("bins").forEach(b -> bins.add(new Bin(b.get("from").asLong(), b.get("to").asLong(),
        b.get("count").asInt())));
    return bins;
  }

  private static String echarts() throws Exception {
    try (InputStream in = HtmlPage.class.getClassLoader().getResourceAsStream(HtmlPage.ECHARTS_RESOURCE)) {
      assertThat(in).as(HtmlPage.ECHARTS_RESOURCE).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
