package dev.custos.approval;

import dev.custos.JsonValues;
import dev.custos.agent.AgentInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An action waiting for a person: the canonical action (never the agent's own prose), the rules that asked, when it
 * was asked and when it expires.
 *
 * @param id unique in the runtime
 * @param agent who asks
 * @param action the tool, or {@code delegate:<role>}
 * @param resource the resource, or the child's agent type
 * @param arguments deep-copied
 * @param ruleIds the policy rules that asked for approval
 * @param reason the rules' message
 */
public record ApprovalRequest(String id, AgentInfo agent, String action, String resource, Map<String, Object> arguments,
    List<String> ruleIds, String reason, Instant requestedAt, Instant expiresAt) {

  public ApprovalRequest {
    arguments = JsonValues.copyMap(arguments);
    ruleIds = List.copyOf(ruleIds);
  }
}
