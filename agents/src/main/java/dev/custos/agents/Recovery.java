package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.ToolOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the hosts of its brief from backup with {@code host.restore}, once containment and forensics are done with
 * them. A restore is high risk: its calls state their confidence, and usually wait for a person's approval (the grant or
 * the policy asks for it); a refused or unanswered approval comes back as a denial, which it reports.
 *
 * <p>Brief facts: {@code hosts}, {@code confidence} ({@code {host: 0..1}}). Report: {@code {restored: [hosts],
 * denied: [{host, reasons}], failed: [{host, reason}]}}.
 */
public final class Recovery implements Agent {

  private final Map<String, String> hostByCall = new LinkedHashMap<>();
  private final List<String> restored = new ArrayList<>();
  private final List<Map<String, Object>> denied = new ArrayList<>();
  private final List<Map<String, Object>> failed = new ArrayList<>();

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      Map<String, Double> confidence = Values.numbers(started.brief().fact("confidence"));
      List<Action> calls = new ArrayList<>();
      for (String host : new LinkedHashSet<>(Values.strings(started.brief().fact("hosts")))) {
        String callId = "restore-" + (hostByCall.size() + 1);
        hostByCall.put(callId, host);
        Map<String, Object> arguments = confidence.containsKey(host)
            ? Map.of("confidence", confidence.get(host)) : Map.of();
        calls.add(new Action.CallTool(callId, "host.restore", host, arguments));
      }
      return calls.isEmpty() ? report() : calls;
    }
    if (event instanceof AgentEvent.ToolResult result && hostByCall.containsKey(result.callId())) {
      String host = hostByCall.get(result.callId());
      if (result.outcome() instanceof ToolOutcome.Failed failure) {
        failed.add(Map.of("host", host, "reason", failure.reason()));
      } else {
        restored.add(host);
      }
      return answered();
    }
    if (event instanceof AgentEvent.CallDenied refusal && hostByCall.containsKey(refusal.callId())) {
      denied.add(Map.of("host", hostByCall.get(refusal.callId()), "reasons", refusal.reasons()));
      return answered();
    }
    // ApprovalResolved: the restore waited for a person; its result or denial follows.
    return List.of();
  }

  private List<Action> answered() {
    return restored.size() + denied.size() + failed.size() == hostByCall.size() ? report() : List.of();
  }

  private List<Action> report() {
    return List.of(new Action.Complete(Map.of("restored", restored, "denied", denied, "failed", failed)));
  }
}
