package dev.custos.files;

import dev.custos.Durations;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import dev.custos.files.YamlTree.Entry;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.files.YamlTree.Scalar;
import dev.custos.files.YamlTree.Sequence;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Reads a grant, written as in a scenario's {@code supervisor.grant}:
 *
 * <pre>{@code
 * capabilities:
 *   - { tool: host.isolate, resources: ["host:corp/*"], maxCalls: 10 }
 *   - { tool: host.restore, resources: ["host:**"],     requiresApproval: true }
 * bounds: { budget: 200, deadline: 20m, maxDepth: 3, maxChildren: 4, maxSubtreeAgents: 30, rate: 30/1m, maxStrikes: 3 }
 * }</pre>
 *
 * <p>Strict: every field of a capability but {@code maxCalls} and {@code requiresApproval} is required, all seven bounds
 * are, no other field is allowed, numbers are plain whole numbers within what {@link Capability}, {@link Bounds} and
 * {@link Rate} accept, and {@code deadline} is a duration counted from the mission's start. Every problem is reported,
 * at its line and column; a grant with any problem yields nothing.
 */
public final class GrantFile {

  private static final List<String> GRANT_FIELDS = List.of("capabilities", "bounds");
  private static final List<String> CAPABILITY_FIELDS = List.of("tool", "resources", "maxCalls", "requiresApproval");
  private static final List<String> CAPABILITY_REQUIRED = List.of("tool", "resources");
  private static final List<String> BOUNDS_FIELDS =
      List.of("budget", "deadline", "maxDepth", "maxChildren", "maxSubtreeAgents", "rate", "maxStrikes");

  private final String file;
  private final Problems problems;
  private final int problemsBefore;

  private GrantFile(String file, Problems problems) {
    this.file = file;
    this.problems = problems;
    this.problemsBefore = problems.size();
  }

  /**
   * Reads a grant file.
   *
   * @param missionStart the instant {@code deadline} counts from
   * @return the grant request, or empty when the file had any problem (each added to {@code problems})
   */
  public static Optional<GrantRequest> read(Path file, Instant missionStart, Problems problems) {
    int before = problems.size();
    Optional<Node> root = YamlTree.read(file, problems);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    Optional<GrantRequest> grant = fromTree(file.toString(), "", root.get(), missionStart, problems);
    return problems.size() == before ? grant : Optional.empty();
  }

  /**
   * Reads a grant from a node of a larger file, such as a scenario's {@code supervisor.grant}.
   *
   * @param file the file's name, for problems
   * @param path where the node is in the file ({@code supervisor.grant}), prefixed to messages; empty for a whole file
   * @return the grant request, or empty when the node had any problem (each added to {@code problems})
   */
  public static Optional<GrantRequest> fromTree(
      String file, String path, Node node, Instant missionStart, Problems problems) {
    return new GrantFile(file, problems).grant(path, node, missionStart);
  }

  private Optional<GrantRequest> grant(String path, Node node, Instant missionStart) {
    Optional<Mapping> grant = mapping(path, node, "a grant: a mapping with capabilities and bounds");
    if (grant.isEmpty()) {
      return Optional.empty();
    }
    checkFields(path, grant.get(), GRANT_FIELDS, GRANT_FIELDS);
    Optional<List<Capability>> capabilities =
        grant.get().get("capabilities").flatMap(n -> capabilities(join(path, "capabilities"), n));
    Optional<Bounds> bounds = grant.get().get("bounds").flatMap(n -> bounds(join(path, "bounds"), n, missionStart));
    if (problems.size() != problemsBefore || capabilities.isEmpty() || bounds.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new GrantRequest(capabilities.get(), bounds.get()));
  }

  private Optional<List<Capability>> capabilities(String path, Node node) {
    if (!(node instanceof Sequence list)) {
      expected(path, node, "a list of capabilities");
      return Optional.empty();
    }
    List<Capability> capabilities = new ArrayList<>();
    boolean complete = true;
    for (int i = 0; i < list.items().size(); i++) {
      Optional<Capability> capability = capability(path + "[" + i + "]", list.items().get(i));
      capability.ifPresent(capabilities::add);
      complete &= capability.isPresent();
    }
    return complete ? Optional.of(capabilities) : Optional.empty();
  }

