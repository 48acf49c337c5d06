package dev.custos.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A test agent: its behaviour is a function of each event, and it records every event it was given. */
final class Script implements Agent {

  final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private final Function<AgentEvent, List<Action>> behaviour;
  private final boolean blocking;

  Script(Function<AgentEvent, List<Action>> behaviour, boolean blocking) {
    this.behaviour = behaviour;
    this.blocking = blocking;
  }

  Script(Function<AgentEvent, List<Action>> behaviour) {
    this(behaviour, false);
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    events.add(event);
    return behaviour.apply(event);
  }

  @Override
  public boolean blocking() {
    return blocking;
  }

  <T extends AgentEvent> List<T> eventsOf(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
