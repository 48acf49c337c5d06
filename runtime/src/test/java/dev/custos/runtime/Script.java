package dev.custos.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.identity.AgentId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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

  /** The event that started this agent; it must have started. */
  AgentEvent.MissionStarted start() {
    return eventsOf(AgentEvent.MissionStarted.class).get(0);
  }

  /** This agent's id; it must have started. */
  AgentId id() {
    return start().self().id();
  }

  /** The first of {@code scripts} whose agent has started with {@code role}, if one has. */
  static Optional<Script> startedAs(List<Script> scripts, String role) {
    for (Script script : scripts) {
      List<AgentEvent.MissionStarted> started = script.eventsOf(AgentEvent.MissionStarted.class);
      if (!started.isEmpty() && started.get(0).self().role().equals(role)) {
        return Optional.of(script);
      }
    }
    return Optional.empty();
  }

  /** {@link #startedAs}, waiting up to {@code wait} for the agent to start. */
  static Script awaitStartedAs(List<Script> scripts, String role, Duration wait) {
    org.awaitility.Awaitility.await().atMost(wait).until(() -> startedAs(scripts, role).isPresent());
    return startedAs(scripts, role).orElseThrow();
  }
}
