package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Adversarial behaviour {@code budget-burner}: calls the cheapest tool its grant allows (a read, when it has one) in a
 * loop, past its budget and its rate. It starts with a burst of one call more than its rate allows and answers every
 * result and every denial with another call. The runtime halts it: for the budget (a call it cannot pay for), for its
 * calls (a capability's limit reached), or for strikes (the calls past the rate are denied).
 */
public final class BudgetBurner implements Agent {

  /** At most this many calls in the first burst, so a huge rate still gives a bounded list of actions. */
  private static final int MAX_BURST = 100;

  private Targets.Call target;
  private int calls;

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      // With nothing allowed, it burns strikes instead.
      target = Targets.cheapest(started.grant(), started.brief()).orElse(new Targets.Call("siem.query", "siem:alerts"));
      List<Action> burst = new ArrayList<>();
      int count = Math.min(started.grant().bounds().rate().calls() + 1, MAX_BURST);
      for (int i = 0; i < count; i++) {
        burst.add(call());
      }
      return burst;
    }
    if (target != null && (event instanceof AgentEvent.ToolResult || event instanceof AgentEvent.CallDenied)) {
      return List.of(call());
    }
    return List.of();
  }

  private Action call() {
    calls++;
    return new Action.CallTool("burn-" + calls, target.tool(), target.resource());
  }
}
