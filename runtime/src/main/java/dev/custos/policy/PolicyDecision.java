package dev.custos.policy;

import java.util.List;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A policy decision: exactly one of {@link Permit}, {@link Forbid}, {@link RequireApproval}. Each names the version of
 * the policy set that decided (a content hash) and the ids of the deciding rules.
 */
public sealed interface PolicyDecision {

  String policyVersion();

  List<String> ruleIds();

  /**
   * Allowed. {@code releasedLabels} are fact labels (such as {@code secret}) this decision lets cross a delegation;
   * without one, a labelled fact never crosses.
   */
  record Permit(String policyVersion, List<String> ruleIds, Set<String> releasedLabels) implements PolicyDecision {
    public Permit {
      ruleIds = List.copyOf(ruleIds);
      releasedLabels = Collections.unmodifiableSortedSet(new TreeSet<>(releasedLabels));
    }
  }

  /** Denied; {@code message} is the rule's reason, for people. */
  record Forbid(String policyVersion, List<String> ruleIds, String message) implements PolicyDecision {
    public Forbid {
      ruleIds = List.copyOf(ruleIds);
    }
  }

  /** Allowed only once a person approves this exact call. */
  record RequireApproval(String policyVersion, List<String> ruleIds, String message) implements PolicyDecision {
    public RequireApproval {
      ruleIds = List.copyOf(ruleIds);
    }
  }
}
