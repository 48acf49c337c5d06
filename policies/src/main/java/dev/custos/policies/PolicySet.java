package dev.custos.policies;

import dev.custos.files.Location;
import dev.custos.files.Problems;
import dev.custos.policy.PolicyDecision;
import dev.cel.runtime.CelEvaluationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded set of packs and the decision of spec/policies.md: a matching {@code forbid} denies; else a matching
 * {@code approve} needs approval, unless this exact action was approved ({@code context.approved}), when it is
 * allowed; else a matching {@code permit} allows; else deny. A decision names every rule of the deciding effect that
 * matched, in id order, so neither the order of rules nor of packs changes a decision.
 *
 * <p>A condition that fails while evaluating (an overflow, a bad timestamp) fails closed: a forbid or approve rule
 * counts as matching, a permit rule as not. Immutable and thread safe.
 */
public final class PolicySet {

  private static final Logger LOG = LoggerFactory.getLogger(PolicySet.class);

  /** A rule ready to decide: its pattern filter and its compiled condition (null: always). */
  private record Compiled(Rule rule, Condition condition) {}

  private final List<PolicyPack> packs;
  private final String version;
  private final Map<Effect, Compiled[]> byEffect = new EnumMap<>(Effect.class);

  private PolicySet(List<PolicyPack> packs) {
    this.packs = List.copyOf(packs);
    this.version = version(packs);
    Map<Effect, List<Compiled>> grouped = new EnumMap<>(Effect.class);
    for (Effect effect : Effect.values()) {
      grouped.put(effect, new ArrayList<>());
    }
    for (PolicyPack pack : packs) {
      for (Rule rule : pack.rules()) {
        grouped.get(rule.effect()).add(new Compiled(rule, pack.condition(rule.id())));
      }
    }
    grouped.forEach((effect, rules) -> {
      rules.sort(Comparator.comparing(c -> c.rule().id()));
      byEffect.put(effect, rules.toArray(new Compiled[0]));
    });
  }

  /**
   * A set of packs read from files; every problem of every file, and rule ids or pack names used twice across files,
   * are reported, and then nothing is returned.
   */
  public static Optional<PolicySet> load(List<Path> files, Problems problems) {
    int before = problems.size();
    List<PolicyPack> packs = new ArrayList<>();
    for (Path file : files) {
      PackReader.read(file, problems).ifPresent(packs::add);
    }
    if (problems.size() != before) {
      return Optional.empty();
    }
    return of(packs, problems);
  }

  /** A set of packs already read; rule ids and pack names must be unique across them. */
  public static Optional<PolicySet> of(List<PolicyPack> packs, Problems problems) {
    int before = problems.size();
    Map<String, PolicyPack> names = new HashMap<>();
    Map<String, PolicyPack> ids = new HashMap<>();
    for (PolicyPack pack : packs) {
      PolicyPack other = names.putIfAbsent(pack.name(), pack);
      if (other != null) {
        problems.add(pack.source(), Location.FILE,
            "pack name '" + pack.name() + "' is also the name of " + other.source());
      }
      for (Rule rule : pack.rules()) {
        PolicyPack holder = ids.putIfAbsent(rule.id(), pack);
        if (holder != null && holder != pack) {
          problems.add(pack.source(), rule.location(), "rule '" + rule.id() + "': duplicate rule id (also in "
              + holder.source() + ")");
        }
      }
    }
    return problems.size() == before ? Optional.of(new PolicySet(packs)) : Optional.empty();
  }

  /** A set with no pack: it denies everything. */
  public static PolicySet empty() {
    return new PolicySet(List.of());
  }

  /**
   * The content hash of the packs: SHA-256 over their file digests in sorted order, so the same files give the same
   * version whatever order they are loaded in; {@code sha256:} and the first 16 hex digits.
   */
  public String version() {
    return version;
  }

  public List<PolicyPack> packs() {
    return packs;
  }

  /** Every rule, in id order. */
  public List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    byEffect.values().forEach(compiled -> {
      for (Compiled c : compiled) {
        rules.add(c.rule());
      }
    });
    rules.sort(Comparator.comparing(Rule::id));
    return rules;
  }

  /** Decides on {@code facts}; see the class comment. */
  public PolicyDecision decide(Facts facts) {
    String tool = facts.text(Variable.TOOL_NAME);
    List<Compiled> forbids = matching(Effect.FORBID, tool, facts);
    if (!forbids.isEmpty()) {
      return new PolicyDecision.Forbid(version, ids(forbids), messages(forbids, "forbidden by rule "));
    }
    List<Compiled> approves = matching(Effect.APPROVE, tool, facts);
    boolean approved = Boolean.TRUE.equals(facts.get(Variable.CONTEXT_APPROVED));
    if (!approves.isEmpty() && !approved) {
      return new PolicyDecision.RequireApproval(version, ids(approves), messages(approves, "needs approval by rule "));
    }
    List<Compiled> permits = matching(Effect.PERMIT, tool, facts);
    if (!approves.isEmpty()) {
      return new PolicyDecision.Permit(version, ids(approves), released(permits));
    }
    if (!permits.isEmpty()) {
      return new PolicyDecision.Permit(version, ids(permits), released(permits));
    }
    return new PolicyDecision.Forbid(version, List.of(),
        "no policy rule permits " + tool + " on " + facts.text(Variable.RESOURCE_NAME) + " (default deny)");
  }

  private List<Compiled> matching(Effect effect, String tool, Facts facts) {
    List<Compiled> matched = List.of();
    for (Compiled compiled : byEffect.get(effect)) {
      if (compiled.rule().appliesTo(tool) && holds(compiled, facts)) {
        if (matched.isEmpty()) {
          matched = new ArrayList<>(2);
        }
        matched.add(compiled);
      }
    }
    return matched;
  }

  private static boolean holds(Compiled compiled, Facts facts) {
    if (compiled.condition() == null) {
      return true;
    }
    try {
      return compiled.condition().holds(facts);
    } catch (CelEvaluationException e) {
      boolean failClosed = compiled.rule().effect() != Effect.PERMIT;
      LOG.warn("policy rule {} failed on {}: {}; counted as {}", compiled.rule().id(), facts, e.getMessage(),
          failClosed ? "matching" : "not matching");
      return failClosed;
    }
  }

  private static List<String> ids(List<Compiled> rules) {
    List<String> ids = new ArrayList<>(rules.size());
    for (Compiled compiled : rules) {
      ids.add(compiled.rule().id());
    }
    return ids;
  }

  /** The rules' messages in id order, or "{@code fallback}id" for a rule without one. */
  private static String messages(List<Compiled> rules, String fallback) {
    StringBuilder out = new StringBuilder();
    for (Compiled compiled : rules) {
      String message = compiled.rule().message().isEmpty() ? fallback + compiled.rule().id() : compiled.rule().message();
      out.append(out.length() == 0 ? "" : "; ").append(message);
    }
    return out.toString();
  }

  private static Set<String> released(List<Compiled> permits) {
    if (permits.isEmpty()) {
      return Set.of();
    }
    Set<String> labels = new TreeSet<>();
    permits.forEach(compiled -> labels.addAll(compiled.rule().releases()));
    return labels;
  }

  private static String version(List<PolicyPack> packs) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      packs.stream().map(PolicyPack::digest).sorted()
          .forEach(digest -> sha256.update((digest + "\n").getBytes(StandardCharsets.UTF_8)));
      return "sha256:" + HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "PolicySet[" + version + ", " + packs.size() + " packs]";
  }
}
