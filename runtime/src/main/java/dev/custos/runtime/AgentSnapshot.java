package dev.custos.runtime;

import dev.custos.capability.GrantRequest;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.List;

/**
 * One agent as a snapshot shows it: never a key or a credential, only counts.
 *
 * @param parent null for the root
 * @param budgetUsed spent by the agent itself and by its ended children
 * @param budgetReserved carved out for its live children
 * @param callsUsed per capability of its grant, the agent's own calls and its ended children's
 * @param ownBudgetUsed spent by the agent's own calls only
 * @param ownCallsUsed per capability of its grant, the agent's own calls only
 * @param haltReason null unless halted
 * @param endedAt null while running
 */
public record AgentSnapshot(AgentId id, AgentId parent, String role, String path, String type, int depth,
    SpiffeId identity, GrantRequest grant, long budgetUsed, long budgetReserved, long budgetLeft, List<Integer> callsUsed,
    long ownBudgetUsed, List<Integer> ownCallsUsed, int strikes, AgentStatus status, String haltReason,
    int activeCredentials, List<AgentId> children, Instant startedAt, Instant endedAt) {

  public AgentSnapshot {
    callsUsed = List.copyOf(callsUsed);
    ownCallsUsed = List.copyOf(ownCallsUsed);
    children = List.copyOf(children);
  }
}
