package dev.custos.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every metric the runtime records, in one place, named {@code custos.*}: delegations by outcome, tool calls by
 * decision, halts by reason, live agents, active credentials, decision and halt latency. Thread safe.
 */
final class RuntimeMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong liveAgents = new AtomicLong();
  private final AtomicLong activeCredentials = new AtomicLong();
  private final Timer decisionLatency;
  private final Timer haltLatency;

  RuntimeMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("custos.agents.live", liveAgents);
    registry.gauge("custos.credentials.active", activeCredentials);
    this.decisionLatency = Timer.builder("custos.decision.latency")
        .description("From a tool call's arrival at the gateway to its allow or deny decision")
        .register(registry);
    this.haltLatency = Timer.builder("custos.halt.latency")
        .description("The supervisor's work for one halt: the subtree marked, its credentials revoked by lineage, the"
            + " halt audited and every host of the subtree told")
        .register(registry);
  }

  void delegation(String outcome) {
    count("custos.delegations", "outcome", outcome);
  }

  void toolCall(String decision) {
    count("custos.tool.calls", "decision", decision);
  }

  void halt(HaltReason reason) {
    count("custos.halts", "reason", reason.text());
  }

  void agentStarted() {
    liveAgents.incrementAndGet();
  }

  void agentStopped() {
    liveAgents.decrementAndGet();
  }

  void credentialsIssued(int n) {
    activeCredentials.addAndGet(n);
  }

  void credentialsGone(int n) {
    activeCredentials.addAndGet(-n);
  }

  void decisionTook(Duration duration) {
    decisionLatency.record(duration);
  }

  void haltTook(Duration duration) {
    haltLatency.record(duration);
  }

  private void count(String name, String tag, String value) {
    counters.computeIfAbsent(name + "|" + value, k -> Counter.builder(name).tag(tag, value).register(registry))
        .increment();
  }
}
