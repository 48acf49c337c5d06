package dev.custos.agent;

import java.util.List;

/**
 * An agent's brain: it receives {@link AgentEvent}s and answers with {@link Action}s. It never sees actors, keys,
 * credentials or tools, only events and actions; the runtime checks each action against the agent's grant and bounds.
 *
 * <p>The runtime calls {@link #onEvent} for one event at a time, never concurrently, so an implementation may keep
 * plain mutable state. A {@link #blocking()} agent (one that calls a language model, say) runs on an executor the
 * runtime is given, off the actor thread; the agent stays haltable while it runs, and what it answers after a halt is
 * discarded. An exception thrown from {@code onEvent} fails the agent (audited, its parent told); the rest goes on.
 */
public interface Agent {

  /** The actions this event calls for, in order; empty to wait for the next event. */
  List<Action> onEvent(AgentEvent event);

  /** Whether {@link #onEvent} may block; such agents run off the actor thread. Defaults to true, the safe side. */
  default boolean blocking() {
    return true;
  }
}
