package dev.custos.runtime;

import dev.custos.identity.AgentId;
import java.util.List;

/**
 * What an agent host reports of its ledger and strikes, for snapshots: counts only, never grants' secrets.
 * {@code ownBudgetUsed} and {@code ownCallsUsed} are the agent's own spending, without its ended children's.
 */
record HostState(AgentId agent, long budgetUsed, long budgetReserved, long budgetLeft, List<Integer> callsUsed,
    long ownBudgetUsed, List<Integer> ownCallsUsed, int strikes, int activeCredentials) {

  HostState {
    callsUsed = List.copyOf(callsUsed);
    ownCallsUsed = List.copyOf(ownCallsUsed);
  }
}
