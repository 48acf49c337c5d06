package dev.custos;

import java.util.Objects;

/**
 * Text from outside (a pattern, a duration, a rate, a SPIFFE ID, a file) that does not parse.
 *
 * <p>The message quotes the input and says what is wrong and where, so a user can fix it without reading code:
 * {@code "host:**}{@code /x": '**' may only end a pattern (at 5)}. Thrown by the {@code parse} methods of Custos' value
 * types; callers that read files add the file and line around it.
 */
public final class BadInputException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String input;
  private final int position;
  private final String problem;

  /**
   * @param input the offending text, quoted in the message (may be empty, never null)
   * @param position the index in {@code input} where the problem is, or -1 when it concerns the whole input
   * @param problem what is wrong, in a few words
   */
  public BadInputException(String input, int position, String problem) {
    super(format(input, position, problem));
    this.input = Objects.requireNonNull(input, "input");
    this.position = position;
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  /** Whole-input problem: no position. */
  public BadInputException(String input, String problem) {
    this(input, -1, problem);
  }

  public String input() {
    return input;
  }

  /** Index into {@link #input()}, or -1. */
  public int position() {
    return position;
  }

  public String problem() {
    return problem;
  }

  private static String format(String input, int position, String problem) {
    String quoted = quote(input);
    return position < 0 ? quoted + ": " + problem : quoted + ": " + problem + " (at " + position + ")";
  }

  /** Quotes text for a message, escaping what would make the message ambiguous and cutting very long input. */
  static String quote(String text) {
    if (text == null) {
      return "null";
    }
    String cut = text.length() > 200 ? text.substring(0, 200) + "…" : text;
    StringBuilder out = new StringBuilder(cut.length() + 2).append('"');
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