  private Optional<Capability> capability(String path, Node node) {
    Optional<Mapping> fields = mapping(path, node, "a capability: a mapping with tool and resources");
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = fields.get();
    int before = problems.size();
    checkFields(path, map, CAPABILITY_FIELDS, CAPABILITY_REQUIRED);
    Optional<Pattern> tool = map.get("tool")
        .flatMap(n -> pattern(join(path, "tool"), n, "a tool pattern such as host.isolate or siem.*"));
    Optional<List<Pattern>> resources = map.get("resources").flatMap(n -> resources(join(path, "resources"), n));
    OptionalInt maxCalls = map.get("maxCalls")
        .flatMap(n -> whole(join(path, "maxCalls"), n, 1, Integer.MAX_VALUE, ""))
        .map(calls -> OptionalInt.of(calls.intValueExact()))
        .orElse(OptionalInt.empty());
    boolean requiresApproval = map.get("requiresApproval")
        .flatMap(n -> bool(join(path, "requiresApproval"), n)).orElse(false);
    if (problems.size() != before || tool.isEmpty() || resources.isEmpty()) {
      return Optional.empty();
    }
    return construct(path, map, () -> new Capability(tool.get(), resources.get(), maxCalls, requiresApproval));
  }

  private Optional<List<Pattern>> resources(String path, Node node) {
    if (!(node instanceof Sequence list)) {
      expected(path, node, "a list of resource patterns such as [\"host:corp/*\"]");
      return Optional.empty();
    }
    if (list.items().isEmpty()) {
      problem(list.location(), path, "expected at least one resource pattern, got an empty list");
      return Optional.empty();
    }
    List<Pattern> patterns = new ArrayList<>();
    for (int i = 0; i < list.items().size(); i++) {
      pattern(path + "[" + i + "]", list.items().get(i), "a resource pattern such as host:corp/*")
          .ifPresent(patterns::add);
    }
    return patterns.size() == list.items().size() ? Optional.of(patterns) : Optional.empty();
  }

  private Optional<Bounds> bounds(String path, Node node, Instant missionStart) {
    Optional<Mapping> fields = mapping(path, node, "a mapping of " + String.join(", ", BOUNDS_FIELDS));
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = fields.get();
    int before = problems.size();
    checkFields(path, map, BOUNDS_FIELDS, BOUNDS_FIELDS);
    Optional<BigInteger> budget = map.get("budget").flatMap(n -> whole(join(path, "budget"), n, 0, Long.MAX_VALUE, ""));
    Optional<Duration> deadline = map.get("deadline").flatMap(n -> duration(join(path, "deadline"), n));
    Optional<BigInteger> maxDepth =
        map.get("maxDepth").flatMap(n -> whole(join(path, "maxDepth"), n, 0, Integer.MAX_VALUE, ""));
    Optional<BigInteger> maxChildren =
        map.get("maxChildren").flatMap(n -> whole(join(path, "maxChildren"), n, 0, Integer.MAX_VALUE, ""));
    Optional<BigInteger> maxSubtreeAgents = map.get("maxSubtreeAgents").flatMap(n ->
        whole(join(path, "maxSubtreeAgents"), n, 1, Integer.MAX_VALUE, " (the agent itself counts)"));
    Optional<Rate> rate = map.get("rate").flatMap(n -> rate(join(path, "rate"), n));
    Optional<BigInteger> maxStrikes =
        map.get("maxStrikes").flatMap(n -> whole(join(path, "maxStrikes"), n, 1, Integer.MAX_VALUE, ""));
    if (problems.size() != before) {
      return Optional.empty();
    }
    return construct(path, map, () -> new Bounds(
        budget.get().longValueExact(),
        missionStart.plus(deadline.get()),
        maxDepth.get().intValueExact(),
        maxChildren.get().intValueExact(),
        maxSubtreeAgents.get().intValueExact(),
        rate.get(),
        maxStrikes.get().intValueExact()));
  }

