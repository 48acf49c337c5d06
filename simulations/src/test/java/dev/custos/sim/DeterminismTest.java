package dev.custos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.custos.audit.AuditKind;
import dev.custos.runtime.AgentStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The same mission and seed give the same audit log, byte for byte: on two fresh actor systems and over and over on one
 * reused system, interleaved with another seed, with CPU-burning threads competing for the machine's cores. Another
 * seed gives another log. Virtual time ends exactly where the mission says.
 */
class DeterminismTest {

  private static final long SEED = 20_250_101L;
  private static final long OTHER = 7L;

  private static final Logger RUNTIME_LOG = (Logger) LoggerFactory.getLogger("dev.custos.runtime");
  private static Level savedLevel;

  @BeforeAll
  static void quietRuntimeLog() {
    // The runtime logs each mission's start and end at INFO; thousands of runs would fill the report with them.
    savedLevel = RUNTIME_LOG.getLevel();
    RUNTIME_LOG.setLevel(Level.WARN);
  }

  @AfterAll
  static void restoreRuntimeLog() {
    RUNTIME_LOG.setLevel(savedLevel);
  }

  @Test
  void sameSeedGivesTheSameAuditLogOnFreshAndReusedSystemsUnderLoad() {
    TestMission.Result fresh1;
    TestMission.Result fresh2;
    List<TestMission.Result> reused = new ArrayList<>();
    long burned;
    try (CpuBurner burner = new CpuBurner(2)) {
      try (SimulationSystem sim = SimulationSystem.create("fresh-1")) {
        fresh1 = TestMission.run(sim, SEED);
      }
      try (SimulationSystem sim = SimulationSystem.create("fresh-2")) {
        fresh2 = TestMission.run(sim, SEED);
      }
      try (SimulationSystem sim = SimulationSystem.create("reused")) {
        for (long seed : new long[] {SEED, OTHER, SEED, SEED, OTHER, SEED, OTHER}) {
          reused.add(TestMission.run(sim, seed));
        }
      }
      burned = burner.work();
    }
    List<TestMission.Result> all = new ArrayList<>(List.of(fresh1, fresh2));
    all.addAll(reused);
    for (TestMission.Result r : all) {
      System.out.printf("seed %d: %d records, audit %s, side %s, %s%n", r.seed(), r.records(), r.auditHash(),
          r.sideHash(), r.kinds());
    }
    fresh1.side().forEach(line -> System.out.println("  " + line.substring(0, Math.min(200, line.length()))));

    List<TestMission.Result> same = all.stream().filter(r -> r.seed() == SEED).toList();
    List<TestMission.Result> other = all.stream().filter(r -> r.seed() == OTHER).toList();
    assertEquals(6, same.size());
    assertEquals(3, other.size());
    for (TestMission.Result r : same) {
      assertEquals(fresh1.auditHash(), r.auditHash(), "audit log of seed " + SEED);
      assertEquals(fresh1.sideHash(), r.sideHash(), "halt reply and snapshot of seed " + SEED);
      assertEquals(fresh1.records(), r.records());
    }
    for (TestMission.Result r : other) {
      assertEquals(other.get(0).auditHash(), r.auditHash(), "audit log of seed " + OTHER);
      assertEquals(other.get(0).sideHash(), r.sideHash(), "halt reply and snapshot of seed " + OTHER);
    }
    assertNotEquals(fresh1.auditHash(), other.get(0).auditHash(), "another seed, another log");
    assertTrue(burned > 0, "the CPU burners ran beside the simulation");

    for (TestMission.Result r : all) {
      Instant end = SimulationSystem.DEFAULT_EPOCH.plus(TestMission.WRAP_UP);
      assertEquals(AgentStatus.COMPLETED, r.outcome().status(), "seed " + r.seed());
      assertEquals(end, r.outcome().endedAt(), "the mission ends when its lead wraps up, in virtual time");
      assertEquals(end, r.stoppedAt(), "the run stops at the mission's end");
      // The run did what the test claims to exercise.
      assertTrue(r.kinds().getOrDefault(AuditKind.HALT, 0) >= 2, "halts (a person's, strikes): " + r.kinds());
      assertTrue(r.kinds().getOrDefault(AuditKind.COMPENSATION, 0) >= 1, "rollback ran: " + r.kinds());
      assertTrue(r.kinds().getOrDefault(AuditKind.DECISION, 0) >= 2, "denials: " + r.kinds());
      assertTrue(r.kinds().getOrDefault(AuditKind.TOOL_OUTCOME, 0) >= 5, "tool results: " + r.kinds());
      assertTrue(r.kinds().getOrDefault(AuditKind.APPROVAL, 0) >= 2, "approvals asked, timed out: " + r.kinds());
      assertEquals(10, r.agents(), "the lead, three responders and six workers");
      assertTrue(r.side().size() == 2 && r.side().get(0).startsWith("halted at ")
          && r.side().get(1).startsWith("snapshot at " + SimulationSystem.DEFAULT_EPOCH.plusSeconds(420)),
          "the halt's reply and the snapshot arrived in virtual time: " + r.side());
    }
  }

