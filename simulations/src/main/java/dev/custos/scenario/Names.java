package dev.custos.scenario;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The syntax of names in scenarios (ids, zones, roles), and "did you mean" hints for names that are almost known. */
final class Names {

  /** A name: 1 to 64 of {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit, so never "." or "..". */
  static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** What {@link #NAME} allows, for messages. */
  static final String NAME_RULE = "letters, digits, '.', '_', '-'; at most 64, starting with a letter or digit";

  private static final int SHOWN_CHARACTERS = 60;
  private static final int MAX_NAME_LENGTH = 64;

  private Names() {}

  static boolean isName(String text) {
    return NAME.matcher(text).matches();
  }

  /**
   * Checks a name for a record's constructor.
   *
   * @throws IllegalArgumentException naming {@code what} when {@code text} is not a {@link #NAME}
   */
  static String requireName(String text, String what) {
    if (text == null || !isName(text)) {
      throw new IllegalArgumentException(what + " must be a name (" + NAME_RULE + "), got " + quote(text));
    }
    return text;
  }

  /**
   * The one known name closest to {@code given}, when it is close: equal but for case, or within one edit (two for
   * names of more than six characters). Empty when none is that close, or when two are equally close.
   */
  static Optional<String> closest(String given, Collection<String> known) {
    if (given.length() > MAX_NAME_LENGTH) {
      return Optional.empty(); // far from any name, and not worth the quadratic distance
    }
    String lower = given.toLowerCase(Locale.ROOT);
    int limit = given.length() > 6 ? 2 : 1;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    boolean tie = false;
    for (String name : known) {
      int distance = distance(lower, name.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = name;
        bestDistance = distance;
        tie = false;
      } else if (distance == bestDistance) {
        tie = true;
      }
    }
    return best != null && bestDistance <= limit && !tie ? Optional.of(best) : Optional.empty();
  }

  /** {@code " (did you mean 'x'?)"} when a known name is close to {@code given}, else nothing. */
  static String hint(String given, Collection<String> known) {
    return closest(given, known).map(name -> " (did you mean '" + name + "'?)").orElse("");
  }

  /** Quotes text from a file for a one-line message: control characters escaped, long text cut. */
  static String quote(String text) {
    if (text == null) {
      return "nothing";
    }
    String cut = text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) : text;
    StringBuilder out = new StringBuilder(cut.length() + 3).append('\'');
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (c == '\'' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (cut.length() < text.length()) {
      out.append('…');
    }
    return out.append('\'').toString();
  }

  /** Edit distance counting a swap of neighbours as one edit (optimal string alignment), on two short names. */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
