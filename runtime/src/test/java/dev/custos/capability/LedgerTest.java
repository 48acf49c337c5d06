package dev.custos.capability;

import static dev.custos.capability.Grants.START;
import static dev.custos.capability.Grants.commander;
import static dev.custos.capability.Grants.limited;
import static dev.custos.capability.Grants.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custos.identity.AgentId;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LedgerTest {

  private final Ledger ledger = new Ledger(commander());
  private final AgentId child = new AgentId("a2");

  private DelegationResult.Granted delegate(long budget, int isolations) {
    Bounds bounds = new Bounds(budget, START.plusSeconds(60), 1, 1, 3, Rate.parse("5/1m"), 1);
    return assertInstanceOf(DelegationResult.Granted.class,
        Attenuation.decide(ledger, request(bounds, limited(isolations, "host.isolate", "host:corp/*"))));
  }

  @Test
  void consumeChargesACallAndItsCost() {
    assertEquals(new ChargeResult.Charged(2, 7), ledger.consume(2, 7));
    assertEquals(7, ledger.budgetUsed());
    assertEquals(193, ledger.budgetLeft());
    assertEquals(OptionalInt.of(9), ledger.callsLeft(2));
    assertEquals(OptionalInt.empty(), ledger.callsLeft(0));
  }

  @Test
  void consumeRefusesPastTheCallLimitOrTheBudgetAndChargesNothing() {
    for (int i = 0; i < 10; i++) {
      assertInstanceOf(ChargeResult.Charged.class, ledger.consume(2, 1));
    }
    assertEquals(new ChargeResult.Insufficient(List.of(
            new Reason.CallsExhausted(2, Pattern.parse("host.isolate"), 10), new Reason.BudgetExhausted(500, 190))),
        ledger.consume(2, 500));
    assertEquals(10, ledger.budgetUsed());
    assertEquals(new ChargeResult.Insufficient(List.of(new Reason.BudgetExhausted(191, 190))), ledger.consume(0, 191));
    assertEquals(new ChargeResult.Charged(0, 190), ledger.consume(0, 190));
    assertEquals(0, ledger.budgetLeft());
    assertThrows(IllegalArgumentException.class, () -> ledger.consume(0, -1));
  }

  @Test
  void reservedAmountsAreNotSpendableByTheParent() {
    ledger.reserve(child, delegate(150, 8));
    assertEquals(50, ledger.budgetLeft());
    assertEquals(OptionalInt.of(2), ledger.callsLeft(2));
    assertEquals(1, ledger.liveChildren());
    assertEquals(26, ledger.agentSlotsLeft());
    assertInstanceOf(ChargeResult.Charged.class, ledger.consume(2, 1));
    assertInstanceOf(ChargeResult.Charged.class, ledger.consume(2, 1));
    assertInstanceOf(ChargeResult.Insufficient.class, ledger.consume(2, 1));
    assertInstanceOf(ChargeResult.Insufficient.class, ledger.consume(0, 49));
  }

  @Test
  void releaseReturnsWhatTheChildLeftAndChargesTheRest() {
    DelegationResult.Granted granted = delegate(150, 8);
    ledger.reserve(child, granted);
    Ledger childLedger = new Ledger(granted.grant());
    childLedger.consume(0, 40);
    childLedger.consume(0, 20);
    ledger.release(child, childLedger.unused());
    assertEquals(60, ledger.budgetUsed());
    assertEquals(0, ledger.budgetReserved());
    assertEquals(140, ledger.budgetLeft());
    assertEquals(2, ledger.callsUsed(2));
    assertEquals(0, ledger.callsReserved(2));
    assertEquals(OptionalInt.of(8), ledger.callsLeft(2));
    assertEquals(0, ledger.liveChildren());
    assertEquals(29, ledger.agentSlotsLeft());
  }

  @Test
  void theAgentsOwnSpendingLeavesOutWhatItsChildrenSpent() {
    DelegationResult.Granted granted = delegate(150, 8);
    ledger.reserve(child, granted);
    ledger.consume(2, 7);
    Ledger childLedger = new Ledger(granted.grant());
    childLedger.consume(0, 40);
    childLedger.consume(0, 20);
    ledger.release(child, childLedger.unused());
    ledger.consume(0, 3);
    assertEquals(List.of(70L, 10L), List.of(ledger.budgetUsed(), ledger.ownBudgetUsed()));
    assertEquals(List.of(3, 1), List.of(ledger.callsUsed(2), ledger.ownCallsUsed(2)));
    assertEquals(1, ledger.ownCallsUsed(0));
    ledger.refund(2, 7);
    assertEquals(List.of(63L, 3L), List.of(ledger.budgetUsed(), ledger.ownBudgetUsed()));
    assertEquals(List.of(2, 0), List.of(ledger.callsUsed(2), ledger.ownCallsUsed(2)));
    assertThrows(IllegalArgumentException.class, () -> ledger.refund(2, 1), "the child's calls are not its to refund");
    assertEquals(List.of(60L, 2), List.of(childLedger.ownBudgetUsed(), childLedger.ownCallsUsed(0)));
  }

  @Test
  void anEndedChildsUnreleasedReservationsCountAsSpent() {
    DelegationResult.Granted granted = delegate(150, 8);
    ledger.reserve(child, granted);
    Ledger childLedger = new Ledger(granted.grant());
    Bounds grandBounds = new Bounds(100, START.plusSeconds(60), 0, 0, 1, Rate.parse("5/1m"), 1);
    childLedger.reserve(new AgentId("a3"), assertInstanceOf(DelegationResult.Granted.class,
        Attenuation.decide(childLedger, request(grandBounds, limited(5, "host.isolate", "host:corp/a")))));
    ledger.release(child, childLedger.unused());
    assertEquals(100, ledger.budgetUsed());
    assertEquals(5, ledger.callsUsed(2));
  }

  @Test
  void misuseIsRefusedLoudly() {
    DelegationResult.Granted granted = delegate(10, 1);
    ledger.reserve(child, granted);
    assertThrows(IllegalStateException.class, () -> ledger.reserve(child, granted));
    assertThrows(IllegalStateException.class, () -> new Ledger(commander()).reserve(child, granted));
    assertThrows(IllegalStateException.class, () -> ledger.release(new AgentId("a9"), new Ledger(granted.grant()).unused()));
    assertThrows(IllegalArgumentException.class,
        () -> ledger.release(child, new Unused(11, List.of(OptionalInt.of(1)))));
    assertThrows(IllegalArgumentException.class,
        () -> ledger.release(child, new Unused(10, List.of(OptionalInt.of(2)))));
    assertEquals(1, ledger.liveChildren(), "a refused release keeps the reservation");
  }

  @Test
  void reserveRechecksAStaleDecision() {
    DelegationResult.Granted first = delegate(150, 1);
    DelegationResult.Granted second = delegate(150, 1);
    ledger.reserve(child, first);
    assertThrows(IllegalStateException.class, () -> ledger.reserve(new AgentId("a3"), second));
    assertEquals(50, ledger.budgetLeft());
  }

  @Test
  void capabilityForPrefersACoveringCapabilityWithCallsLeft() {
    Grant grant = Grant.root(request(Grants.bounds(10, 1),
        limited(1, "host.isolate", "host:corp/*"), limited(1, "host.*", "host:**")));
    Ledger two = new Ledger(grant);
    assertEquals(OptionalInt.of(0), two.capabilityFor("host.isolate", "host:corp/a"));
    two.consume(0, 0);
    assertEquals(OptionalInt.of(1), two.capabilityFor("host.isolate", "host:corp/a"));
    two.consume(1, 0);
    assertEquals(OptionalInt.of(0), two.capabilityFor("host.isolate", "host:corp/a"), "exhausted: the first, to report");
    assertEquals(OptionalInt.empty(), two.capabilityFor("data.export", "net:x"));
  }

  @Test
  void cancelReturnsAWholeReservation() {
    ledger.reserve(child, delegate(150, 8));
    ledger.cancel(child);
    assertEquals(200, ledger.budgetLeft());
    assertEquals(OptionalInt.of(10), ledger.callsLeft(2));
    assertEquals(0, ledger.liveChildren());
    assertEquals(29, ledger.agentSlotsLeft());
    assertThrows(IllegalStateException.class, () -> ledger.cancel(child));
  }

  @Test
  void refundReturnsACallThatNeverRan() {
    ledger.consume(2, 7);
    ledger.refund(2, 7);
    assertEquals(0, ledger.budgetUsed());
    assertEquals(OptionalInt.of(10), ledger.callsLeft(2));
    assertThrows(IllegalArgumentException.class, () -> ledger.refund(2, 0));
    ledger.consume(0, 1);
    assertThrows(IllegalArgumentException.class, () -> ledger.refund(0, 2));
  }
}
