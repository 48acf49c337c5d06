package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.runtime.CelEvaluationException;
import dev.custos.files.Problems;
import dev.custos.policy.PolicyDecision;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The documented limits on conditions and packs: a condition's length ({@link Condition#MAX_LENGTH}) and estimated
 * cost ({@link Condition#MAX_COST}) are checked when a pack is read, the number of rules in a pack ({@link
 * PackReader#MAX_RULES}) too, and comprehension iterations ({@link Condition#MAX_ITERATIONS}) while a condition is
 * evaluated, where running out fails the evaluation and {@link PolicySet} fails closed.
 */
class ConditionLimitsTest {

  private static final Facts ISOLATE = Facts.builder()
      .set(Variable.TOOL_NAME, "host.isolate")
      .set(Variable.RESOURCE_NAME, "host:corp/ws-01")
      .build();

  @Test
  void aConditionLongerThanTheLimitIsRefused() {
    assertTrue(read(pack("long", "forbid", equalsText(Condition.MAX_LENGTH, "a"))).isPresent());

    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("limits.yaml", pack("long", "forbid",
        equalsText(Condition.MAX_LENGTH + 1, "a")), problems);

    assertEquals(Optional.empty(), pack);
    assertThat(problems.lines()).singleElement().asString()
        .startsWith("limits.yaml:")
        .contains("rule 'long'", "the condition is longer than " + Condition.MAX_LENGTH + " characters");
  }

  @Test
  void lengthIsCountedInCharactersNotInUtf16Units() {
    String atLimit = equalsText(Condition.MAX_LENGTH, "\uD83D\uDD12"); // a padlock, outside the BMP
    assertThat(atLimit.length()).isGreaterThan(Condition.MAX_LENGTH);

    assertThat(Condition.compile(atLimit)).isInstanceOf(Condition.Compiled.class);
    assertEquals(new Condition.Refused(List.of(new Condition.Issue(0, 0,
            "the condition is longer than " + Condition.MAX_LENGTH + " characters"))),
        Condition.compile(equalsText(Condition.MAX_LENGTH + 1, "\uD83D\uDD12")));
  }

  @Test
  void aNestedComprehensionOverTheCostLimitIsRefusedNamingItsCost() {
    String ten = numbers(10);
    Condition.Result single = Condition.compile(ten + ".exists(x, x == 7)");
    assertThat(single).isInstanceOf(Condition.Compiled.class);
    assertThat(((Condition.Compiled) single).cost()).isBetween(10L, Condition.MAX_COST);

    String nested = ten + ".exists(x, " + ten + ".exists(y, " + ten + ".exists(z, x + y + z == 30)))";
    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("limits.yaml", pack("nested", "permit", nested), problems);

    assertEquals(Optional.empty(), pack);
    assertThat(problems.lines()).singleElement().asString().contains("rule 'nested'");
    Matcher cost = java.util.regex.Pattern.compile("the condition's estimated cost (\\d+) is over the limit of "
        + Condition.MAX_COST).matcher(problems.lines().get(0));
    assertTrue(cost.find(), problems.lines().get(0));
    // The innermost test runs 10 x 10 x 10 times: whatever else it counts, the estimate is at least that.
    assertThat(Long.parseLong(cost.group(1))).isGreaterThanOrEqualTo(1_000L).isGreaterThan(Condition.MAX_COST);
  }

  @Test
  void anEstimateTooLargeForALongIsRefusedNotWrappedAround() {
    // 10^k iterations of the innermost test: from k = 19 the product no longer fits a long. Wrapped around, it once
    // came out negative (at k = 18, 25 and 30 among these) and the condition was accepted.
    for (int depth : new int[] {3, 17, 18, 19, 20, 25, 30, 40}) {
      StringBuilder nested = new StringBuilder();
      for (int level = 0; level < depth; level++) {
        nested.append(numbers(10)).append(".exists(x").append(level).append(", ");
      }
      nested.append("x0 < 0").append(")".repeat(depth));
      Condition.Result result = Condition.compile(nested.toString());
      assertThat(result).as("%d nested comprehensions", depth).isInstanceOf(Condition.Refused.class);
      String message = ((Condition.Refused) result).issues().get(0).message();
      assertThat(message).as("%d nested comprehensions", depth).contains("over the limit of " + Condition.MAX_COST);
      if (depth >= 19) {
        assertThat(message).contains("estimated cost " + Long.MAX_VALUE + " or more");
      }
    }
  }

  @Test
  void aPackOfMoreThanTheMostRulesIsRefusedWhole() {
    assertThat(read(rules(PackReader.MAX_RULES))).hasValueSatisfying(
        pack -> assertEquals(PackReader.MAX_RULES, pack.rules().size()));

    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("limits.yaml", rules(PackReader.MAX_RULES + 1), problems);

    assertEquals(Optional.empty(), pack);
    assertThat(problems.lines()).singleElement().asString()
        .contains("a pack holds at most " + PackReader.MAX_RULES + " rules, this one has " + (PackReader.MAX_RULES + 1));
  }

  @Test
  void aComprehensionStopsAfterTheMostIterations() throws CelEvaluationException {
    // exists with a test that never holds visits every element; these are cheap enough for the estimate.
    Condition within = compiled(numbers(Condition.MAX_ITERATIONS) + ".exists(x, x < 0)");
    Condition beyond = compiled(numbers(Condition.MAX_ITERATIONS + 1) + ".exists(x, x < 0)");

    assertFalse(within.holds(ISOLATE));
    CelEvaluationException failed = assertThrows(CelEvaluationException.class, () -> beyond.holds(ISOLATE));
    assertThat(failed.getMessage()).contains("Iteration budget exceeded: " + Condition.MAX_ITERATIONS);
    // The budget is spent by iterations made, not by the list's length: one that stops early is fine.
    assertTrue(compiled(numbers(Condition.MAX_ITERATIONS + 1) + ".exists(x, x == 3)").holds(ISOLATE));
    // A list built at run time, whose length the estimate cannot know, is bounded the same way.
    Condition built = compiled("(" + numbers(60) + " + " + numbers(60) + ").exists(x, x < 0)");
    assertThrows(CelEvaluationException.class, () -> built.holds(ISOLATE));
  }

  @Test
  void theIterationBudgetIsSharedByEveryComprehensionOfOneEvaluation() throws CelEvaluationException {
    // CEL counts every iteration of every comprehension in one evaluation against one budget: 2 outer + 2 x 49 inner
    // iterations fit in 100, 2 + 2 x 50 do not, though no single comprehension runs more than 50.
    Condition fits = compiled("[0, 1].exists(x, " + numbers(49) + ".exists(y, y < 0))");
    Condition overruns = compiled("[0, 1].exists(x, " + numbers(50) + ".exists(y, y < 0))");

    assertFalse(fits.holds(ISOLATE));
    assertThrows(CelEvaluationException.class, () -> overruns.holds(ISOLATE));
  }

  @Test
  void aConditionThatRunsOutOfIterationsFailsClosed() {
    String overruns = numbers(Condition.MAX_ITERATIONS + 1) + ".exists(x, x < 0)";
    String finishes = numbers(Condition.MAX_ITERATIONS) + ".exists(x, x < 0)";
    String everyWithin = numbers(Condition.MAX_ITERATIONS) + ".all(x, x >= 0)";
    String everyBeyond = numbers(Condition.MAX_ITERATIONS + 1) + ".all(x, x >= 0)";

    // A forbid or approve rule whose condition fails counts as matching...
    PolicySet forbid = set(pack("too-long", "forbid", overruns) + permitAll());
    assertEquals(new PolicyDecision.Forbid(forbid.version(), List.of("too-long"), "would not finish"),
        forbid.decide(ISOLATE));
    PolicySet approve = set(pack("too-long", "approve", overruns) + permitAll());
    assertEquals(new PolicyDecision.RequireApproval(approve.version(), List.of("too-long"), "would not finish"),
        approve.decide(ISOLATE));
    // ...where the same rule finishing and not holding does not match,
    PolicySet finished = set(pack("finishes", "forbid", finishes) + permitAll());
    assertEquals(new PolicyDecision.Permit(finished.version(), List.of("allow-all"), Set.of()),
        finished.decide(ISOLATE));

    // and a permit rule whose condition fails does not match, though it would hold if it could finish.
    PolicySet permitWithin = set(pack("every", "permit", everyWithin));
    assertEquals(new PolicyDecision.Permit(permitWithin.version(), List.of("every"), Set.of()),
        permitWithin.decide(ISOLATE));
    PolicyDecision denied = set(pack("every", "permit", everyBeyond)).decide(ISOLATE);
    assertThat(denied).isInstanceOf(PolicyDecision.Forbid.class);
    assertEquals(List.of(), denied.ruleIds());
    assertThat(((PolicyDecision.Forbid) denied).message()).contains("default deny");
  }

  /** {@code tool.name == "..."} padded with {@code unit} to exactly {@code length} characters (code points). */
  private static String equalsText(int length, String unit) {
    String head = "tool.name == \"";
    return head + unit.repeat(length - head.length() - 1) + "\"";
  }

  /** {@code [0, 1, ..., count - 1]}. */
  private static String numbers(int count) {
    return IntStream.range(0, count).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String pack(String id, String effect, String when) {
    return "policy: limits\nrules:\n"
        + "  - id: " + id + "\n"
        + "    effect: " + effect + "\n"
        + "    when: '" + when + "'\n"
        + "    message: \"would not finish\"\n";
  }

  private static String permitAll() {
    return "  - id: allow-all\n    effect: permit\n";
  }

  private static String rules(int count) {
    StringBuilder out = new StringBuilder("policy: limits\nrules:\n");
    for (int i = 0; i < count; i++) {
      out.append("  - { id: r-").append(i).append(", effect: ").append(i % 2 == 0 ? "permit" : "forbid")
          .append(", tools: [\"siem.q").append(i).append("\"] }\n");
    }
    return out.toString();
  }

  private static Optional<PolicyPack> read(String text) {
    Problems problems = new Problems();
    Optional<PolicyPack> pack = PackReader.parse("limits.yaml", text, problems);
    assertEquals(List.of(), problems.lines());
    return pack;
  }

  private static PolicySet set(String text) {
    Problems problems = new Problems();
    Optional<PolicySet> set = PolicySet.of(read(text).stream().toList(), problems);
    assertEquals(List.of(), problems.lines());
    return set.orElseThrow();
  }

  private static Condition compiled(String expression) {
    Condition.Result result = Condition.compile(expression);
    assertThat(result).isInstanceOf(Condition.Compiled.class);
    return ((Condition.Compiled) result).condition();
  }
}
