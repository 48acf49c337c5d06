package dev.custos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON-like values: {@code null}, {@link String}, {@link Boolean}, {@link Long}, {@link Double}, {@link List} and
 * {@link Map} with {@link String} keys, nested. {@link #copy} makes an immutable deep copy, which is how data crosses a
 * trust boundary (a brief into a child, arguments into a tool, a report up to a parent): nothing shared, nothing
 * mutable, no object of a type the receiver did not expect. Maps are copied sorted by key, so equal values print alike.
 */
public final class JsonValues {

  /** Deepest nesting accepted: a brief is a description, not a data structure. */
  public static final int MAX_DEPTH = 32;

  private JsonValues() {}

  /**
   * An immutable deep copy; integers become {@link Long}, other numbers {@link Double}.
   *
   * @throws IllegalArgumentException for any other type, a non-text key, a non-finite number, or nesting deeper than
   *     {@link #MAX_DEPTH}; the message says where ({@code facts.hosts[2]})
   */
  public static Object copy(Object value) {
    return copy(value, "value", 0);
  }

  /** {@link #copy} of a map with text keys. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> copyMap(Map<String, ?> map) {
    return (Map<String, Object>) copy(map, "value", 0);
  }

  private static Object copy(Object value, String where, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(where + ": nested deeper than " + MAX_DEPTH);
    }
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException(where + ": " + d + " is not a JSON number");
      }
      return d;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(copy(list.get(i), where + "[" + i + "]", depth + 1));
      }
      return Collections.unmodifiableList(out);
    }
    if (value instanceof Map<?, ?> map) {
      TreeMap<String, Object> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(where + ": keys must be text, got " + typeName(e.getKey()));
        }
        out.put(key, copy(e.getValue(), where + "." + key, depth + 1));
      }
      return Collections.unmodifiableSortedMap(out);
    }
    throw new IllegalArgumentException(where + ": " + typeName(value) + " is not a JSON-like value");
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
