package dev.custos.scenario;

import static dev.custos.files.FieldReader.join;

import dev.custos.Durations;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.files.FieldReader;
import dev.custos.files.GrantFile;
import dev.custos.files.Location;
import dev.custos.files.Problems;
import dev.custos.files.YamlTree;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.files.YamlTree.Scalar;
import dev.custos.files.YamlTree.Sequence;
import dev.custos.policies.PolicySet;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a scenario file (spec/scenarios.md) strictly. Each of these is a problem at its line and column, saying what
 * was expected: an unknown or missing field, a value of the wrong kind, a bad name, duration, probability, pattern or
 * technique id; a host or account named but not declared (a step's {@code to} may instead be a {@code net:} address);
 * a host or account id declared twice; an agent type, behaviour or approval decision not among the known ones; a grant
 * tool that names no tool of the simulated environment ({@link SimulatedTool}); an alert or compromise not before the
 * end of the run; a policy pack file not found; the same agent expected both halted and not halted. The grant is read
 * by {@link GrantFile}, the policy packs are loaded as a set by {@link PolicySet#load} (their own problems are reported
 * under their own files), and unknown fields get a hint when they differ only in case, as do unknown names close to a
 * known one. Every problem is reported, not only the first; a file with any problem yields no scenario.
 *
 * <p>Defaults of optional fields: {@code seed} 0, no description, no accounts or links, detection {@link
 * Detection#DEFAULT}, no extra alerts, a step's {@code after} 0s, no policy packs, approvals {@link Approvals#NONE},
 * {@code approvalTimeout} 5m, {@code rollbackOnHalt} false, no compromise, {@link Expect#NONE}.
 *
 * <p>Policy pack paths are looked up next to the scenario file first, then under the repository root: the directory
 * holding the outermost {@code pom.xml} above the scenario file, and then the one above the working directory (or the
 * working directory itself, outside any Maven project). Not thread safe; each read makes its own reader.
 */
public final class ScenarioFile {

  private static final List<String> SCENARIO_FIELDS = List.of(
      "scenario", "description", "seed", "duration", "environment", "attacker", "supervisor", "compromise", "expect");
  private static final List<String> SCENARIO_REQUIRED =
      List.of("scenario", "duration", "environment", "attacker", "supervisor");
  private static final List<String> ENVIRONMENT_FIELDS = List.of("hosts", "accounts", "links");
  private static final List<String> HOST_FIELDS = List.of("id", "zone", "criticality");
  private static final List<String> ACCOUNT_FIELDS = List.of("id", "privileged");
  private static final List<String> ATTACKER_FIELDS = List.of("start", "steps", "detection", "alerts");
  private static final List<String> STEP_FIELDS = List.of("technique", "on", "from", "to", "account", "after");
  private static final List<String> DETECTION_FIELDS = List.of("probability", "delay");
  private static final List<String> ALERT_FIELDS = List.of("at", "host", "text");
  private static final List<String> SUPERVISOR_FIELDS = List.of(
      "mission", "agent", "grant", "policies", "approvals", "approvalTimeout", "rollbackOnHalt");
  private static final List<String> APPROVALS_FIELDS = List.of("decision", "delay");
  private static final List<String> COMPROMISE_FIELDS = List.of("agent", "at", "behaviour");
  private static final List<String> EXPECT_FIELDS = List.of("contained", "maxAttackerSteps", "halted", "notHalted");

  /** How many declared names a message lists before it stops. */
  private static final int LISTED_NAMES = 12;

  private final String file;
  private final Problems problems;
  private final FieldReader fields;
  private final List<Path> packDirectories;
  // What the environment declares, once read; empty when it could not be read, so references are not checked
  // against nothing (which would report every one of them again).
  private Optional<Map<String, Location>> hosts = Optional.empty();
  private Optional<Map<String, Location>> accounts = Optional.empty();
  // The run's duration, once read; empty when missing or bad, and then times are not checked against it.
  private Optional<Duration> duration = Optional.empty();

  private ScenarioFile(Path file, Path workingDirectory, Problems problems) {
    this.file = file.toString();
    this.problems = problems;
    this.fields = new FieldReader(this.file, problems);
    this.packDirectories = packDirectories(file, workingDirectory);
  }

  /**
   * Reads a scenario file; policy paths are looked up as the class comment says, with the process's working directory.
   *
   * @return the scenario, or empty when the file had any problem (each added to {@code problems})
   */
  public static Optional<Scenario> read(Path file, Problems problems) {
    return read(file, Path.of(""), problems);
  }

  /** As {@link #read(Path, Problems)}, with {@code workingDirectory} in place of the process's. */
  static Optional<Scenario> read(Path file, Path workingDirectory, Problems problems) {
    int before = problems.size();
    Optional<Node> root = YamlTree.read(file, problems);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    Optional<Scenario> scenario = new ScenarioFile(file, workingDirectory, problems).scenario(root.get());
    return problems.size() == before ? scenario : Optional.empty();
  }

  private Optional<Scenario> scenario(Node node) {
    int before = fields.problemCount();
    Optional<Mapping> found = fields.mapping("", node,
        "a scenario: a mapping with scenario, duration, environment, attacker and supervisor");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    fields.checkFields("", map, SCENARIO_FIELDS, SCENARIO_REQUIRED);
    Optional<String> name = map.get("scenario")
        .flatMap(n -> name("scenario", n, "a scenario name such as ransomware-outbreak"));
    Optional<String> description = map.get("description").flatMap(n -> fields.text("description", n, "text"));
    long seed = map.get("seed").flatMap(n -> fields.whole("seed", n, 0, Long.MAX_VALUE, ""))
        .map(BigInteger::longValueExact).orElse(0L);
    duration = map.get("duration").flatMap(n -> positiveDuration("duration", n));
    // The environment first: the other parts refer to its hosts and accounts.
    Optional<Environment> environment = map.get("environment").flatMap(this::environment);
    Optional<Attacker> attacker = map.get("attacker").flatMap(this::attacker);
    Optional<SupervisorSetup> supervisor = map.get("supervisor").flatMap(this::supervisor);
    Optional<List<Compromise>> compromise = map.get("compromise").isEmpty() ? Optional.of(List.of())
        : fields.list("compromise", map.get("compromise").get(), "a list of compromises", this::compromise);
    Optional<Expect> expect = map.get("expect").isEmpty() ? Optional.of(Expect.NONE)
        : expect(map.get("expect").get());
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct("", map, () -> new Scenario(name.get(), description, seed, duration.get(),
        environment.get(), attacker.get(), supervisor.get(), compromise.get(), expect.get()));
  }

  // --- environment ---

  private Optional<Environment> environment(Node node) {
    String path = "environment";
    Optional<Mapping> found = fields.mapping(path, node, "the environment: a mapping with hosts, accounts and links");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, ENVIRONMENT_FIELDS, List.of("hosts"));
    Optional<List<Host>> hostList = map.get("hosts").flatMap(n -> hosts(join(path, "hosts"), n));
    Optional<List<Account>> accountList;
    if (map.get("accounts").isEmpty()) {
      accounts = Optional.of(Map.of());
      accountList = Optional.of(List.of());
    } else {
      accountList = accounts(join(path, "accounts"), map.get("accounts").get());
    }
    Optional<List<Link>> links = map.get("links").isEmpty() ? Optional.of(List.of())
        : fields.list(join(path, "links"), map.get("links").get(), "a list of links such as [fin-ws-01, fin-ws-02]",
            this::link);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Environment(hostList.get(), accountList.get(), links.get()));
  }

  private Optional<List<Host>> hosts(String path, Node node) {
    if (!(node instanceof Sequence list)) {
      fields.expected(path, node, "a list of hosts such as [{ id: fin-ws-01, zone: corp, criticality: low }]");
      return Optional.empty();
    }
    Map<String, Location> ids = new LinkedHashMap<>();
    hosts = Optional.of(ids);
    if (list.items().isEmpty()) {
      fields.problem(list.location(), path, "expected at least one host, got an empty list");
      return Optional.empty();
    }
    return fields.list(path, node, "a list of hosts", (p, item) -> host(p, item, ids));
  }

  private Optional<Host> host(String path, Node node, Map<String, Location> ids) {
    Optional<Mapping> found = fields.mapping(path, node, "a host: a mapping with id, zone and criticality");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, HOST_FIELDS, HOST_FIELDS);
    Optional<String> id = map.get("id").flatMap(n -> declare(join(path, "id"), n, "a host id such as fin-ws-01",
        "host", ids));
    Optional<String> zone = map.get("zone").flatMap(n -> name(join(path, "zone"), n, "a zone such as corp"));
    Optional<Criticality> criticality = map.get("criticality")
        .flatMap(n -> oneOf(join(path, "criticality"), n, Criticality.names()))
        .flatMap(Criticality::named);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Host(id.get(), zone.get(), criticality.get()));
  }

  private Optional<List<Account>> accounts(String path, Node node) {
    if (!(node instanceof Sequence)) {
      fields.expected(path, node, "a list of accounts such as [{ id: alice }]");
      return Optional.empty();
    }
    Map<String, Location> ids = new LinkedHashMap<>();
    accounts = Optional.of(ids);
    return fields.list(path, node, "a list of accounts", (p, item) -> account(p, item, ids));
  }

  private Optional<Account> account(String path, Node node, Map<String, Location> ids) {
    Optional<Mapping> found = fields.mapping(path, node, "an account: a mapping with id, and privileged if it is");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, ACCOUNT_FIELDS, List.of("id"));
    Optional<String> id = map.get("id").flatMap(n -> declare(join(path, "id"), n, "an account id such as svc-backup",
        "account", ids));
    boolean privileged = map.get("privileged").flatMap(n -> fields.bool(join(path, "privileged"), n)).orElse(false);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Account(id.get(), privileged));
  }

  private Optional<Link> link(String path, Node node) {
    if (!(node instanceof Sequence pair) || pair.items().size() != 2) {
      String got = node instanceof Sequence list ? "a list of " + list.items().size() : node.describe();
      fields.problem(node.location(), path,
          "expected a link: a pair of host ids such as [fin-ws-01, fin-ws-02], got " + got);
      return Optional.empty();
    }
    int before = fields.problemCount();
    Optional<String> first = hostRef(path + "[0]", pair.items().get(0), "");
    Optional<String> second = hostRef(path + "[1]", pair.items().get(1), "");
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    if (first.get().equals(second.get())) {
      fields.problem(pair.location(), path, "a link joins two different hosts, got " + Names.quote(first.get())
          + " twice");
      return Optional.empty();
    }
    return Optional.of(new Link(first.get(), second.get()));
  }

  // --- attacker ---

  private Optional<Attacker> attacker(Node node) {
    String path = "attacker";
    Optional<Mapping> found = fields.mapping(path, node, "the attacker: a mapping with start and steps");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, ATTACKER_FIELDS, List.of("start", "steps"));
    Optional<String> start = map.get("start").flatMap(n -> hostRef(join(path, "start"), n, ""));
    Optional<List<AttackStep>> steps = map.get("steps").flatMap(n -> steps(join(path, "steps"), n));
    Optional<Detection> detection = map.get("detection").isEmpty() ? Optional.of(Detection.DEFAULT)
        : detection(join(path, "detection"), map.get("detection").get());
    Optional<List<Alert>> alerts = map.get("alerts").isEmpty() ? Optional.of(List.of())
        : fields.list(join(path, "alerts"), map.get("alerts").get(), "a list of alerts", this::alert);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Attacker(start.get(), steps.get(), detection.get(), alerts.get()));
  }

  private Optional<List<AttackStep>> steps(String path, Node node) {
    if (node instanceof Sequence list && list.items().isEmpty()) {
      fields.problem(list.location(), path, "expected at least one step, got an empty list");
      return Optional.empty();
    }
    return fields.list(path, node, "a list of steps such as [{ technique: T1486, on: fin-ws-01, after: 0s }]",
        this::step);
  }

  private Optional<AttackStep> step(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node,
        "a step: a mapping with technique and some of on, from, to, account, after");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, STEP_FIELDS, List.of("technique"));
    Optional<String> technique = map.get("technique").flatMap(n -> technique(join(path, "technique"), n));
    Optional<String> on = map.get("on").flatMap(n -> hostRef(join(path, "on"), n, ""));
    Optional<String> from = map.get("from").flatMap(n -> hostRef(join(path, "from"), n, ""));
    Optional<Target> to = map.get("to").flatMap(n -> target(join(path, "to"), n));
    Optional<String> account = map.get("account").flatMap(n -> accountRef(join(path, "account"), n));
    Duration after = map.get("after").flatMap(n -> fields.duration(join(path, "after"), n)).orElse(Duration.ZERO);
    if (map.get("on").isPresent() && map.get("from").isPresent()) {
      fields.problem(keyLocation(map, "from"), path,
          "a step happens on a host (on) or moves from one (from and to), not both");
    } else if (map.get("from").isPresent() && map.get("to").isEmpty()) {
      fields.problem(keyLocation(map, "from"), path,
          "a step that moves from a host needs a to: the host or net: address it reaches");
    }
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new AttackStep(technique.get(), on, from, to, account, after));
  }

  private Optional<String> technique(String path, Node node) {
    String what = "a MITRE ATT&CK technique id such as T1486 or T1021.002";
    Optional<String> text = fields.text(path, node, what);
    if (text.isPresent() && !AttackStep.TECHNIQUE.matcher(text.get()).matches()) {
      fields.expected(path, node, what);
      return Optional.empty();
    }
    return text;
  }

  private Optional<Target> target(String path, Node node) {
    Optional<String> text = fields.text(path, node, "a host id or a net: address such as \"net:203.0.113.7\"");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (text.get().startsWith(Target.NET)) {
      try {
        return Optional.of(new Target.NetAddress(text.get().substring(Target.NET.length())));
      } catch (IllegalArgumentException e) {
        fields.expected(path, node, "a net: address such as net:203.0.113.7 (not empty, no white space, no '*')");
        return Optional.empty();
      }
    }
    return hostRef(path, node, "; a to names a declared host or a net: address such as net:203.0.113.7")
        .map(Target.HostId::new);
  }

  private Optional<Detection> detection(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "a mapping with probability and delay");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, DETECTION_FIELDS, List.of());
    double probability = map.get("probability")
        .flatMap(n -> fields.number(join(path, "probability"), n, 0, 1))
        .orElse(Detection.DEFAULT.probability());
    Duration delay = map.get("delay").flatMap(n -> fields.duration(join(path, "delay"), n))
        .orElse(Detection.DEFAULT.delay());
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Detection(probability, delay));
  }

  private Optional<Alert> alert(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "an alert: a mapping with at, text, and host if it has one");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, ALERT_FIELDS, List.of("at", "text"));
    Optional<Duration> at = map.get("at").flatMap(n -> time(join(path, "at"), n));
    Optional<String> host = map.get("host").flatMap(n -> hostRef(join(path, "host"), n, ""));
    Optional<String> text = map.get("text").flatMap(n -> fields.text(join(path, "text"), n, "the alert's text"));
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Alert(at.get(), host, text.get()));
  }

  // --- supervisor ---

  private Optional<SupervisorSetup> supervisor(Node node) {
    String path = "supervisor";
    Optional<Mapping> found = fields.mapping(path, node, "the supervisor: a mapping with mission, agent and grant");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, SUPERVISOR_FIELDS, List.of("mission", "agent", "grant"));
    Optional<String> mission = map.get("mission")
        .flatMap(n -> name(join(path, "mission"), n, "a mission name such as contain-ransomware"));
    Optional<AgentType> agent = map.get("agent")
        .flatMap(n -> oneOf(join(path, "agent"), n, AgentType.names()))
        .flatMap(AgentType::named);
    Optional<GrantRequest> grant = map.get("grant").flatMap(n -> grant(join(path, "grant"), n));
    Optional<List<Path>> policies = map.get("policies").isEmpty() ? Optional.of(List.of())
        : policies(join(path, "policies"), map.get("policies").get());
    Optional<Approvals> approvals = map.get("approvals").isEmpty() ? Optional.of(Approvals.NONE)
        : approvals(join(path, "approvals"), map.get("approvals").get());
    Duration approvalTimeout = map.get("approvalTimeout")
        .flatMap(n -> positiveDuration(join(path, "approvalTimeout"), n))
        .orElse(SupervisorSetup.DEFAULT_APPROVAL_TIMEOUT);
    boolean rollbackOnHalt = map.get("rollbackOnHalt")
        .flatMap(n -> fields.bool(join(path, "rollbackOnHalt"), n)).orElse(false);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new SupervisorSetup(mission.get(), agent.get(), grant.get(),
        policies.get(), approvals.get(), approvalTimeout, rollbackOnHalt));
  }

  private Optional<GrantRequest> grant(String path, Node node) {
    checkGrantTools(path, node);
    return GrantFile.fromTree(file, path, node, Scenario.START, problems);
  }

  /**
   * Reports each capability tool that names no tool of the simulated environment. Looks at the tree itself, beside
   * {@link GrantFile}, so that it finds the tool's place and reports even when another part of the grant is wrong; what
   * is not a well-formed pattern is left to {@link GrantFile}.
   */
  private void checkGrantTools(String path, Node node) {
    if (!(node instanceof Mapping grant)
        || !(grant.get("capabilities").orElse(null) instanceof Sequence capabilities)) {
      return;
    }
    for (int i = 0; i < capabilities.items().size(); i++) {
      if (!(capabilities.items().get(i) instanceof Mapping capability)
          || !(capability.get("tool").orElse(null) instanceof Scalar tool)
          || tool.kind() != Scalar.Kind.STRING) {
        continue;
      }
      Pattern pattern;
      try {
        pattern = Pattern.parse(tool.text());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (SimulatedTool.matching(pattern).isEmpty()) {
        String known = String.join(", ", SimulatedTool.names());
        String message = pattern.isLiteral()
            ? "unknown tool " + Names.quote(tool.text()) + Names.hint(tool.text(), SimulatedTool.names())
                + "; the simulated environment's tools are " + known
            : "pattern " + Names.quote(tool.text()) + " matches no tool of the simulated environment: " + known;
        fields.problem(tool.location(), join(path, "capabilities[" + i + "].tool"), message);
      }
    }
  }

  private Optional<List<Path>> policies(String path, Node node) {
    List<Path> found = new ArrayList<>();
    Map<Path, String> seen = new LinkedHashMap<>();
    Optional<List<Path>> files = fields.list(path, node,
        "a list of policy pack files such as [policies/packs/soc-baseline.yaml]", (p, item) -> {
          Optional<Path> pack = policy(p, item, seen);
          pack.ifPresent(found::add);
          return pack;
        });
    // Every pack found is loaded, even when another entry is wrong, so that all problems come out in one round.
    if (!found.isEmpty()) {
      PolicySet.load(found, problems);
    }
    return files;
  }

  private Optional<Path> policy(String path, Node node, Map<Path, String> seen) {
    Optional<String> text = fields.text(path, node, "a policy pack file such as policies/packs/soc-baseline.yaml");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    try {
      for (Path directory : packDirectories) {
        candidates.add(directory.resolve(text.get()).normalize());
      }
    } catch (InvalidPathException e) {
      fields.expected(path, node, "a policy pack file such as policies/packs/soc-baseline.yaml");
      return Optional.empty();
    }
    Optional<Path> pack = candidates.stream().filter(Files::isRegularFile).findFirst();
    if (pack.isEmpty()) {
      fields.problem(node.location(), path, "no policy pack file " + Names.quote(text.get())
          + " next to the scenario or under the repository root (looked in "
          + packDirectories.stream().map(Path::toString).collect(Collectors.joining(", ")) + ")");
      return Optional.empty();
    }
    String first = seen.putIfAbsent(pack.get(), path);
    if (first != null) {
      fields.problem(node.location(), path, "the same policy pack as " + first);
      return Optional.empty();
    }
    return pack;
  }

  private Optional<Approvals> approvals(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "a mapping with decision and delay");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, APPROVALS_FIELDS, List.of("decision"));
    Optional<Approvals.Decision> decision = map.get("decision")
        .flatMap(n -> oneOf(join(path, "decision"), n, Approvals.Decision.names()))
        .flatMap(Approvals.Decision::named);
    Duration delay = map.get("delay").flatMap(n -> fields.duration(join(path, "delay"), n)).orElse(Duration.ZERO);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Approvals(decision.get(), delay));
  }

  // --- compromise and expect ---

  private Optional<Compromise> compromise(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "a compromise: a mapping with agent, at and behaviour");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, COMPROMISE_FIELDS, COMPROMISE_FIELDS);
    Optional<AgentRef> agent = map.get("agent").flatMap(n -> agentRef(join(path, "agent"), n));
    Optional<Duration> at = map.get("at").flatMap(n -> time(join(path, "at"), n));
    Optional<Behaviour> behaviour = map.get("behaviour")
        .flatMap(n -> oneOf(join(path, "behaviour"), n, Behaviour.names()))
        .flatMap(Behaviour::named);
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Compromise(agent.get(), at.get(), behaviour.get()));
  }

  private Optional<Expect> expect(Node node) {
    String path = "expect";
    Optional<Mapping> found = fields.mapping(path, node,
        "a mapping with some of contained, maxAttackerSteps, halted, notHalted");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, EXPECT_FIELDS, List.of());
    Optional<Boolean> contained = map.get("contained").flatMap(n -> fields.bool(join(path, "contained"), n));
    OptionalInt maxAttackerSteps = map.get("maxAttackerSteps")
        .flatMap(n -> fields.whole(join(path, "maxAttackerSteps"), n, 0, Integer.MAX_VALUE, ""))
        .map(steps -> OptionalInt.of(steps.intValueExact())).orElse(OptionalInt.empty());
    Optional<List<AgentRef>> halted = map.get("halted").isEmpty() ? Optional.of(List.of())
        : agentRefs(join(path, "halted"), map.get("halted").get(), List.of(), "");
    Optional<List<AgentRef>> notHalted = map.get("notHalted").isEmpty() ? Optional.of(List.of())
        : agentRefs(join(path, "notHalted"), map.get("notHalted").get(), halted.orElse(List.of()),
            join(path, "halted"));
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Expect(contained, maxAttackerSteps, halted.get(), notHalted.get()));
  }

  /** A list of agent references, none of them in {@code excluded} (which is at {@code excludedPath}). */
  private Optional<List<AgentRef>> agentRefs(String path, Node node, List<AgentRef> excluded, String excludedPath) {
    return fields.list(path, node, "a list of roles or paths such as [containment]", (p, item) -> {
      Optional<AgentRef> ref = agentRef(p, item);
      if (ref.isPresent() && excluded.contains(ref.get())) {
        fields.problem(item.location(), p, Names.quote(ref.get().text()) + " is also in " + excludedPath
            + ": no agent can end both halted and not halted");
        return Optional.empty();
      }
      return ref;
    });
  }

  private Optional<AgentRef> agentRef(String path, Node node) {
    String what = "a role such as containment or a path such as commander/containment";
    Optional<String> text = fields.text(path, node, what);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (!List.of(text.get().split("/", -1)).stream().allMatch(Names::isName)) {
      fields.expected(path, node, what + " (" + Names.NAME_RULE + ", parts joined by '/')");
      return Optional.empty();
    }
    if (text.get().contains("/") && !text.get().startsWith(AgentRef.ROOT_ROLE + "/")) {
      fields.expected(path, node, "a path from the root, which starts " + AgentRef.ROOT_ROLE + "/");
      return Optional.empty();
    }
    return Optional.of(new AgentRef(text.get()));
  }

  // --- shared checks ---

  /** A name ({@link Names#NAME}). */
  private Optional<String> name(String path, Node node, String what) {
    Optional<String> text = fields.text(path, node, what);
    if (text.isPresent() && !Names.isName(text.get())) {
      fields.expected(path, node, what + " (" + Names.NAME_RULE + ")");
      return Optional.empty();
    }
    return text;
  }

  /** A new id of {@code kind} (host, account): a name not declared before. */
  private Optional<String> declare(String path, Node node, String what, String kind, Map<String, Location> ids) {
    Optional<String> id = name(path, node, what);
    if (id.isPresent()) {
      Location first = ids.putIfAbsent(id.get(), node.location());
      if (first != null) {
        fields.problem(node.location(), path, "duplicate " + kind + " id " + Names.quote(id.get())
            + " (first at " + first + ")");
        return Optional.empty();
      }
    }
    return id;
  }

  /** A declared host's id; {@code more} ends the message when it is not one. */
  private Optional<String> hostRef(String path, Node node, String more) {
    return reference(path, node, "a host id of environment.hosts", "host", hosts, more);
  }

  private Optional<String> accountRef(String path, Node node) {
    return reference(path, node, "an account id of environment.accounts", "account", accounts, "");
  }

  private Optional<String> reference(String path, Node node, String what, String kind,
      Optional<Map<String, Location>> declared, String more) {
    Optional<String> id = fields.text(path, node, what);
    if (id.isEmpty() || declared.isEmpty() || declared.get().containsKey(id.get())) {
      return id;
    }
    Set<String> names = declared.get().keySet();
    String listed = names.isEmpty() ? "none is declared" : "declared: " + list(names);
    fields.problem(node.location(), path, "unknown " + kind + " " + Names.quote(id.get())
        + Names.hint(id.get(), names) + "; " + listed + more);
    return Optional.empty();
  }

  /** One of {@code names}, with a hint when the text is close to one. */
  private Optional<String> oneOf(String path, Node node, List<String> names) {
    if (node instanceof Scalar scalar && scalar.kind() != Scalar.Kind.NULL) {
      if (names.contains(scalar.text())) {
        return Optional.of(scalar.text());
      }
      fields.problem(node.location(), path, "expected one of " + String.join(", ", names) + ", got "
          + node.describe() + Names.hint(scalar.text(), names));
      return Optional.empty();
    }
    fields.expected(path, node, "one of " + String.join(", ", names));
    return Optional.empty();
  }

  private Optional<Duration> positiveDuration(String path, Node node) {
    Optional<Duration> value = fields.duration(path, node);
    if (value.isPresent() && value.get().isZero()) {
      fields.problem(node.location(), path, "expected a duration longer than zero, got " + ((Scalar) node).text());
      return Optional.empty();
    }
    return value;
  }

  /** A time from the start of the run, before its end when the duration is known. */
  private Optional<Duration> time(String path, Node node) {
    Optional<Duration> at = fields.duration(path, node);
    if (at.isPresent() && duration.isPresent() && at.get().compareTo(duration.get()) >= 0) {
      fields.problem(node.location(), path, ((Scalar) node).text() + " is not before the end of the run (duration "
          + Durations.format(duration.get()) + ")");
      return Optional.empty();
    }
    return at;
  }

  private static Location keyLocation(Mapping map, String key) {
    return map.entries().stream().filter(e -> e.key().text().equals(key)).findFirst()
        .map(e -> e.key().location()).orElse(map.location());
  }

  private static String list(Collection<String> names) {
    return names.size() <= LISTED_NAMES ? String.join(", ", names)
        : names.stream().limit(LISTED_NAMES).collect(Collectors.joining(", ")) + ", … (" + names.size() + " in all)";
  }

  /**
   * Where policy pack paths are looked up, in order: the scenario's directory, the repository root above it, and the
   * repository root above the working directory (or the working directory itself).
   */
  private static List<Path> packDirectories(Path file, Path workingDirectory) {
    Set<Path> directories = new LinkedHashSet<>();
    Path parent = file.toAbsolutePath().normalize().getParent();
    if (parent != null) {
      directories.add(parent);
      repositoryRoot(parent).ifPresent(directories::add);
    }
    Path working = workingDirectory.toAbsolutePath().normalize();
    directories.add(repositoryRoot(working).orElse(working));
    return List.copyOf(directories);
  }

  /** The directory of the outermost {@code pom.xml} in the unbroken run of them at or above the nearest one. */
  private static Optional<Path> repositoryRoot(Path from) {
    Path found = null;
    for (Path directory = from; directory != null; directory = directory.getParent()) {
      if (Files.isRegularFile(directory.resolve("pom.xml"))) {
        found = directory;
      } else if (found != null) {
        break;
      }
    }
    return Optional.ofNullable(found);
  }
}
