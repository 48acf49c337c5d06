package dev.custos.cli;

import static dev.custos.cli.CliRun.custos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custos.sim.batch.BatchReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code custos batch}: deterministic files and page whatever the threads, the summary, progress and exit codes. */
class BatchCommandTest {

  private static final String EXAMPLE = "scenarios/ransomware-outbreak.yaml";
  private static final Path DIR = Path.of("target", "batch-command");

  @Test
  void twentyRunsGiveTheSameFilesOnOneAndTwoThreads() throws Exception {
    Path json1 = DIR.resolve("one.json");
    Path csv1 = DIR.resolve("one.csv");
    Path html1 = DIR.resolve("one.html");
    Path json2 = DIR.resolve("two.json");
    Path csv2 = DIR.resolve("two.csv");
    Path html2 = DIR.resolve("two.html");
    for (Path p : List.of(json1, csv1, html1, json2, csv2, html2)) {
      Files.deleteIfExists(p);
    }

    CliRun one = custos("batch", EXAMPLE, "--runs", "20", "--first-seed", "100", "--threads", "1",
        "--json", json1.toString(), "--csv", csv1.toString(), "--html", html1.toString());
    CliRun two = custos("batch", EXAMPLE, "--runs", "20", "--first-seed", "100", "--threads", "2",
        "--json", json2.toString(), "--csv", csv2.toString(), "--html", html2.toString());

    assertEquals(0, one.exitCode(), String.join("\n", one.out()) + String.join("\n", one.err()));
    assertEquals(0, two.exitCode());
    String json = Files.readString(json1);
    String csv = Files.readString(csv1);
    assertEquals(json, Files.readString(json2), "the same seeds, the same JSON, on 1 or 2 threads");
    assertEquals(csv, Files.readString(csv2), "the same seeds, the same CSV, on 1 or 2 threads");
    String html = Files.readString(html1);
    assertEquals(html, Files.readString(html2), "the same seeds, the same page, on 1 or 2 threads");
    assertTrue(json.startsWith("{\n  \"scenario\" : \"ransomware-outbreak\",\n  \"firstSeed\" : 100,\n"
        + "  \"runs\" : 20,\n"), json);
    assertThat(json).contains("\"containmentRate\"", "\"timeToContainMs\"", "\"histogram\"", "\"halts\"");

    List<String> rows = csv.lines().toList();
    assertEquals(21, rows.size());
    assertEquals(BatchReport.CSV_HEADER, rows.get(0));
    assertThat(rows.get(1)).startsWith("100,");
    assertThat(rows.get(20)).startsWith("119,");

    assertThat(one.out()).contains("json: " + json1, "csv: " + csv1, "html: " + html1);
    assertThat(one.out().get(0)).isEqualTo("scenario ransomware-outbreak, 20 runs (seeds 100..119): 20 passed, "
        + "0 failed, 0 errors");
    assertThat(one.out()).contains("    contained: 20 of 20 (100.0%)", "    maxAttackerSteps: 20 of 20 (100.0%)");
    // not a terminal: a progress line at each tenth, the last at 100%
    assertEquals(10, one.err().size(), String.join("\n", one.err()));
    assertEquals("batch: 20 of 20 runs (100%)", one.err().get(9));

    // the page draws the JSON's histogram; every run passed, and it says so
    JsonNode histogram = new ObjectMapper().readTree(json).get("aggregate").get("timeToContainMs").get("histogram");
    JsonNode drawn = data(html).get("charts").get(0);
    assertEquals("time-to-contain-chart", drawn.get("id").asText());
    assertEquals(histogram, drawn.get("bins"));
    assertThat(html).contains("<p class=\"muted\">No run failed an expectation.</p>")
        .doesNotContain("<code class=\"cmd\">custos run ");

    Path again = DIR.resolve("again.json");
    assertEquals(0, custos("batch", EXAMPLE, "--runs", "20", "--first-seed", "100", "--json", again.toString())
        .exitCode());
    assertEquals(json, Files.readString(again), "the same bytes run after run");
  }

