package dev.custos.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.AgentInfo;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.files.Problems;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.policy.MissionInfo;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyRequest;
import dev.custos.tool.Risk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PolicyEngine#reload}: a new set replaces the old at once, so a decision made during reloads is wholly one set's
 * decision; a file with a problem keeps the set in use; every attempt is audited.
 *
 * <p>Sets A and B decide two requests differently, and each decision's rule ids say which set made it, so a decision
 * that mixed them (A's version with B's rules, or the other way round) would show.
 */
class PolicyReloadTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final int DECIDERS = 2;
  private static final int RELOADS = 100;
  private static final long RELOAD_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(3);

  private static final String SET_A = """
      policy: reload-a
      rules:
        - id: a-forbid-isolate
          effect: forbid
          tools: ["host.isolate"]
          message: "set A forbids isolation"
        - id: a-permit-siem
          effect: permit
          tools: ["siem.*"]
      """;

  private static final String SET_B = """
      policy: reload-b
      rules:
        - id: b-permit-hosts
          effect: permit
          tools: ["host.*"]
        - id: b-approve-reads
          effect: approve
          tools: ["siem.query"]
          when: 'tool.risk == "read" && resource.kind == "siem"'
          message: "set B asks a person before reading the SIEM"
      """;

  private static final MissionId MISSION = new MissionId("m-reload");
  private static final List<PolicyRequest> REQUESTS = List.of(
      call("host.isolate", Risk.HIGH, "host:corp/ws-01"),
      call("siem.query", Risk.READ, "siem:alerts"));

  /** Set A's decision of each request, by a set of version {@code version}. */
  private static List<PolicyDecision> decisionsOfA(String version) {
    return List.of(
        new PolicyDecision.Forbid(version, List.of("a-forbid-isolate"), "set A forbids isolation"),
        new PolicyDecision.Permit(version, List.of("a-permit-siem"), Set.of()));
  }

  /** Set B's decision of each request, by a set of version {@code version}. */
  private static List<PolicyDecision> decisionsOfB(String version) {
    return List.of(
        new PolicyDecision.Permit(version, List.of("b-permit-hosts"), Set.of()),
        new PolicyDecision.RequireApproval(version, List.of("b-approve-reads"),
            "set B asks a person before reading the SIEM"));
  }

  /** What one deciding thread saw. */
  private record Seen(long decisions, long ofA, long ofB, long switches) {}

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void everyDecisionDuringReloadsIsWhollyOneSetsDecision(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("reload.yaml");
    Files.writeString(file, SET_A);
    InMemoryAuditLog audit = new InMemoryAuditLog();
    PolicyEngine engine = load(file, audit);
    String versionA = engine.current().version();
    String versionB = versionOf(dir, SET_B);
    assertNotEquals(versionA, versionB);
    Map<String, List<PolicyDecision>> expected = Map.of(versionA, decisionsOfA(versionA),
        versionB, decisionsOfB(versionB));
    assertEquals(decisionsOfA(versionA), decideAll(engine));

    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> mixed = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(DECIDERS);
    CountDownLatch started = new CountDownLatch(DECIDERS);
    List<Future<Seen>> deciders = new ArrayList<>();
    for (int t = 0; t < DECIDERS; t++) {
      int first = t;
      deciders.add(pool.submit(() -> {
        started.countDown();
        long decisions = 0;
        long ofA = 0;
        long switches = 0;
        String last = versionA;
        for (int i = first; !stop.get(); i++) {
          int r = i % REQUESTS.size();
          PolicyDecision decision = engine.decide(REQUESTS.get(r));
          List<PolicyDecision> ofItsSet = expected.get(decision.policyVersion());
          if (ofItsSet == null || !ofItsSet.get(r).equals(decision)) {
            mixed.add(decision.toString());
          }
          decisions++;
          ofA += decision.policyVersion().equals(versionA) ? 1 : 0;
          switches += decision.policyVersion().equals(last) ? 0 : 1;
          last = decision.policyVersion();
        }
        return new Seen(decisions, ofA, decisions - ofA, switches);
      }));
    }

    List<String> reloadedTo = new ArrayList<>();
    Problems problems = new Problems();
    try {
      started.await();
      long deadline = System.nanoTime() + RELOAD_BUDGET_NANOS;
      for (int n = 0; n < RELOADS && System.nanoTime() < deadline; n++) {
        boolean toB = n % 2 == 0;
        Files.writeString(file, toB ? SET_B : SET_A);
        reloadedTo.add(engine.reload(problems).version());
      }
    } finally {
      stop.set(true);
      pool.shutdown();
    }
    assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS), "the deciders stop");

    assertEquals(List.of(), problems.lines());
    assertThat(reloadedTo).hasSizeGreaterThanOrEqualTo(20);
    for (int n = 0; n < reloadedTo.size(); n++) {
      assertEquals(n % 2 == 0 ? versionB : versionA, reloadedTo.get(n), "reload " + n);
    }
    assertThat(mixed).as("decisions that are not wholly one set's").isEmpty();
    long decisions = 0;
    long ofA = 0;
    long ofB = 0;
    long switches = 0;
    for (Future<Seen> decider : deciders) {
      Seen seen = decider.get();
      decisions += seen.decisions();
      ofA += seen.ofA();
      ofB += seen.ofB();
      switches += seen.switches();
    }
    // The deciders really ran across the swaps, or the test shows nothing.
    assertThat(ofA).as("decisions by A of " + decisions).isPositive();
    assertThat(ofB).as("decisions by B of " + decisions).isPositive();
    assertThat(switches).as("times a decider saw the set change").isGreaterThanOrEqualTo(10);

    // One audit record per reload, each from the version before to the one after.
    List<AuditRecord> records = audit.records();
    assertEquals(reloadedTo.size(), records.size());
    String from = versionA;
    for (int n = 0; n < records.size(); n++) {
      AuditRecord record = records.get(n);
      assertEquals(AuditKind.POLICY_RELOAD, record.kind());
      assertEquals("loaded", record.payload().get("status"), "record " + n);
      assertEquals(from, record.payload().get("from"), "record " + n);
      assertEquals(reloadedTo.get(n), record.payload().get("to"), "record " + n);
      from = reloadedTo.get(n);
    }
  }

  @Test
  void aReloadOfABrokenFileKeepsTheSetInUseAndAuditsWhy(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("reload.yaml");
    Files.writeString(file, SET_A);
    InMemoryAuditLog audit = new InMemoryAuditLog();
    PolicyEngine engine = load(file, audit);
    PolicySet inUse = engine.current();
    String versionA = inUse.version();

    Map<String, String> broken = Map.of(
        "a condition naming an unknown variable", SET_A + """
              - id: a-typo
                effect: forbid
                when: 'tool.risky == "high"'
            """,
        "an unknown field", SET_A.replace("effect: permit", "effect: permit\n    expires: tomorrow"),
        "an unknown effect", SET_A.replace("effect: permit", "effect: allow"),
        "not YAML", "policy: [reload-a\n");
    for (Map.Entry<String, String> text : broken.entrySet()) {
      Files.writeString(file, text.getValue());
      Problems problems = new Problems();
      PolicySet after = engine.reload(problems);

      String why = text.getKey();
      assertSame(inUse, after, why);
      assertSame(inUse, engine.current(), why);
      assertEquals(decisionsOfA(versionA), decideAll(engine), why);
      assertThat(problems.lines()).as(why).isNotEmpty().allMatch(line -> line.startsWith(file.toString() + ":"));
      assertRecord(audit.head().orElseThrow(), "refused", versionA, versionA, problems.lines(), file);
    }

    Files.delete(file);
    Problems missing = new Problems();
    assertSame(inUse, engine.reload(missing));
    assertThat(missing.lines()).isNotEmpty();
    assertRecord(audit.head().orElseThrow(), "refused", versionA, versionA, missing.lines(), file);

    Files.writeString(file, SET_B);
    Problems none = new Problems();
    String versionB = engine.reload(none).version();
    assertEquals(List.of(), none.lines());
    assertEquals(versionOf(dir, SET_B), versionB);
    assertEquals(decisionsOfB(versionB), decideAll(engine));
    assertRecord(audit.head().orElseThrow(), "loaded", versionA, versionB, List.of(), file);
    assertEquals(broken.size() + 2, audit.size());
  }

  @Test
  void aBrokenFileAtStartGivesNoEngine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("reload.yaml");
    Files.writeString(file, SET_A.replace("effect: forbid", "effect: deny"));
    Problems problems = new Problems();
    InMemoryAuditLog audit = new InMemoryAuditLog();

    Optional<PolicyEngine> engine = PolicyEngine.load(List.of(file), ResourceDirectory.NAMES_ONLY, audit, CLOCK,
        problems);

    assertEquals(Optional.empty(), engine);
    assertThat(problems.lines()).singleElement().asString().contains("a-forbid-isolate", "forbid, approve, permit");
    assertEquals(0, audit.size());
  }

  @Test
  void anEngineOnASetInHandKeepsItOnReload() {
    Problems problems = new Problems();
    PolicySet set = PolicySet.of(PackReader.parse("a.yaml", SET_A, problems).stream().toList(), problems).orElseThrow();
    PolicyEngine engine = PolicyEngine.of(set, ResourceDirectory.NAMES_ONLY);

    PolicySet after = engine.reload(problems);

    assertSame(set, after);
    assertSame(set, engine.current());
    assertEquals(List.of(), problems.lines());
    assertEquals(decisionsOfA(set.version()), decideAll(engine));
  }

  private static void assertRecord(AuditRecord record, String status, String from, String to, List<String> problems,
      Path file) {
    assertEquals(AuditKind.POLICY_RELOAD, record.kind());
    assertEquals("policy-reload", record.kind().text());
    assertEquals(NOW, record.at());
    assertEquals(status, record.payload().get("status"));
    assertEquals(from, record.payload().get("from"));
    assertEquals(to, record.payload().get("to"));
    assertEquals(List.of(file.toString()), record.payload().get("files"));
    List<Object> recorded = List.copyOf((List<?>) record.payload().get("problems"));
    assertThat(recorded).containsExactlyInAnyOrderElementsOf(problems);
  }

  private static PolicyEngine load(Path file, InMemoryAuditLog audit) {
    Problems problems = new Problems();
    Optional<PolicyEngine> engine = PolicyEngine.load(List.of(file), ResourceDirectory.NAMES_ONLY, audit, CLOCK,
        problems);
    assertEquals(List.of(), problems.lines());
    return engine.orElseThrow();
  }

  /** The version of a set of the one pack {@code text}, read from a file of its own. */
  private static String versionOf(Path dir, String text) throws IOException {
    Path file = Files.writeString(Files.createTempFile(dir, "version", ".yaml"), text);
    Problems problems = new Problems();
    String version = PolicySet.load(List.of(file), problems).orElseThrow().version();
    assertEquals(List.of(), problems.lines());
    return version;
  }

  private static List<PolicyDecision> decideAll(PolicyEngine engine) {
    return REQUESTS.stream().map(engine::decide).toList();
  }

  private static PolicyRequest call(String tool, Risk risk, String resource) {
    AgentInfo agent = new AgentInfo(new AgentId("a1"), "commander", "commander", "soc", 0,
        SpiffeId.forAgent("custos.test", MISSION, "commander"));
    return new PolicyRequest.ToolCall(agent, new MissionInfo(MISSION, "contain-ransomware", "high"), NOW, tool, risk,
        1, resource, Map.of(), Map.of());
  }
}
