package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.capability.Pattern;
import dev.custos.files.Location;
import dev.custos.files.Problems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed pack is refused whole, each problem with the file, the line and the rule's id. */
class PackReaderTest {

  private static List<String> problems(String yaml) {
    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("p.yaml", yaml, problems);
    assertTrue(pack.isEmpty(), "a pack with problems must yield nothing");
    return problems.lines();
  }

  @Test
  void aGoodPackReadsEveryField() {
    Problems problems = new Problems();
    PolicyPack pack = PackReader.parse("p.yaml", """
        policy: p
        description: a pack
        rules:
          - id: r1
            effect: permit
            tools: ["host.*", siem.query]
            when: resource.kind == "host"
            message: why
            releases: [secret]
        """, problems).orElseThrow();
    assertEquals(List.of(), problems.lines());
    assertEquals("p", pack.name());
    assertEquals("a pack", pack.description());
    assertEquals(List.of(new Rule("r1", Effect.PERMIT, List.of(Pattern.parse("host.*"), Pattern.parse("siem.query")),
        "resource.kind == \"host\"", "why", Set.of("secret"), new Location(4, 5))), pack.rules());
    assertEquals(64, pack.digest().length());
  }

  @Test
  void aRuleWithNeitherToolsNorConditionAppliesToEveryTool() {
    PolicyPack pack = PackReader.parse("p.yaml", "policy: p\nrules:\n  - { id: all, effect: forbid }\n",
        new Problems()).orElseThrow();
    assertTrue(pack.rules().get(0).appliesTo("anything.at-all"));
  }

  @Test
  void aConditionYamlReadsAsABooleanIsStillAnExpression() {
    PolicyPack pack = PackReader.parse("p.yaml", "policy: p\nrules:\n  - { id: t, effect: permit, when: true }\n",
        new Problems()).orElseThrow();
    assertEquals("true", pack.rules().get(0).when());
  }

  @Test
  void unknownFieldsAreRefusedWhereTheyStand() {
    assertEquals(List.of(
        "p.yaml:2:1: unknown field 'owner'; allowed: policy, description, rules",
        "p.yaml:4:5: rule 'r1': missing required field 'effect'",
        "p.yaml:5:5: rule 'r1': unknown field 'Effect' (did you mean 'effect'?); allowed: id, effect, tools, when, "
            + "message, releases"),
        problems("""
            policy: p
            owner: soc
            rules:
              - id: r1
                Effect: permit
            """));
  }

  @Test
  void anUnknownEffectIsRefused() {
    assertEquals(List.of("p.yaml:5:13: rule 'r1'.effect: expected one of forbid, approve, permit, got text \"deny\""),
        problems("""
            policy: p
            rules:
              - id: r1
                tools: ["*"]
                effect: deny
            """));
  }

  @Test
  void aDuplicateIdIsRefusedAtItsSecondUse() {
    assertEquals(List.of("p.yaml:5:9: rule 'r1': duplicate rule id (first used at line 3)"),
        problems("""
            policy: p
            rules:
              - id: r1
                effect: permit
              - id: r1
                effect: forbid
            """));
  }

  @Test
  void aConditionThatDoesNotCompileIsRefused() {
    assertThat(problems("policy: p\nrules:\n  - id: r1\n    effect: forbid\n    when: agent.depth >= \n"))
        .singleElement().asString()
        .startsWith("p.yaml:5:11: rule 'r1'.when: ")
        .contains("mismatched input");
  }

  @Test
  void aConditionThatIsNotBooleanIsRefused() {
    assertEquals(List.of("p.yaml:5:11: rule 'r1'.when: expected type 'bool' but found 'string' (at 1:9 of the "
            + "condition)"),
        problems("policy: p\nrules:\n  - id: r1\n    effect: forbid\n    when: resource.kind\n"));
  }

  @Test
  void aConditionOfTheWrongTypesIsRefused() {
    assertThat(problems("policy: p\nrules:\n  - id: r1\n    effect: forbid\n    when: agent.depth >= \"3\"\n"))
        .singleElement().asString()
        .startsWith("p.yaml:5:11: rule 'r1'.when: found no matching overload for '_>=_' applied to '(int, string)'");
  }

