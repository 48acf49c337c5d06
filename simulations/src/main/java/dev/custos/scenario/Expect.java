package dev.custos.scenario;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a run must show, checked after it; any miss makes the verdict "fail". Each expectation is optional: an empty
 * one is not checked. Guarantees: {@code maxAttackerSteps} not negative, and no agent reference both in {@code halted}
 * and in {@code notHalted}.
 *
 * @param contained whether the attacker must end contained (true) or not (false)
 * @param maxAttackerSteps at most this many attacker steps may happen
 * @param halted roles or paths whose every matching agent must end halted
 * @param notHalted roles or paths whose every matching agent must not end halted
 */
public record Expect(Optional<Boolean> contained, OptionalInt maxAttackerSteps, List<AgentRef> halted,
    List<AgentRef> notHalted) {

  /** When a scenario says nothing: no expectation, so every run passes. */
  public static final Expect NONE = new Expect(Optional.empty(), OptionalInt.empty(), List.of(), List.of());

  public Expect {
    Objects.requireNonNull(contained, "contained");
    Objects.requireNonNull(maxAttackerSteps, "maxAttackerSteps");
    halted = List.copyOf(halted);
    notHalted = List.copyOf(notHalted);
    if (maxAttackerSteps.isPresent() && maxAttackerSteps.getAsInt() < 0) {
      throw new IllegalArgumentException("maxAttackerSteps may not be negative, got " + maxAttackerSteps.getAsInt());
    }
    for (AgentRef ref : halted) {
      if (notHalted.contains(ref)) {
        throw new IllegalArgumentException(ref + " is expected both halted and not halted");
      }
    }
  }
}
