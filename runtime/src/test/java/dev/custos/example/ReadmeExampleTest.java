package dev.custos.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.identity.MissionId;
import dev.custos.runtime.AgentStatus;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSpec;
import dev.custos.tool.Compensation;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The README's embedding example, kept compiling and running: it uses the public API only, from another package. */
class ReadmeExampleTest {

  /** A tool: it isolates a host (here it only says so) and names its undo. */
  static final class IsolateHost implements Tool {
    @Override public String name() { return "host.isolate"; }
    @Override public Risk risk() { return Risk.HIGH; }
    @Override public long cost() { return 5; }

    @Override
    public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
      // A real connector would verify `credential` and call the EDR here.
      return CompletableFuture.completedFuture(new ToolOutcome.Done(Map.of("isolated", call.resource())));
    }

    @Override
    public Optional<Compensation> compensation(ToolCall call) {
      return Optional.of(new Compensation("host.release", call.resource()));
    }
  }

  /** An agent: isolate the host its brief names, then report. */
  static final class Responder implements Agent {
    @Override public boolean blocking() { return false; }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        String host = (String) started.brief().fact("host");
        return List.of(new Action.CallTool("isolate-1", "host.isolate", host));
      }
      if (event instanceof AgentEvent.ToolResult result) {
        return List.of(new Action.Complete(Map.of("isolated", result.resource())));
      }
      if (event instanceof AgentEvent.CallDenied denied) {
        return List.of(new Action.Fail(String.join("; ", denied.reasons())));
      }
      return List.of();
    }
  }

  @Test
  void theReadmeExampleRuns() throws Exception {
    try (CustosRuntime runtime = Custos.builder()
        .tool(new IsolateHost())
        .agentType("responder", Responder::new)
        .build()) {
      GrantRequest grant = new GrantRequest(
          List.of(Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(3), false)),
          new Bounds(50, runtime.now().plus(Duration.ofMinutes(10)), 2, 4, 10, Rate.parse("30/1m"), 3));
      MissionBrief brief = new MissionBrief("contain the infected workstation",
          Map.of("host", dev.custos.agent.Fact.of("host:corp/fin-ws-01")));

      MissionOutcome outcome = runtime.startMission(MissionSpec.of(new MissionId("inc-4711"), "responder", brief, grant))
          .completion().toCompletableFuture().get();

      assertEquals(AgentStatus.COMPLETED, outcome.status());
      assertEquals(Map.of("isolated", "host:corp/fin-ws-01"), outcome.report());
    }
  }
}
