package dev.custos.sim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import dev.custos.sim.SimulationSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The spec's example scenario end to end: the report has the spec's shape and what the run did, and the same file and
 * seed give byte-identical JSON on fresh and reused systems.
 */
@ExtendWith(QuietRuntimeLog.class)
class ScenarioRunnerTest {

  static final Path EXAMPLE = Path.of("scenarios/ransomware-outbreak.yaml");



  static Scenario example() {
    return scenario(EXAMPLE);
  }

  /** A scenario file of the library, read as {@code custos run} reads it. */
  static Scenario scenario(Path file) {
    Problems problems = new Problems();
    Scenario scenario = ScenarioFile.read(file, problems).orElseThrow(() -> new AssertionError(problems.lines()));
    assertTrue(problems.isEmpty(), problems.lines().toString());
    return scenario;
  }

  static String reportOf(Scenario scenario, long seed) {
    try (SimulationSystem sim = SimulationSystem.create("runner-test")) {
      return Report.of(ScenarioRunner.run(scenario, seed, sim)).toJson();
    }
  }

  /** The example with {@code replace} applied to its text, written next to the build's output; policies absolute. */
  static Path variant(String name, String... replace) throws Exception {
    String text = Files.readString(EXAMPLE);
    Path pack = example().supervisor().policies().get(0);
    text = text.replace("[policies/packs/soc-baseline.yaml]", "[\"" + pack + "\"]");
    for (int i = 0; i < replace.length; i += 2) {
      String changed = text.replace(replace[i], replace[i + 1]);
      assertNotEquals(text, changed, "the example has " + replace[i]);
      text = changed;
    }
    Path file = Path.of("target", name + ".yaml");
    Files.writeString(file, text);
    return file;
  }

