package dev.custos;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * JSON-like values: {@code null}, {@link String}, {@link Boolean}, {@link Long}, {@link Double}, {@link List} and
 * {@link Map} with {@link String} keys, nested. {@link #copy} makes an immutable deep copy, which is how data crosses a
 * trust boundary (a brief into a child, arguments into a tool, a report up to a parent): nothing shared, nothing
 * mutable, no object of a type the receiver did not expect. Maps are copied sorted by key, so equal values print alike.
 * A value this class already copied is deeply immutable, so copying it again returns it as it is.
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

  /**
   * Whether {@code map} is a copy this class made: its keys are distinct text sorted by {@link String#compareTo}, so a
   * writer of canonical JSON may take it in the order it iterates.
   */
  public static boolean isSortedCopy(Map<?, ?> map) {
    return map instanceof FrozenMap;
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
    if (value instanceof FrozenList || value instanceof FrozenMap) {
      return value;
    }
    if (value instanceof List<?> list) {
      Object[] out = new Object[list.size()];
      int i = 0;
      for (Object item : list) {
        out[i] = copy(item, where + "[" + i + "]", depth + 1);
        i++;
      }
      return new FrozenList(out);
    }
    if (value instanceof Map<?, ?> map) {
      TreeMap<String, Object> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(where + ": keys must be text, got " + typeName(e.getKey()));
        }
        out.put(key, copy(e.getValue(), where + "." + key, depth + 1));
      }
      return new FrozenMap(Collections.unmodifiableSortedMap(out));
    }
    throw new IllegalArgumentException(where + ": " + typeName(value) + " is not a JSON-like value");
  }

  /** A list only {@link #copy} makes, of values it copied: immutable all the way down. */
  private static final class FrozenList extends AbstractList<Object> implements RandomAccess {
    private final Object[] items;

    FrozenList(Object[] items) {
      this.items = items;
    }

    @Override
    public Object get(int index) {
      return items[index];
    }

    @Override
    public int size() {
      return items.length;
    }
  }

  /** A map only {@link #copy} makes, sorted by key, of values it copied: immutable all the way down. */
  private static final class FrozenMap extends AbstractMap<String, Object> {
    private final SortedMap<String, Object> entries;

    FrozenMap(SortedMap<String, Object> entries) {
      this.entries = entries;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
      return entries.entrySet();
    }

    @Override
    public Object get(Object key) {
      return entries.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return entries.containsKey(key);
    }

    @Override
    public int size() {
      return entries.size();
    }
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
