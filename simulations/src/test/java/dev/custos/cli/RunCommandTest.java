package dev.custos.cli;

import static dev.custos.cli.CliRun.custos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code custos run}: exit codes by the expectations, the summary, and the report file. */
class RunCommandTest {

  private static final String EXAMPLE = "scenarios/ransomware-outbreak.yaml";

  @Test
  void theExamplePassesItsExpectations() throws Exception {
    Path report = Path.of("target", "run-command", "example.json");
    Files.deleteIfExists(report);
    CliRun run = custos("run", EXAMPLE, "--report", report.toString());

    assertEquals(0, run.exitCode(), String.join("\n", run.out()) + String.join("\n", run.err()));
    assertThat(run.out()).containsSubsequence(
        "scenario ransomware-outbreak, seed 7: PASS",
        "agents:",
        "    containment (a3, containment) halted: strikes",
        "    containment-2 (a4, containment) completed",
        "expect contained: ok",
        "expect maxAttackerSteps: ok",
        "expect halted: containment: ok",
        "expect notHalted: commander: ok",
        "report: " + report);
    assertThat(run.out().get(1)).startsWith("  attacker: 1 of 4 steps happened, contained from ");
    assertEquals(List.of(), run.err());
    String json = Files.readString(report);
    assertTrue(json.startsWith("{\n  \"scenario\" : \"ransomware-outbreak\",\n  \"seed\" : 7,"), json);
    assertTrue(json.contains("\"verdict\" : \"pass\""));

    Path again = Path.of("target", "run-command", "again.json");
    assertEquals(0, custos("run", EXAMPLE, "--report", again.toString()).exitCode());
    assertEquals(json, Files.readString(again), "the same file and seed, the same bytes");
  }

  @Test
  void aScenarioWithoutExpectationsPassesAndTheSeedCanBeGiven() throws Exception {
    String text = Files.readString(Path.of(EXAMPLE));
    text = text.substring(0, text.indexOf("expect:"));
    Path pack = Path.of("..", "policies", "packs", "soc-baseline.yaml").toAbsolutePath().normalize();
    assertTrue(Files.exists(pack), pack.toString());
    text = text.replace("[policies/packs/soc-baseline.yaml]", "[\"" + pack + "\"]");
    Path file = Path.of("target", "run-command", "no-expect.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);

    CliRun run = custos("run", file.toString(), "--seed", "11");

    assertEquals(0, run.exitCode(), String.join("\n", run.out()));
    assertThat(run.out()).first().isEqualTo("scenario ransomware-outbreak, seed 11: PASS");
  }

  @Test
  void aBadFileIsExitTwoWithItsProblems() throws Exception {
    Path file = Path.of("target", "run-command", "bad.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, Files.readString(Path.of(EXAMPLE)).replace("duration: 30m", "duration: 30m\nspeed: 2"));

    CliRun run = custos("run", file.toString());

    assertEquals(2, run.exitCode());
    assertEquals(List.of(), run.out());
    assertThat(String.join("\n", run.err())).contains("bad.yaml:").contains("speed");
  }

  @Test
  void aMissingFileIsExitTwo() {
    assertEquals(2, custos("run", "target/run-command/no-such.yaml").exitCode());
  }

  @Test
  void anOutputThatCannotBeWrittenIsBadInputWithoutATrace() throws Exception {
    Path blocker = Files.createDirectories(Path.of("target", "run-command"))
        .resolve("a-file-not-a-directory");
    Files.writeString(blocker, "x");
    CliRun run = custos("run", EXAMPLE, "--report", blocker.resolve("report.json").toString());
    assertEquals(2, run.exitCode(), run.toString());
    assertThat(run.err()).singleElement().asString()
        .startsWith("cannot write " + blocker.resolve("report.json") + ": ");
    CliRun batch = custos("batch", EXAMPLE, "--runs", "2", "--csv", blocker.resolve("runs.csv").toString());
    assertEquals(2, batch.exitCode(), batch.toString());
    assertThat(batch.err()).last().asString().startsWith("cannot write " + blocker.resolve("runs.csv") + ": ");
  }
}
