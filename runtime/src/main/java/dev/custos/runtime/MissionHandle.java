package dev.custos.runtime;

import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** A running (or ended) mission, as its starter holds it. Thread safe. */
public final class MissionHandle {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

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
    return reply.thenApply(Optional::orElseThrow);
  }

  /**
   * Halts an agent of this mission and its whole subtree, as a person decides.
   *
   * @param reason the person's words, audited
   * @param rollback run the compensations of the subtree's executed effects, in reverse order
   * @return the halted agents, the given one first; empty when it was not running
   */
  public CompletionStage<List<AgentId>> halt(AgentId agent, String reason, boolean rollback) {
    return AskPattern.ask(supervisor, replyTo -> new Supervisor.HaltAgent(mission, agent, reason, rollback, replyTo),
        ASK_TIMEOUT, system.scheduler());
  }

  @Override
  public String toString() {
    return "MissionHandle[" + mission + ", root " + root + "]";
  }
}
