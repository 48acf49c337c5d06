package dev.custos.policy;

/**
 * Decides what the organisation allows right now. The runtime asks it after the capability and ledger checks (both
 * must allow). Implementations are thread safe and fast: the gateway calls them on every call.
 */
public interface PolicyDecisionPoint {

  PolicyDecision decide(PolicyRequest request);
}
