package dev.custos.agent;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The only context an agent gets: an objective and named facts, written by its parent (or the mission, for the root).
 * Immutable and deep-copied, so nothing of the writer's memory is reachable from it.
 *
 * @param objective what the agent is to achieve, in words
 * @param facts by name, sorted
 */
public record MissionBrief(String objective, Map<String, Fact> facts) {

  public MissionBrief {
    Objects.requireNonNull(objective, "objective");
    // Sorted and unmodifiable, not Map.copyOf: its iteration order changes from one JVM to the next, and a
    // simulation must see the same order every run.
    facts = Collections.unmodifiableSortedMap(new TreeMap<>(facts));
  }

  public static MissionBrief of(String objective) {
    return new MissionBrief(objective, Map.of());
  }

  /** The value of a fact, or null when there is none. */
  public Object fact(String name) {
    Fact fact = facts.get(name);
    return fact == null ? null : fact.value();
  }
}
