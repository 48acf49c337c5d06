package dev.custos.runtime;

import dev.custos.agent.Agent;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
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

  /**
   * <b>Privileged: for simulations and red-team exercises only.</b> Replaces the brain of a running agent of this
   * mission with {@code brain.get()}, as a hijack or a prompt injection would. Nothing else changes: the agent keeps
   * its identity, grant, ledger, strikes, credentials, children and in-flight calls, and the new brain acts through the
   * same host under the same bounds, so it gets no more than the agent already holds. The new brain first receives a
   * {@code MissionStarted} with the agent's own grant, identity and original brief, then every later event, including
   * the results of calls the old brain made (under the old brain's call ids, so a behaviour should prefix its own); a
   * decision the old brain was still making is dropped. The swap is audited ({@code compromise}, with
   * {@code behaviour}).
   *
   * @param behaviour the name the audit record and reports give the new brain ({@code rogue})
   * @param brain makes the new brain; called once, on the agent's host
   * @return true once the brain is swapped; false when the agent is not running (ended, halted, not started yet, not
   *     of this mission) or {@code brain} threw or returned null
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when {@code behaviour} is blank
   */
  public CompletionStage<Boolean> redTeamCompromise(AgentId agent, String behaviour, Supplier<Agent> brain) {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(brain, "brain");
    if (Objects.requireNonNull(behaviour, "behaviour").isBlank()) {
      throw new IllegalArgumentException("behaviour is blank");
    }
    CompletionStage<Boolean> reply = AskPattern.ask(supervisor,
        replyTo -> new Supervisor.CompromiseAgent(mission, agent, behaviour, brain, replyTo), ASK_TIMEOUT,
        system.scheduler());
    return reply.thenApplyAsync(swapped -> swapped, REPLYING_THREAD);
  }

  @Override
  public String toString() {
    return "MissionHandle[" + mission + ", root " + root + "]";
  }
}
