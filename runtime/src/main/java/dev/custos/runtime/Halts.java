package dev.custos.runtime;

import dev.custos.identity.AgentId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents whose subtrees the supervisor has halted, visible to every host at once: a host checks its lineage here
 * before each action, event and effect, so nothing of a halted subtree runs after the halt is decided, even in a turn
 * that was under way when the supervisor decided it (the {@link AgentHost.Halt} message itself comes later). Thread
 * safe; one entry per halted subtree root.
 */
final class Halts {

  private final Set<AgentId> roots = ConcurrentHashMap.newKeySet();

  void add(AgentId subtreeRoot) {
    roots.add(subtreeRoot);
  }

  /** Whether the agent at the end of {@code lineage}, or any of its ancestors, was halted. */
  boolean covers(List<AgentId> lineage) {
    if (roots.isEmpty()) {
      return false;
    }
    for (AgentId agent : lineage) {
      if (roots.contains(agent)) {
        return true;
      }
    }
    return false;
  }
}
