package dev.custos.audit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw texts of some members of a JSON object, found by one pass over the text without building values: how a
 * verifier checks a stored row's query columns against its payload quickly. Answers null whenever the text is not
 * plainly an object it can walk (an escaped key, a wanted key twice, broken text), and the caller then parses it.
 */
final class TopLevelMembers {

  private final String text;
  private int at;

  private TopLevelMembers(String text) {
    this.text = text;
  }

  /** The raw value text of each of {@code wanted} present at the top level of the object {@code json}, or null. */
  static Map<String, String> of(String json, List<String> wanted) {
    try {
      return new TopLevelMembers(json).members(wanted);
    } catch (IndexOutOfBoundsException broken) {
      return null;
    }
  }

  private Map<String, String> members(List<String> wanted) {
    Map<String, String> found = new HashMap<>(8);
    space();
    if (text.charAt(at++) != '{') {
      return null;
    }
    space();
    if (text.charAt(at) == '}') {
      return found;
    }
    while (true) {
      space();
      if (text.charAt(at) != '"') {
        return null;
      }
      int keyStart = ++at;
      while (text.charAt(at) != '"') {
        if (text.charAt(at) == '\\') {
          return null; // an escaped key: let the parser decide what it says
        }
        at++;
      }
      String key = text.substring(keyStart, at++);
      space();
      if (text.charAt(at++) != ':') {
        return null;
      }
      space();
      int valueStart = at;
      skipValue();
      if (wanted.contains(key) && found.put(key, text.substring(valueStart, at)) != null) {
        return null;
      }
      space();
      char next = text.charAt(at++);
      if (next == '}') {
        space();
        return at == text.length() ? found : null;
      }
      if (next != ',') {
        return null;
      }
    }
  }

  /** Moves past one value: a string, an object or array (whatever nests inside), or a literal or number. */
  private void skipValue() {
    char first = text.charAt(at);
    if (first == '"') {
      skipString();
      return;
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      do {
        char c = text.charAt(at);
        if (c == '"') {
          skipString();
          continue;
        }
        if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
        }
        at++;
      } while (depth > 0);
      return;
    }
    while (at < text.length() && ",}] \t\n\r".indexOf(text.charAt(at)) < 0) {
      at++;
    }
  }

  private void skipString() {
    at++;
    while (text.charAt(at) != '"') {
      at += text.charAt(at) == '\\' ? 2 : 1;
    }
    at++;
  }

  private void space() {
    while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
  }
}
