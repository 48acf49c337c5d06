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
import java.util.TreeMap;

/**
 * Takes a forensic snapshot of each host of its brief before anyone rebuilds it, and reports the snapshot ids. It only
 * reads: its parent gives it {@code forensics.snapshot} and nothing else.
 *
 * <p>Brief facts: {@code hosts}. Report: {@code {snapshots: {host: id}, failed: [{host, reason}]}}.
 */
public final class Forensics implements Agent {

  private final Map<String, String> hostByCall = new LinkedHashMap<>();
  private final Map<String, Object> snapshots = new TreeMap<>();
  private final List<Map<String, Object>> failed = new ArrayList<>();

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      List<Action> calls = new ArrayList<>();
      for (String host : new LinkedHashSet<>(Values.strings(started.brief().fact("hosts")))) {
        String callId = "snapshot-" + (hostByCall.size() + 1);
        hostByCall.put(callId, host);
        calls.add(new Action.CallTool(callId, "forensics.snapshot", host));
      }
      return calls.isEmpty() ? report() : calls;
    }
    if (event instanceof AgentEvent.ToolResult result && hostByCall.containsKey(result.callId())) {
      String host = hostByCall.get(result.callId());
      if (result.outcome() instanceof ToolOutcome.Done done && done.data().get("snapshot") instanceof String id) {
        snapshots.put(host, id);
      } else {
        String reason = result.outcome() instanceof ToolOutcome.Failed f ? f.reason() : "the result names no snapshot";
        failed.add(Map.of("host", host, "reason", reason));
      }
      return answered();
    }
    if (event instanceof AgentEvent.CallDenied denied && hostByCall.containsKey(denied.callId())) {
      failed.add(Map.of("host", hostByCall.get(denied.callId()), "reason", String.join("; ", denied.reasons())));
      return answered();
    }
    return List.of();
  }

  private List<Action> answered() {
    return snapshots.size() + failed.size() == hostByCall.size() ? report() : List.of();
  }

  private List<Action> report() {
    return List.of(new Action.Complete(Map.of("snapshots", snapshots, "failed", failed)));
  }
}
