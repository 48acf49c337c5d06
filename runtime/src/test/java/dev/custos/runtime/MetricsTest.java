package dev.custos.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.agent.Action;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.identity.MissionId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runtime's metrics, named custos.*, count what happened. */
class MetricsTest {

  @Test
  void callsHaltsDelegationsAndLiveAgentsAreCounted() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FakeTool query = new FakeTool("siem.query");
    Script[] root = new Script[1];
    try (CustosRuntime runtime = Custos.builder().meterRegistry(meters).tool(query)
        .agentType("root", () -> root[0] = new Script(event -> event instanceof AgentEvent.MissionStarted
            ? List.of(new Action.CallTool("ok", "siem.query", "siem:alerts"),
                new Action.CallTool("bad1", "siem.query", "siem:other"),
                new Action.CallTool("bad2", "siem.query", "siem:other"))
            : List.of()))
        .build()) {
      GrantRequest grant = new GrantRequest(List.of(Capability.of("siem.query", "siem:alerts")),
          new Bounds(10, runtime.now().plus(Duration.ofMinutes(5)), 1, 1, 1, Rate.parse("10/1s"), 2));
      MissionHandle mission = runtime.startMission(MissionSpec.of(new MissionId("m1"), "root", MissionBrief.of("x"),
          grant));
      mission.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);

      await().atMost(5, TimeUnit.SECONDS).until(() -> meters.get("custos.agents.live").gauge().value() == 0.0);
      assertEquals(2.0, meters.get("custos.tool.calls").tag("decision", "deny").counter().count());
      assertEquals(1.0, meters.get("custos.halts").tag("reason", "strikes").counter().count());
      assertEquals(1.0, meters.get("custos.delegations").tag("outcome", "allow").counter().count());
      assertEquals(3L, meters.get("custos.decision.latency").timer().count());
    }
  }
}
