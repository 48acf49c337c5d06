package dev.custos.agent;

import dev.custos.JsonValues;
import dev.custos.capability.GrantRequest;
import dev.custos.identity.AgentId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What happens to an agent. Each event carries {@code at}, the runtime's (possibly virtual) time when it was delivered:
 * the only clock an agent should read.
 */
public sealed interface AgentEvent {

  Instant at();

  /** The first event: the agent's brief, a read-only description of its grant, and who it is. */
  record MissionStarted(Instant at, MissionBrief brief, GrantRequest grant, AgentInfo self) implements AgentEvent {}

  /** A call the agent made finished (the tool ran). */
  record ToolResult(Instant at, String callId, String tool, String resource, ToolOutcome outcome) implements AgentEvent {}

  /** A call the agent made was denied before any effect: capability, budget, rate, policy, approval or audit. */
  record CallDenied(Instant at, String callId, String tool, String resource, List<String> reasons) implements AgentEvent {
    public CallDenied {
      reasons = List.copyOf(reasons);
    }
  }

  /** A person (or the simulation's approver) answered, or the request timed out, for a call waiting for approval. */
  record ApprovalResolved(Instant at, String callId, boolean approved, String detail) implements AgentEvent {}

  /** A child was spawned for a {@code Delegate} action. */
  record ChildStarted(Instant at, AgentId child, String role, String path) implements AgentEvent {}

  /** A {@code Delegate} action was refused; nothing was spawned. */
  record DelegationRefused(Instant at, String role, List<String> reasons) implements AgentEvent {
    public DelegationRefused {
      reasons = List.copyOf(reasons);
    }
  }

  /** A child completed with a report (deep-copied). */
  record ChildReported(Instant at, AgentId child, String role, Map<String, Object> report) implements AgentEvent {
    public ChildReported {
      report = JsonValues.copyMap(report);
    }
  }

  /** A child failed. */
  record ChildFailed(Instant at, AgentId child, String role, String reason) implements AgentEvent {}

  /** A child was halted, with its whole subtree. */
  record ChildHalted(Instant at, AgentId child, String role, String reason) implements AgentEvent {}

  /** A timer the agent started fired. */
  record TimerFired(Instant at, String key) implements AgentEvent {}
}
