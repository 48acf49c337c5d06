package dev.custos.capability;

import java.util.List;
import java.util.OptionalInt;

/**
 * What an ended agent leaves of its grant, reported to its parent's ledger so the rest returns there.
 *
 * @param budget budget not spent by the agent or its subtree
 * @param calls per capability of the agent's grant, the calls not made (empty for a capability without a limit)
 */
public record Unused(long budget, List<OptionalInt> calls) {

  public Unused {
    calls = List.copyOf(calls);
    if (budget < 0) {
      throw new IllegalArgumentException("unused budget cannot be negative: " + budget);
    }
  }
}
