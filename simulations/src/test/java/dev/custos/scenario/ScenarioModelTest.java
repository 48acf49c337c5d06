package dev.custos.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The guarantees the model's constructors give code that builds scenarios without a file. */
class ScenarioModelTest {

  private static final Environment ENVIRONMENT = new Environment(
      List.of(new Host("ws-1", "corp", Criticality.LOW), new Host("dc-1", "core", Criticality.TIER0)),
      List.of(new Account("alice", false)),
      List.of(new Link("ws-1", "dc-1")));
  private static final GrantRequest GRANT = new GrantRequest(List.of(Capability.of("siem.query", "siem:alerts")),
      new Bounds(10, Scenario.START.plusSeconds(60), 1, 1, 2, new Rate(5, Duration.ofMinutes(1)), 1));
  private static final SupervisorSetup SUPERVISOR = new SupervisorSetup("m", AgentType.TRIAGE, GRANT, List.of(),
      Approvals.NONE, Duration.ofMinutes(5), false);

  private static Scenario scenario(Attacker attacker, List<Compromise> compromise) {
    return new Scenario("s", Optional.empty(), 0, Duration.ofMinutes(10), ENVIRONMENT, attacker, SUPERVISOR,
        compromise, Expect.NONE);
  }

  private static Attacker attackerOn(String host) {
    return new Attacker("ws-1", List.of(AttackStep.on("T1486", host, Duration.ZERO)), Detection.DEFAULT, List.of());
  }

  @Test
  void aScenarioOnItsOwnHostsIsMade() {
    Scenario scenario = scenario(attackerOn("dc-1"), List.of());

    assertEquals(Optional.of(new Host("dc-1", "core", Criticality.TIER0)), scenario.environment().host("dc-1"));
    assertEquals("host:core/dc-1", scenario.environment().host("dc-1").orElseThrow().resource());
  }

  @Test
  void aScenarioRefusesUndeclaredHostsAndAccounts() {
    assertThrows(IllegalArgumentException.class, () -> scenario(attackerOn("ws-9"), List.of()));
    assertThrows(IllegalArgumentException.class, () -> scenario(new Attacker("ws-1",
        List.of(new AttackStep("T1003", Optional.of("ws-1"), Optional.empty(), Optional.empty(), Optional.of("bob"),
            Duration.ZERO)), Detection.DEFAULT, List.of()), List.of()));
    assertThrows(IllegalArgumentException.class, () -> scenario(new Attacker("ws-1",
        List.of(new AttackStep("T1021", Optional.empty(), Optional.of("ws-1"), Optional.of(new Target.HostId("x")),
            Optional.empty(), Duration.ZERO)), Detection.DEFAULT, List.of()), List.of()));
  }

  @Test
  void aScenarioRefusesTimesFromTheEndOfTheRunOn() {
    Attacker lateAlert = new Attacker("ws-1", List.of(AttackStep.on("T1486", "ws-1", Duration.ZERO)),
        Detection.DEFAULT, List.of(new Alert(Duration.ofMinutes(10), Optional.empty(), "late")));
    Compromise lateCompromise = new Compromise(new AgentRef("triage"), Duration.ofMinutes(10), Behaviour.STALL);

    assertThrows(IllegalArgumentException.class, () -> scenario(lateAlert, List.of()));
    assertThrows(IllegalArgumentException.class, () -> scenario(attackerOn("ws-1"), List.of(lateCompromise)));
  }

