package dev.custos.files;

import static dev.custos.files.FieldReader.join;

import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.files.YamlTree.Sequence;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

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

  private final FieldReader fields;
  private final int problemsBefore;

  private GrantFile(String file, Problems problems) {
    this.fields = new FieldReader(file, problems);
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
    Optional<Mapping> grant = fields.mapping(path, node, "a grant: a mapping with capabilities and bounds");
    if (grant.isEmpty()) {
      return Optional.empty();
    }
    fields.checkFields(path, grant.get(), GRANT_FIELDS, GRANT_FIELDS);
    Optional<List<Capability>> capabilities =
        grant.get().get("capabilities").flatMap(n -> capabilities(join(path, "capabilities"), n));
    Optional<Bounds> bounds = grant.get().get("bounds").flatMap(n -> bounds(join(path, "bounds"), n, missionStart));
    if (fields.problemCount() != problemsBefore || capabilities.isEmpty() || bounds.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new GrantRequest(capabilities.get(), bounds.get()));
  }

  private Optional<List<Capability>> capabilities(String path, Node node) {
    return fields.list(path, node, "a list of capabilities", this::capability);
  }

  private Optional<Capability> capability(String path, Node node) {
    Optional<Mapping> found = fields.mapping(path, node, "a capability: a mapping with tool and resources");
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, CAPABILITY_FIELDS, CAPABILITY_REQUIRED);
    Optional<Pattern> tool = map.get("tool")
        .flatMap(n -> fields.pattern(join(path, "tool"), n, "a tool pattern such as host.isolate or siem.*"));
    Optional<List<Pattern>> resources = map.get("resources").flatMap(n -> resources(join(path, "resources"), n));
    OptionalInt maxCalls = map.get("maxCalls")
        .flatMap(n -> fields.whole(join(path, "maxCalls"), n, 1, Integer.MAX_VALUE, ""))
        .map(calls -> OptionalInt.of(calls.intValueExact()))
        .orElse(OptionalInt.empty());
    boolean requiresApproval = map.get("requiresApproval")
        .flatMap(n -> fields.bool(join(path, "requiresApproval"), n)).orElse(false);
    if (fields.problemCount() != before || tool.isEmpty() || resources.isEmpty()) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Capability(tool.get(), resources.get(), maxCalls, requiresApproval));
  }

  private Optional<List<Pattern>> resources(String path, Node node) {
    if (!(node instanceof Sequence list)) {
      fields.expected(path, node, "a list of resource patterns such as [\"host:corp/*\"]");
      return Optional.empty();
    }
    if (list.items().isEmpty()) {
      fields.problem(list.location(), path, "expected at least one resource pattern, got an empty list");
      return Optional.empty();
    }
    List<Pattern> patterns = new ArrayList<>();
    for (int i = 0; i < list.items().size(); i++) {
      fields.pattern(path + "[" + i + "]", list.items().get(i), "a resource pattern such as host:corp/*")
          .ifPresent(patterns::add);
    }
    return patterns.size() == list.items().size() ? Optional.of(patterns) : Optional.empty();
  }

  private Optional<Bounds> bounds(String path, Node node, Instant missionStart) {
    Optional<Mapping> found = fields.mapping(path, node, "a mapping of " + String.join(", ", BOUNDS_FIELDS));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Mapping map = found.get();
    int before = fields.problemCount();
    fields.checkFields(path, map, BOUNDS_FIELDS, BOUNDS_FIELDS);
    Optional<BigInteger> budget =
        map.get("budget").flatMap(n -> fields.whole(join(path, "budget"), n, 0, Long.MAX_VALUE, ""));
    Optional<Duration> deadline = map.get("deadline").flatMap(n -> fields.duration(join(path, "deadline"), n));
    Optional<BigInteger> maxDepth =
        map.get("maxDepth").flatMap(n -> fields.whole(join(path, "maxDepth"), n, 0, Integer.MAX_VALUE, ""));
    Optional<BigInteger> maxChildren =
        map.get("maxChildren").flatMap(n -> fields.whole(join(path, "maxChildren"), n, 0, Integer.MAX_VALUE, ""));
    Optional<BigInteger> maxSubtreeAgents = map.get("maxSubtreeAgents").flatMap(n ->
        fields.whole(join(path, "maxSubtreeAgents"), n, 1, Integer.MAX_VALUE, " (the agent itself counts)"));
    Optional<Rate> rate = map.get("rate").flatMap(n -> fields.rate(join(path, "rate"), n));
    Optional<BigInteger> maxStrikes =
        map.get("maxStrikes").flatMap(n -> fields.whole(join(path, "maxStrikes"), n, 1, Integer.MAX_VALUE, ""));
    if (fields.problemCount() != before) {
      return Optional.empty();
    }
    return fields.construct(path, map, () -> new Bounds(
        budget.get().longValueExact(),
        missionStart.plus(deadline.get()),
        maxDepth.get().intValueExact(),
        maxChildren.get().intValueExact(),
        maxSubtreeAgents.get().intValueExact(),
        rate.get(),
        maxStrikes.get().intValueExact()));
  }
}
