package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.approval.ApprovalRequest;
import dev.custos.approval.InMemoryApprovals;
import dev.custos.audit.AuditRow;
import dev.custos.audit.AuditStore;
import dev.custos.audit.CheckpointKey;
import dev.custos.audit.JdbcAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.files.Problems;
import dev.custos.identity.MissionId;
import dev.custos.runtime.AgentStatus;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import dev.custos.runtime.MissionHandle;
import dev.custos.runtime.MissionOutcome;
import dev.custos.runtime.MissionSpec;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import dev.custos.agent.ToolOutcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped soc-baseline pack deciding a real runtime's calls, a person answering the approval it asks for, and the
 * durable audit store recording it all: the decisions name the pack's version and rules, and the store verifies.
 */
class PoliciesInTheRuntimeTest {

  /** A tool that only records what it was asked to do. */
  private record Recording(String name, Risk risk, List<String> done) implements Tool {
    @Override
    public long cost() {
      return 1;
    }

    @Override
    public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
      done.add(call.tool() + " " + call.resource());
      return CompletableFuture.completedFuture(new ToolOutcome.Done(Map.of()));
    }
  }

  /** Isolates a workstation, tries to export data, isolates the domain controller; completes when all are answered. */
  private static final class Responder implements Agent {
    private int answered;

    @Override
    public boolean blocking() {
      return false;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted) {
        return List.of(
            new Action.CallTool("ws", "host.isolate", "host:corp/fin-ws-01", Map.of("confidence", 0.95)),
            new Action.CallTool("export", "data.export", "net:198.51.100.9", Map.of("confidence", 1.0)),
            new Action.CallTool("dc", "host.isolate", "host:core/dc-01", Map.of("confidence", 0.95)));
      }
      if (event instanceof AgentEvent.ToolResult || event instanceof AgentEvent.CallDenied) {
        if (++answered == 3) {
          return List.of(new Action.Complete(Map.of()));
        }
      }
      return List.of();
    }
  }

  @Test
  void socBaselineDecidesApprovalsArePersonalAndTheRecordVerifies(@TempDir Path data) throws Exception {
    ResourceDirectory inventory = name -> name.equals("host:core/dc-01")
        ? new ResourceDirectory.ResourceFacts("host", "core", "tier0", false) : ResourceDirectory.fromName(name);
    Problems problems = new Problems();
    PolicyEngine engine = PolicyEngine.load(List.of(Path.of("packs", "soc-baseline.yaml")), inventory, null,
        Clock.systemUTC(), problems).orElseThrow(() -> new AssertionError(problems.toString()));
    String version = engine.current().version();
    InMemoryApprovals approvals = new InMemoryApprovals();
    List<String> done = new CopyOnWriteArrayList<>();
    MissionOutcome outcome;
    try (CustosRuntime runtime = Custos.builder()
        .tool(new Recording("host.isolate", Risk.HIGH, done))
        .tool(new Recording("data.export", Risk.HIGH, done))
        .agentType("responder", Responder::new)
        .policy(engine)
        .approvals(approvals)
        .dataDirectory(data)
        .build()) {
      GrantRequest grant = new GrantRequest(
          List.of(Capability.of("host.isolate", "host:**"), Capability.of("data.export", "net:**")),
          new Bounds(50, runtime.now().plus(Duration.ofMinutes(10)), 1, 1, 2, Rate.parse("30/1m"), 3));
      MissionHandle mission = runtime.startMission(MissionSpec.of(new MissionId("inc-1"), "responder",
          new MissionBrief("contain", Map.of()), grant).withName("contain-ransomware"));

      await().atMost(Duration.ofSeconds(20)).until(() -> approvals.pending().size() == 1);
      ApprovalRequest asked = approvals.pending().get(0);
      assertEquals("host.isolate", asked.action());
      assertEquals("host:core/dc-01", asked.resource());
      assertEquals(List.of("tier0-needs-a-person"), asked.ruleIds());
      assertEquals("tier-0 hosts and privileged accounts change only with a person's approval", asked.reason());
      // The workstation's isolation runs once its record is durable; the tier-0 one waits for the person.
      await().atMost(Duration.ofSeconds(20)).until(() -> done.contains("host.isolate host:corp/fin-ws-01"));
      assertEquals(List.of("host.isolate host:corp/fin-ws-01"), done, "the tier-0 isolation waits for the person");

      assertTrue(approvals.approve(asked.id(), "analyst@soc"));
      outcome = mission.completion().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    assertEquals(AgentStatus.COMPLETED, outcome.status());
    assertThat(done).containsExactlyInAnyOrder("host.isolate host:corp/fin-ws-01", "host.isolate host:core/dc-01");

    try (Connection store = DriverManager.getConnection(JdbcAuditLog.embeddedUrl(data))) {
      AuditStore.Result verified = AuditStore.verify(store,
          CheckpointKey.readPublicKey(data.resolve("checkpoint-key.pub")), null);
      assertTrue(verified.intact(), verified.toString());
      assertEquals(verified.records(), verified.lastCheckpoint(), "closing the runtime signs the head");
      List<String> decisions = new ArrayList<>();
      for (AuditRow row : AuditStore.rows(store, 1)) {
        if (row.kind().equals("tool-executed") || row.kind().equals("decision")) {
          decisions.add(row.kind() + " " + row.policyVersion() + " " + row.ruleIds());
        }
      }
      assertThat(decisions).contains(
          "tool-executed " + version + " [\"defence-tools\"]",
          "decision " + version + " [\"never-export-data\"]",
          "tool-executed " + version + " [\"tier0-needs-a-person\"]");
    }
  }
}
