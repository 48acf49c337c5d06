package dev.custos.capability;

import dev.custos.identity.AgentId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What one agent has spent and reserved of its {@link Grant}: budget, calls per limited capability, live children and the
 * agent slots carved out for their subtrees.
 *
 * <p>Invariants, kept by every method: for the budget and for every limited capability, {@code used + reserved <= granted}
 * and neither is negative; what is reserved for a child is not spendable by this agent; a child's reservation returns,
 * less what the child's subtree spent, only through {@link #release}. So a subtree never spends more than its root grant.
 *
 * <p>Not thread safe: a ledger belongs to one agent host and is touched only from it.
 */
public final class Ledger {

  private final Grant grant;
  private long budgetUsed;
  private long budgetReserved;
  private final int[] callsUsed;
  /** The part of {@link #budgetUsed} and {@link #callsUsed} this agent's own calls spent, released children's not. */
  private long ownBudgetUsed;
  private final int[] ownCallsUsed;
  private final int[] callsReserved;
  private int agentSlotsReserved;
  private final Map<AgentId, Reservation> children = new HashMap<>();

  public Ledger(Grant grant) {
    this.grant = grant;
    this.callsUsed = new int[grant.capabilities().size()];
    this.ownCallsUsed = new int[grant.capabilities().size()];
    this.callsReserved = new int[grant.capabilities().size()];
  }

  public Grant grant() {
    return grant;
  }

  public long budgetUsed() {
    return budgetUsed;
  }

  public long budgetReserved() {
    return budgetReserved;
  }

  /** Budget this agent may still spend or give to a new child. */
  public long budgetLeft() {
    return grant.bounds().budget() - budgetUsed - budgetReserved;
  }

  public int callsUsed(int capability) {
    return callsUsed[capability];
  }

  /** What this agent's own calls spent: {@link #budgetUsed} less what its released children's subtrees spent. */
  public long ownBudgetUsed() {
    return ownBudgetUsed;
  }

  /** This agent's own calls on {@code capability}: {@link #callsUsed} less those its released children made. */
  public int ownCallsUsed(int capability) {
    return ownCallsUsed[capability];
  }

  public int callsReserved(int capability) {
    return callsReserved[capability];
  }

  /** Calls of a capability this agent may still make or give to a new child; empty when the capability has no limit. */
  public OptionalInt callsLeft(int capability) {
    OptionalInt max = grant.capabilities().get(capability).maxCalls();
    return max.isPresent()
        ? OptionalInt.of(max.getAsInt() - callsUsed[capability] - callsReserved[capability])
        : OptionalInt.empty();
  }

  /** Children holding a reservation: alive, or ended and not yet released. */
  public int liveChildren() {
    return children.size();
  }

  /** Agents a new child's subtree may still hold: the subtree limit less this agent and its children's reservations. */
  public int agentSlotsLeft() {
    return grant.bounds().maxSubtreeAgents() - 1 - agentSlotsReserved;
  }

  /**
   * The capability a call of {@code tool} on {@code resource} is charged to: the first covering one with calls left, else
   * the first covering one (so that {@link #consume} reports it exhausted); empty when none covers the call.
   */
  public OptionalInt capabilityFor(String tool, String resource) {
    int first = grant.firstCovering(tool, resource, 0);
    for (int i = first; i >= 0; i = grant.firstCovering(tool, resource, i + 1)) {
      OptionalInt left = callsLeft(i);
      if (left.isEmpty() || left.getAsInt() > 0) {
        return OptionalInt.of(i);
      }
    }
    return first < 0 ? OptionalInt.empty() : OptionalInt.of(first);
  }

  /**
   * Charges one call of {@code capability} and {@code cost} budget, or nothing when either does not fit.
   *
   * @throws IndexOutOfBoundsException for a capability the grant does not have
   * @throws IllegalArgumentException for a negative cost
   */
  public ChargeResult consume(int capability, long cost) {
    if (cost < 0) {
      throw new IllegalArgumentException("cost cannot be negative: " + cost);
    }
    Capability granted = grant.capabilities().get(capability);
    List<Reason> reasons = new ArrayList<>(2);
    OptionalInt left = callsLeft(capability);
    if (left.isPresent() && left.getAsInt() < 1) {
      reasons.add(new Reason.CallsExhausted(capability, granted.tool(), granted.maxCalls().getAsInt()));
    }
    if (cost > budgetLeft()) {
      reasons.add(new Reason.BudgetExhausted(cost, budgetLeft()));
    }
    if (!reasons.isEmpty()) {
      return new ChargeResult.Insufficient(reasons);
    }
    callsUsed[capability]++;
    budgetUsed += cost;
    ownCallsUsed[capability]++;
    ownBudgetUsed += cost;
    return new ChargeResult.Charged(capability, cost);
  }

