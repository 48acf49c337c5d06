package dev.custos.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Java 17 has no pattern switch, so nothing makes an actor's receive builder cover its protocol. These tests walk each
 * actor's sealed {@code Command} and require, for every command, a handler named after it ({@code Halt} ->
 * {@code onHalt(Halt)}, an enum {@code DeadlineReached} -> {@code onDeadlineReached()}), so a command added without a
 * handler fails here rather than being dropped as unhandled at run time.
 */
class ProtocolCoverageTest {

  private static final ActorTestKit testKit = ActorTestKit.create();

  /**
   * Commands an actor handles inline in its receive builder rather than with an on-method, each with a test of its own
   * below that shows the handling by behaviour. Keep this short: a new entry needs such a test.
   */
  private static final Set<Class<?>> HANDLED_INLINE = Set.of(Supervisor.Shutdown.class);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyAgentHostCommandHasAHandler() {
    assertTrue(AgentHost.Command.class.isSealed());
    assertEquals(List.of(), missingHandlers(AgentHost.class, AgentHost.Command.class, Set.of()));
  }

  @Test
  void everySupervisorCommandHasAHandler() {
    assertTrue(Supervisor.Command.class.isSealed());
    assertEquals(List.of(), missingHandlers(Supervisor.class, Supervisor.Command.class, HANDLED_INLINE));
  }

  @Test
  void theInlineListHoldsOnlyCommandsWithoutAnOnMethod() {
    for (Class<?> command : HANDLED_INLINE) {
      String name = "on" + command.getSimpleName();
      assertTrue(Arrays.stream(command.getEnclosingClass().getDeclaredMethods())
              .noneMatch(m -> m.getName().equalsIgnoreCase(name)),
          command + " has an on-method now: take it off the inline list");
    }
  }

  /**
   * {@code Shutdown} is handled inline ({@code onMessageEquals(Shutdown.INSTANCE, Behaviors::stopped)}); closing a
   * runtime that lives in a given actor system is what sends it, so the supervisor must be gone after the close.
   */
  @Test
  void shutdownStopsTheSupervisor() throws Exception {
    String name = "custos-protocol-shutdown";
    CustosRuntime runtime = Custos.builder().actorSystem(testKit.system(), name).build();
    ActorSelection supervisor = testKit.system().classicSystem().actorSelection("/system/" + name);
    supervisor.resolveOne(Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);

    runtime.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.resolveOne(Duration.ofSeconds(1))
        .toCompletableFuture().handle((ref, failure) -> failure != null).get(5, TimeUnit.SECONDS));
  }

  @Test
  void theCheckReportsACommandWithoutAHandler() {
    assertEquals(List.of("Forgotten: no method onForgotten(Forgotten) in ToyActor",
            "Misnamed: no method onMisnamed(Misnamed) in ToyActor"),
        missingHandlers(ToyActor.class, Toy.class, Set.of()));
  }

  /**
   * For every concrete command under {@code protocol} (walking nested sealed interfaces) not in {@code inline}, a method
   * of {@code actor} named {@code on<SimpleName>} (case aside) returning a {@link Behavior} and taking the command, or,
   * for an enum, taking nothing. Returns what is missing, one line each, in the protocol's order.
   */
  static List<String> missingHandlers(Class<?> actor, Class<?> protocol, Set<Class<?>> inline) {
    List<String> missing = new ArrayList<>();
    List<Method> methods = Arrays.asList(actor.getDeclaredMethods());
    for (Class<?> command : commands(protocol)) {
      if (inline.contains(command)) {
        continue;
      }
      String name = "on" + command.getSimpleName();
      boolean handled = methods.stream().anyMatch(m -> m.getName().equalsIgnoreCase(name)
          && Behavior.class.isAssignableFrom(m.getReturnType())
          && (Arrays.equals(m.getParameterTypes(), new Class<?>[] {command})
              || command.isEnum() && m.getParameterCount() == 0));
      if (!handled) {
        missing.add(command.getSimpleName() + ": no method " + name + "(" + (command.isEnum() ? "" : command.getSimpleName())
            + ") in " + actor.getSimpleName());
      }
    }
    return missing;
  }

  private static List<Class<?>> commands(Class<?> protocol) {
    Class<?>[] permitted = protocol.getPermittedSubclasses();
    if (permitted == null || permitted.length == 0) {
      throw new AssertionError(protocol + " is not sealed, so its commands cannot be listed");
    }
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> type : permitted) {
      if (type.isInterface()) {
        out.addAll(commands(type));
      } else {
        out.add(type);
      }
    }
    return out;
  }

  /** A protocol for checking the check: one command handled, one forgotten, one handled under another name. */
  sealed interface Toy permits Toy.Handled, Toy.Forgotten, Toy.Misnamed, Toy.Tick {
    record Handled() implements Toy {}

    record Forgotten() implements Toy {}

    record Misnamed() implements Toy {}

    enum Tick implements Toy { INSTANCE }
  }

  @SuppressWarnings("unused")
  private static final class ToyActor {
    private Behavior<Toy> onHandled(Toy.Handled handled) {
      return null;
    }

    private Behavior<Toy> onMisnamedCommand(Toy.Misnamed misnamed) {
      return null;
    }

    private Behavior<Toy> onTick() {
      return null;
    }
  }
}
