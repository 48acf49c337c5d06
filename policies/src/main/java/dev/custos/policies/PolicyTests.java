package dev.custos.policies;

import static dev.custos.files.FieldReader.join;

import dev.custos.files.FieldReader;
import dev.custos.files.Location;
import dev.custos.files.Problems;
import dev.custos.files.YamlTree;
import dev.custos.files.YamlTree.Entry;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.policy.PolicyDecision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A pack's tests file ({@code soc-baseline.tests.yaml} beside {@code soc-baseline.yaml}): cases, each a request and
 * the decision expected. A case's request sets variables by group ({@code tool: { name: host.isolate, risk: high }});
 * those it leaves out take their type's empty value. A case may also list the deciding rules it expects
 * ({@code rules: [tier0-needs-a-person]}). Read strictly, as packs are.
 */
public final class PolicyTests {

  /** The suffix of a tests file; the pack it tests has the same name without {@code .tests}. */
  public static final String SUFFIX = ".tests.yaml";

  private static final List<String> FILE_FIELDS = List.of("cases");
  private static final List<String> CASE_FIELDS = List.of("name", "request", "expect", "rules");
  private static final List<String> CASE_REQUIRED = List.of("name", "request", "expect");
  private static final List<String> EXPECTS = List.of("allow", "deny", "approve");

  /** A decision as cases name it. */
  public enum Expect {
    ALLOW, DENY, APPROVE;

    public static Expect of(PolicyDecision decision) {
      if (decision instanceof PolicyDecision.Permit) {
        return ALLOW;
      }
      return decision instanceof PolicyDecision.RequireApproval ? APPROVE : DENY;
    }

    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One case.
   *
   * @param rules the deciding rule ids expected, in any order; empty when the case does not say
   */
  public record Case(String name, Facts request, Expect expect, Optional<List<String>> rules, Location location) {
    public Case {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(expect, "expect");
      rules = rules.map(r -> r.stream().sorted().toList());
      Objects.requireNonNull(location, "location");
    }
  }

  /** A case run: the decision it got and whether that is what it expected. */
  public record Outcome(Case testCase, PolicyDecision decision) {

    public Expect got() {
      return Expect.of(decision);
    }

    public boolean passed() {
      return got() == testCase.expect()
          && testCase.rules().map(r -> r.equals(decision.ruleIds().stream().sorted().toList())).orElse(true);
    }
  }

  private final FieldReader fields;

  private PolicyTests(String file, Problems problems) {
    this.fields = new FieldReader(file, problems);
  }

  /** The pack a tests file tests: {@code x.tests.yaml} tests {@code x.yaml} beside it. */
  public static Path packOf(Path testsFile) {
    String name = testsFile.getFileName().toString();
    if (!name.endsWith(SUFFIX)) {
      throw new IllegalArgumentException(testsFile + " is not a tests file (*" + SUFFIX + ")");
    }
    return testsFile.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + ".yaml");
  }

  /** The tests file of a pack: {@code x.tests.yaml} beside {@code x.yaml}. */
  public static Path testsOf(Path packFile) {
    String name = packFile.getFileName().toString();
    String stem = name.endsWith(".yaml") ? name.substring(0, name.length() - ".yaml".length()) : name;
    return packFile.resolveSibling(stem + SUFFIX);
  }

  /** Reads a tests file; empty when it has any problem, each added to {@code problems}. */
  public static Optional<List<Case>> read(Path file, Problems problems) {
    int before = problems.size();
    Optional<Node> root = YamlTree.read(file, problems);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    Optional<List<Case>> cases = new PolicyTests(file.toString(), problems).cases(root.get());
    return problems.size() == before ? cases : Optional.empty();
  }

  /** Runs every case against {@code set}, in file order. */
  public static List<Outcome> run(PolicySet set, List<Case> cases) {
    List<Outcome> outcomes = new ArrayList<>(cases.size());
    for (Case testCase : cases) {
      outcomes.add(new Outcome(testCase, set.decide(testCase.request())));
    }
    return outcomes;
  }

  private Optional<List<Case>> cases(Node root) {
    Optional<Mapping> file = fields.mapping("", root, "a tests file: a mapping with cases");
    if (file.isEmpty()) {
      return Optional.empty();
    }
    fields.checkFields("", file.get(), FILE_FIELDS, FILE_FIELDS);
    return file.get().get("cases").flatMap(n -> fields.list("cases", n, "a list of cases", this::testCase));
  }

  private Optional<Case> testCase(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "a case: a mapping with name, request and expect");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    Optional<String> name = map.get("name").flatMap(n -> fields.text(join(path, "name"), n, "the case's name"));
    String where = name.map(n -> "case '" + n + "'").orElse(path);
    fields.checkFields(where, map, CASE_FIELDS, CASE_REQUIRED);
    Optional<Facts> request = map.get("request").flatMap(n -> request(join(where, "request"), n));
    Optional<Expect> expect = map.get("expect").flatMap(n -> fields.choice(join(where, "expect"), n, EXPECTS))
        .map(text -> Expect.valueOf(text.toUpperCase(Locale.ROOT)));
    Optional<List<String>> rules = map.get("rules").isEmpty() ? Optional.of(List.of())
        : fields.list(join(where, "rules"), map.get("rules").get(), "a list of rule ids",
            (p, n) -> fields.text(p, n, "a rule id"));
    if (fields.problemCount() != before || name.isEmpty() || request.isEmpty() || expect.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Case(name.get(), request.get(), expect.get(),
        map.get("rules").isPresent() ? rules : Optional.empty(), map.location()));
  }

  private Optional<Facts> request(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "a request: a mapping of " + String.join(", ", Variable.groups()));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    int before = fields.problemCount();
    fields.checkFields(path, found.get(), Variable.groups(), List.of());
    Facts.Builder facts = Facts.builder();
    for (Entry group : found.get().entries()) {
      String name = group.key().text();
      if (!Variable.groups().contains(name)) {
        continue;
      }
      String groupPath = join(path, name);
      Optional<Mapping> values = fields.mapping(groupPath, group.value(),
          "a mapping of " + String.join(", ", Variable.fields(name)));
      if (values.isEmpty()) {
        continue;
      }
      fields.checkFields(groupPath, values.get(), Variable.fields(name), List.of());
      for (Entry entry : values.get().entries()) {
        Optional<Variable> variable = Variable.named(name + "." + entry.key().text());
        variable.flatMap(v -> value(join(groupPath, v.field()), entry.value(), v)).ifPresent(value ->
            facts.set(variable.get(), value));
      }
    }
    return fields.problemCount() == before ? Optional.of(facts.build()) : Optional.empty();
  }

  private Optional<Object> value(String path, Node node, Variable variable) {
    return switch (variable.kind()) {
      case STRING -> fields.text(path, node, "text").map(Object.class::cast);
      case INT -> fields.whole(path, node, 0, Long.MAX_VALUE, "").map(v -> (Object) v.longValue());
      case DOUBLE -> fields.number(path, node).map(Object.class::cast);
      case BOOL -> fields.bool(path, node).map(Object.class::cast);
    };
  }
}
