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

class MainTest {

  private static final String GRANTS = Path.of("examples", "grants").toString();
  private static final String COMMANDER = GRANTS + "/commander.yaml";
  private static final String CONTAINMENT = GRANTS + "/containment.yaml";
  private static final String ROGUE = GRANTS + "/rogue-containment.yaml";

  @Test
  void aChildWithinItsParentIsGranted() {
    assertEquals(new CliRun(0, List.of(
        "granted: " + CONTAINMENT + " is within " + COMMANDER,
        "it would reserve from the parent:",
        "  budget: 60 of the 200 left",
        "  agent slots: 3 of the 29 left",
        "  calls of capability 2 (host.isolate on [host:corp/*] x10): 4 of the 10 left"), List.of()),
        custos("grant", "check", COMMANDER, CONTAINMENT));
  }

  @Test
  void aWideningChildIsRefusedWithEveryReason() {
    assertEquals(new CliRun(1, List.of(
        "refused: " + ROGUE + " is not within " + COMMANDER,
        "  - budget 500 is more than the parent has left (200)",
        "  - maxDepth 3 is not smaller than the parent's (3)",
        "  - capability 0 (host.isolate): resource 'host:core/*' is not within the parent's resources for that tool,"
            + " e.g. 'host:core/x'",
        "  - capability 1: tool 'data.export' is not covered by any capability of the parent"), List.of()),
        custos("grant", "check", COMMANDER, ROGUE));
  }

  @Test
  void aParentIsNotWithinItsChild() {
    CliRun run = custos("grant", "check", CONTAINMENT, COMMANDER);

    assertEquals(1, run.exitCode());
    assertEquals("refused: " + COMMANDER + " is not within " + CONTAINMENT, run.out().get(0));
    assertThat(run.out()).contains("  - capability 1: tool 'edr.scan' is not covered by any capability of the parent",
        "  - deadline 20m is later than the parent's (15m)");
  }

  @Test
  void problemsOfBothFilesGoToStandardErrorWithoutAStackTrace(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), String.join("\n",
        "capabilities:",
        "  - { tool: host.isolate, resources: [\"host:corp/*\"], maxCalls: -1 }",
        "bounds: { budget: 10, deadline: soon, maxDepth: 1, maxChildren: 1, maxSubtreeAgents: 2, rate: 5/1m,"
            + " maxStrikes: 1 }",
        ""));
    Path missing = dir.resolve("missing.yaml");

    assertEquals(new CliRun(2, List.of(), List.of(
        missing + ": no such file",
        bad + ":2:65: capabilities[0].maxCalls: expected a whole number at least 1, got -1",
        bad + ":3:33: bounds.deadline: \"soon\": a duration starts with a whole number, such as 500ms, 30s, 5m or 2h"
            + " (at 0)")),
        custos("grant", "check", missing.toString(), bad.toString()));
  }

  @Test
  void aYamlSyntaxErrorIsBadInput(@TempDir Path dir) throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "capabilities: [\n");

    assertEquals(new CliRun(2, List.of(), List.of(broken
            + ":2:1: YAML syntax: expected the node content, but found '<stream end>'")),
        custos("grant", "check", COMMANDER, broken.toString()));
  }

  @Test
  void aMissingArgumentIsAUsageError() {
    CliRun run = custos("grant", "check", COMMANDER);

    assertEquals(2, run.exitCode());
    assertEquals(List.of(), run.out());
    assertEquals("Missing required parameter: 'CHILD_FILE'", run.err().get(0));
    assertThat(run.err()).contains("Usage: custos grant check [-hV] PARENT_FILE CHILD_FILE");
  }

  @Test
  void grantAloneAsksForASubcommand() {
    CliRun run = custos("grant");

    assertEquals(2, run.exitCode());
    assertEquals("Missing required subcommand", run.err().get(0));
  }

  @Test
  void printsTheVersion() {
    assertEquals(new CliRun(0, List.of("custos 0.1.0"), List.of()), custos("--version"));
  }

  @Test
  void helpDescribesCustosAndEachCommand() {
    CliRun run = custos("--help");

    assertEquals(0, run.exitCode());
    assertThat(run.out()).containsSubsequence(
        "Usage: custos [-hV] [COMMAND]",
        "Custos: multi-agent defence workflows with bounded delegation.",
        "Commands:",
        "  validate  Validate scenario files: every field, reference and policy pack.",
        "  grant     Work with grant files: the capabilities and bounds an agent holds.",
        "  policy    Work with policy packs: YAML rules whose conditions are CEL,");
    assertEquals(List.of(), run.err());
  }

  @Test
  void checkHelpDescribesItsArgumentsAndExitCodes() {
    CliRun run = custos("grant", "check", "--help");

    assertEquals(0, run.exitCode());
    assertThat(run.out()).containsSubsequence(
        "Usage: custos grant check [-hV] PARENT_FILE CHILD_FILE",
        "Check whether a child grant is within its parent's.",
        "      PARENT_FILE   Grant file of the parent (YAML: capabilities and bounds).",
        "      CHILD_FILE    Grant file the child asks for, in the same format.",
        "Exit codes:",
        "  0   granted: the child is within the parent");
  }
}
