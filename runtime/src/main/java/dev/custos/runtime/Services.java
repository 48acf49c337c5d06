package dev.custos.runtime;

import dev.custos.agent.Agent;
import dev.custos.approval.ApprovalService;
import dev.custos.credential.CredentialBroker;
import dev.custos.identity.AgentId;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.policy.PolicyRequest;
import dev.custos.tool.Tool;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

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

  /**
   * The policy's decision; a decision point that throws (or answers nothing) denies, as no policy would: default deny
   * holds even for a broken policy, and the host that asked goes on.
   */
  PolicyDecision decide(PolicyRequest request) {
    try {
      PolicyDecision decision = policy.decide(request);
      if (decision != null) {
        return decision;
      }
      return new PolicyDecision.Forbid(POLICY_FAILED, List.of(), "the policy decision point gave no decision");
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(Services.class).error("the policy decision point failed on {}: {}", request, e.toString());
      return new PolicyDecision.Forbid(POLICY_FAILED, List.of(),
          "the policy decision point failed: " + e.getMessage());
    }
  }

  /** The version a denial carries when the decision point itself failed. */
  static final String POLICY_FAILED = "policy-failed";

  /** A fresh agent id of this runtime: {@code a1}, {@code a2}, ... */
  AgentId nextAgentId() {
    return new AgentId("a" + agentIds.incrementAndGet());
  }
}
