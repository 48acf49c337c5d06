package dev.custos.tool;

import dev.custos.JsonValues;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.util.Map;

/**
 * One mediated call as the tool receives it, after every check passed.
 *
 * @param callId unique within the runtime ({@code a3/c7})
 * @param tool the tool's name
 * @param resource the resource acted on
 * @param arguments deep-copied JSON-like arguments
 * @param agent who calls
 * @param caller the caller's workload identity, as a transport would have authenticated it
 */
public record ToolCall(
    String callId, String tool, String resource, Map<String, Object> arguments, AgentId agent, SpiffeId caller) {

  public ToolCall {
    arguments = JsonValues.copyMap(arguments);
  }
}
