package dev.custos.agents;

import dev.custos.BadInputException;
import dev.custos.Durations;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Pattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reading the JSON-like values agents are given (brief facts, tool results, child reports) without trusting their shape:
 * a value of the wrong type reads as absent, never as an exception that would fail the agent.
 */
final class Values {

  private Values() {}

  /** The strings of a list (other items skipped), or a single string as a list of one; empty otherwise. */
  static List<String> strings(Object value) {
    if (value instanceof String text) {
      return List.of(text);
    }
    List<String> out = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof String text) {
          out.add(text);
        }
      }
    }
    return out;
  }

  /** The maps of a list with text keys (other items skipped). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object value) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> map) {
          out.add((Map<String, Object>) map);
        }
      }
    }
    return out;
  }

  /** The entries of a map whose values are numbers, sorted by key. */
  static Map<String, Double> numbers(Object value) {
    Map<String, Double> out = new TreeMap<>();
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        if (k instanceof String key && v instanceof Number number) {
          out.put(key, number.doubleValue());
        }
      });
    }
    return out;
  }

  /** The entry {@code key} of a map, or null. */
  static Object get(Object map, String key) {
    return map instanceof Map<?, ?> m ? m.get(key) : null;
  }

  /** A text value, or {@code fallback}. */
  static String text(Object value, String fallback) {
    return value instanceof String text ? text : fallback;
  }

  /** A whole number, or {@code fallback}. */
  static int integer(Object value, int fallback) {
    return value instanceof Number number ? number.intValue() : fallback;
  }

  /** A brief's duration fact written as Custos files write durations ({@code 30s}), or {@code fallback}. */
  static Duration duration(MissionBrief brief, String fact, Duration fallback) {
    if (brief.fact(fact) instanceof String text) {
      try {
        Duration duration = Durations.parse(text);
        return duration.isZero() ? fallback : duration;
      } catch (BadInputException e) {
        return fallback;
      }
    }
    return fallback;
  }

  /**
   * {@code name} when it is one literal resource name of the given kind ({@code host:corp/fin-ws-01} for {@code host:}).
   * Names come from alerts and reports, which an attacker can write: a name with a wildcard would widen every grant
   * built from it ({@code host:corp/*} is every corporate host), so it is refused, as is anything that does not parse.
   */
  static Optional<String> resourceName(String name, String kind) {
    if (name == null || !name.startsWith(kind) || name.length() == kind.length()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pattern.literal(name).text());
    } catch (BadInputException e) {
      return Optional.empty();
    }
  }
}
