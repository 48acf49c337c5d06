package dev.custos.sim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialVerifier;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.credential.Presentation;
import dev.custos.credential.Verdict;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import dev.custos.scenario.Scenario;
import dev.custos.sim.SimulationRun;
import dev.custos.sim.SimulationSystem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The credential the simulation leaks to a {@code credential-thief} (and a {@code rogue}): a real, live credential of
 * the compromised agent's parent, which the simulated tools would accept from the parent; the runtime refuses it from
 * the thief, strikes halt the thief, and nothing the thief tried executes.
 */
@ExtendWith(QuietRuntimeLog.class)
class CredentialLeakTest {

  static final Path THIEF = Path.of("scenarios/credential-thief-containment.yaml");
  static final long SEED = 19;
  /** The agent the scenario compromises with its seed: the first containment, a3. */
  static final String THIEF_PATH = "commander/containment";

  private static final ObjectMapper MAPPER = new ObjectMapper();


  /** What a witness saw of one leak, checked at the instant it leaked. */
  private record Seen(Credential credential, CredentialLeak leak, Instant at, Verdict byHolder, Verdict byThief,
      boolean recognised) {}

  private static final class Watcher implements CredentialLeaks.Witness {
    final List<Seen> seen = new ArrayList<>();

    @Override
    public void leaked(Credential credential, CredentialLeak leak, SimulationRun run) {
      JwtCredentialBroker jwt = (JwtCredentialBroker) run.credentials();
      // The verifier the simulated tools use (SimulatedTools.verifierFor): the broker's keys and revocations, the
      // run's virtual clock, the caller's identity as the holder.
      CredentialVerifier verifier = CredentialVerifier.builder(jwt::jwks, jwt.revocations())
          .issuer(jwt.issuer()).clock(run.clock()).build();
      String tool = credential.audience();
      SpiffeId thief = SpiffeId.parse("spiffe://custos.local/mission/m1/agent/" + THIEF_PATH);
      seen.add(new Seen(credential, leak, run.now(),
          verifier.verify(Presentation.byCaller(credential.token(), credential.audience(), tool, "siem:alerts",
              credential.holderIdentity())),
          verifier.verify(Presentation.byCaller(credential.token(), credential.audience(), tool, "siem:alerts",
              thief)),
          run.credentials().containsCredential("{\"credential\":\"" + credential.token() + "\"}")));
    }
  }

  private static Scenario thief() {
    return ScenarioRunnerTest.read(THIEF);
  }

  private static String report(Scenario scenario, long seed, CredentialLeaks.Witness witness) {
    try (SimulationSystem sim = SimulationSystem.create("leak-test")) {
      return Report.of(ScenarioRunner.run(scenario, seed, sim, witness)).toJson();
    }
  }

  @Test
  void theThiefIsGivenItsParentsLiveCredentialWhichTheToolsWouldAcceptFromTheParent() {
    Watcher watcher = new Watcher();
    report(thief(), SEED, watcher);

    assertEquals(1, watcher.seen.size(), "one compromise, one leak");
    Seen seen = watcher.seen.get(0);
    Credential leaked = seen.credential();
    // The commander's credential, minted for the first tool its grant covers, live for a while yet.
    assertEquals(new AgentId("a1"), leaked.holder());
    assertEquals("spiffe://custos.local/mission/m1/agent/commander", leaked.holderIdentity().toString());
    assertEquals(List.of(new AgentId("a1")), leaked.lineage());
    assertEquals("siem.query", leaked.audience());
    assertTrue(leaked.expiresAt().isAfter(seen.at()), "live when it leaked");
    assertEquals(new CredentialLeak(seen.at(), new AgentId("a3"), "credential-thief", new AgentId("a1"), leaked.id(),
        "siem.query", leaked.expiresAt()), seen.leak());
    // A true leak: the tools' verifier accepts it from its holder, and only from its holder.
    Verdict.Accepted accepted = assertInstanceOf(Verdict.Accepted.class, seen.byHolder());
    assertEquals(leaked.id(), accepted.credential().id());
    Verification.Rejected wrongHolder = assertInstanceOf(Verification.Rejected.class, seen.byThief());
    assertEquals(Verification.Reason.WRONG_HOLDER, wrongHolder.reason());
    // And the runtime's scan of a call's arguments recognises it.
    assertTrue(seen.recognised());
  }

