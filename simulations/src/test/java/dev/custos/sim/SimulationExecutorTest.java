package dev.custos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The simulation executor on its own: first in, first out, on the draining thread only, foreign work counted. */
class SimulationExecutorTest {

  private final SimulationExecutor executor = new SimulationExecutor(1_000);
  private final List<String> ran = new ArrayList<>();

  @Test
  void tasksWaitForADrainAndRunFirstInFirstOutWithTheTasksTheyQueue() {
    executor.execute(() -> {
      ran.add("a");
      executor.execute(() -> ran.add("c"));
    });
    executor.execute(() -> ran.add("b"));
    assertEquals(List.of(), ran, "execute only queues");

    assertEquals(3, executor.drain());

    assertEquals(List.of("a", "b", "c"), ran);
    assertEquals(0, executor.queued());
    assertEquals(0, executor.foreignSubmissions());
    assertNull(executor.firstForeignThread());
  }

  @Test
  void aTaskThatThrowsIsRecordedAndTheDrainGoesOn() {
    executor.execute(() -> {
      throw new IllegalStateException("boom");
    });
    executor.execute(() -> ran.add("after"));

    executor.drain();

    assertEquals(List.of("after"), ran);
    assertEquals(1, executor.failures().size());
  }

  @Test
  void aTaskFromAnotherThreadIsQueuedButCounted() throws Exception {
    Thread other = new Thread(() -> executor.execute(() -> ran.add("foreign")), "not-the-simulation");
    other.start();
    other.join();

    executor.drain();

    assertEquals(List.of("foreign"), ran, "queued all the same, so nothing hangs");
    assertEquals(1, executor.foreignSubmissions());
    assertEquals("not-the-simulation", executor.firstForeignThread());
  }

  @Test
  void onlyTheSimulationThreadDrains() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread other = new Thread(() -> {
      try {
        executor.drain();
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    other.start();
    other.join();

    assertEquals(IllegalStateException.class, failure.get().getClass());
  }

  @Test
  void aDrainThatNeverComesToRestFails() {
    Runnable forever = new Runnable() {
      @Override
      public void run() {
        executor.execute(this);
      }
    };
    executor.execute(forever);

    assertThrows(IllegalStateException.class, executor::drain);
  }
}