  /** Reports keys outside {@code allowed} where they are, and each missing {@code required} key at the mapping. */
  private void checkFields(String path, Mapping map, List<String> allowed, List<String> required) {
    for (Entry entry : map.entries()) {
      String key = entry.key().text();
      if (!allowed.contains(key)) {
        String hint = allowed.stream().filter(key::equalsIgnoreCase).findFirst()
            .map(a -> " (did you mean '" + a + "'?)").orElse("");
        problem(entry.key().location(), path,
            "unknown field " + YamlTree.quote(key, '\'') + hint + "; allowed: " + String.join(", ", allowed));
      }
    }
    for (String key : required) {
      if (map.get(key).isEmpty()) {
        problem(map.location(), path, "missing required field '" + key + "'");
      }
    }
  }

  private Optional<Mapping> mapping(String path, Node node, String what) {
    if (node instanceof Mapping map) {
      return Optional.of(map);
    }
    expected(path, node, what);
    return Optional.empty();
  }

  private Optional<Pattern> pattern(String path, Node node, String what) {
    if (!(node instanceof Scalar scalar) || scalar.kind() != Scalar.Kind.STRING) {
      expected(path, node, what);
      return Optional.empty();
    }
    try {
      return Optional.of(Pattern.parse(scalar.text()));
    } catch (IllegalArgumentException e) { // BadInputException, whose message quotes the text and says what is wrong
      problem(node.location(), path, e.getMessage());
      return Optional.empty();
    }
  }

  /** A plain whole number in [min, max]; {@code hint} follows "at least min" in messages. */
  private Optional<BigInteger> whole(String path, Node node, long min, long max, String hint) {
    Optional<BigInteger> value = node instanceof Scalar scalar ? scalar.wholeNumber() : Optional.empty();
    if (value.isEmpty() || value.get().compareTo(BigInteger.valueOf(min)) < 0) {
      expected(path, node, "a whole number at least " + min + hint);
      return Optional.empty();
    }
    if (value.get().compareTo(BigInteger.valueOf(max)) > 0) {
      expected(path, node, "a whole number at most " + max);
      return Optional.empty();
    }
    return value;
  }

  private Optional<Boolean> bool(String path, Node node) {
    if (node instanceof Scalar scalar && scalar.kind() == Scalar.Kind.BOOLEAN) {
      return Optional.of(Boolean.parseBoolean(scalar.text()));
    }
    expected(path, node, "true or false");
    return Optional.empty();
  }

  private Optional<Duration> duration(String path, Node node) {
    Optional<String> text = textOrNumber(node);
    if (text.isEmpty()) {
      expected(path, node, "a duration such as 20m (units ms, s, m, h)");
      return Optional.empty();
    }
    try {
      return Optional.of(Durations.parse(text.get()));
    } catch (IllegalArgumentException e) {
      problem(node.location(), path, e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Rate> rate(String path, Node node) {
    Optional<String> text = textOrNumber(node);
    if (text.isEmpty()) {
      expected(path, node, "a rate such as 30/1m (calls per window)");
      return Optional.empty();
    }
    try {
      return Optional.of(Rate.parse(text.get()));
    } catch (IllegalArgumentException e) {
      problem(node.location(), path, e.getMessage());
      return Optional.empty();
    }
  }

  /** The text of a scalar that reads as a value's text: {@code 20} for a duration gets the duration parser's message. */
  private static Optional<String> textOrNumber(Node node) {
    if (node instanceof Scalar scalar
        && (scalar.kind() == Scalar.Kind.STRING || scalar.kind() == Scalar.Kind.NUMBER)) {
      return Optional.of(scalar.text());
    }
    return Optional.empty();
  }

  /** Builds a value whose parts were checked; should its constructor still refuse, that is a problem at the mapping. */
  private <T> Optional<T> construct(String path, Mapping at, Supplier<T> constructor) {
    try {
      return Optional.of(constructor.get());
    } catch (IllegalArgumentException | ArithmeticException | DateTimeException e) {
      problem(at.location(), path, String.valueOf(e.getMessage()));
      return Optional.empty();
    }
  }

  private void expected(String path, Node node, String what) {
    problem(node.location(), path, "expected " + what + ", got " + node.describe());
  }

  private void problem(Location at, String path, String message) {
    problems.add(file, at, path.isEmpty() ? message : path + ": " + message);
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
