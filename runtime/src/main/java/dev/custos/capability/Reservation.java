package dev.custos.capability;

import java.util.List;

/**
 * What a delegation carves out of the parent's ledger for one child: budget, subtree agent slots, and calls of the
 * parent's limited capabilities. Reserved amounts are not spendable by the parent; what the child leaves unused returns
 * when it ends ({@link Ledger#release}).
 *
 * @param budget cost units reserved
 * @param agentSlots agents the child's subtree may hold, the child included
 * @param calls one entry per child capability with a call limit covered by a limited parent capability
 */
public record Reservation(long budget, int agentSlots, List<Calls> calls) {

  public Reservation {
    calls = List.copyOf(calls);
  }

  /** {@code calls} calls of the parent's capability {@code parentCapability}, for the child's {@code childCapability}. */
  public record Calls(int childCapability, int parentCapability, int calls) {}
}
