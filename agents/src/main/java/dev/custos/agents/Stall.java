package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import java.time.Duration;
import java.util.List;

/**
 * Adversarial behaviour {@code stall}: never completes. It answers nothing but its own hour-long timers, so only its
 * deadline ends it: the test of deadlines, and of a parent that must go on without this child's report.
 */
public final class Stall implements Agent {

  private static final Duration NAP = Duration.ofHours(1);

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted || event instanceof AgentEvent.TimerFired) {
      return List.of(new Action.StartTimer("nap", NAP));
    }
    return List.of();
  }
}
