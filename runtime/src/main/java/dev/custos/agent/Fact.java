package dev.custos.agent;

import dev.custos.JsonValues;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * One fact of a {@link MissionBrief}: a JSON-like value (deep-copied, immutable) and labels. A fact labelled
 * {@link #SECRET} never crosses a delegation unless policy allows it.
 *
 * @param value null, text, boolean, number, list or map of those
 * @param labels such as {@code secret}
 */
public record Fact(Object value, Set<String> labels) {

  public static final String SECRET = "secret";

  public Fact {
    value = JsonValues.copy(value);
    labels = Collections.unmodifiableSortedSet(new TreeSet<>(labels)); // a stable order, unlike Set.copyOf
  }

  public static Fact of(Object value) {
    return new Fact(value, Set.of());
  }

  public static Fact secret(Object value) {
    return new Fact(value, Set.of(SECRET));
  }

  public boolean isSecret() {
    return labels.contains(SECRET);
  }
}
