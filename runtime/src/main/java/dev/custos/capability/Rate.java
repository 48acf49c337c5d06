package dev.custos.capability;

import dev.custos.BadInputException;
import dev.custos.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * At most {@code calls} actions in any window of length {@code per}: {@code 30/1m}.
 *
 * @param calls at least 1
 * @param per a positive window
 */
public record Rate(int calls, Duration per) {

  public Rate {
    Objects.requireNonNull(per, "per");
    if (calls < 1) {
      throw new IllegalArgumentException("a rate allows at least one call, got " + calls);
    }
    if (per.isNegative() || per.isZero() || per.compareTo(Durations.MAX) > 0) {
      throw new IllegalArgumentException("a rate's window must be positive and at most " + Durations.format(Durations.MAX));
    }
  }

  /**
   * Parses {@code N/<duration>}, such as {@code 30/1m} or {@code 5/10s}.
   *
   * @throws BadInputException quoting the text and saying what is wrong where
   */
  public static Rate parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new BadInputException(text == null ? "" : text, "a rate is required, such as 30/1m");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new BadInputException(text, "a rate is calls/window, such as 30/1m");
    }
    String count = text.substring(0, slash);
    if (count.isEmpty() || count.length() > 9 || !count.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new BadInputException(text, 0, "a rate starts with a whole number of calls from 1 to 999999999");
    }
    int calls = Integer.parseInt(count);
    if (calls < 1) {
      throw new BadInputException(text, 0, "a rate allows at least one call");
    }
    Duration per;
    try {
      per = Durations.parse(text.substring(slash + 1));
    } catch (BadInputException e) {
      throw new BadInputException(text, slash + 1 + Math.max(0, e.position()), "window: " + e.problem());
    }
    if (per.isZero()) {
      throw new BadInputException(text, slash + 1, "a rate's window must be longer than zero");
    }
    return new Rate(calls, per);
  }

  /**
   * Whether every sequence of calls this rate allows is also allowed by {@code other}. A window of {@code other}'s length
   * can hold {@code ceil(other.per / per)} of this rate's windows, each full, so that many bursts must fit.
   */
  public boolean within(Rate other) {
    long windows = (other.per.toNanos() + per.toNanos() - 1) / per.toNanos();
    return (long) calls * windows <= other.calls;
  }

  @Override
  public String toString() {
    return calls + "/" + Durations.format(per);
  }
}
