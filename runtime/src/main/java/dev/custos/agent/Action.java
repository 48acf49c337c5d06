package dev.custos.agent;

import dev.custos.JsonValues;
import dev.custos.capability.GrantRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** What an agent asks the runtime to do. The runtime checks every action against the agent's bounds first. */
public sealed interface Action {

  /**
   * Call a tool on a resource. {@code callId} is the agent's own name for the call, echoed in the result; it must be
   * unique among the agent's calls in flight.
   */
  record CallTool(String callId, String tool, String resource, Map<String, Object> arguments) implements Action {
    public CallTool {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(tool, "tool");
      Objects.requireNonNull(resource, "resource");
      arguments = JsonValues.copyMap(arguments);
    }

    public CallTool(String callId, String tool, String resource) {
      this(callId, tool, resource, Map.of());
    }
  }

  /**
   * Delegate part of the mission to a new child of {@code agentType}, named {@code role}, with {@code brief} as its only
   * context and {@code grant} as what it asks for (its deadline absolute, in the runtime's time).
   */
  record Delegate(String role, String agentType, MissionBrief brief, GrantRequest grant) implements Action {
    public Delegate {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(agentType, "agentType");
      Objects.requireNonNull(brief, "brief");
      Objects.requireNonNull(grant, "grant");
    }
  }

  /** Deliver {@link AgentEvent.TimerFired} with {@code key} after {@code delay}; the same key replaces a pending timer. */
  record StartTimer(String key, Duration delay) implements Action {
    public StartTimer {
      Objects.requireNonNull(key, "key");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("a timer cannot fire in the past: " + delay);
      }
    }
  }

  /** The mission part is done; {@code report} goes to the parent. */
  record Complete(Map<String, Object> report) implements Action {
    public Complete {
      report = JsonValues.copyMap(report);
    }
  }

  /** The agent gives up. */
  record Fail(String reason) implements Action {
    public Fail {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