  @Test
  void anEnvironmentRefusesDuplicatesAndLinksToNowhere() {
    Host host = new Host("ws-1", "corp", Criticality.LOW);

    assertThrows(IllegalArgumentException.class, () -> new Environment(List.of(), List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Environment(List.of(host, host), List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Environment(List.of(host),
        List.of(new Account("a", false), new Account("a", true)), List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Environment(List.of(host), List.of(),
        List.of(new Link("ws-1", "ws-2"))));
    assertThrows(IllegalArgumentException.class, () -> new Link("ws-1", "ws-1"));
    assertThrows(IllegalArgumentException.class, () -> new Host("ws 1", "corp", Criticality.LOW));
    assertThrows(IllegalArgumentException.class, () -> new Host("ws-1", "corp/x", Criticality.LOW));
  }

  @Test
  void aLinkJoinsItsHostsBothWays() {
    Link link = new Link("ws-1", "dc-1");

    assertTrue(link.joins("dc-1", "ws-1"));
    assertTrue(link.joins("ws-1", "dc-1"));
    assertFalse(link.joins("ws-1", "ws-1"));
  }

  @Test
  void aStepIsOnAHostOrMovesFromOneToSomewhere() {
    Optional<Target> address = Optional.of(new Target.NetAddress("203.0.113.7"));

    assertThrows(IllegalArgumentException.class, () -> new AttackStep("T1021", Optional.of("a"), Optional.of("b"),
        address, Optional.empty(), Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new AttackStep("T1021", Optional.empty(), Optional.of("b"),
        Optional.empty(), Optional.empty(), Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> AttackStep.on("t1486", "a", Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> AttackStep.on("T1486", "a", Duration.ofSeconds(-1)));
    assertEquals(Optional.of("b"), new AttackStep("T1021.002", Optional.empty(), Optional.of("b"), address,
        Optional.empty(), Duration.ZERO).origin());
  }

  @Test
  void anAddressIsALiteralResourceName() {
    assertEquals("net:203.0.113.7", new Target.NetAddress("203.0.113.7").resource());
    assertThrows(IllegalArgumentException.class, () -> new Target.NetAddress(""));
    assertThrows(IllegalArgumentException.class, () -> new Target.NetAddress("10.0.0.*"));
    assertThrows(IllegalArgumentException.class, () -> new Target.NetAddress("a b"));
  }

  @Test
  void probabilitiesAndTimesStayInRange() {
    assertThrows(IllegalArgumentException.class, () -> new Detection(1.01, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new Detection(Double.NaN, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new Detection(0.5, Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> new Approvals(Approvals.Decision.APPROVE,
        Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> new SupervisorSetup("m", AgentType.TRIAGE, GRANT, List.of(),
        Approvals.NONE, Duration.ZERO, false));
    assertThrows(IllegalArgumentException.class, () -> new Scenario("s", Optional.empty(), 0, Duration.ZERO,
        ENVIRONMENT, attackerOn("ws-1"), SUPERVISOR, List.of(), Expect.NONE));
  }

  @Test
  void aGrantNamesOnlyToolsOfTheSimulatedEnvironment() {
    GrantRequest delegate = new GrantRequest(List.of(Capability.of("agent.delegate", "agent:**")), GRANT.bounds());

    assertThrows(IllegalArgumentException.class, () -> new SupervisorSetup("m", AgentType.TRIAGE, delegate,
        List.of(), Approvals.NONE, Duration.ofMinutes(5), false));
  }

  @Test
  void toolPatternsMatchTheToolsOfTheSpec() {
    assertEquals(List.of(SimulatedTool.SIEM_QUERY), SimulatedTool.matching(Pattern.parse("siem.*")));
    assertEquals(List.of(SimulatedTool.values()), SimulatedTool.matching(Pattern.parse("*")));
    assertEquals(List.of(SimulatedTool.FIREWALL_BLOCK, SimulatedTool.FIREWALL_UNBLOCK),
        SimulatedTool.matching(Pattern.parse("firewall.*")));
    assertEquals(List.of(), SimulatedTool.matching(Pattern.parse("hosts.*")));
    assertEquals(Optional.of(SimulatedTool.HOST_RELEASE), SimulatedTool.HOST_ISOLATE.undo());
    assertEquals(Optional.empty(), SimulatedTool.HOST_RESTORE.undo());
    assertEquals(12, SimulatedTool.names().size());
  }

  @Test
  void anAgentReferenceIsARoleOrAPathFromTheRoot() {
    AgentRef role = new AgentRef("containment");
    AgentRef path = new AgentRef("commander/triage/containment-2");

    assertTrue(role.matches("containment", "commander/containment-2"));
    assertFalse(role.matches("triage", "commander/triage"));
    assertTrue(path.matches("containment", "commander/triage/containment-2"));
    assertFalse(path.matches("containment", "commander/triage/containment"));
    assertEquals(List.of("commander", "triage", "containment-2"), path.parts());
    assertThrows(IllegalArgumentException.class, () -> new AgentRef("triage/containment"));
    assertThrows(IllegalArgumentException.class, () -> new AgentRef("commander//x"));
    assertThrows(IllegalArgumentException.class, () -> new AgentRef(""));
  }

  @Test
  void anAgentCannotBeExpectedHaltedAndNotHalted() {
    AgentRef triage = new AgentRef("triage");

    assertThrows(IllegalArgumentException.class, () -> new Expect(Optional.empty(), OptionalInt.empty(),
        List.of(triage), List.of(triage)));
    assertThrows(IllegalArgumentException.class, () -> new Expect(Optional.empty(), OptionalInt.of(-1),
        List.of(), List.of()));
  }

  @Test
  void listsAreCopied() {
    List<Path> policies = new java.util.ArrayList<>(List.of(Path.of("a.yaml")));
    SupervisorSetup supervisor = new SupervisorSetup("m", AgentType.TRIAGE, GRANT, policies, Approvals.NONE,
        Duration.ofMinutes(5), false);

    policies.clear();

    assertEquals(List.of(Path.of("a.yaml")), supervisor.policies());
  }

  @Test
  void aHintNamesTheOneCloseName() {
    assertEquals(Optional.of("host.isolate"), Names.closest("host.isolat", SimulatedTool.names()));
    assertEquals(Optional.of("tier0"), Names.closest("TIER0", Criticality.names()));
    assertEquals(Optional.of("rogue"), Names.closest("rouge", Behaviour.names()));
    assertEquals(Optional.empty(), Names.closest("ws-3", List.of("ws-1", "ws-2")));
    assertEquals(Optional.empty(), Names.closest("commander", AgentType.names()));
    assertEquals(Optional.empty(), Names.closest("x".repeat(1000), List.of("x")));
  }
}
