package dev.custos.capability;

import java.time.Instant;
import java.util.Objects;

/**
 * The limits of a grant besides its capabilities.
 *
 * @param budget cost units the agent and its subtree may spend, at least 0; carved out of the parent's
 * @param deadline the absolute (possibly virtual) time at which the agent is halted
 * @param maxDepth how many levels of delegation may still hang below this agent; 0 means it may not delegate
 * @param maxChildren how many children the agent may have alive at once
 * @param maxSubtreeAgents how many agents its subtree may hold at once, itself included, at least 1; carved out
 * @param rate how fast the agent itself may act
 * @param maxStrikes denials it may collect before it is halted, at least 1
 */
public record Bounds(
    long budget, Instant deadline, int maxDepth, int maxChildren, int maxSubtreeAgents, Rate rate, int maxStrikes) {

  public Bounds {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(rate, "rate");
    require(budget >= 0, "budget must not be negative, got " + budget);
    require(maxDepth >= 0, "maxDepth must not be negative, got " + maxDepth);
    require(maxChildren >= 0, "maxChildren must not be negative, got " + maxChildren);
    require(maxSubtreeAgents >= 1, "maxSubtreeAgents counts the agent itself, so it is at least 1, got " + maxSubtreeAgents);
    require(maxStrikes >= 1, "maxStrikes must be at least 1, got " + maxStrikes);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
