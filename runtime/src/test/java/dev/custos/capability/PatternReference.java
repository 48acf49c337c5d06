package dev.custos.capability;

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
}
