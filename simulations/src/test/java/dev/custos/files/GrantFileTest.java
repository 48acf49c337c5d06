package dev.custos.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custos.capability.Attenuation;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.DelegationResult;
import dev.custos.capability.Grant;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Ledger;
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import dev.custos.capability.Reason;
import dev.custos.capability.Reservation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GrantFileTest {

  private static final Path EXAMPLES = Path.of("examples", "grants");
  private static final Instant START = Instant.parse("2026-11-28T10:00:00Z");

  @TempDir
  Path dir;

  private static GrantRequest example(String name) {
    Problems problems = new Problems();
    Optional<GrantRequest> grant = GrantFile.read(EXAMPLES.resolve(name), START, problems);
    assertEquals(List.of(), problems.lines());
    return grant.orElseThrow();
  }

  @Test
  void readsTheCommanderGrantOfTheSpec() {
    GrantRequest expected = new GrantRequest(
        List.of(
            Capability.of("siem.query", "siem:alerts"),
            Capability.of("edr.scan", "host:**"),
            Capability.of("host.isolate", List.of("host:corp/*"), OptionalInt.of(10), false),
            Capability.of("account.disable", List.of("account:*"), OptionalInt.of(5), false),
            Capability.of("host.restore", List.of("host:**"), OptionalInt.empty(), true)),
        new Bounds(200, START.plus(Duration.ofMinutes(20)), 3, 4, 30, new Rate(30, Duration.ofMinutes(1)), 3));

    assertEquals(expected, example("commander.yaml"));
  }

  @Test
  void theContainmentGrantIsWithinTheCommanders() {
    GrantRequest containment = example("containment.yaml");
    Ledger commander = new Ledger(Grant.root(example("commander.yaml")));

    DelegationResult result = Attenuation.decide(commander, containment);

    assertEquals(new GrantRequest(
            List.of(
                Capability.of("siem.query", "siem:alerts"),
                Capability.of("host.isolate", List.of("host:corp/fin-*"), OptionalInt.of(4), false)),
            new Bounds(60, START.plus(Duration.ofMinutes(15)), 1, 2, 3, new Rate(10, Duration.ofMinutes(1)), 2)),
        containment);
    DelegationResult.Granted granted = assertInstanceOf(DelegationResult.Granted.class, result);
    assertEquals(new Reservation(60, 3, List.of(new Reservation.Calls(1, 2, 4))), granted.reservation());
    assertEquals(containment, granted.grant().request());
  }

  @Test
  void theRogueContainmentGrantIsRefusedForEveryWidening() {
    Ledger commander = new Ledger(Grant.root(example("commander.yaml")));

    DelegationResult result = Attenuation.decide(commander, example("rogue-containment.yaml"));

    assertEquals(new DelegationResult.Refused(List.of(
        new Reason.BudgetAboveRemaining(500, 200),
        new Reason.DepthNotSmaller(3, 3),
        new Reason.ResourceNotCovered(
            0, Pattern.parse("host.isolate"), Pattern.parse("host:core/*"), Optional.of("host:core/x")),
        new Reason.ToolNotCovered(1, Pattern.parse("data.export")))), result);
  }

  @Test
  void readsAGrantInsideALargerFile() {
    String scenario = String.join("\n",
        "supervisor:",
        "  grant:",
        "    capabilities: [{ tool: siem.query, resources: [\"siem:alerts\"] }]",
        "    bounds: { budget: -1, deadline: 5m, maxDepth: 1, maxChildren: 1, maxSubtreeAgents: 2, rate: 1/1s, "
            + "maxStrikes: 1 }",
        "");
    Problems problems = new Problems();
    YamlTree.Mapping root = (YamlTree.Mapping) YamlTree.parse("s.yaml", scenario, problems).orElseThrow();
    YamlTree.Node grant = ((YamlTree.Mapping) root.get("supervisor").orElseThrow()).get("grant").orElseThrow();

    Optional<GrantRequest> read = GrantFile.fromTree("s.yaml", "supervisor.grant", grant, START, problems);

    assertEquals(Optional.empty(), read);
    assertEquals(List.of("s.yaml:4:23: supervisor.grant.bounds.budget: expected a whole number at least 0, got -1"),
        problems.lines());
  }

  private static final String CAPABILITIES = String.join("\n",
      "capabilities:",
      "  - { tool: siem.query, resources: [\"siem:alerts\"] }");

  /** Bounds in block style, one per line from line {@code first}: budget, deadline, ..., maxStrikes. */
  private static String bounds(String field, String value) {
    StringBuilder out = new StringBuilder("bounds:\n");
    for (String[] bound : new String[][] {{"budget", "200"}, {"deadline", "20m"}, {"maxDepth", "3"},
        {"maxChildren", "4"}, {"maxSubtreeAgents", "30"}, {"rate", "30/1m"}, {"maxStrikes", "3"}}) {
      out.append("  ").append(bound[0]).append(": ").append(bound[0].equals(field) ? value : bound[1]).append('\n');
    }
    return out.toString();
  }

  private static final String BOUNDS = bounds("", "");

  /** A grant whose first capability is {@code capability} and whose bounds are valid. */
  private static String withCapability(String capability) {
    return "capabilities:\n  - " + capability + "\n" + BOUNDS;
  }

  /** A grant with one valid capability (lines 1-2) and bounds from line 3, {@code field} set to {@code value}. */
  private static String withBound(String field, String value) {
    return CAPABILITIES + "\n" + bounds(field, value);
  }

  static Stream<Arguments> badFiles() {
    String allowedBounds = "allowed: budget, deadline, maxDepth, maxChildren, maxSubtreeAgents, rate, maxStrikes";
    return Stream.of(
        arguments("an empty file", "",
            List.of("1:1: expected a grant: a mapping with capabilities and bounds, got nothing")),
        arguments("a list for the grant", "- siem.query\n",
            List.of("1:1: expected a grant: a mapping with capabilities and bounds, got a list")),
        arguments("an unknown top-level field", "capabilities: []\n" + BOUNDS + "owner: me\n",
            List.of("10:1: unknown field 'owner'; allowed: capabilities, bounds")),
        arguments("no bounds", "capabilities: []\n",
            List.of("1:1: missing required field 'bounds'")),
        arguments("a mapping for the capabilities", "capabilities: { tool: siem.query }\n" + BOUNDS,
            List.of("1:15: capabilities: expected a list of capabilities, got a mapping")),
        arguments("text for a capability", "capabilities: [siem.query]\n" + BOUNDS,
            List.of("1:16: capabilities[0]: expected a capability: a mapping with tool and resources, "
                + "got text \"siem.query\"")),
        arguments("a misspelt capability field",
            withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], maxcalls: 3 }"),
            List.of("2:53: capabilities[0]: unknown field 'maxcalls' (did you mean 'maxCalls'?); "
                + "allowed: tool, resources, maxCalls, requiresApproval")),
        arguments("a capability without tool and resources", withCapability("{ maxCalls: 3 }"),
            List.of("2:5: capabilities[0]: missing required field 'tool'",
                "2:5: capabilities[0]: missing required field 'resources'")),
        arguments("maxCalls 0", withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], maxCalls: 0 }"),
            List.of("2:63: capabilities[0].maxCalls: expected a whole number at least 1, got 0")),
        arguments("maxCalls 2.5", withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], maxCalls: 2.5 }"),
            List.of("2:63: capabilities[0].maxCalls: expected a whole number at least 1, got 2.5")),
        arguments("maxCalls as text", withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], maxCalls: \"3\" }"),
            List.of("2:63: capabilities[0].maxCalls: expected a whole number at least 1, got text \"3\"")),
        arguments("maxCalls empty", withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], maxCalls: ~ }"),
            List.of("2:63: capabilities[0].maxCalls: expected a whole number at least 1, got nothing")),
        arguments("maxCalls too large",
            withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], maxCalls: 99999999999 }"),
            List.of("2:63: capabilities[0].maxCalls: expected a whole number at most 2147483647, got 99999999999")),
        arguments("requiresApproval yes",
            withCapability("{ tool: siem.query, resources: [\"siem:alerts\"], requiresApproval: yes }"),
            List.of("2:71: capabilities[0].requiresApproval: expected true or false, got text \"yes\"")),
        arguments("a number for a tool", withCapability("{ tool: 5, resources: [\"siem:alerts\"] }"),
            List.of("2:13: capabilities[0].tool: expected a tool pattern such as host.isolate or siem.*, got 5")),
        arguments("white space in a tool", withCapability("{ tool: \"host isolate\", resources: [\"host:**\"] }"),
            List.of("2:13: capabilities[0].tool: \"host isolate\": control characters and white space are not "
                + "allowed in a pattern (at 4)")),
        arguments("'**' inside a resource", withCapability("{ tool: host.isolate, resources: [\"host:**/x\"] }"),
            List.of("2:39: capabilities[0].resources[0]: \"host:**/x\": '**' may only end a pattern (at 5)")),
        arguments("no resources", withCapability("{ tool: host.isolate, resources: [] }"),
            List.of("2:38: capabilities[0].resources: expected at least one resource pattern, got an empty list")),
        arguments("text for the resources", withCapability("{ tool: host.isolate, resources: \"host:**\" }"),
            List.of("2:38: capabilities[0].resources: expected a list of resource patterns such as "
                + "[\"host:corp/*\"], got text \"host:**\"")),
        arguments("a list for the bounds", CAPABILITIES + "\nbounds: [200, 20m]\n",
            List.of("3:9: bounds: expected a mapping of budget, deadline, maxDepth, maxChildren, maxSubtreeAgents, "
                + "rate, maxStrikes, got a list")),
        arguments("missing bounds", CAPABILITIES + "\nbounds: { budget: 200, deadline: 20m }\n",
            List.of("3:9: bounds: missing required field 'maxDepth'",
                "3:9: bounds: missing required field 'maxChildren'",
                "3:9: bounds: missing required field 'maxSubtreeAgents'",
                "3:9: bounds: missing required field 'rate'",
                "3:9: bounds: missing required field 'maxStrikes'")),
        arguments("an unknown bound", CAPABILITIES + "\n" + BOUNDS + "  maxBudget: 3\n",
            List.of("11:3: bounds: unknown field 'maxBudget'; " + allowedBounds)),
        arguments("text for the budget", withBound("budget", "lots"),
            List.of("4:11: bounds.budget: expected a whole number at least 0, got text \"lots\"")),
        arguments("a negative budget", withBound("budget", "-5"),
            List.of("4:11: bounds.budget: expected a whole number at least 0, got -5")),
        arguments("a deadline without unit", withBound("deadline", "20"),
            List.of("5:13: bounds.deadline: \"20\": a duration needs a unit: ms, s, m or h (at 2)")),
        arguments("a deadline in minutes spelt out", withBound("deadline", "20min"),
            List.of("5:13: bounds.deadline: \"20min\": unknown unit 'min': use ms, s, m or h (at 2)")),
        arguments("a list for the deadline", withBound("deadline", "[20m]"),
            List.of("5:13: bounds.deadline: expected a duration such as 20m (units ms, s, m, h), got a list")),
        arguments("maxDepth as text", withBound("maxDepth", "\"3\""),
            List.of("6:13: bounds.maxDepth: expected a whole number at least 0, got text \"3\"")),
        arguments("maxChildren too large", withBound("maxChildren", "99999999999"),
            List.of("7:16: bounds.maxChildren: expected a whole number at most 2147483647, got 99999999999")),
        arguments("no room for the agent itself", withBound("maxSubtreeAgents", "0"),
            List.of("8:21: bounds.maxSubtreeAgents: expected a whole number at least 1 (the agent itself counts), "
                + "got 0")),
        arguments("a rate over no time", withBound("rate", "30/0m"),
            List.of("9:9: bounds.rate: \"30/0m\": a rate's window must be longer than zero (at 3)")),
        arguments("a rate without window", withBound("rate", "30"),
            List.of("9:9: bounds.rate: \"30\": a rate is calls/window, such as 30/1m")),
        arguments("a rate of no calls", withBound("rate", "0/1m"),
            List.of("9:9: bounds.rate: \"0/1m\": a rate allows at least one call (at 0)")),
        arguments("no strikes allowed", withBound("maxStrikes", "0"),
            List.of("10:15: bounds.maxStrikes: expected a whole number at least 1, got 0")),
        arguments("bounds twice", CAPABILITIES + "\n" + BOUNDS + BOUNDS,
            List.of("11:1: duplicate key 'bounds' (first at 3:1)")),
        arguments("an unquoted '*' (a YAML alias)", withCapability("{ tool: *, resources: [\"siem:alerts\"] }"),
            List.of("2:14: YAML syntax: unexpected character found ,(44) (while scanning an alias at 2:13); "
                + "a pattern that starts with '*' must be quoted: \"*\"")),
        arguments("an unclosed list", "capabilities: [\n",
            List.of("2:1: YAML syntax: expected the node content, but found '<stream end>'")),
        arguments("several problems at once", String.join("\n",
                "capabilities:",
                "  - { tool: siem.query, resources: [\"siem:alerts\"], maxCalls: 0 }",
                "  - { tool: host.isolate, resources: [\"host:**/x\"], requiresApproval: yes }",
                "  - { resources: [\"host:corp/*\"] }",
                "bounds: { budget: -1, deadline: 20, maxDepth: 3, maxChildren: 4, rate: 30/1m, maxStrikes: 3, extra: 1 }",
                ""),
            List.of(
                "2:63: capabilities[0].maxCalls: expected a whole number at least 1, got 0",
                "3:39: capabilities[1].resources[0]: \"host:**/x\": '**' may only end a pattern (at 5)",
                "3:71: capabilities[1].requiresApproval: expected true or false, got text \"yes\"",
                "4:5: capabilities[2]: missing required field 'tool'",
                "5:9: bounds: missing required field 'maxSubtreeAgents'",
                "5:19: bounds.budget: expected a whole number at least 0, got -1",
                "5:33: bounds.deadline: \"20\": a duration needs a unit: ms, s, m or h (at 2)",
                "5:94: bounds: unknown field 'extra'; " + allowedBounds)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void aBadFileYieldsNothingAndEveryProblemAtItsPlace(String name, String text, List<String> expected)
      throws IOException {
    Path file = Files.writeString(dir.resolve("grant.yaml"), text);
    Problems problems = new Problems();

    Optional<GrantRequest> grant = GrantFile.read(file, START, problems);

    assertEquals(Optional.empty(), grant);
    assertEquals(expected.stream().map(p -> file + ":" + p).toList(), problems.lines());
  }

  @Test
  void aValidFileAddsNoProblem() throws IOException {
    Path file = Files.writeString(dir.resolve("grant.yaml"), withBound("deadline", "90s"));
    Problems problems = new Problems();

    Optional<GrantRequest> grant = GrantFile.read(file, START, problems);

    assertEquals(Optional.of(new GrantRequest(
            List.of(Capability.of("siem.query", "siem:alerts")),
            new Bounds(200, START.plusSeconds(90), 3, 4, 30, new Rate(30, Duration.ofMinutes(1)), 3))),
        grant);
    assertEquals(List.of(), problems.lines());
  }

  @Test
  void aMissingFileIsAProblemOfTheWholeFile() {
    Path file = dir.resolve("absent.yaml");
    Problems problems = new Problems();

    assertEquals(Optional.empty(), GrantFile.read(file, START, problems));
    assertEquals(List.of(file + ": no such file"), problems.lines());
  }
}
