package dev.custos.agents;

import static dev.custos.agents.Harness.brief;
import static dev.custos.agents.Harness.grant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.Agent;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.runtime.AgentStatus;
import dev.custos.runtime.MissionOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each defence agent on its own, as the root of a mission, and the registry of names. */
class DefenceAgentsTest {

  private static final String WS1 = "host:corp/fin-ws-01";
  private static final String WS2 = "host:corp/fin-ws-02";
  private static final String WS3 = "host:corp/fin-ws-03";
  private static final String DC = "host:core/dc-01";

  private Harness harness;

  @AfterEach
  void close() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void theNamesAreTheSpecsAndEachFactoryMakesAFreshNonBlockingAgent() {
    assertEquals(List.of("incident-commander", "triage", "containment", "forensics", "recovery"), DefenceAgents.NAMES);
    assertEquals(List.of("rogue", "fork-bomb", "budget-burner", "credential-thief", "injected", "stall"),
        Behaviours.NAMES);
    assertEquals(DefenceAgents.NAMES, List.copyOf(DefenceAgents.types().keySet()));
    assertEquals(Behaviours.NAMES, List.copyOf(Behaviours.types().keySet()));
    for (Supplier<Agent> factory : List.of(DefenceAgents.types().values(), Behaviours.types().values()).stream()
        .flatMap(java.util.Collection::stream).toList()) {
      Agent agent = factory.get();
      assertFalse(agent.blocking(), agent.getClass().getSimpleName() + " decides without blocking");
      assertNotSame(agent, factory.get());
    }
    assertEquals(Stall.class, Behaviours.named("stall").get().getClass());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Behaviours.named("nice"));
    assertEquals("no behaviour 'nice' (known: rogue, fork-bomb, budget-burner, credential-thief, injected, stall)",
        unknown.getMessage());
    assertThrows(UnsupportedOperationException.class, () -> DefenceAgents.types().put("x", Stall::new));
  }

  @Test
  void theAgentsUseThePublicAgentSpiOnly() throws IOException {
    // The SPI, the capability values a grant is written in, the ids its events name children by, and the helpers that
    // read durations.
    List<String> allowed = List.of("dev.custos.agent.", "dev.custos.agents.", "dev.custos.capability.",
        "dev.custos.identity.AgentId;", "dev.custos.Durations;", "dev.custos.BadInputException;");
    List<String> imports = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/custos/agents"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Files.readAllLines(file).stream().filter(line -> line.startsWith("import dev.custos.")).forEach(imports::add);
      }
    }
    assertFalse(imports.isEmpty(), "the sources were read");
    for (String line : imports) {
      assertTrue(allowed.stream().anyMatch(line.substring("import ".length())::startsWith), line);
    }
  }

  @Test
  void triageConfirmsCompromisedHostsWithMoreConfidenceWhenTheAlertsAgree() {
    harness = new Harness();
    harness.env.compromise(WS1, "T1486").compromise(WS2, "T1021");
    MissionOutcome outcome = harness.outcome(harness.start(DefenceAgents.TRIAGE,
        brief("scan", Map.of("hosts", List.of(WS1, WS2, WS3, DC),
            "techniques", Map.of(WS1, List.of("T1486"), WS2, List.of("T1003")))),
        grant(harness.bounds(Duration.ofMinutes(1), 20), Capability.of("edr.scan", "host:corp/*"))));

    assertEquals(AgentStatus.COMPLETED, outcome.status(), outcome.reason());
    assertEquals(Map.of("confirmed", List.of(WS1, WS2), "clean", List.of(WS3),
        "unscanned", List.of(Map.of("host", DC, "reason", "edr.scan on " + DC + " is not within the agent's grant"))),
        Map.of("confirmed", outcome.report().get("confirmed"), "clean", outcome.report().get("clean"),
            "unscanned", outcome.report().get("unscanned")));
    assertEquals(Map.of(WS1, Triage.CORROBORATED, WS2, Triage.EDR_ONLY), outcome.report().get("confidence"));
    assertEquals(Map.of(WS1, List.of("T1486"), WS2, List.of("T1021")), outcome.report().get("techniques"));
  }

  @Test
  void containmentActsOnItsBriefStatesItsConfidenceAndReportsWhatWasDenied() {
    harness = new Harness();
    Bounds bounds = harness.bounds(Duration.ofSeconds(3), 20);
    Instant deadline = bounds.deadline();
    MissionOutcome outcome = harness.outcome(harness.start(DefenceAgents.CONTAINMENT,
        brief("contain", Map.of("hosts", List.of(WS1, DC), "accounts", List.of("account:svc-backup"),
            "confidence", Map.of(WS1, 0.95, DC, 0.9, "account:svc-backup", 0.85))),
        grant(bounds,
            Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(2), false),
            Capability.of("account.disable", "account:*"))));

    assertEquals(AgentStatus.COMPLETED, outcome.status(), outcome.reason());
    // It stays on watch after its calls, holding its isolations, and reports just before its deadline.
    assertFalse(outcome.endedAt().isBefore(deadline.minus(Containment.REPORT_BEFORE_DEADLINE)), "it held until then");
    assertTrue(outcome.endedAt().isBefore(deadline), "and reported before its deadline");
    assertEquals(Map.of("isolated", List.of(WS1), "disabled", List.of("account:svc-backup"), "blocked", List.of(),
        "denied", List.of(Map.of("tool", "host.isolate", "resource", DC,
            "reasons", List.of("host.isolate on " + DC + " is not within the agent's grant"))),
        "failed", List.of()), outcome.report());
    assertEquals(Map.of("confidence", 0.95), harness.env.of("host.isolate").get(0).arguments());
    assertEquals(Map.of("confidence", 0.85), harness.env.of("account.disable").get(0).arguments());
  }

  @Test
  void containmentWhoseCallsAllFailedHoldsNothingAndReportsAtOnce() {
    harness = new Harness(Harness.DENY, Map.of());
    Bounds bounds = harness.bounds(Duration.ofSeconds(30), 20);
    MissionOutcome outcome = harness.outcome(harness.start(DefenceAgents.CONTAINMENT,
        brief("contain", Map.of("hosts", List.of(WS1))),
        grant(bounds, Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(1), true))));

    assertEquals(AgentStatus.COMPLETED, outcome.status(), outcome.reason());
    assertEquals(List.of(), outcome.report().get("isolated"));
    assertEquals(1, ((List<?>) outcome.report().get("denied")).size());
    assertTrue(outcome.endedAt().isBefore(bounds.deadline().minus(Duration.ofSeconds(20))), "it did not wait");
    assertEquals(List.of(), harness.env.of("host.isolate"));
  }

  @Test
  void forensicsReportsTheSnapshotOfEachHost() {
    harness = new Harness();
    MissionOutcome outcome = harness.outcome(harness.start(DefenceAgents.FORENSICS,
        brief("snapshot", Map.of("hosts", List.of(WS1, WS2))),
        grant(harness.bounds(Duration.ofMinutes(1), 20), Capability.of("forensics.snapshot", "host:**"))));

    assertEquals(AgentStatus.COMPLETED, outcome.status(), outcome.reason());
    assertEquals(Map.of("snapshots", Map.of(WS1, "snap-1", WS2, "snap-2"), "failed", List.of()), outcome.report());
  }

  @Test
  void recoveryReportsARestoreThePersonRefused() {
    harness = new Harness(Harness.DENY, Map.of());
    MissionOutcome outcome = harness.outcome(harness.start(DefenceAgents.RECOVERY,
        brief("rebuild", Map.of("hosts", List.of(WS1), "confidence", Map.of(WS1, 0.95))),
        grant(harness.bounds(Duration.ofMinutes(1), 20),
            Capability.of("host.restore", List.of("host:**"), OptionalInt.empty(), true))));

    assertEquals(AgentStatus.COMPLETED, outcome.status(), outcome.reason());
    assertEquals(Map.of("restored", List.of(), "denied", List.of(Map.of("host", WS1, "reasons",
        List.of("denied by tester: not now"))), "failed", List.of()), outcome.report());
    assertEquals(List.of(), harness.env.of("host.restore"));
  }

  @Test
  void recoveryRestoresWhenApproved() {
    harness = new Harness();
    MissionOutcome outcome = harness.outcome(harness.start(DefenceAgents.RECOVERY,
        brief("rebuild", Map.of("hosts", List.of(WS1), "confidence", Map.of(WS1, 0.95))),
        grant(harness.bounds(Duration.ofMinutes(1), 20),
            Capability.of("host.restore", List.of("host:**"), OptionalInt.empty(), true))));

    assertEquals(AgentStatus.COMPLETED, outcome.status(), outcome.reason());
    assertEquals(List.of(WS1), outcome.report().get("restored"));
    assertEquals(Map.of("confidence", 0.95), harness.env.of("host.restore").get(0).arguments());
  }
}
