package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.files.Problems;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packs the project ships load, and each passes its own tests file of at least 15 cases. */
class ShippedPacksTest {

  private static final Path PACKS = Path.of("packs");

  @ParameterizedTest
  @ValueSource(strings = {"soc-baseline", "strict", "lab"})
  void aShippedPackPassesItsTests(String name) {
    Problems problems = new Problems();
    Optional<PolicySet> set = PolicySet.load(List.of(PACKS.resolve(name + ".yaml")), problems);
    Optional<List<PolicyTests.Case>> cases = PolicyTests.read(PACKS.resolve(name + PolicyTests.SUFFIX), problems);
    assertEquals(List.of(), problems.lines());
    assertThat(cases.orElseThrow()).hasSizeGreaterThanOrEqualTo(15);
    List<String> failed = PolicyTests.run(set.orElseThrow(), cases.get()).stream()
        .filter(outcome -> !outcome.passed())
        .map(outcome -> outcome.testCase().name() + ": got " + outcome.got().text() + " by "
            + outcome.decision().ruleIds())
        .toList();
    assertEquals(List.of(), failed);
    // Each of the three answers is exercised, so a pack that answered one way to everything would fail here.
    assertThat(cases.get().stream().map(PolicyTests.Case::expect).distinct().count()).isGreaterThanOrEqualTo(2);
  }
}
