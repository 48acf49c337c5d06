package dev.custos.capability;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What an agent may do with one tool: the tool pattern, the resources it may touch, how many calls, and whether each
 * call needs a person's approval.
 *
 * @param tool a tool pattern ({@code host.isolate}, {@code siem.*}, {@code *})
 * @param resources at least one resource pattern ({@code host:corp/*}, {@code host:**})
 * @param maxCalls at most this many calls, at least 1; empty means no limit of its own
 * @param requiresApproval every call waits for a person's approval
 */
public record Capability(Pattern tool, List<Pattern> resources, OptionalInt maxCalls, boolean requiresApproval) {

  public Capability {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(maxCalls, "maxCalls");
    resources = List.copyOf(resources);
    if (resources.isEmpty()) {
      throw new IllegalArgumentException("capability " + tool + " names no resource: it would cover nothing");
    }
    if (maxCalls.isPresent() && maxCalls.getAsInt() < 1) {
      throw new IllegalArgumentException("capability " + tool + ": maxCalls must be at least 1, got " + maxCalls.getAsInt());
    }
  }

  /** Parses the patterns; a convenience for code and tests. */
  public static Capability of(String tool, List<String> resources, OptionalInt maxCalls, boolean requiresApproval) {
    return new Capability(Pattern.parse(tool), resources.stream().map(Pattern::parse).toList(), maxCalls, requiresApproval);
  }

  /** An unlimited capability without approval over the given resources. */
  public static Capability of(String tool, String... resources) {
    return of(tool, List.of(resources), OptionalInt.empty(), false);
  }

  /** Whether a call of {@code toolName} on {@code resourceName} falls within this capability (limits aside). */
  public boolean covers(String toolName, String resourceName) {
    if (!tool.matches(toolName)) {
      return false;
    }
    for (Pattern resource : resources) {
      if (resource.matches(resourceName)) {
        return true;
      }
    }
    return false;
  }

  /** The first of this capability's resource patterns that contains {@code resource}, or -1. */
  int resourceContaining(Pattern resource) {
    for (int i = 0; i < resources.size(); i++) {
      if (resources.get(i).contains(resource)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return tool + " on " + resources
        + (maxCalls.isPresent() ? " x" + maxCalls.getAsInt() : "")
        + (requiresApproval ? " (approval)" : "");
  }
}
