package dev.custos.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.custos.agent.Action;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialVerifier;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.credential.Presentation;
import dev.custos.credential.Verdict;
import dev.custos.credential.Verification;
import dev.custos.credential.VerifiedCredential;
import dev.custos.identity.MissionId;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime with the JWT broker, and tools that verify what they are given the way a real tool would, with the
 * verifier library: the runtime's credentials pass, scoped to the tool and the grant's resource patterns, bound to the
 * agent, naming the delegation chain; a halted or ended agent's credentials fail at the tool.
 */
class SignedCredentialsTest {

  /** A tool that accepts a call only when the verifier accepts the credential presented with it. */
  private static final class VerifyingTool implements Tool {
    final List<VerifiedCredential> accepted = new CopyOnWriteArrayList<>();
    final List<Verification.Rejected> refused = new CopyOnWriteArrayList<>();
    final List<Credential> seen = new CopyOnWriteArrayList<>();
    private final String name;
    private final CredentialVerifier verifier;

    VerifyingTool(String name, CredentialVerifier verifier) {
      this.name = name;
      this.verifier = verifier;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Risk risk() {
      return Risk.LOW;
    }

    @Override
    public long cost() {
      return 1;
    }

    @Override
    public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
      seen.add(credential);
      Verdict verdict = verifier.verify(Presentation.byCaller(credential.token(), name, name, call.resource(),
          call.caller()));
      if (verdict instanceof Verdict.Accepted ok) {
        accepted.add(ok.credential());
        return CompletableFuture.completedFuture(new ToolOutcome.Done(Map.of()));
      }
      refused.add((Verification.Rejected) verdict);
      return CompletableFuture.completedFuture(new ToolOutcome.Failed("credential refused"));
    }
  }

  @Test
  void aChildsCredentialIsScopedBoundAndNamesItsDelegatorAndDiesWithTheMission() throws Exception {
    JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
    CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
    VerifyingTool isolate = new VerifyingTool("host.isolate", verifier);
    InMemoryAuditLog audit = new InMemoryAuditLog();
    try (CustosRuntime runtime = Custos.builder().credentials(broker).audit(audit).tool(isolate)
        .agentType("commander", () -> new Script(event -> {
          if (event instanceof AgentEvent.MissionStarted started) {
            Bounds bounds = new Bounds(5, started.grant().bounds().deadline(), 0, 0, 1, Rate.parse("10/1s"), 3);
            return List.of(new Action.Delegate("containment", "containment", MissionBrief.of("isolate a"),
                new GrantRequest(List.of(Capability.of("host.isolate", List.of("host:corp/a"), OptionalInt.of(2),
                    false)), bounds)));
          }
          if (event instanceof AgentEvent.ChildReported) {
            return List.of(new Action.Complete(Map.of()));
          }
          return List.of();
        }))
        .agentType("containment", () -> new Script(event -> {
          if (event instanceof AgentEvent.MissionStarted) {
            return List.of(new Action.CallTool("i1", "host.isolate", "host:corp/a"));
          }
          if (event instanceof AgentEvent.ToolResult result) {
            return List.of(new Action.Complete(Map.of("ok", result.outcome() instanceof ToolOutcome.Done)));
          }
          return List.of();
        }))
        .build()) {
      GrantRequest root = new GrantRequest(List.of(Capability.of("host.isolate", List.of("host:corp/*"),
          OptionalInt.of(5), false)), new Bounds(20, runtime.now().plus(Duration.ofMinutes(5)), 1, 2, 3,
          Rate.parse("10/1s"), 3));
      MissionHandle mission = runtime.startMission(MissionSpec.of(new MissionId("m1"), "commander",
          MissionBrief.of("contain"), root));

      MissionOutcome outcome = mission.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertEquals(AgentStatus.COMPLETED, outcome.status());
      assertEquals(List.of(), isolate.refused);
      VerifiedCredential credential = isolate.accepted.get(0);
      assertEquals("spiffe://custos.local/mission/m1/agent/commander/containment", credential.subject().toString());
      assertEquals("host.isolate", credential.audience());
      assertEquals(List.of("host.isolate"), credential.scope().tools());
      assertEquals("[host:corp/a]", credential.scope().resources().toString(), "the child's grant, not the parent's");
      assertEquals(List.of("spiffe://custos.local/mission/m1/agent/commander"),
          credential.delegators().stream().map(Object::toString).toList());
      assertThat(credential.holderKeyThumbprint()).isPresent();
      // After the mission, the same credential fails at the tool: revoked with the mission.
      Credential used = isolate.seen.get(0);
      Verdict replay = verifier.verify(Presentation.byCaller(used.token(), "host.isolate", "host.isolate",
          "host:corp/a", used.holderIdentity()));
      assertEquals(Verification.Reason.REVOKED, assertInstanceOf(Verification.Rejected.class, replay).reason());
      await().atMost(5, TimeUnit.SECONDS).until(() -> broker.activeCount(used.holder(), runtime.now()) == 0);
      assertThat(audit.records().toString()).doesNotContain(used.token());
    }
  }
}
