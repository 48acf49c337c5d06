package dev.custos.capability;

import java.util.List;

/** The outcome of {@link Ledger#consume}: exactly one of {@link Charged} or {@link Insufficient}. */
public sealed interface ChargeResult {

  /** The call and its cost were charged to capability {@code capability}. */
  record Charged(int capability, long cost) implements ChargeResult {}

  /** Nothing was charged: the calls or the budget left do not cover it. */
  record Insufficient(List<Reason> reasons) implements ChargeResult {
    public Insufficient {
      reasons = List.copyOf(reasons);
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("an insufficient charge names at least one reason");
      }
    }
  }
}
