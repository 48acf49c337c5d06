package dev.custos.capability;

import java.util.List;

/** The outcome of {@link Attenuation#decide}: exactly one of {@link Granted} or {@link Refused}. */
public sealed interface DelegationResult {

  /**
   * The request is within what the parent has left. {@code grant} holds exactly what was requested, never a silently
   * narrowed version; {@code reservation} is what {@link Ledger#reserve} must carve out of the parent's ledger.
   */
  record Granted(Grant grant, Reservation reservation, Grant parent) implements DelegationResult {}

  /** The request widens what the parent has left; {@code reasons} lists every check that failed, never empty. */
  record Refused(List<Reason> reasons) implements DelegationResult {
    public Refused {
      reasons = List.copyOf(reasons);
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a refusal names at least one reason");
      }
    }
  }
}
