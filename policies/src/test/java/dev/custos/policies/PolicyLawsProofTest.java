package dev.custos.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.custos.files.Problems;
import dev.custos.policy.PolicyDecision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Laws of the policy decision (spec/policies.md), on seeded random rule sets written as pack text and read by
 * {@link PackReader}, so the reader, the CEL conditions and the decision are checked together.
 *
 * <ul>
 *   <li>Differential: {@link PolicySet#decide} agrees with {@link #reference}, a decision written from the spec alone,
 *       whose conditions are evaluated by {@link Expr#holds} rather than by CEL: the same effect and the same deciding
 *       rule ids (every matching rule of the deciding effect, in id order; none for the default deny).
 *   <li>Order: neither the order of rules in a pack nor the order packs are loaded in changes a decision; the same files
 *       in any order have the same version.
 *   <li>Duplicates: a copy of a rule under a fresh id, or a copy of a whole pack, never changes a decision's effect; it
 *       adds to the deciding ids exactly the copies of rules that decided.
 * </ul>
 *
 * A failure names its seed; rerun with {@code -Dcustos.seed=N}.
 */
class PolicyLawsProofTest {

  private static final int DIFFERENTIAL_SETS = 300;
  private static final int DIFFERENTIAL_REQUESTS = 200;
  private static final int METAMORPHIC_SETS = 100;
  private static final int METAMORPHIC_REQUESTS = 100;
  private static final int MAX_RULES = 12;

  // A small world, so that rules overlap and conditions hold about as often as not.
  private static final List<String> TOOLS = List.of(
      "host.isolate", "host.restore", "siem.query", "data.export", "agent.delegate", "account.disable", "ticket.open");
  private static final List<String> TOOL_PATTERNS = List.of(
      "host.isolate", "host.*", "siem.query", "siem.*", "*", "data.export", "agent.delegate", "*.export", "account.*");
  private static final Map<Variable, List<String>> TEXTS = new EnumMap<>(Map.of(
      Variable.TOOL_NAME, TOOLS,
      Variable.TOOL_RISK, List.of("", "read", "low", "high"),
      Variable.RESOURCE_KIND, List.of("", "host", "account", "net", "agent"),
      Variable.RESOURCE_CRITICALITY, List.of("", "low", "medium", "tier0"),
      Variable.AGENT_ROLE, List.of("", "triage", "containment"),
      Variable.MISSION_SEVERITY, List.of("", "low", "high")));
  private static final List<Variable> INTS = List.of(Variable.AGENT_DEPTH, Variable.TOOL_COST);
  private static final long MAX_INT = 4;
  private static final List<Double> CONFIDENCES = List.of(0.0, 0.5, 0.79, 0.8, 0.95, 1.0);
  private static final List<Double> CONFIDENCE_LITERALS = List.of(0.0, 0.5, 0.8, 0.95, 1.0);
  private static final List<Variable> BOOLS = List.of(Variable.RESOURCE_PRIVILEGED, Variable.CONTEXT_APPROVED);
  private static final List<String> ORDERINGS = List.of("==", "!=", "<", "<=", ">", ">=");

  // ---------------------------------------------------------------------------------------------------------------
  // The laws

  @Test
  void decisionsAgreeWithAReferenceOfTheSpec() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    Map<Route, Integer> routes = new EnumMap<>(Route.class);
    int severalDeciding = 0;
    int[] conditions = new int[2]; // how often a rule's condition held [0: no, 1: yes], over every rule and request
    for (int n = 0; n < DIFFERENTIAL_SETS; n++) {
      List<RuleSpec> rules = randomRules(random, random.nextInt(MAX_RULES) + 1);
      String text = yaml("laws", rules);
      PolicySet set = load(seed, List.of(text));
      for (int r = 0; r < DIFFERENTIAL_REQUESTS; r++) {
        Map<Variable, Object> request = randomRequest(random);
        Expected expected = reference(rules, request);
        PolicyDecision decision = set.decide(facts(request));
        Supplier<String> context = () -> Seeds.describe(seed) + "\nrequest " + request + "\npack:\n" + text;
        assertEquals(expected.verdict(), Verdict.of(decision), context);
        assertEquals(set.version(), decision.policyVersion(), context);
        routes.merge(expected.route(), 1, Integer::sum);
        severalDeciding += expected.ruleIds().size() > 1 ? 1 : 0;
        for (RuleSpec rule : rules) {
          rule.when().ifPresent(when -> conditions[when.holds(request) ? 1 : 0]++);
        }
      }
    }
    // The comparison means something only if every way of deciding came up often.
    int decisions = DIFFERENTIAL_SETS * DIFFERENTIAL_REQUESTS;
    for (Route route : Route.values()) {
      int count = routes.getOrDefault(route, 0);
      assertTrue(count > decisions / 50, route + " decided " + count + " of " + decisions + "; " + Seeds.describe(seed));
    }
    assertTrue(severalDeciding > decisions / 20, "several deciding rules " + severalDeciding + "; " + Seeds.describe(seed));
    int evaluated = conditions[0] + conditions[1];
    assertTrue(conditions[0] > evaluated / 5 && conditions[1] > evaluated / 5,
        "conditions held " + conditions[1] + " of " + evaluated + " times; " + Seeds.describe(seed));
  }

  @Test
  void neitherRuleOrderNorPackOrderChangesADecision() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    int reorderedSets = 0;
    for (int n = 0; n < METAMORPHIC_SETS; n++) {
      List<RuleSpec> rules = randomRules(random, random.nextInt(MAX_RULES) + 1);
      String original = yaml("laws", rules);
      List<RuleSpec> shuffledRules = shuffled(rules, random);
      String shuffled = yaml("laws", shuffledRules);
      List<String> split = yaml(split(rules, random));
      List<PolicyPack> packs = read(seed, split);
      List<PolicyPack> reordered = shuffled(packs, random);

      PolicySet one = load(seed, List.of(original));
      PolicySet oneShuffled = load(seed, List.of(shuffled));
      PolicySet several = of(seed, packs);
      PolicySet severalReordered = of(seed, reordered);
      Supplier<String> context = () -> Seeds.describe(seed) + "\npack:\n" + original + "\nshuffled:\n" + shuffled
          + "\nsplit into:\n" + String.join("\n", split)
          + "\nloaded in order " + reordered.stream().map(PolicyPack::name).toList();
      assertEquals(several.version(), severalReordered.version(), context);
      reorderedSets += packs.size() > 1 && !packs.equals(reordered) ? 1 : 0;
      for (int r = 0; r < METAMORPHIC_REQUESTS; r++) {
        Facts facts = facts(randomRequest(random));
        Supplier<String> where = () -> "request " + facts + "\n" + context.get();
        PolicyDecision expected = one.decide(facts);
        // A reordered pack is other text, so another version; everything else stays.
        assertEquals(expected, withVersion(oneShuffled.decide(facts), one.version()), where);
        assertEquals(expected, withVersion(several.decide(facts), one.version()), where);
        // The same packs in another order are the same set, version and all.
        assertEquals(several.decide(facts), severalReordered.decide(facts), where);
      }
    }
    assertTrue(reorderedSets > METAMORPHIC_SETS / 4, "packs loaded in another order " + reorderedSets + " times; "
        + Seeds.describe(seed));
  }

  @Test
  void copiesOfRulesOrPacksAddOnlyThemselvesToADecision() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    int copiesDeciding = 0;
    for (int n = 0; n < METAMORPHIC_SETS; n++) {
      List<RuleSpec> rules = randomRules(random, random.nextInt(MAX_RULES) + 1);
      List<List<RuleSpec>> originalPacks = split(rules, random);
      List<String> originalTexts = yaml(originalPacks);
      // Copies of single rules, under fresh ids, placed anywhere in an original pack or in a pack of their own.
      Map<String, String> copyOf = new HashMap<>();
      List<List<RuleSpec>> withCopies = new ArrayList<>();
      for (List<RuleSpec> pack : originalPacks) {
        withCopies.add(new ArrayList<>(pack));
      }
      List<RuleSpec> extra = new ArrayList<>();
      for (RuleSpec rule : rules) {
        int copies = random.nextInt(4) == 0 ? random.nextInt(3) + 1 : 0;
        for (int c = 0; c < copies; c++) {
          RuleSpec copy = rule.withId(rule.id() + "-copy" + c);
          copyOf.put(copy.id(), rule.id());
          List<RuleSpec> target = random.nextBoolean() ? extra : withCopies.get(random.nextInt(withCopies.size()));
          target.add(random.nextInt(target.size() + 1), copy);
        }
      }
      List<String> copiedTexts = yaml(withCopies);
      if (!extra.isEmpty()) {
        copiedTexts.add(yaml("laws-extra", extra));
      }
      // Copies of whole packs, under new names and ids.
      for (int p = 0; p < originalPacks.size(); p++) {
        if (random.nextInt(3) == 0) {
          List<RuleSpec> duplicate = new ArrayList<>();
          for (RuleSpec rule : originalPacks.get(p)) {
            RuleSpec copy = rule.withId(rule.id() + "-dup");
            copyOf.put(copy.id(), rule.id());
            duplicate.add(copy);
          }
          copiedTexts.add(yaml("laws-" + p + "-dup", duplicate));
        }
      }

      PolicySet original = load(seed, originalTexts);
      PolicySet copied = load(seed, shuffled(copiedTexts, random));
      Supplier<String> context = () -> Seeds.describe(seed) + "\npacks:\n" + String.join("\n", originalTexts)
          + "\nwith copies:\n" + String.join("\n", copiedTexts);
      for (int r = 0; r < METAMORPHIC_REQUESTS; r++) {
        Facts facts = facts(randomRequest(random));
        PolicyDecision before = original.decide(facts);
        PolicyDecision after = copied.decide(facts);
        Set<String> deciding = new TreeSet<>(before.ruleIds());
        copyOf.forEach((copy, of) -> {
          if (before.ruleIds().contains(of)) {
            deciding.add(copy);
          }
        });
        Supplier<String> where = () -> "request " + facts + "\n" + context.get();
        assertEquals(before.getClass(), after.getClass(), where);
        assertEquals(List.copyOf(deciding), after.ruleIds(), where);
        copiesDeciding += deciding.size() - before.ruleIds().size();
      }
    }
    assertTrue(copiesDeciding > METAMORPHIC_SETS * METAMORPHIC_REQUESTS / 10,
        "copies decided " + copiesDeciding + " times; " + Seeds.describe(seed));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The reference decision, from spec/policies.md

  /** How a reference decision was reached. */
  private enum Route { FORBID, APPROVE, APPROVED, PERMIT, DEFAULT_DENY }

  private record Expected(Route route, List<String> ruleIds) {
    Verdict verdict() {
      String kind = switch (route) {
        case FORBID, DEFAULT_DENY -> "Forbid";
        case APPROVE -> "RequireApproval";
        case APPROVED, PERMIT -> "Permit";
      };
      return new Verdict(kind, ruleIds);
    }
  }

  /** What the differential compares: the decision's type and its deciding rule ids, in order. */
  private record Verdict(String kind, List<String> ruleIds) {
    static Verdict of(PolicyDecision decision) {
      return new Verdict(decision.getClass().getSimpleName(), decision.ruleIds());
    }
  }

  private static Expected reference(List<RuleSpec> rules, Map<Variable, Object> request) {
    List<String> forbids = matching(rules, Effect.FORBID, request);
    if (!forbids.isEmpty()) {
      return new Expected(Route.FORBID, forbids);
    }
    List<String> approves = matching(rules, Effect.APPROVE, request);
    if (!approves.isEmpty()) {
      return Boolean.TRUE.equals(request.get(Variable.CONTEXT_APPROVED))
          ? new Expected(Route.APPROVED, approves) : new Expected(Route.APPROVE, approves);
    }
    List<String> permits = matching(rules, Effect.PERMIT, request);
    return permits.isEmpty() ? new Expected(Route.DEFAULT_DENY, List.of()) : new Expected(Route.PERMIT, permits);
  }

  private static List<String> matching(List<RuleSpec> rules, Effect effect, Map<Variable, Object> request) {
    String tool = (String) request.get(Variable.TOOL_NAME);
    return rules.stream()
        .filter(rule -> rule.effect() == effect)
        .filter(rule -> rule.tools().isEmpty() || rule.tools().stream().anyMatch(p -> globMatches(p, tool)))
        .filter(rule -> rule.when().map(when -> when.holds(request)).orElse(true))
        .map(RuleSpec::id)
        .sorted()
        .toList();
  }

  /** A tool pattern's meaning for tool names, which have no '/': '*' is any run of characters. */
  private static boolean globMatches(String pattern, String name) {
    int star = pattern.indexOf('*');
    if (star < 0) {
      return pattern.equals(name);
    }
    String head = pattern.substring(0, star);
    String rest = pattern.substring(star + 1);
    if (!name.startsWith(head)) {
      return false;
    }
    for (int i = head.length(); i <= name.length(); i++) {
      if (globMatches(rest, name.substring(i))) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Conditions: a small grammar, rendered to CEL and evaluated here

  /** A condition: {@link #holds} is the reference meaning, {@link #cel} one way of writing it. */
  private sealed interface Expr permits Compare, Member, Flag, Literal, Not, And, Or {

    boolean holds(Map<Variable, Object> request);

    /** How tightly the text binds: 1 ||, 2 &&, 3 a relation, 4 !, 5 a name or literal. */
    int precedence();

    String cel(SplittableRandom random);

    /** This condition written so it binds at least as tightly as {@code needed}, sometimes in needless parentheses. */
    default String operand(int needed, SplittableRandom random) {
      String text = cel(random);
      return precedence() < needed || random.nextInt(8) == 0 ? "(" + text + ")" : text;
    }
  }

  /** {@code variable op literal}, or the mirror {@code literal op' variable}; a literal of the variable's kind. */
  private record Compare(Variable variable, String op, Object literal) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      Object value = request.get(variable);
      int order;
      if (literal instanceof String text) {
        order = ((String) value).equals(text) ? 0 : 1; // only == and != are generated for text
      } else if (literal instanceof Long number) {
        order = Long.compare((Long) value, number);
      } else if (literal instanceof Double number) {
        double v = (Double) value;
        order = v < number ? -1 : v > number ? 1 : 0;
      } else {
        order = value.equals(literal) ? 0 : 1;
      }
      switch (op) {
        case "==": return order == 0;
        case "!=": return order != 0;
        case "<": return order < 0;
        case "<=": return order <= 0;
        case ">": return order > 0;
        case ">=": return order >= 0;
        default: throw new IllegalStateException(op);
      }
    }

    public int precedence() {
      return 3;
    }

    public String cel(SplittableRandom random) {
      String value = literal instanceof String text ? "\"" + text + "\"" : String.valueOf(literal);
      if (random.nextInt(4) == 0) {
        String mirrored = switch (op) {
          case "<" -> ">";
          case "<=" -> ">=";
          case ">" -> "<";
          case ">=" -> "<=";
          default -> op;
        };
        return value + " " + mirrored + " " + variable.qualifiedName();
      }
      return variable.qualifiedName() + " " + op + " " + value;
    }
  }

  /** {@code variable in ["a", "b"]}. */
  private record Member(Variable variable, List<String> literals) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      return literals.contains((String) request.get(variable));
    }

    public int precedence() {
      return 3;
    }

    public String cel(SplittableRandom random) {
      return variable.qualifiedName() + " in "
          + literals.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(", ", "[", "]"));
    }
  }

  /** A boolean variable on its own. */
  private record Flag(Variable variable) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      return (Boolean) request.get(variable);
    }

    public int precedence() {
      return 5;
    }

    public String cel(SplittableRandom random) {
      return variable.qualifiedName();
    }
  }

  private record Literal(boolean value) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      return value;
    }

    public int precedence() {
      return 5;
    }

    public String cel(SplittableRandom random) {
      return String.valueOf(value);
    }
  }

  private record Not(Expr operand) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      return !operand.holds(request);
    }

    public int precedence() {
      return 4;
    }

    public String cel(SplittableRandom random) {
      return "!" + operand.operand(4, random);
    }
  }

  private record And(Expr left, Expr right) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      return left.holds(request) && right.holds(request);
    }

    public int precedence() {
      return 2;
    }

    public String cel(SplittableRandom random) {
      return left.operand(2, random) + " && " + right.operand(2, random);
    }
  }

  private record Or(Expr left, Expr right) implements Expr {
    public boolean holds(Map<Variable, Object> request) {
      return left.holds(request) || right.holds(request);
    }

    public int precedence() {
      return 1;
    }

    public String cel(SplittableRandom random) {
      return left.operand(1, random) + " || " + right.operand(1, random);
    }
  }

  private static Expr randomExpr(SplittableRandom random, int depth) {
    if (depth > 0 && random.nextInt(5) < 2) {
      switch (random.nextInt(3)) {
        case 0: return new Not(randomExpr(random, depth - 1));
        case 1: return new And(randomExpr(random, depth - 1), randomExpr(random, depth - 1));
        default: return new Or(randomExpr(random, depth - 1), randomExpr(random, depth - 1));
      }
    }
    List<Variable> texts = List.copyOf(TEXTS.keySet());
    switch (random.nextInt(12)) {
      case 0: case 1: case 2: {
        Variable variable = pick(texts, random);
        return new Compare(variable, random.nextBoolean() ? "==" : "!=", pick(TEXTS.get(variable), random));
      }
      case 3: case 4: {
        Variable variable = pick(texts, random);
        List<String> literals = new ArrayList<>(TEXTS.get(variable));
        Collections.shuffle(literals, new java.util.Random(random.nextLong()));
        return new Member(variable, literals.subList(0, random.nextInt(3) + 1));
      }
      case 5: case 6:
        return new Compare(pick(INTS, random), pick(ORDERINGS, random), (long) random.nextInt((int) MAX_INT + 1));
      case 7: case 8:
        return new Compare(Variable.CONTEXT_CONFIDENCE, pick(ORDERINGS, random), pick(CONFIDENCE_LITERALS, random));
      case 9: case 10:
        return random.nextBoolean() ? new Flag(pick(BOOLS, random))
            : new Compare(pick(BOOLS, random), random.nextBoolean() ? "==" : "!=", random.nextBoolean());
      default:
        return new Literal(random.nextInt(4) != 0);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Rules, packs and requests

  /** A rule as generated: its condition both as a tree and as the CEL text the pack holds. */
  private record RuleSpec(String id, Effect effect, List<String> tools, Optional<Expr> when, String cel,
      boolean blockStyle, String message) {
    RuleSpec withId(String newId) {
      return new RuleSpec(newId, effect, tools, when, cel, blockStyle, message);
    }
  }

  private static List<RuleSpec> randomRules(SplittableRandom random, int count) {
    List<RuleSpec> rules = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // Ids whose order is not the order of the file, so "in id order" is tested.
      String id = "" + (char) ('a' + random.nextInt(26)) + (char) ('a' + random.nextInt(26)) + "-" + i;
      Effect effect = Effect.values()[random.nextInt(Effect.values().length)];
      List<String> tools = new ArrayList<>();
      if (random.nextInt(3) != 0) {
        int n = random.nextInt(3) + 1;
        for (int t = 0; t < n; t++) {
          tools.add(pick(TOOL_PATTERNS, random));
        }
      }
      Optional<Expr> when = random.nextInt(5) == 0 ? Optional.empty() : Optional.of(randomExpr(random, 3));
      String cel = when.map(w -> w.cel(random)).orElse("");
      String message = random.nextBoolean() ? "" : "reason " + random.nextInt(1000);
      rules.add(new RuleSpec(id, effect, tools, when, cel, random.nextInt(4) == 0, message));
    }
    return rules;
  }

  private static String yaml(String name, List<RuleSpec> rules) {
    StringBuilder out = new StringBuilder("policy: ").append(name).append("\nrules:\n");
    if (rules.isEmpty()) {
      return out.append("  []\n").toString();
    }
    for (RuleSpec rule : rules) {
      out.append("  - id: ").append(rule.id()).append('\n');
      out.append("    effect: ").append(rule.effect().text()).append('\n');
      if (!rule.tools().isEmpty()) {
        out.append("    tools: ")
            .append(rule.tools().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ", "[", "]")))
            .append('\n');
      }
      if (rule.when().isPresent()) {
        if (rule.blockStyle()) {
          out.append("    when: |-\n      ").append(rule.cel()).append('\n');
        } else {
          out.append("    when: '").append(rule.cel().replace("'", "''")).append("'\n");
        }
      }
      if (!rule.message().isEmpty()) {
        out.append("    message: \"").append(rule.message()).append("\"\n");
      }
    }
    return out.toString();
  }

  /** The rules split at random into one to four packs, some perhaps empty. */
  private static List<List<RuleSpec>> split(List<RuleSpec> rules, SplittableRandom random) {
    int count = random.nextInt(4) + 1;
    List<List<RuleSpec>> parts = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      parts.add(new ArrayList<>());
    }
    for (RuleSpec rule : rules) {
      parts.get(random.nextInt(count)).add(rule);
    }
    return parts;
  }

  /** Packs as text, named laws-0, laws-1... */
  private static List<String> yaml(List<List<RuleSpec>> packs) {
    List<String> texts = new ArrayList<>();
    for (int p = 0; p < packs.size(); p++) {
      texts.add(yaml("laws-" + p, packs.get(p)));
    }
    return texts;
  }

  private static Map<Variable, Object> randomRequest(SplittableRandom random) {
    Map<Variable, Object> request = new EnumMap<>(Variable.class);
    TEXTS.forEach((variable, values) -> request.put(variable, pick(values, random)));
    for (Variable variable : INTS) {
      request.put(variable, (long) random.nextInt((int) MAX_INT + 1));
    }
    request.put(Variable.CONTEXT_CONFIDENCE, pick(CONFIDENCES, random));
    for (Variable variable : BOOLS) {
      request.put(variable, random.nextBoolean());
    }
    return request;
  }

  private static Facts facts(Map<Variable, Object> request) {
    Facts.Builder builder = Facts.builder();
    request.forEach(builder::set);
    return builder.build();
  }

  private static List<PolicyPack> read(long seed, List<String> texts) {
    List<PolicyPack> packs = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      Problems problems = new Problems();
      Optional<PolicyPack> pack = PackReader.parse("pack-" + i + ".yaml", texts.get(i), problems);
      if (pack.isEmpty()) {
        fail("a generated pack does not read; " + Seeds.describe(seed) + "\n" + problems + "\n" + texts.get(i));
      }
      packs.add(pack.get());
    }
    return packs;
  }

  private static PolicySet of(long seed, List<PolicyPack> packs) {
    Problems problems = new Problems();
    return PolicySet.of(packs, problems)
        .orElseGet(() -> fail("generated packs do not load; " + Seeds.describe(seed) + "\n" + problems));
  }

  private static PolicySet load(long seed, List<String> texts) {
    return of(seed, read(seed, texts));
  }

  /** The same decision as if made by the set of version {@code version}. */
  private static PolicyDecision withVersion(PolicyDecision decision, String version) {
    if (decision instanceof PolicyDecision.Permit permit) {
      return new PolicyDecision.Permit(version, permit.ruleIds(), permit.releasedLabels());
    }
    if (decision instanceof PolicyDecision.Forbid forbid) {
      return new PolicyDecision.Forbid(version, forbid.ruleIds(), forbid.message());
    }
    PolicyDecision.RequireApproval approval = (PolicyDecision.RequireApproval) decision;
    return new PolicyDecision.RequireApproval(version, approval.ruleIds(), approval.message());
  }

  private static <T> T pick(List<T> values, SplittableRandom random) {
    return values.get(random.nextInt(values.size()));
  }

  private static <T> List<T> shuffled(List<T> values, SplittableRandom random) {
    List<T> copy = new ArrayList<>(values);
    Collections.shuffle(copy, new java.util.Random(random.nextLong()));
    return copy;
  }
}
