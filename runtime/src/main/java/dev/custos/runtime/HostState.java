package dev.custos.runtime;

import dev.custos.identity.AgentId;
import java.util.List;

/** What an agent host reports of its ledger and strikes, for snapshots: counts only, never grants' secrets. */
record HostState(AgentId agent, long budgetUsed, long budgetReserved, long budgetLeft, List<Integer> callsUsed,
    int strikes, int activeCredentials) {

  HostState {
    callsUsed = List.copyOf(callsUsed);
  }
}
