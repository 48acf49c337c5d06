package dev.custos.capability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A brute-force model of the capability algebra for patterns of at most {@value #MAX_PATTERN} characters over
 * {@code a b / *}: a pattern is the set of names of the finite universe (every name of up to 7 characters over
 * {@code a b / x}) that its {@link PatternReference} matches, and containment is subset. {@link PatternProofTest} shows
 * that this universe decides containment exactly for such patterns.
 */
final class ReferenceModel {

  static final int MAX_PATTERN = 4;
  private static final List<String> UNIVERSE = universe();
  private final Map<String, BitSet> languages = new HashMap<>();

  boolean contains(Pattern outer, Pattern inner) {
    BitSet escaping = (BitSet) language(inner).clone();
    escaping.andNot(language(outer));
    return escaping.isEmpty();
  }

  boolean matches(Pattern pattern, String name) {
    return new PatternReference(pattern.text()).matches(name);
  }

  private BitSet language(Pattern pattern) {
    return languages.computeIfAbsent(pattern.text(), text -> {
      if (text.length() > MAX_PATTERN) {
        throw new IllegalArgumentException("the model decides patterns of at most " + MAX_PATTERN + " characters: " + text);
      }
      PatternReference reference = new PatternReference(text);
      BitSet bits = new BitSet(UNIVERSE.size());
      for (int i = 0; i < UNIVERSE.size(); i++) {
        bits.set(i, reference.matches(UNIVERSE.get(i)));
      }
      return bits;
    });
  }

  /** Whether the parent capability covers the requested one: tool contained, each resource in one parent resource. */
  boolean covers(Capability parent, Capability child) {
    if (!contains(parent.tool(), child.tool())) {
      return false;
    }
    for (Pattern resource : child.resources()) {
      if (parent.resources().stream().noneMatch(p -> contains(p, resource))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The checks a request fails against a parent ledger, as tags: {@code cap:K} for a capability no parent capability can
   * serve (coverage, approval, calls, with calls taken by earlier capabilities of the same request), and one tag per
   * widened bound. Written from the definition of {@code child ⊑ parent}, independently of {@link Attenuation}.
   */
  Set<String> failures(Ledger parent, GrantRequest request) {
    Set<String> tags = new TreeSet<>();
    Bounds own = parent.grant().bounds();
    Bounds child = request.bounds();
    long budgetLeft = own.budget() - parent.budgetUsed() - parent.budgetReserved();
    if (child.budget() > budgetLeft) {
      tags.add("budget");
    }
    if (child.deadline().compareTo(own.deadline()) > 0) {
      tags.add("deadline");
    }
    if (!(child.maxDepth() < own.maxDepth())) {
      tags.add("depth");
    }
    if (child.maxChildren() > own.maxChildren()) {
      tags.add("children");
    }
    if (parent.liveChildren() >= own.maxChildren()) {
      tags.add("slot");
    }
    if (child.maxSubtreeAgents() > parent.agentSlotsLeft()) {
      tags.add("subtree");
    }
    if (!child.rate().within(own.rate())) {
      tags.add("rate");
    }
    if (child.maxStrikes() > own.maxStrikes()) {
      tags.add("strikes");
    }
    List<Capability> held = parent.grant().capabilities();
    int[] taken = new int[held.size()];
    for (int k = 0; k < request.capabilities().size(); k++) {
      Capability wanted = request.capabilities().get(k);
      boolean served = false;
      for (int p = 0; p < held.size() && !served; p++) {
        Capability h = held.get(p);
        if (!covers(h, wanted) || h.requiresApproval() && !wanted.requiresApproval()) {
          continue;
        }
        if (h.maxCalls().isEmpty()) {
          served = true;
        } else {
          int left = h.maxCalls().getAsInt() - parent.callsUsed(p) - parent.callsReserved(p) - taken[p];
          if (wanted.maxCalls().isPresent() && wanted.maxCalls().getAsInt() <= left) {
            taken[p] += wanted.maxCalls().getAsInt();
            served = true;
          }
        }
      }
      if (!served) {
        tags.add("cap:" + k);
      }
    }
    return tags;
  }

  /** The tag of {@link #failures} that a reason of {@link Attenuation} stands for. */
  static String tag(Reason reason) {
    if (reason instanceof Reason.ToolNotCovered r) {
      return "cap:" + r.capability();
    } else if (reason instanceof Reason.ResourceNotCovered r) {
      return "cap:" + r.capability();
    } else if (reason instanceof Reason.CallsAboveRemaining r) {
      return "cap:" + r.capability();
    } else if (reason instanceof Reason.ApprovalDropped r) {
      return "cap:" + r.capability();
    } else if (reason instanceof Reason.BudgetAboveRemaining) {
      return "budget";
    } else if (reason instanceof Reason.DeadlineLater) {
      return "deadline";
    } else if (reason instanceof Reason.DepthNotSmaller) {
      return "depth";
    } else if (reason instanceof Reason.ChildrenAboveParent) {
      return "children";
    } else if (reason instanceof Reason.NoChildSlotLeft) {
      return "slot";
    } else if (reason instanceof Reason.SubtreeAgentsAboveRemaining) {
      return "subtree";
    } else if (reason instanceof Reason.RateAbove) {
      return "rate";
    } else if (reason instanceof Reason.StrikesAbove) {
      return "strikes";
    }
    throw new IllegalArgumentException("not a delegation reason: " + reason);
  }

  private static List<String> universe() {
    List<String> out = new ArrayList<>();
    out.add("");
    for (int start = 0, length = 1; length <= 7; length++) {
      int end = out.size();
      for (int i = start; i < end; i++) {
        for (char c : "ab/x".toCharArray()) {
          out.add(out.get(i) + c);
        }
      }
      start = end;
    }
    return out;
  }
}
