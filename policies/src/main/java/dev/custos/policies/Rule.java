package dev.custos.policies;

import dev.custos.capability.Pattern;
import dev.custos.files.Location;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rule of a pack, as written.
 *
 * @param id unique in the loaded set
 * @param effect what it does when it matches
 * @param tools the tool patterns it applies to; empty means every tool
 * @param when its CEL condition; empty means always
 * @param message why, for people: a forbid's reason, an approval request's reason text
 * @param releases fact labels ({@code secret}) a matching permit lets cross a delegation; permit rules only
 * @param location where the rule starts in its file
 */
public record Rule(String id, Effect effect, List<Pattern> tools, String when, String message, Set<String> releases,
    Location location) {

  public Rule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(effect, "effect");
    tools = List.copyOf(tools);
    Objects.requireNonNull(when, "when");
    Objects.requireNonNull(message, "message");
    releases = Collections.unmodifiableSortedSet(new TreeSet<>(releases));
    Objects.requireNonNull(location, "location");
    if (!releases.isEmpty() && effect != Effect.PERMIT) {
      throw new IllegalArgumentException("only a permit rule releases labels");
    }
  }

  /** Whether the rule applies to {@code tool} (before its condition is asked). */
  public boolean appliesTo(String tool) {
    if (tools.isEmpty()) {
      return true;
    }
    for (Pattern pattern : tools) {
      if (pattern.matches(tool)) {
        return true;
      }
    }
    return false;
  }
}
