package dev.custos.capability;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decides whether a requested child grant is within what its parent has left: {@code child ⊑ parent}.
 *
 * <p>Each requested capability must lie within one parent capability: its tool pattern contained in the parent's, each of
 * its resource patterns contained in one of the parent's (containment is exact, see {@link Pattern#contains}), approval
 * kept when the parent's needs it, and, when the parent's has a call limit, a limit of its own no larger than the calls
 * the parent has left (counting what this same request already takes). Each bound must be at most the parent's remaining
 * one: budget and subtree agents against what is left after earlier reservations, {@code maxDepth} strictly smaller,
 * deadline no later, rate within, a free child slot. A request is granted exactly as asked or refused with every failed
 * check: it is never narrowed silently.
 *
 * <p>Coverage is checked one parent capability at a time: a requested capability that only the union of two parent
 * capabilities covers is refused, and the child can ask for two capabilities instead. Where several parent capabilities
 * could serve, the first that fits in order is charged. Both choices can refuse a request a cleverer search would grant;
 * neither can grant a widening one.
 *
 * <p>Pure: reads the ledger, changes nothing; {@link Ledger#reserve} applies a {@link DelegationResult.Granted}.
 */
public final class Attenuation {

  private Attenuation() {}

  /** Decides {@code request} against what {@code parent} has left. */
  public static DelegationResult decide(Ledger parent, GrantRequest request) {
    List<Reason> reasons = new ArrayList<>();
    checkBounds(parent, request.bounds(), reasons);
    List<Capability> held = parent.grant().capabilities();
    int[] taken = new int[held.size()];
    List<Reservation.Calls> calls = new ArrayList<>();
    List<Capability> wanted = request.capabilities();
    for (int k = 0; k < wanted.size(); k++) {
      checkCapability(parent, k, wanted.get(k), taken, calls, reasons);
    }
    if (!reasons.isEmpty()) {
      return new DelegationResult.Refused(reasons);
    }
    Bounds bounds = request.bounds();
    Reservation reservation = new Reservation(bounds.budget(), bounds.maxSubtreeAgents(), calls);
    return new DelegationResult.Granted(new Grant(request), reservation, parent.grant());
  }

  private static void checkBounds(Ledger parent, Bounds child, List<Reason> reasons) {
    Bounds own = parent.grant().bounds();
    if (child.budget() > parent.budgetLeft()) {
      reasons.add(new Reason.BudgetAboveRemaining(child.budget(), parent.budgetLeft()));
    }
    if (child.deadline().isAfter(own.deadline())) {
      reasons.add(new Reason.DeadlineLater(child.deadline(), own.deadline()));
    }
    if (child.maxDepth() >= own.maxDepth()) {
      reasons.add(new Reason.DepthNotSmaller(child.maxDepth(), own.maxDepth()));
    }
    if (child.maxChildren() > own.maxChildren()) {
      reasons.add(new Reason.ChildrenAboveParent(child.maxChildren(), own.maxChildren()));
    }
    if (parent.liveChildren() >= own.maxChildren()) {
      reasons.add(new Reason.NoChildSlotLeft(parent.liveChildren(), own.maxChildren()));
    }
    if (child.maxSubtreeAgents() > parent.agentSlotsLeft()) {
      reasons.add(new Reason.SubtreeAgentsAboveRemaining(child.maxSubtreeAgents(), Math.max(0, parent.agentSlotsLeft())));
    }
    if (!child.rate().within(own.rate())) {
      reasons.add(new Reason.RateAbove(child.rate(), own.rate()));
    }
    if (child.maxStrikes() > own.maxStrikes()) {
      reasons.add(new Reason.StrikesAbove(child.maxStrikes(), own.maxStrikes()));
    }
  }

  /**
   * Finds the parent capability that serves requested capability {@code k}, records its calls in {@code taken} and
   * {@code calls}, or adds why none can.
   */
  private static void checkCapability(
      Ledger parent, int k, Capability wanted, int[] taken, List<Reservation.Calls> calls, List<Reason> reasons) {
    List<Capability> held = parent.grant().capabilities();
    List<Integer> toolCovering = new ArrayList<>();
    for (int p = 0; p < held.size(); p++) {
      if (held.get(p).tool().contains(wanted.tool())) {
        toolCovering.add(p);
      }
    }
    if (toolCovering.isEmpty()) {
      reasons.add(new Reason.ToolNotCovered(k, wanted.tool()));
      return;
    }
    List<Integer> covering = new ArrayList<>();
    int closest = toolCovering.get(0);
    int closestCount = -1;
    for (int p : toolCovering) {
      int count = 0;
      for (Pattern resource : wanted.resources()) {
        count += held.get(p).resourceContaining(resource) >= 0 ? 1 : 0;
      }
      if (count == wanted.resources().size()) {
        covering.add(p);
      }
      if (count > closestCount) {
        closest = p;
        closestCount = count;
      }
    }
    if (covering.isEmpty()) {
      Capability near = held.get(closest);
      for (Pattern resource : wanted.resources()) {
        if (near.resourceContaining(resource) < 0) {
          reasons.add(new Reason.ResourceNotCovered(k, wanted.tool(), resource, outside(resource, near.resources())));
        }
      }
      return;
    }
    for (int p : covering) {
      if (problems(parent, k, wanted, p, taken).isEmpty()) {
        Capability serving = held.get(p);
        if (serving.maxCalls().isPresent()) {
          int n = wanted.maxCalls().getAsInt();
          taken[p] += n;
          calls.add(new Reservation.Calls(k, p, n));
        }
        return;
      }
    }
    reasons.addAll(problems(parent, k, wanted, covering.get(0), taken));
  }

  /** What keeps parent capability {@code p}, which covers the tool and resources, from serving requested capability k. */
  private static List<Reason> problems(Ledger parent, int k, Capability wanted, int p, int[] taken) {
    Capability serving = parent.grant().capabilities().get(p);
    List<Reason> problems = new ArrayList<>(2);
    if (serving.requiresApproval() && !wanted.requiresApproval()) {
      problems.add(new Reason.ApprovalDropped(k, wanted.tool()));
    }
    OptionalInt left = parent.callsLeft(p);
    if (left.isPresent()) {
      int remaining = Math.max(0, left.getAsInt() - taken[p]);
      OptionalInt asked = wanted.maxCalls();
      if (asked.isEmpty() || asked.getAsInt() > remaining) {
        problems.add(new Reason.CallsAboveRemaining(k, wanted.tool(), asked, remaining));
      }
    }
    return problems;
  }

  /**
   * A name {@code resource} matches and none of {@code held} does, to show in a refusal. First the pattern with each
   * wildcard written as one 'x' ({@code host:core/*} gives {@code host:core/x}): cheap, and it reads well; when the
   * parent's patterns match that one, a shortest counterexample from the inclusion search, if one of them serves.
   */
  private static Optional<String> outside(Pattern resource, List<Pattern> held) {
    String plain = resource.text().replace("**", "x").replace('*', 'x');
    if (outsideAll(plain, held)) {
      return Optional.of(plain);
    }
    for (Pattern pattern : held) {
      Optional<String> example = pattern.counterexample(resource);
      if (example.isPresent() && outsideAll(example.get(), held)) {
        return example;
      }
    }
    return Optional.empty();
  }

  private static boolean outsideAll(String name, List<Pattern> held) {
    return held.stream().noneMatch(h -> h.matches(name));
  }
}