  static Scenario read(Path file) {
    Problems problems = new Problems();
    return ScenarioFile.read(file, problems).orElseThrow(() -> new AssertionError(problems.lines()));
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode agentAt(JsonNode report, String path) {
    for (JsonNode agent : report.get("agents")) {
      if (agent.get("path").asText().equals(path)) {
        return agent;
      }
    }
    throw new AssertionError("no agent " + path);
  }

  @Test
  void theExampleRunsEndToEndIntoTheSpecsReport() throws Exception {
    String json = reportOf(example(), 7);
    Files.writeString(Path.of("target/example-report.json"), json);
    JsonNode r = MAPPER.readTree(json);

    assertEquals(List.of("scenario", "seed", "custosVersion", "outcome", "agents", "events", "credentials", "attacker",
        "audit"), names(r));
    assertEquals("ransomware-outbreak", r.get("scenario").asText());
    assertEquals(7, r.get("seed").asLong());
    assertEquals("0.1.0", r.get("custosVersion").asText());
    assertEquals(List.of("verdict", "contained", "containedAtMs", "attackerSteps", "expectations"),
        names(r.get("outcome")));

    JsonNode root = r.get("agents").get(0);
    assertEquals(List.of("id", "path", "role", "type", "parent", "identity", "depth", "grant", "startedAtMs",
        "endedAtMs", "status", "haltReason", "budgetUsed", "calls", "strikes"), names(root));
    assertEquals("a1", root.get("id").asText());
    assertEquals("commander", root.get("path").asText());
    assertEquals("incident-commander", root.get("type").asText());
    assertTrue(root.get("parent").isNull());
    assertEquals("spiffe://custos.local/mission/m1/agent/commander", root.get("identity").asText());
    assertEquals(0, root.get("startedAtMs").asLong());
    JsonNode bounds = root.get("grant").get("bounds");
    assertEquals(1_200_000, bounds.get("deadlineMs").asLong(), "20m from the run's start");
    assertEquals("30/1m", bounds.get("rate").asText());
    assertEquals(5, root.get("grant").get("capabilities").size());
    JsonNode isolate = root.get("grant").get("capabilities").get(2);
    assertEquals("host.isolate", isolate.get("tool").asText());
    assertEquals(10, isolate.get("maxCalls").asInt());
    assertTrue(root.get("grant").get("capabilities").get(4).get("requiresApproval").asBoolean());

    // Events are numbered from 1 in time order.
    JsonNode events = r.get("events");
    long lastAt = 0;
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i + 1, events.get(i).get("seq").asLong());
      assertTrue(events.get(i).get("atMs").asLong() >= lastAt, "time order at " + (i + 1));
      lastAt = events.get(i).get("atMs").asLong();
    }
    // Triage found the encrypted workstation and containment isolated it, so the lateral movement waited.
    JsonNode isolated = find(events, "tool-call", "host.isolate");
    assertEquals("host:corp/fin-ws-01", isolated.get("resource").asText());
    assertEquals("allow", isolated.get("decision").asText());
    assertTrue(isolated.get("executed").asBoolean());
    assertTrue(isolated.get("credential").asText().length() > 10, "a jti");
    // At 4m containment turns rogue and is halted; rollbackOnHalt releases its isolation by the supervisor's authority.
    JsonNode release = find(events, "compensation", "host.release");
    assertEquals("host:corp/fin-ws-01", release.get("resource").asText());
    assertTrue(release.get("executed").asBoolean(), release.toString());
    // The commander gives the workstation to a new containment one read interval after the halt, once the release is
    // done, and it is isolated again before the lateral movement's next try.
    List<JsonNode> isolations = new ArrayList<>();
    events.forEach(e -> {
      if ("tool-call".equals(e.get("kind").asText()) && "host.isolate".equals(e.get("tool").asText())
          && e.get("executed").asBoolean()) {
        isolations.add(e);
      }
    });
    assertEquals(2, isolations.size(), isolations.toString());
    assertEquals("host:corp/fin-ws-01", isolations.get(1).get("resource").asText());
    assertTrue(isolations.get(1).get("atMs").asLong() > release.get("atMs").asLong(), "after the release");
    JsonNode attacker = r.get("attacker");
    assertEquals(4, attacker.size());
    assertTrue(attacker.get(0).get("happened").asBoolean());
    assertEquals(0, attacker.get(0).get("atMs").asLong());
    assertFalse(attacker.get(1).get("happened").asBoolean());
    assertEquals("isolated host:corp/fin-ws-01", attacker.get(1).get("blockedBy").asText());
    assertEquals(1, r.get("outcome").get("attackerSteps").asInt());
    // The example passes: contained after one step, the rogue containment halted for strikes, the commander not.
    JsonNode outcome = r.get("outcome");
    assertEquals("pass", outcome.get("verdict").asText(), outcome.toString());
    assertTrue(outcome.get("contained").asBoolean());
    assertTrue(outcome.get("attackerSteps").asInt() <= 2);
    outcome.get("expectations").forEach(e -> assertTrue(e.get("ok").asBoolean(), e.toString()));
    JsonNode containment = agentAt(r, "commander/containment");
    assertEquals("halted", containment.get("status").asText());
    assertEquals("strikes", containment.get("haltReason").asText());
    assertTrue(containment.get("endedAtMs").asLong() >= 240_000, "halted after the compromise at 4m");
    assertFalse(agentAt(r, "commander").get("status").asText().equals("halted"));

