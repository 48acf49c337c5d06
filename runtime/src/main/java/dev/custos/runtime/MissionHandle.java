package dev.custos.runtime;

import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** A running (or ended) mission, as its starter holds it. Thread safe. */
public final class MissionHandle {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Runs a reply's continuation on the thread that completes the ask: the replying actor's. Pekko's Java ask returns
   * Scala's converted future, which runs even {@code thenApply} and {@code handle} on CompletableFuture's default
   * async executor (the common pool, or a new thread per task where the pool has a single thread); so would the
   * callers' own callbacks. Continuing through this executor hands callers a plain stage completed where the reply
   * arrived, which a deterministic simulation needs: a callback on another thread runs at a moment no seed decides.
   */
  private static final Executor REPLYING_THREAD = Runnable::run;

  private final MissionId mission;
  private final AgentId root;
  private final CompletableFuture<MissionOutcome> completion;
  private final ActorRef<Supervisor.Command> supervisor;
  private final ActorSystem<?> system;

  MissionHandle(MissionId mission, AgentId root, CompletableFuture<MissionOutcome> completion,
      ActorRef<Supervisor.Command> supervisor, ActorSystem<?> system) {
    this.mission = mission;
    this.root = root;
    this.completion = completion;
    this.supervisor = supervisor;
    this.system = system;
  }

  public MissionId mission() {
    return mission;
  }

  /** The mission's root agent. */
  public AgentId root() {
    return root;
  }

  /** Completes when the root agent ends: completed, failed or halted. */
  public CompletionStage<MissionOutcome> completion() {
    return completion.minimalCompletionStage();
  }

  /** The delegation tree now: every agent the mission had, with its grant, spending, strikes and status. */
  public CompletionStage<MissionSnapshot> snapshot() {
    CompletionStage<Optional<MissionSnapshot>> reply = AskPattern.ask(supervisor,
        replyTo -> new Supervisor.GetSnapshot(mission, replyTo), ASK_TIMEOUT, system.scheduler());
    return reply.thenApplyAsync(Optional::orElseThrow, REPLYING_THREAD);
  }

  /**
   * Halts an agent of this mission and its whole subtree, as a person decides.
   *
   * @param reason the person's words, audited
   * @param rollback run the compensations of the subtree's executed effects, in reverse order
   * @return the halted agents, the given one first; empty when it was not running
   */
  public CompletionStage<List<AgentId>> halt(AgentId agent, String reason, boolean rollback) {
    CompletionStage<List<AgentId>> reply = AskPattern.ask(supervisor,
        replyTo -> new Supervisor.HaltAgent(mission, agent, reason, rollback, replyTo), ASK_TIMEOUT, system.scheduler());
    return reply.thenApplyAsync(halted -> halted, REPLYING_THREAD);
  }

  @Override
  public String toString() {
    return "MissionHandle[" + mission + ", root " + root + "]";
  }
}