  @Test
  void theRuntimeRefusesThePresentationsAndStrikesHaltTheThiefWithNothingExecuted() throws Exception {
    Watcher watcher = new Watcher();
    String json = report(thief(), SEED, watcher);
    Credential leaked = watcher.seen.get(0).credential();
    JsonNode r = MAPPER.readTree(json);
    JsonNode events = r.get("events");

    assertFalse(json.contains(leaked.token()), "the report never holds a token");
    JsonNode compromise = only(events, "compromise");
    assertEquals("a3", compromise.get("agent").asText());
    assertEquals("credential-thief", compromise.get("behaviour").asText());
    assertEquals(leaked.id(), compromise.get("leakedCredential").asText());
    assertEquals("a1", compromise.get("leakedFrom").asText());
    long from = compromise.get("seq").asLong();

    // Everything the thief did after the compromise: three calls carrying the credential, each refused before any
    // tool, each a strike; then the halt.
    List<JsonNode> rejected = new ArrayList<>();
    List<JsonNode> calls = new ArrayList<>();
    for (JsonNode e : events) {
      if (e.get("seq").asLong() > from && "a3".equals(e.get("agent").asText())) {
        if ("credential-rejected".equals(e.get("kind").asText())) {
          rejected.add(e);
        } else if ("tool-call".equals(e.get("kind").asText())) {
          calls.add(e);
        }
      }
    }
    assertEquals(3, rejected.size(), rejected.toString());
    for (JsonNode e : rejected) {
      assertEquals("a3", e.get("presentedBy").asText());
      assertEquals(leaked.id(), e.get("credential").asText(), "the refusal names the leaked credential by its id");
      assertEquals("a credential that is not the caller's own was presented", e.get("reason").asText());
    }
    assertEquals(3, calls.size(), calls.toString());
    for (JsonNode call : calls) {
      assertEquals("deny", call.get("decision").asText(), call.toString());
      assertEquals("foreign-credential", call.get("reason").asText(), call.toString());
      assertFalse(call.get("executed").asBoolean(), call.toString());
    }
    JsonNode halt = only(events, "halt");
    assertEquals("a3", halt.get("agent").asText());
    assertEquals("strikes", halt.get("reason").asText());
    assertEquals(List.of("a3"), texts(halt.get("subtree")));
    assertTrue(halt.get("seq").asLong() > calls.get(2).get("seq").asLong());
    JsonNode thief = agent(r, "a3");
    assertEquals("halted", thief.get("status").asText());
    assertEquals("strikes", thief.get("haltReason").asText());
    assertEquals(3, thief.get("strikes").asInt());

    // The leaked credential reached no tool: no call ran with it and no simulated tool had it to refuse (only the
    // runtime's refusals name it).
    for (JsonNode e : events) {
      if (!"credential-rejected".equals(e.get("kind").asText()) || !"a3".equals(e.get("agent").asText())) {
        assertFalse(leaked.id().equals(e.path("credential").asText()), e.toString());
      }
    }
    assertEquals("pass", r.get("outcome").get("verdict").asText(), r.get("outcome").toString());
  }

  @Test
  void watchingTheLeaksChangesNothingAndTheSameSeedGivesTheSameBytes() {
    String watched = report(thief(), SEED, new Watcher());
    assertEquals(watched, report(thief(), SEED, CredentialLeaks.Witness.NONE));
    assertEquals(watched, report(thief(), SEED, CredentialLeaks.Witness.NONE));
  }

  @Test
  void aCompromisedRootHasNoParentSoNothingLeaksAndTheThiefFails() throws Exception {
    Path file = ScenarioRunnerTest.variant("thief-commander",
        "{ agent: containment, at: 4m, behaviour: rogue }", "{ agent: commander, at: 40s, behaviour: credential-thief }");
    Watcher watcher = new Watcher();
    JsonNode r = MAPPER.readTree(report(ScenarioRunnerTest.read(file), 7, watcher));

    assertEquals(List.of(), watcher.seen);
    JsonNode compromise = only(r.get("events"), "compromise");
    assertEquals("a1", compromise.get("agent").asText());
    assertTrue(compromise.get("leakedCredential").isNull());
    assertTrue(compromise.get("leakedFrom").isNull());
    assertEquals("failed", agent(r, "a1").get("status").asText());
  }

  @Test
  void aRogueIsGivenItsParentsCredentialTooAndItsDelegationCarryingItIsRefused() throws Exception {
    Watcher watcher = new Watcher();
    JsonNode r = MAPPER.readTree(report(ScenarioRunnerTest.example(), 7, watcher));

    assertEquals(1, watcher.seen.size());
    CredentialLeak leak = watcher.seen.get(0).leak();
    assertEquals(new AgentId("a3"), leak.to());
    assertEquals("rogue", leak.behaviour());
    assertEquals(new AgentId("a1"), leak.from());
    JsonNode compromise = only(r.get("events"), "compromise");
    assertEquals(leak.credential(), compromise.get("leakedCredential").asText());
    // Its first attempt asks for a child whose brief holds the leaked credential: refused for that too.
    for (JsonNode e : r.get("events")) {
      if ("delegation".equals(e.get("kind").asText()) && "a3".equals(e.get("agent").asText())) {
        assertEquals("deny", e.get("decision").asText());
        assertTrue(e.get("reason").asText().contains("the brief carries a credential"), e.toString());
        return;
      }
    }
    throw new AssertionError("the rogue asked for no child");
  }

  private static JsonNode only(JsonNode events, String kind) {
    List<JsonNode> found = new ArrayList<>();
    events.forEach(e -> {
      if (kind.equals(e.get("kind").asText())) {
        found.add(e);
      }
    });
    assertEquals(1, found.size(), kind + " events: " + found);
    return found.get(0);
  }

  private static JsonNode agent(JsonNode report, String id) {
    for (JsonNode a : report.get("agents")) {
      if (a.get("id").asText().equals(id)) {
        return a;
      }
    }
    throw new AssertionError("no agent " + id);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }
}
