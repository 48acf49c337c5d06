package dev.custos.capability;

import static dev.custos.capability.Grants.START;
import static dev.custos.capability.Grants.approved;
import static dev.custos.capability.Grants.bounds;
import static dev.custos.capability.Grants.cap;
import static dev.custos.capability.Grants.commander;
import static dev.custos.capability.Grants.limited;
import static dev.custos.capability.Grants.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.custos.identity.AgentId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class AttenuationTest {

  private final Ledger parent = new Ledger(commander());

  private static Bounds childBounds() {
    return new Bounds(50, START.plusSeconds(600), 1, 2, 5, Rate.parse("10/1m"), 2);
  }

  @Test
  void grantsANarrowingRequestExactlyAsAsked() {
    GrantRequest asked = request(childBounds(),
        limited(3, "host.isolate", "host:corp/fin-ws-01", "host:corp/fin-*"),
        cap("siem.query", "siem:alerts"),
        approved("host.restore", "host:corp/*"));
    DelegationResult.Granted granted = assertInstanceOf(DelegationResult.Granted.class, Attenuation.decide(parent, asked));
    assertEquals(asked, granted.grant().request());
    assertSame(parent.grant(), granted.parent());
    assertEquals(new Reservation(50, 5, List.of(new Reservation.Calls(0, 2, 3))), granted.reservation());
  }

  @Test
  void refusesAToolTheParentDoesNotHold() {
    GrantRequest asked = request(childBounds(), cap("siem.query", "siem:alerts"), cap("data.export", "net:**"));
    assertEquals(new DelegationResult.Refused(List.of(new Reason.ToolNotCovered(1, Pattern.parse("data.export")))),
        Attenuation.decide(parent, asked));
  }

  @Test
  void refusesAWiderToolPattern() {
    GrantRequest asked = request(childBounds(), cap("host.*", "host:corp/a"));
    assertEquals(new DelegationResult.Refused(List.of(new Reason.ToolNotCovered(0, Pattern.parse("host.*")))),
        Attenuation.decide(parent, asked));
  }

  @Test
  void refusesAResourceOutsideTheParentsWithAnExample() {
    GrantRequest asked = request(childBounds(), limited(1, "host.isolate", "host:corp/a", "host:core/*"));
    assertEquals(
        new DelegationResult.Refused(List.of(new Reason.ResourceNotCovered(
            0, Pattern.parse("host.isolate"), Pattern.parse("host:core/*"), Optional.of("host:core/x")))),
        Attenuation.decide(parent, asked));
  }

  @Test
  void refusesUnlimitedOrTooManyCallsUnderALimit() {
    GrantRequest unlimited = request(childBounds(), cap("host.isolate", "host:corp/a"));
    GrantRequest tooMany = request(childBounds(), limited(11, "host.isolate", "host:corp/a"));
    Pattern isolate = Pattern.parse("host.isolate");
    assertEquals(new DelegationResult.Refused(List.of(new Reason.CallsAboveRemaining(0, isolate, OptionalInt.empty(), 10))),
        Attenuation.decide(parent, unlimited));
    assertEquals(new DelegationResult.Refused(List.of(new Reason.CallsAboveRemaining(0, isolate, OptionalInt.of(11), 10))),
        Attenuation.decide(parent, tooMany));
  }

  @Test
  void countsCallsTwoRequestedCapabilitiesTakeFromOneParentCapability() {
    GrantRequest asked = request(childBounds(),
        limited(6, "host.isolate", "host:corp/a"), limited(5, "host.isolate", "host:corp/b"));
    Pattern isolate = Pattern.parse("host.isolate");
    assertEquals(new DelegationResult.Refused(List.of(new Reason.CallsAboveRemaining(1, isolate, OptionalInt.of(5), 4))),
        Attenuation.decide(parent, asked));
  }

  @Test
  void countsCallsAlreadyUsedAndReserved() {
    parent.consume(2, 1);
    parent.consume(2, 1);
    GrantRequest first = request(childBounds(), limited(5, "host.isolate", "host:corp/a"));
    parent.reserve(new AgentId("a2"), (DelegationResult.Granted) Attenuation.decide(parent, first));
    GrantRequest second = request(childBounds(), limited(4, "host.isolate", "host:corp/b"));
    assertEquals(new DelegationResult.Refused(List.of(
            new Reason.CallsAboveRemaining(0, Pattern.parse("host.isolate"), OptionalInt.of(4), 3))),
        Attenuation.decide(parent, second));
  }

  @Test
  void refusesDroppingApproval() {
    GrantRequest asked = request(childBounds(), cap("host.restore", "host:corp/a"));
    assertEquals(new DelegationResult.Refused(List.of(new Reason.ApprovalDropped(0, Pattern.parse("host.restore")))),
        Attenuation.decide(parent, asked));
  }

  @Test
  void usesAnotherCoveringParentCapabilityWhenTheFirstCannotServe() {
    Grant grant = Grant.root(request(bounds(100, 2),
        approved("host.isolate", "host:**"), limited(2, "host.*", "host:corp/*"), cap("*", "host:corp/**")));
    Ledger ledger = new Ledger(grant);
    GrantRequest asked = request(new Bounds(10, START, 1, 1, 1, Rate.parse("1/1m"), 1),
        cap("host.isolate", "host:corp/a"));
    DelegationResult.Granted granted = assertInstanceOf(DelegationResult.Granted.class, Attenuation.decide(ledger, asked));
    // Served by the unlimited third capability: no calls reserved from the limited second one.
    assertEquals(List.of(), granted.reservation().calls());
  }

  @Test
  void refusesEveryWidenedBoundAtOnce() {
    Bounds wide = new Bounds(201, START.plusSeconds(1201), 3, 5, 30, Rate.parse("31/1m"), 4);
    assertEquals(new DelegationResult.Refused(List.of(
            new Reason.BudgetAboveRemaining(201, 200),
            new Reason.DeadlineLater(START.plusSeconds(1201), START.plusSeconds(1200)),
            new Reason.DepthNotSmaller(3, 3),
            new Reason.ChildrenAboveParent(5, 4),
            new Reason.SubtreeAgentsAboveRemaining(30, 29),
            new Reason.RateAbove(Rate.parse("31/1m"), Rate.parse("30/1m")),
            new Reason.StrikesAbove(4, 3))),
        Attenuation.decide(parent, request(wide, cap("siem.query", "siem:alerts"))));
  }

  @Test
  void aLeafMayNotDelegate() {
    Ledger leaf = new Ledger(Grant.root(request(bounds(10, 0), cap("siem.query", "siem:alerts"))));
    Bounds none = new Bounds(0, START, 0, 0, 1, Rate.parse("1/1m"), 1);
    assertEquals(new DelegationResult.Refused(List.of(new Reason.DepthNotSmaller(0, 0))),
        Attenuation.decide(leaf, request(none)));
    assertThat(new Reason.DepthNotSmaller(0, 0).describe()).isEqualTo("the parent may not delegate (maxDepth 0)");
  }

  @Test
  void refusesAChildBeyondTheLiveChildrenLimitAndTheSubtreeRoom() {
    Bounds small = new Bounds(1, START, 1, 0, 7, Rate.parse("1/1m"), 1);
    for (int i = 0; i < 4; i++) {
      DelegationResult result = Attenuation.decide(parent, request(small));
      parent.reserve(new AgentId("c" + i), assertInstanceOf(DelegationResult.Granted.class, result));
    }
    assertEquals(new DelegationResult.Refused(List.of(
            new Reason.NoChildSlotLeft(4, 4), new Reason.SubtreeAgentsAboveRemaining(7, 1))),
        Attenuation.decide(parent, request(small)));
  }

  @Test
  void everyReasonReadsAsASentence() {
    Pattern tool = Pattern.parse("host.isolate");
    List<Reason> reasons = List.of(
        new Reason.ToolNotCovered(1, Pattern.parse("data.export")),
        new Reason.ResourceNotCovered(0, tool, Pattern.parse("host:core/*"), Optional.of("host:core/x")),
        new Reason.CallsAboveRemaining(0, tool, OptionalInt.empty(), 3),
        new Reason.ApprovalDropped(0, tool),
        new Reason.BudgetAboveRemaining(10, 5),
        new Reason.DeadlineLater(START.plus(Duration.ofMinutes(30)), START),
        new Reason.DepthNotSmaller(3, 3),
        new Reason.ChildrenAboveParent(5, 4),
        new Reason.NoChildSlotLeft(4, 4),
        new Reason.SubtreeAgentsAboveRemaining(30, 29),
        new Reason.RateAbove(Rate.parse("31/1m"), Rate.parse("30/1m")),
        new Reason.StrikesAbove(4, 3),
        new Reason.CallsExhausted(0, tool, 10),
        new Reason.BudgetExhausted(5, 2));
    assertEquals(Reason.class.getPermittedSubclasses().length, reasons.size(), "one example per kind of reason");
    assertEquals("capability 1: tool 'data.export' is not covered by any capability of the parent",
        reasons.get(0).describe());
    assertEquals("capability 0 (host.isolate): resource 'host:core/*' is not within the parent's resources for that "
        + "tool, e.g. 'host:core/x'", reasons.get(1).describe());
    assertEquals("capability 0 (host.isolate): asks for unlimited calls but the parent has 3 left",
        reasons.get(2).describe());
    for (Reason reason : reasons) {
      assertThat(reason.describe()).doesNotContain("null").doesNotEndWith(".");
    }
  }
}
