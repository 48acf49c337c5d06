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

class PolicyCommandsTest {

  private static final Path PACKS = Path.of("..", "policies", "packs");

  @Test
  void theShippedPacksPassTheirTests() {
    CliRun run = custos("policy", "test", PACKS.toString());
    assertEquals(0, run.exitCode(), run.toString());
    assertThat(run.out()).singleElement().asString().matches("\\d+ passed, 0 failed");
    assertThat(Integer.parseInt(run.out().get(0).split(" ")[0])).isGreaterThanOrEqualTo(45);
  }

  @Test
  void aFailingCaseIsPrintedWithWhatItExpectedAndGot(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("p.yaml"), """
        policy: p
        rules:
          - { id: reads, effect: permit, when: 'tool.risk == "read"' }
        """);
    Files.writeString(dir.resolve("p.tests.yaml"), """
        cases:
          - name: reading is allowed
            request: { tool: { name: siem.query, risk: read } }
            expect: allow
          - name: isolating is allowed
            request: { tool: { name: host.isolate, risk: high } }
            expect: allow
          - name: reading is allowed by the right rule
            request: { tool: { name: siem.query, risk: read } }
            expect: allow
            rules: [other]
        """);
    CliRun run = custos("policy", "test", dir.resolve("p.yaml").toString());
    assertEquals(new CliRun(1, List.of(
        "FAIL " + dir.resolve("p.tests.yaml") + ":5 isolating is allowed",
        "  expected allow, got deny by no rule",
        "FAIL " + dir.resolve("p.tests.yaml") + ":8 reading is allowed by the right rule",
        "  expected allow by other, got allow by reads",
        "1 passed, 2 failed"), List.of()), run);
  }

  @Test
  void aBadTestsFileIsBadInput(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("p.yaml"), "policy: p\nrules:\n  - { id: all, effect: permit }\n");
    Files.writeString(dir.resolve("p.tests.yaml"), """
        cases:
          - name: typo
            request: { tool: { nmae: siem.query }, agent: { depth: deep } }
            expect: maybe
        """);
    CliRun run = custos("policy", "test", dir.toString());
    assertEquals(2, run.exitCode());
    Path tests = dir.resolve("p.tests.yaml");
    assertEquals(List.of(
        tests + ":3:24: case 'typo'.request.tool: unknown field 'nmae'; allowed: name, risk, cost",
        tests + ":3:60: case 'typo'.request.agent.depth: expected a whole number at least 0, got text \"deep\"",
        tests + ":4:13: case 'typo'.expect: expected one of allow, deny, approve, got text \"maybe\"",
        "3 problems in the packs or tests"), run.err());
  }

  @Test
  void noTestsIsBadInput(@TempDir Path dir) {
    CliRun run = custos("policy", "test", dir.toString());
    assertEquals(2, run.exitCode());
    assertEquals(List.of("no tests files (*.tests.yaml) in [" + dir + "]"), run.err());
  }

  @Test
  void checkPrintsTheSetAndItsVersion() {
    CliRun run = custos("policy", "check", PACKS.resolve("soc-baseline.yaml").toString());
    assertEquals(0, run.exitCode(), run.toString());
    assertThat(run.out().get(0)).matches("ok: 1 pack, 6 rules, version sha256:[0-9a-f]{16}");
    assertEquals(List.of(
        "  forbid: deep-agents-read-only, never-export-data",
        "  approve: low-confidence-high-risk, tier0-needs-a-person",
        "  permit: defence-delegations, defence-tools"), run.out().subList(1, 4));
  }

  @Test
  void checkSaysWhenNoDelegationCanBeAllowed(@TempDir Path dir) throws IOException {
    Path pack = Files.writeString(dir.resolve("p.yaml"), "policy: p\nrules:\n  - { id: r, effect: permit, tools: [siem.*] }\n");
    CliRun run = custos("policy", "check", pack.toString());
    assertEquals(0, run.exitCode());
    assertEquals("note: no rule permits or approves agent.delegate, so every delegation will be denied",
        run.out().get(run.out().size() - 1));
  }

  @Test
  void checkRefusesABadPackWithEveryProblem(@TempDir Path dir) throws IOException {
    Path pack = Files.writeString(dir.resolve("p.yaml"), """
        policy: p
        rules:
          - { id: a, effect: deny }
          - { id: a, effect: permit, when: resource.colour == "red" }
        """);
    CliRun run = custos("policy", "check", pack.toString());
    assertEquals(new CliRun(2, List.of(), List.of(
        pack + ":3:22: rule 'a'.effect: expected one of forbid, approve, permit, got text \"deny\"",
        pack + ":4:11: rule 'a': duplicate rule id (first used at line 3)",
        pack + ":4:36: rule 'a'.when: unknown variable 'resource.colour'; resource has name, kind, zone, "
            + "criticality, privileged (at 1:1 of the condition)",
        "3 problems; nothing loaded")), run);
  }
}
