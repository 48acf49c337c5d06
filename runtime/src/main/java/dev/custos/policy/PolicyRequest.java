package dev.custos.policy;

import dev.custos.JsonValues;
import dev.custos.agent.AgentInfo;
import dev.custos.capability.GrantRequest;
import dev.custos.tool.Risk;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a policy decides on: a tool call or a delegation, exactly one of the two.
 *
 * <p>{@code context} holds what the runtime knows of the situation, deep-copied: {@code time} (RFC 3339, the runtime's
 * clock), {@code approved} (true only when a person approved this exact action and the runtime asks again before it
 * runs it), and for a tool call {@code confidence} when the agent's call states one in its arguments.
 */
public sealed interface PolicyRequest {

  /** Who acts: for a delegation, the delegating agent. */
  AgentInfo agent();

  MissionInfo mission();

  Instant at();

  Map<String, Object> context();

  /** Whether a person approved this exact action ({@code context.approved}). */
  default boolean approved() {
    return Boolean.TRUE.equals(context().get("approved"));
  }

  /** An agent's call of a tool on a resource. */
  record ToolCall(AgentInfo agent, MissionInfo mission, Instant at, String tool, Risk risk, long cost, String resource,
      Map<String, Object> arguments, Map<String, Object> context) implements PolicyRequest {
    public ToolCall {
      arguments = JsonValues.copyMap(arguments);
      context = JsonValues.copyMap(context);
    }
  }

  /**
   * A delegation from {@code agent} to a new child.
   *
   * @param role the child's role ({@code containment})
   * @param agentType the child's agent type
   * @param briefLabels every label on a fact of the child's brief ({@code secret}...)
   */
  record Delegation(AgentInfo agent, MissionInfo mission, Instant at, String role, String agentType, GrantRequest grant,
      Set<String> briefLabels, Map<String, Object> context) implements PolicyRequest {
    public Delegation {
      briefLabels = Collections.unmodifiableSortedSet(new TreeSet<>(briefLabels));
      context = JsonValues.copyMap(context);
    }
  }
}
