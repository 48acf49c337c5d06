package dev.custos.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.BadInputException;
import dev.custos.Seeds;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateTest {

  @Test
  void parsesCallsPerWindow() {
    assertEquals(new Rate(30, Duration.ofMinutes(1)), Rate.parse("30/1m"));
    assertEquals(new Rate(5, Duration.ofMillis(500)), Rate.parse("5/500ms"));
    assertEquals("30/1m", Rate.parse("30/60s").toString());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "30      | \"30\": a rate is calls/window, such as 30/1m",
        "/1m     | \"/1m\": a rate starts with a whole number of calls from 1 to 999999999 (at 0)",
        "0/1m    | \"0/1m\": a rate allows at least one call (at 0)",
        "30/m    | \"30/m\": window: a duration starts with a whole number, such as 500ms, 30s, 5m or 2h (at 3)",
        "30/1x   | \"30/1x\": window: unknown unit 'x': use ms, s, m or h (at 4)",
        "30/0s   | \"30/0s\": a rate's window must be longer than zero (at 3)",
        "3x/1m   | \"3x/1m\": a rate starts with a whole number of calls from 1 to 999999999 (at 0)",
      })
  void refusesMalformedRates(String text, String message) {
    BadInputException e = assertThrows(BadInputException.class, () -> Rate.parse(text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void withinComparesWorstCaseBursts() {
    assertTrue(Rate.parse("30/1m").within(Rate.parse("30/1m")));
    assertTrue(Rate.parse("10/1m").within(Rate.parse("30/1m")));
    assertFalse(Rate.parse("31/1m").within(Rate.parse("30/1m")));
    // 10 per 30s allows 20 in a minute (two full windows), so not within 15/1m, within 20/1m.
    assertFalse(Rate.parse("10/30s").within(Rate.parse("15/1m")));
    assertTrue(Rate.parse("10/30s").within(Rate.parse("20/1m")));
    // 10 per 25s: a 60s window holds ceil(60/25) = 3 bursts.
    assertFalse(Rate.parse("10/25s").within(Rate.parse("29/1m")));
    assertTrue(Rate.parse("10/25s").within(Rate.parse("30/1m")));
    // A longer window with no more calls allows fewer in any shorter window.
    assertTrue(Rate.parse("30/1h").within(Rate.parse("30/1m")));
    assertFalse(Rate.parse("31/1h").within(Rate.parse("30/1m")));
  }

  /**
   * Law: when {@code a.within(b)}, no timeline of calls (a few calls per millisecond over a short horizon) that {@code a}
   * allows is refused by {@code b}; when not, the worst-case burst timeline of {@code a} is refused by {@code b}.
   */
  @Test
  void withinAgreesWithSlidingWindowsOnRandomRates() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    for (int n = 0; n < 2_000; n++) {
      Rate a = new Rate(1 + random.nextInt(6), Duration.ofMillis(1 + random.nextInt(12)));
      Rate b = new Rate(1 + random.nextInt(12), Duration.ofMillis(1 + random.nextInt(12)));
      int horizon = 40;
      int[] burst = new int[horizon];
      for (int t = 0; t < horizon; t += (int) a.per().toMillis()) {
        burst[t] = a.calls();
      }
      assertTrue(allows(a, burst), "the burst timeline is a's own");
      if (a.within(b)) {
        assertTrue(allows(b, burst), a + " within " + b + " but its bursts are refused, " + Seeds.describe(seed));
        for (int trial = 0; trial < 20; trial++) {
          int[] timeline = randomTimeline(a, horizon, random);
          assertTrue(allows(b, timeline), a + " within " + b + ", " + Seeds.describe(seed));
        }
      } else {
        assertFalse(allows(b, burst), a + " not within " + b + " but " + b + " allows its bursts, " + Seeds.describe(seed));
      }
    }
  }

  /** Whether every window [t, t + per) of the timeline holds at most {@code rate.calls()} calls. */
  private static boolean allows(Rate rate, int[] callsAt) {
    int per = (int) rate.per().toMillis();
    for (int t = 0; t < callsAt.length; t++) {
      int sum = 0;
      for (int u = t; u < Math.min(callsAt.length, t + per); u++) {
        sum += callsAt[u];
      }
      if (sum > rate.calls()) {
        return false;
      }
    }
    return true;
  }

  private static int[] randomTimeline(Rate rate, int horizon, SplittableRandom random) {
    int[] callsAt = new int[horizon];
    for (int t = 0; t < horizon; t++) {
      callsAt[t] = random.nextInt(3);
      if (!allows(rate, callsAt)) {
        callsAt[t] = 0;
      }
    }
    return callsAt;
  }
}
