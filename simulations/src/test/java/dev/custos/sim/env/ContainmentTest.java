package dev.custos.sim.env;

import static dev.custos.sim.env.Scenarios.EXFIL;
import static dev.custos.sim.env.Scenarios.SVC;
import static dev.custos.sim.env.Scenarios.WS1;
import static dev.custos.sim.env.Scenarios.WS2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custos.policies.ResourceDirectory.ResourceFacts;
import dev.custos.sim.env.SimulatedAttacker.StepRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The outcome on hand-made timelines of the ransomware example's world, and the world's resource directory. */
class ContainmentTest {

  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private Instant now = START;

    void at(long ms) {
      now = START.plusMillis(ms);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final HandClock clock = new HandClock();
  private final World world = new World(Scenarios.ransomware(), clock, START);

  private static StepRecord done(int step, long atMs) {
    return new StepRecord(step, "T0000", atMs, true, null, 1, atMs);
  }

  private static StepRecord notDone(int step) {
    return new StepRecord(step, "T0000", null, false, "waiting", 0, null);
  }

  @Test
  void aCompletedPlaybookIsNotContained() {
    world.isolate(WS2);
    assertEquals(new Containment(4, false, OptionalLong.empty()),
        Containment.of(List.of(done(1, 0), done(2, 120_000), done(3, 300_000), done(4, 540_000)), world));
  }

  @Test
  void containedFromWhenTheFirstMissingStepWasBlocked() {
    clock.at(100_000);
    world.block(EXFIL);
    clock.at(200_000);
    world.disable(SVC);

    assertEquals(new Containment(2, true, OptionalLong.of(200_000)),
        Containment.of(List.of(done(1, 0), done(2, 120_000), notDone(3), notDone(4)), world),
        "step 3, the first that never happened, is blocked by the account from 200 s; step 4 waits for it");
  }

  @Test
  void isolatingTheStartHostContainsTheStepsThatWaitForTheMove() {
    clock.at(33_000);
    world.isolate(WS1);   // blocks step 2 (from fin-ws-01); steps 3 and 4 on fin-ws-02 wait for it

    assertEquals(new Containment(1, true, OptionalLong.of(33_000)),
        Containment.of(List.of(done(1, 0), notDone(2), notDone(3), notDone(4)), world));
  }

  @Test
  void laterStepsBlockedByTheirOwnFieldsDoNotContainAnUnblockedFirstMissingStep() {
    world.disable(SVC);
    world.block(EXFIL);   // steps 3 and 4 blocked by their own fields, but step 2 is not blocked at all

    assertEquals(new Containment(1, false, OptionalLong.empty()),
        Containment.of(List.of(done(1, 0), notDone(2), notDone(3), notDone(4)), world));
  }

  @Test
  void aBlockLiftedAndPutBackCountsFromTheLastTime() {
    clock.at(50_000);
    world.isolate(WS2);
    clock.at(80_000);
    world.release(WS2);
    clock.at(150_000);
    world.isolate(WS2);

    assertEquals(new Containment(1, true, OptionalLong.of(150_000)),
        Containment.of(List.of(done(1, 0), notDone(2), notDone(3), notDone(4)), world));
  }

  @Test
  void aBlockLiftedBeforeTheEndIsNotContainment() {
    clock.at(50_000);
    world.isolate(WS2);
    clock.at(900_000);
    world.release(WS2);

    assertEquals(new Containment(1, false, OptionalLong.empty()),
        Containment.of(List.of(done(1, 0), notDone(2), notDone(3), notDone(4)), world));
  }

  @Test
  void neverBeforeTheLastStepThatHappened() {
    clock.at(10_000);
    world.disable(SVC);
    world.block(EXFIL);

    assertEquals(new Containment(2, true, OptionalLong.of(120_000)),
        Containment.of(List.of(done(1, 0), done(2, 120_000), notDone(3), notDone(4)), world));
  }

  @Test
  void changesAtOneInstantCountTogether() {
    clock.at(50_000);
    world.isolate(WS2);
    clock.at(100_000);
    world.release(WS2);   // for no virtual time is step 3 unblocked: the account goes at the same instant
    world.disable(SVC);

    assertEquals(new Containment(2, true, OptionalLong.of(50_000)),
        Containment.of(List.of(done(1, 0), done(2, 10_000), notDone(3), notDone(4)), world),
        "step 3 is blocked by fin-ws-02, then by the account, with no gap: held from 50 s");
    assertEquals(new Containment(1, false, OptionalLong.empty()),
        Containment.of(List.of(done(1, 0), notDone(2), notDone(3), notDone(4)), world),
        "step 2 needs a host isolated, and fin-ws-02 was released");
  }

  @Test
  void aStepBlockedOnlyByAnotherHostIsNotBlocked() {
    world.isolate(WS1);   // step 3, the first that never happened, runs on fin-ws-02
    assertEquals(new Containment(2, false, OptionalLong.empty()),
        Containment.of(List.of(done(1, 0), done(2, 120_000), notDone(3), notDone(4)), world));
  }

  @Test
  void aRecordMustCoverThePlaybookAndTheOutcomeIsConsistent() {
    assertThrows(IllegalArgumentException.class, () -> Containment.of(List.of(done(1, 0)), world));
    assertThrows(IllegalArgumentException.class, () -> new Containment(1, true, OptionalLong.empty()));
    assertThrows(IllegalArgumentException.class, () -> new Containment(1, false, OptionalLong.of(3)));
  }

  @Test
  void theDirectoryKnowsZonesCriticalityAndPrivilege() {
    assertEquals(new ResourceFacts("host", "core", "tier0", false), world.describe("host:core/dc-01"));
    assertEquals(new ResourceFacts("host", "corp", "low", false), world.describe(WS1));
    assertEquals(new ResourceFacts("account", "", "", true), world.describe(SVC));
    assertEquals(new ResourceFacts("account", "", "", false), world.describe("account:alice"));
    assertEquals(new ResourceFacts("host", "dmz", "", false), world.describe("host:dmz/web-01"), "unknown: its name");
    assertEquals(new ResourceFacts("net", "", "", false), world.describe(EXFIL));
    assertEquals(new ResourceFacts("", "", "", false), world.describe(null));
  }
}