  @Test
  void anUnknownVariableIsNamedWithWhatItsGroupHas() {
    assertEquals(List.of(
        "p.yaml:5:11: rule 'r1'.when: unknown variable 'resource.criticalty'; resource has name, kind, zone, "
            + "criticality, privileged (at 1:1 of the condition)",
        "p.yaml:8:11: rule 'r2'.when: unknown variable 'user.name'; conditions can use agent, tool, resource, "
            + "mission, context, child (at 1:1 of the condition)"),
        problems("""
            policy: p
            rules:
              - id: r1
                effect: forbid
                when: resource.criticalty == "tier0"
              - id: r2
                effect: forbid
                when: user.name == "eve"
            """));
  }

  @Test
  void onlyPermitRulesReleaseLabels() {
    assertEquals(List.of("p.yaml:5:15: rule 'r1'.releases: only a permit rule can release labels, this rule's "
            + "effect is approve"),
        problems("policy: p\nrules:\n  - id: r1\n    effect: approve\n    releases: [secret]\n"));
  }

  @Test
  void badNamesPatternsAndTypesAreRefused() {
    assertEquals(List.of(
        "p.yaml:1:9: policy: expected a pack name such as soc-baseline (letters, digits, '.', '_', '-'; at most 64,"
            + " starting with a letter or digit), got text \"my pack\"",
        "p.yaml:3:11: rules[0].id: expected a rule id such as tier0-needs-a-person, got 42",
        "p.yaml:4:51: rule 'r2'.tools[1]: \"host.**.x\": '**' may only end a pattern (at 5)",
        "p.yaml:5:40: rule 'r3'.message: expected text, got a list"),
        problems("""
            policy: my pack
            rules:
              - { id: 42, effect: permit }
              - { id: r2, effect: permit, tools: [siem.query, "host.**.x"] }
              - { id: r3, effect: forbid, message: [no] }
            """));
  }

  @Test
  void everyProblemOfAFileIsReportedAtOnce() {
    assertEquals(4, problems("""
        policy: p
        rules:
          - { id: a, effect: deny }
          - { id: b, effect: permit, when: "1 +" }
          - { id: a, effect: permit }
          - { id: d, effect: permit, colour: red }
        """).size());
  }

  @Test
  void aPackIsAMappingWithRules() {
    assertEquals(List.of("p.yaml:1:1: expected a policy pack: a mapping with policy and rules, got a list"),
        problems("- policy: p\n"));
    assertEquals(List.of("p.yaml:1:1: missing required field 'rules'"), problems("policy: p\n"));
  }

  @Test
  void aSetRefusesARuleIdOrPackNameUsedInTwoFiles(@TempDir Path dir) throws Exception {
    Path one = Files.writeString(dir.resolve("one.yaml"), "policy: one\nrules:\n  - { id: shared, effect: permit }\n");
    Path two = Files.writeString(dir.resolve("two.yaml"), "policy: one\nrules:\n  - { id: shared, effect: forbid }\n");
    Problems problems = new Problems();
    assertTrue(PolicySet.load(List.of(one, two), problems).isEmpty());
    assertEquals(List.of(
        two + ": pack name 'one' is also the name of " + one,
        two + ":3:5: rule 'shared': duplicate rule id (also in " + one + ")"), problems.lines());
  }

  @Test
  void aMissingFileIsAProblem(@TempDir Path dir) {
    Problems problems = new Problems();
    assertTrue(PolicySet.load(List.of(dir.resolve("none.yaml")), problems).isEmpty());
    assertEquals(List.of(dir.resolve("none.yaml") + ": no such file"), problems.lines());
  }

  @Test
  void anEmptyToolsListIsRefusedRatherThanReadAsEveryTool() {
    // Read as "every tool", an empty list in a permit rule (a template left unfilled) would permit everything.
    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("tools.yaml",
        "policy: tools\nrules:\n  - id: nothing-listed\n    effect: permit\n    tools: []\n", problems);
    assertEquals(Optional.empty(), pack);
    assertThat(problems.lines()).singleElement().asString()
        .startsWith("tools.yaml:5:")
        .contains("rule 'nothing-listed'.tools", "omit tools");
  }
}
