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
 * Scans each host of its brief with {@code edr.scan} and reports which are compromised.
 *
 * <p>Brief facts: {@code hosts} (host names) and, optionally, {@code techniques} ({@code {host: [technique ids]}}, what
 * the alerts said of each host). Report: {@code {confirmed: [hosts], clean: [hosts], unscanned: [{host, reason}],
 * confidence: {host: 0..1}, techniques: {host: [ids the EDR found]}}}.
 *
 * <p>The confidence it gives a confirmed host is the decision this agent adds: when the EDR found a technique an alert
 * had also named on that host, two independent sources agree ({@value #CORROBORATED}); when only the EDR says so,
 * {@value #EDR_ONLY}, which policies may ask a person to confirm before a high-risk action.
 */
public final class Triage implements Agent {

  /** Confidence when the EDR finds a technique an alert named on the host. */
  public static final double CORROBORATED = 0.95;
  /** Confidence when the EDR finds the host compromised but not by the alerted techniques. */
  public static final double EDR_ONLY = 0.75;

  private final Map<String, String> hostByCall = new LinkedHashMap<>();
  private Object alerted;
  private final List<String> confirmed = new ArrayList<>();
  private final List<String> clean = new ArrayList<>();
  private final List<Map<String, Object>> unscanned = new ArrayList<>();
  private final Map<String, Object> confidence = new TreeMap<>();
  private final Map<String, Object> found = new TreeMap<>();

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      alerted = started.brief().fact("techniques");
      List<Action> scans = new ArrayList<>();
      for (String host : new LinkedHashSet<>(Values.strings(started.brief().fact("hosts")))) {
        String callId = "scan-" + (hostByCall.size() + 1);
        hostByCall.put(callId, host);
        scans.add(new Action.CallTool(callId, "edr.scan", host));
      }
      return scans.isEmpty() ? report() : scans;
    }
    if (event instanceof AgentEvent.ToolResult result && hostByCall.containsKey(result.callId())) {
      String host = hostByCall.get(result.callId());
      if (result.outcome() instanceof ToolOutcome.Done done) {
        judge(host, done.data());
      } else {
        unscanned(host, ((ToolOutcome.Failed) result.outcome()).reason());
      }
      return answered();
    }
    if (event instanceof AgentEvent.CallDenied denied && hostByCall.containsKey(denied.callId())) {
      unscanned(hostByCall.get(denied.callId()), String.join("; ", denied.reasons()));
      return answered();
    }
    return List.of();
  }

  private void judge(String host, Map<String, Object> scan) {
    List<String> techniques = Values.strings(scan.get("techniques"));
    if (!Boolean.TRUE.equals(scan.get("compromised"))) {
      clean.add(host);
      return;
    }
    confirmed.add(host);
    found.put(host, techniques);
    List<String> named = Values.strings(Values.get(alerted, host));
    boolean corroborated = techniques.stream().anyMatch(named::contains);
    confidence.put(host, corroborated ? CORROBORATED : EDR_ONLY);
  }

  private void unscanned(String host, String reason) {
    unscanned.add(Map.of("host", host, "reason", reason));
  }

  /** Reports once every scan was answered, one way or another. */
  private List<Action> answered() {
    int answers = confirmed.size() + clean.size() + unscanned.size();
    return answers == hostByCall.size() ? report() : List.of();
  }

  private List<Action> report() {
    return List.of(new Action.Complete(Map.of("confirmed", confirmed, "clean", clean, "unscanned", unscanned,
        "confidence", confidence, "techniques", found)));
  }
}
