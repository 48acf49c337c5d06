package dev.custos.cli;

import static dev.custos.cli.CliRun.custos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  private static final String EXAMPLE = Path.of("scenarios", "ransomware-outbreak.yaml").toString();

  /** A valid scenario with two hosts and one step, its policy pack-free supervisor on lines 8 to 12. */
  private static final String SMALL = String.join("\n",
      "scenario: small",
      "duration: 10m",
      "environment:",
      "  hosts: [{ id: ws-1, zone: corp, criticality: low }, { id: dc-1, zone: core, criticality: tier0 }]",
      "attacker:",
      "  start: ws-1",
      "  steps: [{ technique: T1486, on: ws-1 }]",
      "supervisor:",
      "  mission: m",
      "  agent: triage",
      "  grant:",
      "    capabilities: [{ tool: siem.query, resources: [\"siem:alerts\"] }]",
      "    bounds: { budget: 10, deadline: 5m, maxDepth: 1, maxChildren: 1, maxSubtreeAgents: 2, rate: 5/1m, "
          + "maxStrikes: 1 }",
      "");

  @TempDir
  Path dir;

  @Test
  void theExampleScenarioIsValid() {
    assertEquals(new CliRun(0, List.of("ok: " + EXAMPLE + " (scenario ransomware-outbreak, 3 hosts, 4 attacker steps)"),
        List.of()), custos("validate", EXAMPLE));
  }

  @Test
  void eachValidFileIsPrinted() throws IOException {
    Path small = Files.writeString(dir.resolve("small.yaml"), SMALL);

    assertEquals(new CliRun(0, List.of(
            "ok: " + EXAMPLE + " (scenario ransomware-outbreak, 3 hosts, 4 attacker steps)",
            "ok: " + small + " (scenario small, 2 hosts, 1 attacker step)"), List.of()),
        custos("validate", EXAMPLE, small.toString()));
  }

  @Test
  void everyProblemOfEveryBadFileGoesToStandardErrorAndTheValidOnesAreStillPrinted() throws IOException {
    Path small = Files.writeString(dir.resolve("small.yaml"), SMALL);
    Path bad = Files.writeString(dir.resolve("bad.yaml"), SMALL
        .replace("on: ws-1", "on: ws-2")
        .replace("agent: triage", "agent: triager"));
    Path missing = dir.resolve("missing.yaml");

    assertEquals(new CliRun(2, List.of("ok: " + small + " (scenario small, 2 hosts, 1 attacker step)"), List.of(
            bad + ":7:35: attacker.steps[0].on: unknown host 'ws-2' (did you mean 'ws-1'?); declared: ws-1, dc-1",
            bad + ":10:10: supervisor.agent: expected one of incident-commander, triage, containment, forensics, "
                + "recovery, got text \"triager\" (did you mean 'triage'?)",
            missing + ": no such file",
            "3 problems in 2 of 3 files")),
        custos("validate", small.toString(), bad.toString(), missing.toString()));
  }

  @Test
  void oneBadFileIsCountedAsSuch() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), SMALL.replace("duration: 10m", "duration: 10"));

    assertEquals(new CliRun(2, List.of(), List.of(
            bad + ":2:11: duration: \"10\": a duration needs a unit: ms, s, m or h (at 2)",
            "1 problem in 1 file")),
        custos("validate", bad.toString()));
  }

  @Test
  void aFileIsNeededAtLeast() {
    CliRun run = custos("validate");

    assertEquals(2, run.exitCode());
    assertEquals(List.of(), run.out());
    assertEquals("Missing required parameter: 'FILE'", run.err().get(0));
  }

  @Test
  void helpDescribesTheCommandAndItsExitCodes() {
    CliRun run = custos("validate", "--help");

    assertEquals(0, run.exitCode());
    assertThat(run.out()).containsSubsequence(
        "Usage: custos validate [-hV] FILE...",
        "Validate scenario files: every field, reference and policy pack.",
        "      FILE...     Scenario files (YAML).",
        "Exit codes:",
        "  0   every file is a valid scenario",
        "  2   bad input: a problem in a file; every problem goes to standard error as");
  }

  @Test
  void theCommandIsListedByCustos() {
    CliRun run = custos("--help");

    assertThat(run.out()).anyMatch(line -> line.equals(
        "  validate  Validate scenario files: every field, reference and policy pack."));
  }
}
