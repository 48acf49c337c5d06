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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runtime with the JWT broker, and tools that verify what they are given the way a real tool would, with the
 * verifier library: the runtime's credentials pass, scoped to the tool and the grant's resource patterns, bound to the
 * agent, naming the delegation chain; a halted or ended agent's credentials fail at the tool.
 */
class SignedCredentialsTest {

  @Test
  void aChildsCredentialIsScopedBoundAndNamesItsDelegatorAndDiesWithTheMission() throws Exception {
    JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
    CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
    VerifyingTool isolate = new VerifyingTool("host.isolate", 1, verifier, null);
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
      VerifiedCredential credential = isolate.accepted.get(0).verified();
      assertEquals("spiffe://custos.local/mission/m1/agent/commander/containment", credential.subject().toString());
      assertEquals("host.isolate", credential.audience());
      assertEquals(List.of("host.isolate"), credential.scope().tools());
      assertEquals("[host:corp/a]", credential.scope().resources().toString(), "the child's grant, not the parent's");
      assertEquals(List.of("spiffe://custos.local/mission/m1/agent/commander"),
          credential.delegators().stream().map(Object::toString).toList());
      assertThat(credential.holderKeyThumbprint()).isPresent();
      // After the mission, the same credential fails at the tool: revoked with the mission.
      Credential used = isolate.accepted.get(0).credential();
      Verdict replay = verifier.verify(Presentation.byCaller(used.token(), "host.isolate", "host.isolate",
          "host:corp/a", used.holderIdentity()));
      assertEquals(Verification.Reason.REVOKED, assertInstanceOf(Verification.Rejected.class, replay).reason());
      await().atMost(5, TimeUnit.SECONDS).until(() -> broker.activeCount(used.holder(), runtime.now()) == 0);
      assertThat(audit.records().toString()).doesNotContain(used.token());
    }
  }

  @Test
  void aRollbackIsAcceptedByAToolThatChecksScopeAndHolder() throws Exception {
    JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
    VerifyingTool release = new VerifyingTool("host.release", 0, CredentialVerifier.forBroker(broker), null);
    FakeTool isolate = new FakeTool("host.isolate", 1, "host.release");
    try (CustosRuntime runtime = Custos.builder().credentials(broker).tool(isolate).tool(release)
        .agentType("containment", () -> new Script(event -> event instanceof AgentEvent.MissionStarted
            ? List.of(new Action.CallTool("i1", "host.isolate", "host:corp/a")) : List.of()))
        .build()) {
      GrantRequest grant = new GrantRequest(List.of(Capability.of("host.isolate", List.of("host:corp/*"),
          OptionalInt.of(5), false)), new Bounds(20, runtime.now().plus(Duration.ofMinutes(5)), 0, 0, 1,
          Rate.parse("10/1s"), 3));
      MissionHandle mission = runtime.startMission(MissionSpec.of(new MissionId("m2"), "containment",
          MissionBrief.of("isolate a"), grant).withRollbackOnHalt(true));
      await().atMost(5, TimeUnit.SECONDS).until(() -> isolate.executions.size() == 1);

      mission.halt(mission.root(), "the analyst calls it off", true).toCompletableFuture().get(5, TimeUnit.SECONDS);

      await().atMost(5, TimeUnit.SECONDS).until(() -> release.accepted.size() + release.refused.size() == 1);
      assertEquals(List.of(), release.refused, "the supervisor's credential is scoped to the undo it runs");
      VerifiedCredential undo = release.accepted.get(0).verified();
      assertEquals(List.of("host.release"), undo.scope().tools());
      assertEquals("[host:corp/a]", undo.scope().resources().toString());
      assertEquals("spiffe://custos.local/mission/m2/supervisor", undo.subject().toString());
    }
  }
}
