package dev.custos.agents;

import dev.custos.agent.ToolOutcome;
import dev.custos.credential.Credential;
import dev.custos.tool.Compensation;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny simulated environment for the agents' tests: a list of alerts, the hosts an attacker holds, and the simulated
 * tools of the scenario spec answering with the result shapes of the agents' README. Records every execution, with the
 * credential the runtime presented. Thread safe: tools run on the runtime's threads while the test reads.
 */
final class FakeEnvironment {

  record Execution(String tool, String resource, Map<String, Object> arguments, String agent, Credential credential) {}

  final List<Execution> executions = new CopyOnWriteArrayList<>();
  private final List<Map<String, Object>> alerts = new CopyOnWriteArrayList<>();
  private final Map<String, List<String>> compromised = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> misses = new ConcurrentHashMap<>();
  private final AtomicInteger snapshots = new AtomicInteger();
  private final List<Tool> tools = new ArrayList<>();

  FakeEnvironment() {
    tool("siem.query", Risk.READ, 1, null, call -> Map.of("alerts", List.copyOf(alerts)));
    tool("edr.scan", Risk.READ, 1, null, call -> {
      boolean seen = compromised.containsKey(call.resource()) && !missed(call.resource());
      return Map.of("host", call.resource(), "compromised", seen,
          "techniques", seen ? compromised.get(call.resource()) : List.of());
    });
    tool("host.isolate", Risk.HIGH, 2, "host.release", call -> Map.of("host", call.resource()));
    tool("host.release", Risk.LOW, 1, null, call -> Map.of("host", call.resource()));
    tool("host.restore", Risk.HIGH, 5, null, call -> Map.of("host", call.resource()));
    tool("account.disable", Risk.HIGH, 2, "account.enable", call -> Map.of("account", call.resource()));
    tool("account.enable", Risk.LOW, 1, null, call -> Map.of("account", call.resource()));
    tool("firewall.block", Risk.LOW, 1, "firewall.unblock", call -> Map.of("address", call.resource()));
    tool("firewall.unblock", Risk.LOW, 1, null, call -> Map.of("address", call.resource()));
    tool("forensics.snapshot", Risk.READ, 2, null,
        call -> Map.of("host", call.resource(), "snapshot", "snap-" + snapshots.incrementAndGet()));
    tool("ticket.update", Risk.LOW, 1, null, call -> Map.of("ticket", call.resource()));
    tool("data.export", Risk.HIGH, 1, null, call -> Map.of("exported", call.resource()));
  }

  /** Raises an alert: {@code extra} holds the optional fields ({@code to}, {@code account}). */
  FakeEnvironment alert(String id, String host, String technique, String text, Map<String, Object> extra) {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("id", id);
    alert.put("host", host);
    alert.put("technique", technique);
    alert.put("text", text);
    alert.put("atMs", 1000L * (alerts.size() + 1));
    alert.putAll(extra);
    alerts.add(alert);
    return this;
  }

  FakeEnvironment alert(String id, String host, String technique, String text) {
    return alert(id, host, technique, text, Map.of());
  }

  /** The attacker holds {@code host}; a scan finds these techniques there. */
  FakeEnvironment compromise(String host, String... techniques) {
    compromised.put(host, List.of(techniques));
    return this;
  }

  /** The next {@code scans} scans of {@code host} miss the attacker there, as a real EDR sometimes does. */
  FakeEnvironment missScans(String host, int scans) {
    misses.put(host, new AtomicInteger(scans));
    return this;
  }

  private boolean missed(String host) {
    AtomicInteger left = misses.get(host);
    return left != null && left.getAndDecrement() > 0;
  }

  List<Tool> tools() {
    return tools;
  }

  /** The tools' risk by name, as the runtime sees it. */
  Risk risk(String tool) {
    return tools.stream().filter(t -> t.name().equals(tool)).findFirst().orElseThrow().risk();
  }

  List<Execution> of(String tool) {
    return executions.stream().filter(e -> e.tool().equals(tool)).toList();
  }

  List<String> resources(String tool) {
    return of(tool).stream().map(Execution::resource).toList();
  }

  private void tool(String name, Risk risk, long cost, String undo, Function<ToolCall, Map<String, Object>> answer) {
    tools.add(new Tool() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Risk risk() {
        return risk;
      }

      @Override
      public long cost() {
        return cost;
      }

      @Override
      public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
        executions.add(new Execution(name, call.resource(), call.arguments(), call.agent().value(), credential));
        return CompletableFuture.completedFuture(new ToolOutcome.Done(answer.apply(call)));
      }

      @Override
      public Optional<Compensation> compensation(ToolCall call) {
        return undo == null ? Optional.empty() : Optional.of(new Compensation(undo, call.resource()));
      }
    });
  }
}
