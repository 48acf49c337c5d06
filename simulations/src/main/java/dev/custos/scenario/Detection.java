package dev.custos.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * How the environment notices the attacker: each step that happens raises a SIEM alert with {@code probability}, {@code
 * delay} later; {@code edr.scan} reports a compromise with the same probability.
 *
 * @param probability in [0, 1]
 * @param delay not negative
 */
public record Detection(double probability, Duration delay) {

  /** When a scenario says nothing: every step is seen, at once. */
  public static final Detection DEFAULT = new Detection(1.0, Duration.ZERO);

  public Detection {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("a detection probability is from 0 to 1, got " + probability);
    }
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("a detection delay may not be negative, got " + delay);
    }
  }
}
