package dev.custos.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Agents whose brain is replaced mid-run: at {@code at}, the agents {@code agent} names that are alive then take on
 * {@code behaviour}; if none is, the first matching agent that starts later does.
 *
 * @param agent a role or a path
 * @param at from the start of the run; not negative (before the run's end: the {@link Scenario}'s guarantee)
 * @param behaviour what they do instead
 */
public record Compromise(AgentRef agent, Duration at, Behaviour behaviour) {

  public Compromise {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(behaviour, "behaviour");
    if (at.isNegative()) {
      throw new IllegalArgumentException("a compromise's at may not be negative, got " + at);
    }
  }
}
