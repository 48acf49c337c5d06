package dev.custos;

import java.time.Duration;

/**
 * Durations as Custos files write them: a whole number and one unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}.
 *
 * <p>Parsing is strict (no sign, no spaces, no fractions, no compound {@code 1h30m}) so that a typo is an error, not a
 * surprise; {@link #format(Duration)} writes the largest unit that represents the value exactly, so it parses back.
 */
public final class Durations {

  /** Longest duration accepted: a year is far beyond any mission, and keeps arithmetic on milliseconds safe. */
  public static final Duration MAX = Duration.ofDays(366);

  private Durations() {}

  /**
   * Parses {@code 500ms|30s|5m|2h}.
   *
   * @throws BadInputException quoting the text and saying what is wrong where
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new BadInputException(text == null ? "" : text, "a duration is required, such as 500ms, 30s, 5m or 2h");
    }
    int digits = 0;
    while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
      digits++;
    }
    if (digits == 0) {
      throw new BadInputException(text, 0, "a duration starts with a whole number, such as 500ms, 30s, 5m or 2h");
    }
    if (digits > 12) {
      throw new BadInputException(text, 0, "number too large for a duration");
    }
    long amount = Long.parseLong(text.substring(0, digits));
    String unit = text.substring(digits);
    Duration duration;
    switch (unit) {
      case "ms":
        duration = Duration.ofMillis(amount);
        break;
      case "s":
        duration = Duration.ofSeconds(amount);
        break;
      case "m":
        duration = Duration.ofMinutes(amount);
        break;
      case "h":
        duration = Duration.ofHours(amount);
        break;
      case "":
        throw new BadInputException(text, digits, "a duration needs a unit: ms, s, m or h");
      default:
        throw new BadInputException(text, digits, "unknown unit '" + unit + "': use ms, s, m or h");
    }
    if (duration.compareTo(MAX) > 0) {
      throw new BadInputException(text, "a duration may be at most " + format(MAX));
    }
    return duration;
  }

  /** Writes a duration in the form {@link #parse} reads, with the largest exact unit; sub-millisecond parts are dropped. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 3_600_000 == 0 && millis != 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis != 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
