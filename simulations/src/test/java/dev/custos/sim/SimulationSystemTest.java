package dev.custos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** An actor system run by the simulation: timers on virtual time, one thread, foreign work caught, clean resets. */
class SimulationSystemTest {

  private static final Instant EPOCH = SimulationSystem.DEFAULT_EPOCH;

  /** Records the virtual time at which each of its timers fires. */
  private static Behavior<String> ticker(SimulationSystem sim, List<String> log) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerAtFixedRate("tick", "tick", Duration.ofSeconds(30));
      timers.startSingleTimer("once", "once", Duration.ofSeconds(45));
      return Behaviors.receiveMessage(message -> {
        log.add(message + "@" + Duration.between(EPOCH, sim.now()).toSeconds() + "s on "
            + (Thread.currentThread() == sim.executor().simulationThread() ? "sim" : "other"));
        return Behaviors.same();
      });
    });
  }

  @Test
  void timersFireInVirtualTimeOnTheSimulationThreadAndPeriodicOnesStopAtTheLimit() {
    List<String> log = new ArrayList<>();
    try (SimulationSystem sim = SimulationSystem.create("timers")) {
      sim.reset(1);
      ActorRef<String> ticker = sim.actorSystem().systemActorOf(ticker(sim, log), "ticker", Props.empty());

      Instant stopped = sim.runUntil(EPOCH.plusSeconds(100));

      assertEquals(EPOCH.plusSeconds(100), stopped, "a periodic timer does not keep the run going past its limit");
      assertEquals(List.of("tick@30s on sim", "once@45s on sim", "tick@60s on sim", "tick@90s on sim"), log);
      ticker.tell("told");
      assertEquals(List.of(), log.subList(4, log.size()), "a message waits for a drain");
      sim.drain();
      assertEquals("told@100s on sim", log.get(4));
      assertTrue(sim.problems().isEmpty(), sim.problems().toString());
    }
  }

  @Test
  void runUntilStopsWhenDoneAtRest() {
    List<String> log = new ArrayList<>();
    try (SimulationSystem sim = SimulationSystem.create("done")) {
      sim.reset(1);
      sim.actorSystem().systemActorOf(ticker(sim, log), "ticker", Props.empty());

      Instant stopped = sim.runUntil(EPOCH.plusSeconds(1000), () -> log.size() == 2);

      assertEquals(EPOCH.plusSeconds(45), stopped);
      assertThrows(IllegalArgumentException.class, () -> sim.runUntil(EPOCH.plusSeconds(10)), "time does not go back");
    }
  }

  @Test
  void aResetDropsTimersRewindsTimeAndReseedsThisThreadsRandom() {
    List<String> log = new ArrayList<>();
    try (SimulationSystem sim = SimulationSystem.create("reset")) {
      sim.actorSystem().systemActorOf(ticker(sim, log), "ticker", Props.empty());
      sim.runUntil(EPOCH.plusSeconds(40));

      int dropped = sim.reset(5);
      int first = ThreadLocalRandom.current().nextInt();
      sim.reset(5);
      int again = ThreadLocalRandom.current().nextInt();
      sim.reset(6);
      int other = ThreadLocalRandom.current().nextInt();

      assertEquals(2, dropped, "the ticker's two timers");
      assertEquals(EPOCH, sim.now());
      assertEquals(first, again, "actor uids repeat after the same reset");
      assertTrue(first != other);
      sim.runUntil(EPOCH.plusSeconds(100));
      assertEquals(List.of("tick@30s on sim"), log, "the dropped timers never fire");
    }
  }

  @Test
  void workSubmittedFromAnotherThreadIsCaught() throws Exception {
    List<String> log = new ArrayList<>();
    try (SimulationSystem sim = SimulationSystem.create("foreign")) {
      ActorRef<String> ticker = sim.actorSystem().systemActorOf(ticker(sim, log), "ticker", Props.empty());
      sim.drain();
      assertTrue(sim.problems().isEmpty());

      Thread other = new Thread(() -> ticker.tell("from elsewhere"), "a-tool-thread");
      other.start();
      other.join();
      sim.drain();

      assertEquals(List.of("from elsewhere@0s on sim"), log, "delivered all the same");
      assertEquals(1, sim.problems().size(), sim.problems().toString());
      assertTrue(sim.problems().get(0).contains("a-tool-thread"));
      assertThrows(IllegalStateException.class, sim::requireDeterministic);
    }
  }

  @Test
  void theJavaApiAskOfAnActorContextIsCaught() throws Exception {
    // Trap 3 of the notes: the Java ask adapts its reply on another thread. The executor's guard sees it.
    try (SimulationSystem sim = SimulationSystem.create("javaask")) {
      ActorRef<ActorRef<String>> echo = sim.actorSystem().systemActorOf(
          Behaviors.receiveMessage(replyTo -> {
            replyTo.tell("pong");
            return Behaviors.same();
          }), "echo", Props.empty());
      List<String> answers = new ArrayList<>();
      sim.actorSystem().systemActorOf(Behaviors.<String>setup(context -> {
        context.ask(String.class, echo, Duration.ofSeconds(5), replyTo -> replyTo,
            (answer, failure) -> answer);
        return Behaviors.receiveMessage(answer -> {
          answers.add(answer);
          return Behaviors.same();
        });
      }), "asker", Props.empty());

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sim.problems().isEmpty() && System.nanoTime() < deadline) {
        sim.drain();
        Thread.sleep(5);
      }
      sim.drain();

      assertFalse(sim.problems().isEmpty(), "the reply came back through another thread");
      assertEquals(List.of("pong"), answers);
    }
  }

  @Test
  void closingTerminatesTheActorSystemInVirtualTime() {
    SimulationSystem sim = SimulationSystem.create("closing");
    sim.close();
    assertTrue(sim.actorSystem().whenTerminated().isCompleted());
  }
}
