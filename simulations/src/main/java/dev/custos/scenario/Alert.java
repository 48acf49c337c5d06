package dev.custos.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An extra SIEM alert the scenario raises, whatever the attacker does; its text may carry injected instructions.
 *
 * @param at when, from the start of the run; not negative (before the run's end: the {@link Scenario}'s guarantee)
 * @param host the host it is about, a declared host; none unless stated
 * @param text what it says
 */
public record Alert(Duration at, Optional<String> host, String text) {

  public Alert {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(text, "text");
    if (at.isNegative()) {
      throw new IllegalArgumentException("an alert's at may not be negative, got " + at);
    }
    host.ifPresent(id -> Names.requireName(id, "an alert's host"));
  }
}
