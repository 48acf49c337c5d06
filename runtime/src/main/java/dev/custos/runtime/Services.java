package dev.custos.runtime;

import dev.custos.agent.Agent;
import dev.custos.approval.ApprovalService;
import dev.custos.credential.CredentialBroker;
import dev.custos.identity.AgentId;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.tool.Tool;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every actor of one runtime shares: the registered tools and agent types, the policy, approval, credential and
 * audit services, the clock, the executor for blocking agent decisions, metrics, settings (the drain timeout, how many
 * calls one agent may have waiting for approval), and the random source agents' key pairs come from. Immutable apart
 * from the id counter; every service is thread safe.
 */
record Services(
    Map<String, Tool> tools,
    Map<String, Supplier<Agent>> agentTypes,
    PolicyDecisionPoint policy,
    ApprovalService approvals,
    CredentialBroker credentials,
    AuditWrites audit,
    Clock clock,
    Executor decisions,
    RuntimeMetrics metrics,
    String trustDomain,
    Duration drainTimeout,
    int maxPendingApprovals,
    AtomicLong agentIds,
    Halts halts,
    SecureRandom random) {

  Services {
    tools = Map.copyOf(tools);
    agentTypes = Map.copyOf(agentTypes);
  }

  /** A fresh agent id of this runtime: {@code a1}, {@code a2}, ... */
  AgentId nextAgentId() {
    return new AgentId("a" + agentIds.incrementAndGet());
  }
}
