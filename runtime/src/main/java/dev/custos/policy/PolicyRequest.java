package dev.custos.policy;

import dev.custos.JsonValues;
import dev.custos.agent.AgentInfo;
import dev.custos.capability.GrantRequest;
import dev.custos.tool.Risk;
import java.time.Instant;
import java.util.Map;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/** What a policy decides on: a tool call or a delegation, exactly one of the two. */
public sealed interface PolicyRequest {

  AgentInfo agent();

  String mission();

  Instant at();

  /**
   * An agent's call of a tool on a resource.
   *
   * @param context JSON-like facts about the situation (confidence, severity...), deep-copied
   */
  record ToolCall(AgentInfo agent, String mission, Instant at, String tool, Risk risk, long cost, String resource,
      Map<String, Object> context) implements PolicyRequest {
    public ToolCall {
      context = JsonValues.copyMap(context);
    }
  }

  /**
   * A delegation from {@code agent} to a new child.
   *
   * @param briefLabels every label on a fact of the child's brief ({@code secret}...)
   */
  record Delegation(AgentInfo agent, String mission, Instant at, String role, String agentType, GrantRequest grant,
      Set<String> briefLabels) implements PolicyRequest {
    public Delegation {
      briefLabels = Collections.unmodifiableSortedSet(new TreeSet<>(briefLabels));
    }
  }
}
