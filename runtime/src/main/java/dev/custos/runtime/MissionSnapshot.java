package dev.custos.runtime;

import dev.custos.identity.MissionId;
import java.time.Instant;
import java.util.List;

/** An immutable view of a mission's delegation tree: every agent it ever had, in the order they started. */
public record MissionSnapshot(MissionId mission, Instant at, AgentStatus status, List<AgentSnapshot> agents) {

  public MissionSnapshot {
    agents = List.copyOf(agents);
  }

  /**
   * The agents a scenario names by {@code roleOrPath}: every agent with that role, or the one with that path, in the
   * order they started, whatever their status (filter on {@link AgentSnapshot#status()} for the live ones).
   */
  public List<AgentSnapshot> named(String roleOrPath) {
    return agents.stream().filter(a -> a.role().equals(roleOrPath) || a.path().equals(roleOrPath)).toList();
  }
}
