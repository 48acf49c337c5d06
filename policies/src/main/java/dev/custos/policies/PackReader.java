package dev.custos.policies;

import static dev.custos.files.FieldReader.join;

import dev.custos.capability.Pattern;
import dev.custos.files.FieldReader;
import dev.custos.files.Location;
import dev.custos.files.Problems;
import dev.custos.files.YamlTree;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.files.YamlTree.Scalar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a policy pack (spec/policies.md) strictly: unknown fields, wrong types, an unknown effect, a duplicate rule id,
 * a condition that does not compile, names an unknown variable or is not a boolean, an empty {@code tools} list (omit
 * {@code tools} for a rule on every tool) — each is a problem with the file, the line and the rule's id, and a pack
 * with any problem yields nothing. Limits: at most {@value #MAX_RULES} rules per pack, and {@link Condition}'s limits
 * on each condition.
 */
public final class PackReader {

  /** The most rules a pack may hold. */
  public static final int MAX_RULES = 500;

  private static final List<String> PACK_FIELDS = List.of("policy", "description", "rules");
  private static final List<String> PACK_REQUIRED = List.of("policy", "rules");
  private static final List<String> RULE_FIELDS = List.of("id", "effect", "tools", "when", "message", "releases");
  private static final List<String> RULE_REQUIRED = List.of("id", "effect");
  private static final List<String> EFFECTS = List.of("forbid", "approve", "permit");
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final FieldReader fields;

  private PackReader(String file, Problems problems) {
    this.fields = new FieldReader(file, problems);
  }

  /** Reads a pack file; empty when it has any problem, each added to {@code problems}. */
  public static Optional<PolicyPack> read(Path file, Problems problems) {
    return YamlTree.readText(file, problems).flatMap(text -> parse(file.toString(), text, problems));
  }

  /** Reads a pack from its text; {@code file} names it in problems. */
  public static Optional<PolicyPack> parse(String file, String text, Problems problems) {
    int before = problems.size();
    Optional<Node> root = YamlTree.parse(file, text, problems);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    Optional<PolicyPack> pack = new PackReader(file, problems).pack(root.get(), digest(text));
    return problems.size() == before ? pack : Optional.empty();
  }

  private Optional<PolicyPack> pack(Node node, String digest) {
    int before = fields.problemCount();
    Optional<Mapping> found = fields.mapping("", node, "a policy pack: a mapping with policy and rules");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    fields.checkFields("", map, PACK_FIELDS, PACK_REQUIRED);
    Optional<String> name = map.get("policy").flatMap(n -> name("policy", n, "a pack name such as soc-baseline"));
    String description = map.get("description")
        .flatMap(n -> fields.text("description", n, "text")).orElse("");
    Map<String, Condition> conditions = new HashMap<>();
    Optional<List<Rule>> rules = map.get("rules").flatMap(n -> rules(n, conditions));
    if (fields.problemCount() != before || name.isEmpty() || rules.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new PolicyPack(name.get(), description, fields.file(), digest, rules.get(), conditions));
  }

  private Optional<List<Rule>> rules(Node node, Map<String, Condition> conditions) {
    if (node instanceof YamlTree.Sequence list && list.items().size() > MAX_RULES) {
      fields.problem(list.location(), "rules", "a pack holds at most " + MAX_RULES + " rules, this one has "
          + list.items().size() + "; split it into packs");
      return Optional.empty();
    }
    Map<String, Location> seen = new LinkedHashMap<>();
    return fields.list("rules", node, "a list of rules", (path, item) -> rule(path, item, seen, conditions));
  }

  private Optional<Rule> rule(String path, Node node, Map<String, Location> seen, Map<String, Condition> conditions) {
    Optional<Mapping> found = fields.mapping(path, node, "a rule: a mapping with id and effect");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    // Messages name the rule by its id once it has one, so a user finds it by the name they gave it.
    Optional<String> id = map.get("id").flatMap(n -> name(join(path, "id"), n, "a rule id such as tier0-needs-a-person"));
    String where = id.map(i -> "rule '" + i + "'").orElse(path);
    int before = fields.problemCount();
    fields.checkFields(where, map, RULE_FIELDS, RULE_REQUIRED);
    if (id.isPresent()) {
      Location first = seen.putIfAbsent(id.get(), map.location());
      if (first != null) {
        fields.problem(map.get("id").get().location(), where,
            "duplicate rule id (first used at line " + first.line() + ")");
      }
    }
    Optional<Effect> effect = map.get("effect").flatMap(n -> fields.choice(join(where, "effect"), n, EFFECTS))
        .map(text -> Effect.valueOf(text.toUpperCase(Locale.ROOT)));
    Optional<List<Pattern>> tools = map.get("tools").isEmpty() ? Optional.of(List.of())
        : fields.list(join(where, "tools"), map.get("tools").get(), "a list of tool patterns such as [\"host.*\"]",
            (p, n) -> fields.pattern(p, n, "a tool pattern such as host.isolate or siem.*"));
    if (tools.isPresent() && tools.get().isEmpty() && map.get("tools").isPresent()) {
      // A rule without tools applies to every tool; an empty list, in a permit, would permit everything unasked.
      fields.problem(map.get("tools").get().location(), join(where, "tools"),
          "an empty list names no tool; list the tools, or omit tools for a rule on every tool");
    }
    String message = map.get("message").flatMap(n -> fields.text(join(where, "message"), n, "text")).orElse("");
    Set<String> releases = new TreeSet<>();
    map.get("releases").flatMap(n -> fields.list(join(where, "releases"), n, "a list of fact labels such as [secret]",
        (p, item) -> name(p, item, "a fact label such as secret"))).ifPresent(releases::addAll);
    if (!releases.isEmpty() && effect.isPresent() && effect.get() != Effect.PERMIT) {
      fields.problem(map.get("releases").get().location(), join(where, "releases"),
          "only a permit rule can release labels, this rule's effect is " + effect.get().text());
    }
    Optional<String> when = map.get("when").isEmpty() ? Optional.of("")
        : map.get("when").flatMap(n -> condition(join(where, "when"), n, id.orElse(""), conditions));
    if (fields.problemCount() != before || id.isEmpty() || effect.isEmpty() || tools.isEmpty() || when.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Rule(id.get(), effect.get(), tools.get(), when.get(), message, releases, map.location()));
  }

  private Optional<String> condition(String path, Node node, String ruleId, Map<String, Condition> conditions) {
    // A condition such as `true` or `1 > 0` is read by YAML as a boolean or number: take its text as written.
    if (!(node instanceof Scalar scalar) || scalar.kind() == Scalar.Kind.NULL) {
      fields.expected(path, node, "a CEL condition such as resource.criticality == \"tier0\"");
      return Optional.empty();
    }
    String expression = scalar.text();
    Condition.Result result = Condition.compile(expression);
    if (result instanceof Condition.Refused refused) {
      for (Condition.Issue issue : refused.issues()) {
        String at = issue.line() == 0 ? "" : " (at " + issue.line() + ":" + issue.column() + " of the condition)";
        fields.problem(scalar.location(), path, issue.message() + at);
      }
      return Optional.empty();
    }
    if (!ruleId.isEmpty()) {
      conditions.put(ruleId, ((Condition.Compiled) result).condition());
    }
    return Optional.of(expression);
  }

  private Optional<String> name(String path, Node node, String what) {
    Optional<String> text = fields.text(path, node, what);
    if (text.isPresent() && !NAME.matcher(text.get()).matches()) {
      fields.problem(node.location(), path, "expected " + what + " (letters, digits, '.', '_', '-'; at most 64, "
          + "starting with a letter or digit), got " + node.describe());
      return Optional.empty();
    }
    return text;
  }

  private static String digest(String text) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