  /**
   * Carves a granted delegation out of this ledger.
   *
   * @throws IllegalStateException when {@code granted} was decided against another grant, when {@code child} already
   *     holds a reservation, or when the ledger changed since the decision so that the reservation no longer fits
   */
  public void reserve(AgentId child, DelegationResult.Granted granted) {
    if (granted.parent() != grant) {
      throw new IllegalStateException("the delegation to " + child + " was decided against another agent's grant");
    }
    if (children.containsKey(child)) {
      throw new IllegalStateException(child + " already holds a reservation");
    }
    Reservation r = granted.reservation();
    if (r.budget() > budgetLeft() || r.agentSlots() > agentSlotsLeft()
        || children.size() >= grant.bounds().maxChildren()) {
      throw new IllegalStateException("the ledger changed since the delegation to " + child + " was decided");
    }
    int[] wanted = new int[callsReserved.length];
    for (Reservation.Calls calls : r.calls()) {
      wanted[calls.parentCapability()] += calls.calls();
    }
    for (int i = 0; i < wanted.length; i++) {
      if (wanted[i] > 0 && wanted[i] > callsLeft(i).orElse(Integer.MAX_VALUE)) {
        throw new IllegalStateException("the ledger changed since the delegation to " + child + " was decided");
      }
    }
    for (int i = 0; i < wanted.length; i++) {
      callsReserved[i] += wanted[i];
    }
    budgetReserved += r.budget();
    agentSlotsReserved += r.agentSlots();
    children.put(child, r);
  }

  /**
   * Ends a child's reservation: what it left unused returns to this ledger, the rest counts as spent here.
   *
   * @throws IllegalStateException when {@code child} holds no reservation
   * @throws IllegalArgumentException when {@code unused} claims more than was reserved (its reservation stays)
   */
  public void release(AgentId child, Unused unused) {
    Reservation r = children.get(child);
    if (r == null) {
      throw new IllegalStateException(child + " holds no reservation");
    }
    if (unused.budget() > r.budget()) {
      throw new IllegalArgumentException(child + " reports " + unused.budget() + " budget unused of " + r.budget());
    }
    for (Reservation.Calls calls : r.calls()) {
      int left = unusedCalls(unused, calls.childCapability());
      if (left < 0 || left > calls.calls()) {
        throw new IllegalArgumentException(
            child + " reports " + left + " calls unused of " + calls.calls() + " for its capability " + calls.childCapability());
      }
    }
    children.remove(child);
    budgetReserved -= r.budget();
    budgetUsed += r.budget() - unused.budget();
    agentSlotsReserved -= r.agentSlots();
    for (Reservation.Calls calls : r.calls()) {
      callsReserved[calls.parentCapability()] -= calls.calls();
      callsUsed[calls.parentCapability()] += calls.calls() - unusedCalls(unused, calls.childCapability());
    }
  }

  /**
   * Takes back a delegation that was reserved but never started (policy refused it): everything returns, nothing counts
   * as spent.
   *
   * @throws IllegalStateException when {@code child} holds no reservation
   */
  public void cancel(AgentId child) {
    Reservation r = children.remove(child);
    if (r == null) {
      throw new IllegalStateException(child + " holds no reservation");
    }
    budgetReserved -= r.budget();
    agentSlotsReserved -= r.agentSlots();
    for (Reservation.Calls calls : r.calls()) {
      callsReserved[calls.parentCapability()] -= calls.calls();
    }
  }

  /**
   * Returns a charge whose call never ran (denied by policy, approval or the audit store after the ledger took it).
   *
   * @throws IllegalArgumentException when more would return than was used
   */
  public void refund(int capability, long cost) {
    if (cost < 0 || cost > ownBudgetUsed || ownCallsUsed[capability] < 1) {
      throw new IllegalArgumentException("cannot refund a call of capability " + capability + " costing " + cost
          + " when the agent's own calls used " + ownCallsUsed[capability] + " calls and " + ownBudgetUsed
          + " budget");
    }
    callsUsed[capability]--;
    budgetUsed -= cost;
    ownCallsUsed[capability]--;
    ownBudgetUsed -= cost;
  }

  /** Whether {@code child} holds a reservation here. */
  public boolean holds(AgentId child) {
    return children.containsKey(child);
  }

  private static int unusedCalls(Unused unused, int capability) {
    if (capability >= unused.calls().size() || unused.calls().get(capability).isEmpty()) {
      throw new IllegalArgumentException("no unused call count for capability " + capability + " with a call limit");
    }
    return unused.calls().get(capability).getAsInt();
  }

  /**
   * What this agent leaves when it ends, for its parent's {@link #release}. Reservations of children not yet released
   * count as spent: their subtrees may have spent them, and returning them could let the parent spend twice.
   */
  public Unused unused() {
    List<OptionalInt> calls = new ArrayList<>(callsUsed.length);
    for (int i = 0; i < callsUsed.length; i++) {
      calls.add(callsLeft(i));
    }
    return new Unused(budgetLeft(), calls);
  }

  @Override
  public String toString() {
    return "Ledger[budget used " + budgetUsed + ", reserved " + budgetReserved + " of " + grant.bounds().budget()
        + ", children " + children.size() + "]";
  }
}
