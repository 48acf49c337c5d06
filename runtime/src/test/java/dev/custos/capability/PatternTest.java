package dev.custos.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.BadInputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatternTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
    "host:corp/*, host:corp/fin-ws-01, true",
    "host:corp/*, host:core/dc-01, false",
    "host:corp/*, host:corp/a/b, false",
    "host:corp/*, host:corp/, true",
    "host:**, host:corp/fin-ws-01, true",
    "host:**, host:, true",
    "host:**, hosts:x, false",
    "siem.*, siem.query, true",
    "siem.*, siem., true",
    "siem.*, edr.scan, false",
    "*, host.isolate, true",
    "*, a/b, false",
    "**, a/b/c, true",
    "account:svc-*, account:svc-backup, true",
    "account:svc-*, account:alice, false",
    "a*b*c, abc, true",
    "a*b*c, aXbYc, true",
    "a*b*c, aXbY/c, false",
    "a*b*c, acb, false",
    "*/*/x, a/b/x, true",
    "*/*/x, a/x, false",
    "a/*b**, a/cb, true",
    "a/*b**, a/cbzz/q, true",
    "a/*b**, a/c/b, false",
    "ticket:*, ticket:INC-1, true",
    "exact, exact, true",
    "exact, exactly, false",
  })
  void matches(String pattern, String name, boolean expected) {
    assertEquals(expected, Pattern.parse(pattern).matches(name));
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "host:**, host:corp/*, true",
    "host:corp/*, host:**, false",
    "host:corp/*, host:corp/fin-*, true",
    "host:corp/*, host:core/*, false",
    "*, siem.*, true",
    "siem.*, *, false",
    "*, **, false",
    "**, *, true",
    "a*, a*b*, true",
    "a*b*, a*, false",
    "*a*, *a*a*, true",
    "*a*a*, *a*, false",
    "*a*a*, *aa*, true",
    "a**, a/**, true",
    "a/**, a**, false",
    "*/**, */*, true",
    "*/*, */**, false",
    "account:svc-*, account:svc-backup, true",
    "account:svc-*, account:alice, false",
  })
  void contains(String outer, String inner, boolean expected) {
    assertEquals(expected, Pattern.parse(outer).contains(Pattern.parse(inner)));
  }

  @Test
  void counterexampleIsAShortestNameInsideNotOutside() {
    Pattern corp = Pattern.parse("host:corp/*");
    Pattern core = Pattern.parse("host:core/*");
    Optional<String> example = corp.counterexample(core);
    assertEquals(Optional.of("host:core/"), example);
    assertEquals(Optional.empty(), Pattern.parse("host:**").counterexample(core));
    String outside = Pattern.parse("*").counterexample(Pattern.parse("**")).orElseThrow();
    assertEquals("/", outside);
  }

  @Test
  void counterexampleShowsAnUnwrittenCharacterPrintably() {
    // The shortest name "*a**" reaches and "a**" does not starts with a character neither writes: shown as 'x'.
    assertEquals(Optional.of("xa"), Pattern.parse("a**").counterexample(Pattern.parse("*a**")));
    // When both patterns write 'x', another unwritten character stands in.
    assertEquals(Optional.of("yx"), Pattern.parse("x**").counterexample(Pattern.parse("*x**")));
  }

  @Test
  void containmentAcrossMoreThanSixtyFourStates() {
    String a = "a".repeat(70);
    String b = "b".repeat(70);
    Pattern outer = Pattern.parse(a + "*" + b + "*c");
    assertTrue(outer.contains(Pattern.parse(a + "x*" + b + "yc")));
    assertTrue(outer.contains(Pattern.parse(a + "*" + b + "*" + b + "*c")));
    assertEquals(Optional.of(a + b + "/c"), outer.counterexample(Pattern.parse(a + "*" + b + "/c")));
    assertEquals(Optional.of(a + b), outer.counterexample(Pattern.parse(a + "*" + b + "*")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "host:**/x | \"host:**/x\": '**' may only end a pattern (at 5)",
        "a***      | \"a***\": '***' is not a pattern element: use '*' or '**' (at 1)",
        "**a       | \"**a\": '**' may only end a pattern (at 0)",
        "'a b'     | \"a b\": control characters and white space are not allowed in a pattern (at 1)",
        "''        | \"\": a pattern may not be empty",
      })
  void refusesMalformedPatternsQuotingTheInput(String text, String message) {
    BadInputException e = assertThrows(BadInputException.class, () -> Pattern.parse(text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void refusesNullControlCharactersAndOverlongPatterns() {
    assertThrows(BadInputException.class, () -> Pattern.parse(null));
    BadInputException tab = assertThrows(BadInputException.class, () -> Pattern.parse("a\tb"));
    assertThat(tab.getMessage()).startsWith("\"a\\u0009b\"").contains("(at 1)");
    assertThrows(BadInputException.class, () -> Pattern.parse("a".repeat(Pattern.MAX_LENGTH + 1)));
    assertEquals(Pattern.MAX_LENGTH, Pattern.parse("a".repeat(Pattern.MAX_LENGTH)).text().length());
  }

  @Test
  void literalRefusesWildcards() {
    assertTrue(Pattern.literal("host:corp/a").isLiteral());
    BadInputException e = assertThrows(BadInputException.class, () -> Pattern.literal("host:*"));
    assertEquals("\"host:*\": a literal name may not contain '*' (at 5)", e.getMessage());
  }

  @Test
  void equalByText() {
    assertEquals(Pattern.parse("siem.*"), Pattern.parse("siem.*"));
    assertEquals(Pattern.parse("siem.*").hashCode(), Pattern.parse("siem.*").hashCode());
    assertEquals("siem.*", Pattern.parse("siem.*").toString());
  }
}
