package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.files.Problems;
import dev.custos.policy.PolicyDecision;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@link PackReader} reads a rule's {@code tools}: omitted means every tool, and a list must name some. */
class PackReaderTest {

  @Test
  void aRuleWithoutToolsAppliesToEveryTool() {
    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("tools.yaml", "policy: tools\nrules:\n  - id: all\n    effect: permit\n",
        problems);

    PolicySet set = PolicySet.of(pack.stream().toList(), problems).orElseThrow();

    assertEquals(List.of(), problems.lines());
    assertEquals(new PolicyDecision.Permit(set.version(), List.of("all"), Set.of()),
        set.decide(Facts.builder().set(Variable.TOOL_NAME, "data.export").build()));
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
