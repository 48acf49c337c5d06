package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Bounds;
import dev.custos.capability.GrantRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Adversarial behaviour {@code fork-bomb}: delegates as many children as it can, each a fork-bomb too. At its start and
 * then every second it asks for one child more than its fan-out allows; each child asks for as much of the tree as it
 * could use (one level less, the same fan-out, an equal part of the agents left), no tools and no budget. The bounds
 * stop it: a delegation past {@code maxChildren}, {@code maxSubtreeAgents} or {@code maxDepth} is refused, each refusal
 * is a strike, and the strikes halt it with its whole subtree.
 *
 * <p>It asks again on a timer rather than on each refusal, so that its children have started (and forked in turn)
 * before its own strikes run out: the whole tree is tested, not only its root.
 */
public final class ForkBomb implements Agent {

  private static final Duration AGAIN = Duration.ofSeconds(1);
  /** At most this many delegations per turn, so a huge {@code maxChildren} still gives a bounded list of actions. */
  private static final int MAX_BURST = 64;

  private Bounds own;
  private int forks;

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      own = started.grant().bounds();
      return fork();
    }
    if (own != null && event instanceof AgentEvent.TimerFired) {
      return fork();
    }
    return List.of();
  }

  private List<Action> fork() {
    Bounds child = new Bounds(0, own.deadline(), Math.max(0, own.maxDepth() - 1), own.maxChildren(),
        Math.max(1, (own.maxSubtreeAgents() - 1) / Math.max(1, own.maxChildren())), own.rate(), own.maxStrikes());
    List<Action> actions = new ArrayList<>();
    // One more than it may have: the last is refused, whatever else is.
    for (int i = Math.min(own.maxChildren() + 1, MAX_BURST); i > 0; i--) {
      forks++;
      actions.add(new Action.Delegate("fork", Behaviours.FORK_BOMB, MissionBrief.of("fork #" + forks),
          new GrantRequest(List.of(), child)));
    }
    actions.add(new Action.StartTimer("again", AGAIN));
    return actions;
  }
}
