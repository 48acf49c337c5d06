package dev.custos.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link MissionId} and {@link AgentId} share one rule; every case runs against both. */
class IdentifierTest {

  private static final String ALLOWED = "(only A-Z, a-z, 0-9, '.', '-', '_')";

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of("mission id", (Function<String, Object>) MissionId::parse),
        Arguments.of("agent id", (Function<String, Object>) AgentId::parse));
  }

  static Stream<Arguments> validValues() {
    return kinds().flatMap(kind -> Stream.of("a1", "a17", "m-2024.01_X", "...", ".a", "x", "z".repeat(64))
        .map(value -> Arguments.of(kind.get()[0], kind.get()[1], value)));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("validValues")
  void validValuesParseAndPrintAsThemselves(String kind, Function<String, Object> parse, String value) {
    Object id = parse.apply(value);

    assertEquals(value, id.toString());
    assertEquals(id, parse.apply(value));
  }

  static Stream<Arguments> invalidValues() {
    return kinds().flatMap(kind -> {
      String k = (String) kind.get()[0];
      return Stream.of(
          new Object[] {null, new Rejection("", -1, "no " + k + " (null)")},
          new Object[] {"", new Rejection("", -1, k + " is empty")},
          new Object[] {".", new Rejection(".", 0, k + " may not be '.' or '..'")},
          new Object[] {"..", new Rejection("..", 0, k + " may not be '.' or '..'")},
          new Object[] {"z".repeat(65), new Rejection("z".repeat(65), 64, k + " is longer than 64 characters")},
          new Object[] {"a/b", new Rejection("a/b", 1, "'/' is not allowed in a " + k + " " + ALLOWED)},
          new Object[] {"a:b", new Rejection("a:b", 1, "':' is not allowed in a " + k + " " + ALLOWED)},
          new Object[] {"a b", new Rejection("a b", 1, "a space is not allowed in a " + k + " " + ALLOWED)},
          new Object[] {"a\u0000", new Rejection("a\u0000", 1,
              "control character U+0000 is not allowed in a " + k + " " + ALLOWED)},
          new Object[] {"\u00e91", new Rejection("\u00e91", 0,
              "non-ASCII character U+00E9 is not allowed in a " + k + " " + ALLOWED)})
          .map(row -> Arguments.of(k, kind.get()[1], row[0], row[1]));
    });
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("invalidValues")
  void invalidValuesAreRejectedSayingWhatAndWhere(
      String kind, Function<String, Object> parse, String value, Rejection expected) {
    assertEquals(expected, Rejection.of(() -> parse.apply(value)));
  }

  @Test
  void theConstructorChecksLikeParse() {
    assertEquals(new Rejection("a/b", 1, "'/' is not allowed in a mission id " + ALLOWED),
        Rejection.of(() -> new MissionId("a/b")));
    assertEquals(new Rejection("", -1, "agent id is empty"), Rejection.of(() -> new AgentId("")));
    assertEquals(new MissionId("m1"), MissionId.parse("m1"));
    assertEquals(new AgentId("a1"), AgentId.parse("a1"));
  }
}
