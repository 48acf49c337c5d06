package dev.custos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"500ms, 500", "30s, 30000", "5m, 300000", "2h, 7200000", "0s, 0", "90s, 90000", "1500ms, 1500"})
  void parsesEveryUnit(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"500ms, 500ms", "30s, 30s", "300s, 5m", "7200s, 2h", "0s, 0s", "90s, 90s", "1500ms, 1500ms", "60m, 1h"})
  void formatsWithTheLargestExactUnitAndParsesBack(String text, String formatted) {
    assertEquals(formatted, Durations.format(Durations.parse(text)));
    assertEquals(Durations.parse(text), Durations.parse(formatted));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "5      | \"5\": a duration needs a unit: ms, s, m or h (at 1)",
        "5d     | \"5d\": unknown unit 'd': use ms, s, m or h (at 1)",
        "m      | \"m\": a duration starts with a whole number, such as 500ms, 30s, 5m or 2h (at 0)",
        "-5s    | \"-5s\": a duration starts with a whole number, such as 500ms, 30s, 5m or 2h (at 0)",
        "1h30m  | \"1h30m\": unknown unit 'h30m': use ms, s, m or h (at 1)",
        "1.5s   | \"1.5s\": unknown unit '.5s': use ms, s, m or h (at 1)",
        "'5 s'  | \"5 s\": unknown unit ' s': use ms, s, m or h (at 1)",
        "9000h  | \"9000h\": a duration may be at most 8784h",
        "''     | \"\": a duration is required, such as 500ms, 30s, 5m or 2h",
        "9999999999999s | \"9999999999999s\": number too large for a duration (at 0)",
      })
  void refusesMalformedDurationsQuotingTheInput(String text, String message) {
    BadInputException e = assertThrows(BadInputException.class, () -> Durations.parse(text));
    assertEquals(message, e.getMessage());
  }
}
