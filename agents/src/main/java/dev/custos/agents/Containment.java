package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Isolates the hosts of its brief, disables its accounts and blocks its addresses, then stays on watch until shortly
 * before its deadline, and reports what was done and what was not.
 *
 * <p>Brief facts: {@code hosts}, {@code accounts}, {@code addresses} (resource names) and {@code confidence}
 * ({@code {resource: 0..1}}), which goes into the arguments of each call as {@code confidence}: policies read it as
 * {@code context.confidence}, and a call that states none is treated as a hunch. Report: {@code {isolated: [],
 * disabled: [], blocked: [], denied: [{tool, resource, reasons}], failed: [{tool, resource, reason}]}}.
 *
 * <p>It reports every outcome, denials included, and leaves the judgement to its parent: it was asked to act, not to
 * decide what to do when it could not.
 *
 * <p>Why it stays: an isolation is held by the agent that made it, for the time its parent gave it. It never releases
 * anything itself; it just does not report before {@link #REPORT_BEFORE_DEADLINE} ahead of its deadline, so that its
 * parent reads the report while the isolations are still its own (a halt of this agent with rollback undoes them).
 * Its parent's deadline, or the parent's end, ends it sooner. When none of its calls had an effect (all denied or
 * failed), it holds nothing, and reports at once.
 */
public final class Containment implements Agent {

  /** How long before its deadline it reports: enough for the report to reach the parent in time. */
  public static final Duration REPORT_BEFORE_DEADLINE = Duration.ofSeconds(1);

  private static final String REPORT_TIMER = "report";

  private Instant deadline;

  private final Map<String, Action.CallTool> pending = new LinkedHashMap<>();
  private final Map<String, List<String>> done = new LinkedHashMap<>();
  private final List<Map<String, Object>> denied = new ArrayList<>();
  private final List<Map<String, Object>> failed = new ArrayList<>();

  public Containment() {
    done.put("host.isolate", new ArrayList<>());
    done.put("account.disable", new ArrayList<>());
    done.put("firewall.block", new ArrayList<>());
  }

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      MissionBrief brief = started.brief();
      deadline = started.grant().bounds().deadline();
      Map<String, Double> confidence = Values.numbers(brief.fact("confidence"));
      call("host.isolate", brief.fact("hosts"), confidence);
      call("account.disable", brief.fact("accounts"), confidence);
      call("firewall.block", brief.fact("addresses"), confidence);
      return pending.isEmpty() ? standBy(started.at()) : List.copyOf(pending.values());
    }
    if (event instanceof AgentEvent.ToolResult result && pending.containsKey(result.callId())) {
      Action.CallTool call = pending.remove(result.callId());
      if (result.outcome() instanceof ToolOutcome.Failed failure) {
        failed.add(Map.of("tool", call.tool(), "resource", call.resource(), "reason", failure.reason()));
      } else {
        done.get(call.tool()).add(call.resource());
      }
      return pending.isEmpty() ? standBy(event.at()) : List.of();
    }
    if (event instanceof AgentEvent.CallDenied refusal && pending.containsKey(refusal.callId())) {
      Action.CallTool call = pending.remove(refusal.callId());
      denied.add(Map.of("tool", call.tool(), "resource", call.resource(), "reasons", refusal.reasons()));
      return pending.isEmpty() ? standBy(event.at()) : List.of();
    }
    if (event instanceof AgentEvent.TimerFired timer && timer.key().equals(REPORT_TIMER)) {
      return report();
    }
    // ApprovalResolved: a call waited for a person; its result or denial follows.
    return List.of();
  }

  /** Queues one call of {@code tool} per resource, with the confidence the brief states for it. */
  private void call(String tool, Object resources, Map<String, Double> confidence) {
    for (String resource : new LinkedHashSet<>(Values.strings(resources))) {
      Map<String, Object> arguments = confidence.containsKey(resource)
          ? Map.of("confidence", confidence.get(resource)) : Map.of();
      String callId = tool + "-" + (pending.size() + 1);
      pending.put(callId, new Action.CallTool(callId, tool, resource, arguments));
    }
  }

  /**
   * Every call was answered: holds what it did until just before the deadline, then reports (at once when that time
   * has come, or when it holds nothing).
   */
  private List<Action> standBy(Instant now) {
    Duration wait = Duration.between(now, deadline.minus(REPORT_BEFORE_DEADLINE));
    boolean holds = done.values().stream().anyMatch(resources -> !resources.isEmpty());
    return !holds || wait.isNegative() || wait.isZero() ? report()
        : List.of(new Action.StartTimer(REPORT_TIMER, wait));
  }

  private List<Action> report() {
    return List.of(new Action.Complete(Map.of("isolated", done.get("host.isolate"),
        "disabled", done.get("account.disable"), "blocked", done.get("firewall.block"),
        "denied", denied, "failed", failed)));
  }
}
