package dev.custos.runtime;

import dev.custos.identity.MissionId;
import java.time.Instant;
import java.util.List;

/** An immutable view of a mission's delegation tree: every agent it ever had, in the order they started. */
public record MissionSnapshot(MissionId mission, Instant at, AgentStatus status, List<AgentSnapshot> agents) {

  public MissionSnapshot {
    agents = List.copyOf(agents);
  }
}