  @Test
  void aFailingRunIsExitOneAndThePageNamesItWithTheCommandThatRerunsIt() throws Exception {
    String scenario = "scenarios/injected-alert.yaml";
    Path csv = DIR.resolve("failing.csv");
    Path html = DIR.resolve("failing.html");
    CliRun batch = custos("batch", scenario, "--runs", "3", "--first-seed", "21", "--csv", csv.toString(), "--html",
        html.toString());

    assertEquals(1, batch.exitCode(), String.join("\n", batch.out()));
    List<String> failing = Files.readString(csv).lines().skip(1).filter(r -> r.split(",")[1].equals("fail"))
        .map(r -> r.split(",")[0]).toList();
    assertEquals(List.of("22"), failing, "seed 22 of injected-alert lets the attacker one step too far");
    String page = Files.readString(html);
    assertThat(page).contains("<tr><td class=\"n\">22</td>")
        .contains("<code class=\"cmd\">custos run " + scenario + " --seed 22</code>");
    assertThat(page.split("<code class=\"cmd\">custos run ", -1)).hasSize(2);
    assertEquals(1, custos("run", scenario, "--seed", "22").exitCode(), "the command the page gives fails the same way");
  }

  @Test
  void theSeedsDefaultToTheScenariosAndTheFirstRunIsTheRunCommandsRun() throws Exception {
    Path csv = DIR.resolve("default-seed.csv");
    CliRun batch = custos("batch", EXAMPLE, "--runs", "1", "--csv", csv.toString());
    assertEquals(0, batch.exitCode(), "seed 7, the example's own, passes as `custos run` does");
    assertThat(Files.readString(csv).lines().toList().get(1)).startsWith("7,pass,true,271963,1,2,strikes=1,,");
  }

  @Test
  void everyRunPassingIsExitZero() throws Exception {
    String text = Files.readString(Path.of(EXAMPLE));
    text = text.substring(0, text.indexOf("expect:"));
    Path pack = Path.of("..", "policies", "packs", "soc-baseline.yaml").toAbsolutePath().normalize();
    text = text.replace("[policies/packs/soc-baseline.yaml]", "[\"" + pack + "\"]");
    Path file = DIR.resolve("no-expect.yaml");
    Files.createDirectories(DIR);
    Files.writeString(file, text);

    CliRun run = custos("batch", file.toString(), "--runs", "3", "--threads", "2");

    assertEquals(0, run.exitCode(), String.join("\n", run.out()) + String.join("\n", run.err()));
    assertThat(run.out().get(0)).endsWith("3 runs (seeds 7..9): 3 passed, 0 failed, 0 errors");
  }

  @Test
  void anHtmlPageThatCannotBeWrittenIsExitTwoWithAMessage() throws Exception {
    Path blocker = Files.createDirectories(DIR).resolve("a-file-not-a-directory");
    Files.writeString(blocker, "x");
    Path page = blocker.resolve("batch.html");

    CliRun run = custos("batch", EXAMPLE, "--runs", "2", "--html", page.toString());

    assertEquals(2, run.exitCode(), String.join("\n", run.out()) + String.join("\n", run.err()));
    assertThat(run.err()).last().asString().startsWith("cannot write " + page + ": ");
    assertThat(run.out()).noneMatch(line -> line.startsWith("html:"));
  }

  @Test
  void badInputIsExitTwo() throws Exception {
    Path bad = DIR.resolve("bad.yaml");
    Files.createDirectories(DIR);
    Files.writeString(bad, Files.readString(Path.of(EXAMPLE)).replace("duration: 30m", "duration: 30m\nspeed: 2"));

    CliRun badFile = custos("batch", bad.toString(), "--runs", "2");
    assertEquals(2, badFile.exitCode());
    assertEquals(List.of(), badFile.out());
    assertThat(String.join("\n", badFile.err())).contains("bad.yaml:").contains("speed");

    assertEquals(2, custos("batch", "target/batch-command/no-such.yaml", "--runs", "2").exitCode());
    assertEquals(2, custos("batch", EXAMPLE, "--runs", "0").exitCode());
    assertEquals(2, custos("batch", EXAMPLE).exitCode(), "--runs is required");
    assertEquals(2, custos("batch", EXAMPLE, "--runs", "2", "--threads", "0").exitCode());
    assertEquals(2, custos("batch", EXAMPLE, "--runs", "2", "--first-seed", "-1").exitCode());
  }

  /** A batch page's chart data: the JSON after {@code var DATA = }. */
  private static JsonNode data(String page) throws Exception {
    int start = page.indexOf("var DATA = ");
    assertThat(start).as("the page has chart data").isNotNegative();
    start += "var DATA = ".length();
    return new ObjectMapper().readTree(page.substring(start, page.indexOf(";\n", start)));
  }
}
