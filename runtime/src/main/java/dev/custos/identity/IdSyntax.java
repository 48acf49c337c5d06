package dev.custos.identity;

import dev.custos.BadInputException;

/** The character rules shared by Custos identifiers and SPIFFE ID path segments. */
final class IdSyntax {

  /** Longest {@link MissionId} or {@link AgentId}. */
  static final int MAX_NAME_LENGTH = 64;

  static final String SEGMENT_CHARS = "A-Z, a-z, 0-9, '.', '-', '_'";

  private IdSyntax() {}

  /** A character of a SPIFFE path segment, and of a mission or agent id. */
  static boolean isSegmentChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '-' || c == '_';
  }

  /** A character of a SPIFFE trust domain: like a segment character, but lowercase only. */
  static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  /** Checks a mission or agent id; {@code kind} names it in the message ("mission id"). */
  static String checkName(String value, String kind) {
    if (value == null) {
      throw new BadInputException("", "no " + kind + " (null)");
    }
    if (value.isEmpty()) {
      throw new BadInputException(value, kind + " is empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!isSegmentChar(c)) {
        throw new BadInputException(value, i,
            describe(c) + " is not allowed in a " + kind + " (only " + SEGMENT_CHARS + ")");
      }
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw new BadInputException(value, MAX_NAME_LENGTH, kind + " is longer than " + MAX_NAME_LENGTH + " characters");
    }
    if (isDotSegment(value, 0, value.length())) {
      throw new BadInputException(value, 0, kind + " may not be '.' or '..'");
    }
    return value;
  }

  /** Whether {@code text[start, end)} is "." or "..", which mean "here" and "up" in a path and so name nothing. */
  static boolean isDotSegment(String text, int start, int end) {
    int length = end - start;
    return (length == 1 && text.charAt(start) == '.') || (length == 2 && text.startsWith("..", start));
  }

  /** Names a character so a message stays readable when it is invisible or not ASCII. */
  static String describe(char c) {
    if (c == ' ') {
      return "a space";
    }
    if (c < 0x20 || c == 0x7f) {
      return String.format("control character U+%04X", (int) c);
    }
    if (c > 0x7e) {
      return String.format("non-ASCII character U+%04X", (int) c);
    }
    return "'" + c + "'";
  }
}