    // Every credential the events name was issued, and the audit chain verifies.
    List<String> issued = new ArrayList<>();
    r.get("credentials").forEach(c -> issued.add(c.get("id").asText()));
    events.forEach(e -> {
      if (e.has("credential") && !e.get("credential").isNull() && "tool-call".equals(e.get("kind").asText())) {
        assertTrue(issued.contains(e.get("credential").asText()), e.toString());
      }
    });
    assertTrue(r.get("audit").get("verified").asBoolean());
    assertTrue(r.get("audit").get("records").asInt() > events.size() / 2);
    assertEquals(64, r.get("audit").get("headHash").asText().length());
  }

  @Test
  void aRogueCommanderIsHaltedForStrikesAndWhatItsChildrenDidStands() throws Exception {
    Path file = variant("rogue-commander",
        "{ agent: containment, at: 4m, behaviour: rogue }", "{ agent: commander, at: 40s, behaviour: rogue }",
        "halted: [containment]", "halted: [commander, containment]",
        "notHalted: [commander]", "notHalted: [triage]");
    JsonNode r = MAPPER.readTree(reportOf(read(file), 7));
    JsonNode events = r.get("events");

    JsonNode compromise = find(events, "compromise", null);
    assertEquals("a1", compromise.get("agent").asText());
    assertEquals("rogue", compromise.get("behaviour").asText());
    assertEquals(40_000, compromise.get("atMs").asLong());
    JsonNode halt = find(events, "halt", null);
    assertEquals("a1", halt.get("agent").asText());
    assertEquals("strikes", halt.get("reason").asText());
    assertEquals("a1", halt.get("subtree").get(0).asText());
    // Its rogue calls were denied before the halt.
    long denied = 0;
    for (JsonNode e : events) {
      if (e.get("seq").asLong() < halt.get("seq").asLong() && "tool-call".equals(e.get("kind").asText())
          && "deny".equals(e.get("decision").asText()) && "a1".equals(e.get("agent").asText())) {
        denied++;
      }
    }
    assertTrue(denied >= 1, "the rogue commander's calls are denied");
    // Triage had completed by then, but containment was still on watch: the halt takes the commander and it.
    assertEquals(List.of("a1", "a3"), List.of(halt.get("subtree").get(0).asText(), halt.get("subtree").get(1).asText()));
    assertEquals(2, halt.get("subtree").size());
    assertEquals("isolated host:corp/fin-ws-01", r.get("attacker").get(1).get("blockedBy").asText());
    JsonNode root = r.get("agents").get(0);
    assertEquals("halted", root.get("status").asText());
    assertEquals("strikes", root.get("haltReason").asText());
    assertEquals(3, root.get("strikes").asInt());
    JsonNode outcome = r.get("outcome");
    JsonNode haltedCommander = outcome.get("expectations").get(2);
    assertEquals("halted: commander", haltedCommander.get("name").asText());
    assertTrue(haltedCommander.get("ok").asBoolean(), haltedCommander.toString());
    assertTrue(r.get("audit").get("verified").asBoolean());
  }

  @Test
  void theSameFileAndSeedGiveByteIdenticalJsonOnFreshAndReusedSystems() {
    Scenario scenario = example();
    String fresh1 = reportOf(scenario, 7);
    String fresh2 = reportOf(scenario, 7);
    List<String> reused = new ArrayList<>();
    try (SimulationSystem sim = SimulationSystem.create("runner-reused")) {
      for (long seed : new long[] {7, 8, 7}) {
        reused.add(Report.of(ScenarioRunner.run(scenario, seed, sim)).toJson());
      }
    }
    assertEquals(fresh1, fresh2);
    assertEquals(fresh1, reused.get(0));
    assertEquals(fresh1, reused.get(2), "after another seed on the same system");
    assertNotEquals(fresh1, reused.get(1), "another seed, another report (its credential ids at least)");
  }

  @Test
  void anotherSeedGivesAWellFormedReport() throws Exception {
    JsonNode r = MAPPER.readTree(reportOf(example(), 12_345));
    assertEquals(12_345, r.get("seed").asLong());
    assertTrue(r.get("audit").get("verified").asBoolean());
    assertEquals(4, r.get("attacker").size());
    assertEquals(4, r.get("outcome").get("expectations").size());
    assertTrue(r.get("agents").size() >= 1);
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The first event of {@code kind} (and {@code tool}, unless null). */
  private static JsonNode find(JsonNode events, String kind, String tool) {
    for (JsonNode e : events) {
      if (kind.equals(e.get("kind").asText()) && (tool == null || tool.equals(e.path("tool").asText()))) {
        return e;
      }
    }
    throw new AssertionError("no " + kind + " event" + (tool == null ? "" : " of " + tool) + " in " + events);
  }
}
