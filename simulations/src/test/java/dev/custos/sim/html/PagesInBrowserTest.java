package dev.custos.sim.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import dev.custos.sim.SimulationSystem;
import dev.custos.sim.batch.BatchReport;
import dev.custos.sim.batch.BatchRunner;
import dev.custos.sim.batch.RunSummary;
import dev.custos.sim.run.HtmlReport;
import dev.custos.sim.run.ScenarioRunner;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run page and the batch page opened from disk in a real browser (headless Chromium), as a user opens them: the
 * inlined chart library loads, every chart's script runs without an error and draws its chart. Other tests read the
 * pages as text; only a browser shows that the scripts work.
 *
 * <p>Chromium is installed by {@code .ci/run} where it is missing; without it these tests fail and say so.
 * {@code -Dcustos.browser=off} skips them instead.
 */
class PagesInBrowserTest {

  private static final String SWITCH = "custos.browser";
  private static final Path SCENARIO = Path.of("scenarios/ransomware-outbreak.yaml");
  private static final Pattern CHART = Pattern.compile("<div id=\"([a-z-]+)\" class=\"chart\"[^>]*>(.*?)</div>",
      Pattern.DOTALL);

  private static String browser;

  @TempDir
  Path dir;

  @BeforeAll
  static void findBrowser() {
    if ("off".equalsIgnoreCase(System.getProperty(SWITCH, "").trim())) {
      abort("browser tests are off (-D" + SWITCH + "=off)");
    }
    browser = Stream.of("chromium", "chromium-browser", "google-chrome")
        .map(PagesInBrowserTest::onPath).flatMap(Optional::stream).findFirst()
        .orElseGet(() -> fail("no Chromium on the PATH: the HTML pages' tests open them in headless Chromium. "
            + ".ci/run installs it (Debian's package chromium); or run with -D" + SWITCH + "=off to skip them."))
        .toString();
  }

  @Test
  void theRunPageDrawsItsTimelineWithoutAScriptError() throws Exception {
    Scenario scenario = scenario();
    String page;
    try (SimulationSystem sim = SimulationSystem.create("browser-test")) {
      page = HtmlReport.of(ScenarioRunner.run(scenario, scenario.seed(), sim));
    }

    Opened opened = open("run.html", page);

    assertEquals(List.of("timeline-chart"), opened.drawn(), opened.why());
    assertThat(opened.scriptErrors()).as("the browser's console").isEmpty();
    // The chart has a lane per agent and the attacker, drawn as text in the SVG.
    assertThat(opened.dom()).contains(">attacker</text>").contains(">a1 commander</text>");
  }

  @Test
  void theBatchPageDrawsEveryHistogramWithoutAScriptError() throws Exception {
    Scenario scenario = scenario();
    List<RunSummary> summaries = BatchRunner.of(scenario, 1, 6).threads(1).run();
    String page = BatchReport.of(scenario, 1, summaries).toHtml(SCENARIO.toString());

    Opened opened = open("batch.html", page);

    assertThat(opened.charts()).as("the page's chart places").hasSizeGreaterThanOrEqualTo(3);
    assertEquals(opened.charts(), opened.drawn(), opened.why());
    assertThat(opened.scriptErrors()).as("the browser's console").isEmpty();
  }

  private static Scenario scenario() {
    Problems problems = new Problems();
    return ScenarioFile.read(SCENARIO, problems).orElseThrow(() -> new AssertionError(problems.lines()));
  }

  /** The page written to disk and opened: the DOM once its scripts ran, and what the browser logged. */
  private record Opened(String dom, String log) {

    /** The ids of the page's chart places. */
    List<String> charts() {
      List<String> ids = new ArrayList<>();
      Matcher m = CHART.matcher(dom);
      while (m.find()) {
        ids.add(m.group(1));
      }
      return ids;
    }

    /** The ids of the chart places the chart library drew an SVG in. */
    List<String> drawn() {
      List<String> ids = new ArrayList<>();
      Matcher m = CHART.matcher(dom);
      while (m.find()) {
        if (m.group(2).contains("<svg")) {
          ids.add(m.group(1));
        }
      }
      return ids;
    }

    /** The console lines that report an error in a page's script. */
    List<String> scriptErrors() {
      return log.lines().filter(l -> l.contains("CONSOLE") && (l.contains("Uncaught") || l.contains("Error")))
          .toList();
    }

    String why() {
      return "charts drawn; the browser logged:\n" + log;
    }
  }

  private Opened open(String name, String page) throws IOException, InterruptedException {
    Path file = dir.resolve(name);
    Files.writeString(file, page, StandardCharsets.UTF_8);
    Path out = dir.resolve(name + ".dom");
    Path log = dir.resolve(name + ".log");
    Process process = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--user-data-dir=" + dir.resolve("profile-" + name), "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=10000", "--dump-dom", file.toUri().toString())
        .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the browser did not finish with " + name + " in 90 s");
    }
    String logged = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), "the browser's exit code; it logged:\n" + logged);
    return new Opened(Files.readString(out, StandardCharsets.UTF_8), logged);
  }

  private static Optional<Path> onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, command)).filter(Files::isExecutable)
        .findFirst();
  }
}
