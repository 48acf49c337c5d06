package dev.custos.audit;

import dev.custos.JsonValues;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON text of a JSON-like value: the same value always gives the same characters, on every JDK, so its
 * SHA-256 can be chained and checked later. The form follows RFC 8785 (JSON Canonicalization Scheme) with two stated
 * departures, for large integers and for broken text, which RFC 8785 does not admit:
 *
 * <ul>
 *   <li><b>Whitespace:</b> none outside strings.
 *   <li><b>Objects:</b> members sorted by key, comparing keys as sequences of UTF-16 code units ({@link
 *       String#compareTo}), as RFC 8785 does; so a key U+20AC sorts before a key U+1F600 (code units D83D DE00),
 *       which sorts before a key U+FB33, though U+FB33 is the lower code point. Keys must be {@link String}s and
 *       distinct.
 *   <li><b>Arrays:</b> in their order.
 *   <li><b>Strings:</b> minimal escaping. {@code "} and {@code \} are written {@code \"} and {@code \\}; U+0008,
 *       U+0009, U+000A, U+000C, U+000D as {@code \b \t \n \f \r}; the other characters below U+0020 as a
 *       backslash, {@code u} and four lowercase hex digits ({@code \}{@code u001f}). Everything else is written as
 *       itself ({@code /}, U+007F, U+2028, any non-ASCII text), except a <em>lone surrogate</em>, which is escaped the
 *       same way ({@code \}{@code ud800}) so that no two strings give the same UTF-8 bytes. (RFC 8785 rejects lone
 *       surrogates; an audit log must not lose a record because a tool's output was cut in the middle of a pair.)
 *   <li><b>Integers</b> ({@link Long}, and {@link Integer}, {@link Short}, {@link Byte}): plain decimal digits, with
 *       a leading {@code -} when negative, exact over the whole {@code long} range. (RFC 8785 would round beyond
 *       2<sup>53</sup>; a sequence number or a byte count must not be rounded.)
 *   <li><b>Doubles</b> ({@link Double}, and {@link Float} widened to double): ECMAScript's {@code Number.toString},
 *       as RFC 8785 requires: the shortest decimal that reads back as the same double (the nearest such; ties to an
 *       even last digit), in plain digits when the decimal exponent is from -7 to 20 ({@code 2.0} is {@code 2},
 *       {@code 1e20} is {@code 100000000000000000000}, {@code 1e-6} is {@code 0.000001}), otherwise as {@code
 *       d.ddde+N} or {@code d.ddde-N} ({@code 1e+21}, {@code 1e-7}); {@code -0.0} is {@code 0}. Computed here with
 *       exact {@link BigDecimal} arithmetic, not with {@link Double#toString}, whose digits changed between JDK 17 and
 *       JDK 19 (JDK-4511638) and would change stored hashes. NaN and infinities are rejected.
 *   <li><b>Literals:</b> {@code true}, {@code false}, {@code null}.
 * </ul>
 *
 * <p>So {@code 2L} and {@code 2.0} give the same text {@code 2}: JSON has one number type, and a record that went
 * through a JSON store and came back with {@code 2.0} read as {@code 2L} (or {@code 1e21} read as a double) still
 * hashes the same.
 *
 * <p>"JSON-like" means what {@link JsonValues#copy} accepts. Anything else (another {@link Number} type, a non-text
 * key, a non-finite number, nesting deeper than {@value #MAX_DEPTH}, which also stops cycles) is an {@link
 * IllegalArgumentException} whose message says where. Stateless and thread safe.
 */
public final class CanonicalJson {

  /**
   * Deepest nesting written: twice {@link JsonValues#MAX_DEPTH}, so any copied value fits inside a record's envelope;
   * its real job is to turn a cyclic list or map into an exception rather than a stack overflow.
   */
  public static final int MAX_DEPTH = 2 * JsonValues.MAX_DEPTH;

  /** Enough significant digits to identify any double (IEEE 754 binary64 needs at most 17). */
  private static final int MAX_DIGITS = 17;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private CanonicalJson() {}

  /**
   * The canonical JSON text of {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is not JSON-like; the message says where ({@code value.a[2]})
   */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, "value", 0);
    return out.toString();
  }

  /** Appends the canonical JSON text of {@code value} to {@code out}. */
  static void write(Object value, StringBuilder out) {
    write(value, out, "value", 0);
  }

  /**
   * The UTF-8 bytes of {@link #write}: the bytes that are hashed.
   *
   * @throws IllegalArgumentException if {@code value} is not JSON-like
   */
  public static byte[] utf8(Object value) {
    // write never leaves a lone surrogate in its output, so this encoding is lossless.
    return write(value).getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Object value, StringBuilder out, String where, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(where + ": nested deeper than " + MAX_DEPTH);
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      writeString(s, out);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      out.append(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException(where + ": " + d + " is not a JSON number");
      }
      out.append(number(d));
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(list.get(i), out, where + "[" + i + "]", depth + 1);
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> map) {
      writeObject(map, out, where, depth);
    } else {
      throw new IllegalArgumentException(where + ": " + value.getClass().getName() + " is not a JSON-like value");
    }
  }

  private static void writeObject(Map<?, ?> map, StringBuilder out, String where, int depth) {
    if (JsonValues.isSortedCopy(map)) {
      // Already sorted by String.compareTo, the canonical order, with distinct text keys: write it as it stands.
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString((String) e.getKey(), out);
        out.append(':');
        write(e.getValue(), out, where, depth + 1);
      }
      out.append('}');
      return;
    }
    List<Member> members = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        Object k = e.getKey();
        throw new IllegalArgumentException(
            where + ": keys must be text, got " + (k == null ? "null" : k.getClass().getName()));
      }
      members.add(new Member(key, e.getValue()));
    }
    // Sort here rather than trust the map's order: a TreeMap may carry another comparator.
    members.sort(Comparator.comparing(Member::key));
    out.append('{');
    for (int i = 0; i < members.size(); i++) {
      String key = members.get(i).key();
      if (i > 0) {
        if (key.equals(members.get(i - 1).key())) {
          // Only an identity-keyed map can hold two equal keys; its text would not be canonical.
          throw new IllegalArgumentException(where + ": duplicate key " + key);
        }
        out.append(',');
      }
      writeString(key, out);
      out.append(':');
      write(members.get(i).value(), out, where + "." + key, depth + 1);
    }
    out.append('}');
  }

  private record Member(String key, Object value) {}

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            unicodeEscape(c, out);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(c, out);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicodeEscape(char c, StringBuilder out) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xF])
        .append(HEX[(c >> 8) & 0xF])
        .append(HEX[(c >> 4) & 0xF])
        .append(HEX[c & 0xF]);
  }

  /**
   * ECMAScript {@code Number.toString} of a finite double (ECMA-262, Number::toString, radix 10).
   *
   * <p>Find the fewest significant digits k, and among k-digit decimals the one nearest the double's exact value, that
   * read back as the same double. For each k only the two k-digit decimals around the exact value (rounded down and
   * up) can qualify: any other one is farther away on the same side, and the set that reads back is an interval around
   * the value. {@link Double#parseDouble} rounds correctly, so "reads back" is exact.
   */
  static String number(double d) {
    if (d == 0) {
      return "0"; // both zeros
    }
    if (d < 0) {
      return "-" + number(-d);
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = null;
    for (int digits = 1; digits <= MAX_DIGITS && shortest == null; digits++) {
      BigDecimal down = exact.round(new MathContext(digits, RoundingMode.FLOOR));
      BigDecimal up = exact.round(new MathContext(digits, RoundingMode.CEILING));
      boolean downFits = Double.parseDouble(down.toString()) == d;
      boolean upFits = Double.parseDouble(up.toString()) == d;
      if (downFits && upFits) {
        int nearer = exact.subtract(down).compareTo(up.subtract(exact));
        if (nearer < 0) {
          shortest = down;
        } else if (nearer > 0) {
          shortest = up;
        } else {
          shortest = lastDigitEven(down) ? down : up;
        }
      } else if (downFits) {
        shortest = down;
      } else if (upFits) {
        shortest = up;
      }
    }
    if (shortest == null) {
      throw new AssertionError("no decimal of " + MAX_DIGITS + " digits reads back as " + d);
    }
    shortest = shortest.stripTrailingZeros();
    // value = s * 10^(n - k), s having k digits, as ECMA-262 names them.
    String s = shortest.unscaledValue().toString();
    int k = s.length();
    int n = k - shortest.scale();
    StringBuilder out = new StringBuilder(k + 8);
    if (k <= n && n <= 21) {
      out.append(s);
      out.append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      out.append(s, 0, n).append('.').append(s, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.").append("0".repeat(-n)).append(s);
    } else {
      out.append(s.charAt(0));
      if (k > 1) {
        out.append('.').append(s, 1, k);
      }
      out.append('e').append(n - 1 < 0 ? '-' : '+').append(Math.abs(n - 1));
    }
    return out.toString();
  }

  private static boolean lastDigitEven(BigDecimal decimal) {
    return !decimal.unscaledValue().testBit(0);
  }
}
