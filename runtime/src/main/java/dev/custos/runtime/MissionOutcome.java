package dev.custos.runtime;

import dev.custos.JsonValues;
import dev.custos.identity.MissionId;
import java.time.Instant;
import java.util.Map;

/**
 * How a mission ended: its root agent's status, its report (when it completed) or the reason (when it failed or was
 * halted).
 */
public record MissionOutcome(MissionId mission, AgentStatus status, Map<String, Object> report, String reason,
    Instant endedAt) {

  public MissionOutcome {
    report = JsonValues.copyMap(report);
  }
}
