package dev.custos.scenario;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the simulation's approver answers every approval request: after {@code delay}, with {@code decision}; a decision
 * of {@link Decision#NONE} never answers, so the request times out (after the supervisor's {@code approvalTimeout}) and
 * is denied.
 *
 * @param decision the answer
 * @param delay how long the approver takes; not negative; 0s unless stated
 */
public record Approvals(Decision decision, Duration delay) {

  /** When a scenario says nothing: nobody answers, so every request times out. */
  public static final Approvals NONE = new Approvals(Decision.NONE, Duration.ZERO);

  /** The approver's answer. */
  public enum Decision {
    APPROVE("approve"),
    DENY("deny"),
    /** Never answered: the request times out. */
    NONE("none");

    private final String text;

    Decision(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    public static List<String> names() {
      return Arrays.stream(values()).map(Decision::text).toList();
    }

    public static Optional<Decision> named(String text) {
      return Arrays.stream(values()).filter(d -> d.text.equals(text)).findFirst();
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public Approvals {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("an approval delay may not be negative, got " + delay);
    }
  }
}