  @Test
  void timePerRunOnAReusedSystem() {
    try (SimulationSystem sim = SimulationSystem.create("timing")) {
      for (int i = 0; i < 30; i++) {
        TestMission.run(sim, 1_000 + i);
      }
      Timing jwt = time(sim, 200, 10_000, SimulationRun.Credentials.JWT);
      Timing opaque = time(sim, 200, 20_000, SimulationRun.Credentials.IN_PROCESS);
      Timing jwtLoaded;
      Timing opaqueLoaded;
      try (CpuBurner burner = new CpuBurner(2)) {
        jwtLoaded = time(sim, 200, 30_000, SimulationRun.Credentials.JWT);
        opaqueLoaded = time(sim, 200, 40_000, SimulationRun.Credentials.IN_PROCESS);
        assertTrue(burner.work() > 0, "the CPU burners ran beside the simulation");
      }
      TestMission.Result one = TestMission.run(sim, SEED);
      System.out.printf(Locale.ROOT, "reused system, ~%d audit records per run, ms per run (wall / CPU of the"
          + " simulation thread):%n  signed credentials: %s idle, %s beside two CPU burners%n"
          + "  opaque credentials: %s idle, %s beside two CPU burners%n  (%d runs on the system)%n",
          one.records(), jwt, jwtLoaded, opaque, opaqueLoaded, sim.runs());
      assertEquals(TestMission.run(sim, SEED, SimulationRun.Credentials.IN_PROCESS).auditHash(),
          TestMission.run(sim, SEED, SimulationRun.Credentials.IN_PROCESS).auditHash(), "opaque credentials repeat too");
      assertTrue(sim.problems().isEmpty(), sim.problems().toString());
    }
  }

  /** Mean wall-clock and CPU time per run, in milliseconds. */
  private record Timing(double wallMs, double cpuMs) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2f / %.2f", wallMs, cpuMs);
    }
  }

  private static Timing time(SimulationSystem sim, int runs, long firstSeed, SimulationRun.Credentials kind) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu = threads.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      TestMission.run(sim, firstSeed + i, kind);
    }
    return new Timing((System.nanoTime() - wall) / 1e6 / runs, (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / runs);
  }

  /** Threads that spin on arithmetic until closed, so the simulation competes for the cores. */
  private static final class CpuBurner implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong work = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    CpuBurner(int count) {
      for (int i = 0; i < count; i++) {
        Thread thread = new Thread(() -> {
          long x = 1;
          while (!stop.get()) {
            for (int k = 0; k < 100_000; k++) {
              x = x * 6364136223846793005L + 1442695040888963407L;
            }
            work.addAndGet(x == 0 ? 2 : 1);
          }
        }, "cpu-burner-" + i);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
      }
    }

    long work() {
      return work.get();
    }

    @Override
    public void close() {
      stop.set(true);
      for (Thread thread : threads) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
