package dev.custos.capability;

import dev.custos.BadInputException;
import java.util.SplittableRandom;

/**
 * The brute-force reference for patterns: each pattern becomes a {@link java.util.regex.Pattern} written straight from
 * the definition ({@code *} = {@code [^/]*}, a final {@code **} = {@code .*}, all else quoted), sharing no code with
 * {@link Pattern}.
 */
final class PatternReference {

  private final java.util.regex.Pattern regex;

  PatternReference(String pattern) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
        out.append(".*");
        i++;
      } else if (c == '*') {
        out.append("[^/]*");
      } else {
        out.append(java.util.regex.Pattern.quote(String.valueOf(c)));
      }
    }
    this.regex = java.util.regex.Pattern.compile(out.toString(), java.util.regex.Pattern.DOTALL);
  }

  boolean matches(String name) {
    return regex.matcher(name).matches();
  }

  /**
   * A random name {@code pattern} matches, built from the definition: each {@code *} becomes a run of up to
   * {@code maxRun} characters of {@code alphabet} (which holds no '/'), a final {@code **} such a run with '/' too.
   */
  static String sample(Pattern pattern, SplittableRandom random, String alphabet, int maxRun) {
    String text = pattern.text();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean globstar = c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*';
      if (c == '*') {
        String run = globstar ? alphabet + "/" : alphabet;
        for (int n = random.nextInt(maxRun + 1); n > 0; n--) {
          out.append(run.charAt(random.nextInt(run.length())));
        }
        i += globstar ? 1 : 0;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A random valid pattern of 1 to {@code maxLength} characters of {@code alphabet}, sometimes with a final {@code **}
   * when that keeps it within {@code maxTotal} characters.
   */
  static Pattern randomPattern(SplittableRandom random, String alphabet, int maxLength, int maxTotal) {
    while (true) {
      StringBuilder text = new StringBuilder();
      for (int n = 1 + random.nextInt(maxLength); n > 0; n--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (text.length() + 2 <= maxTotal && random.nextInt(4) == 0) {
        text.append("**");
      }
      try {
        return Pattern.parse(text.toString());
      } catch (BadInputException invalid) {
        // "**" in the middle: draw again
      }
    }
  }
}
