package dev.custos.agents;

import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Child grants carved out of an agent's own, the way the built-in agents delegate: one call on each named resource,
 * literal names only, and bounds for a child that does not delegate further. It asks only for what the runtime will
 * grant, since a refused delegation is a strike against the parent.
 *
 * <p>An agent does not see its ledger, so this keeps a cautious one of its own: every call it hands a child (or makes
 * itself) on a capability with a call limit counts as spent for good, even when the child leaves some unused. Budget is
 * carved as a fixed share of the grant's, see {@link #share}.
 *
 * <p>Not thread safe; an agent is called one event at a time.
 */
final class ChildGrants {

  /** How many shares of the budget there are: one each for {@link #AT_ONCE} children, and the rest for the parent. */
  static final int SHARES = 4;
  /** Children live at a time, each holding a share: half the budget, so that the parent's own calls have the rest. */
  static final int AT_ONCE = 2;

  private final GrantRequest own;
  private final int[] spent;

  ChildGrants(GrantRequest own) {
    this.own = own;
    this.spent = new int[own.capabilities().size()];
  }

  /** The agent's own grant. */
  GrantRequest own() {
    return own;
  }

  /** One share of the budget: what each child gets. */
  long share() {
    return own.bounds().budget() / SHARES;
  }

  /**
   * Whether the agent may call {@code tool} on {@code resource} itself with a call to spare; counts the call when so.
   * Without the check, calling past a capability's limit would halt the agent.
   */
  boolean takeCall(String tool, String resource) {
    int p = covering(tool, resource);
    if (p < 0) {
      return false;
    }
    spent[p]++;
    return true;
  }

  /**
   * Capabilities for one call of {@code tool} on each of {@code resources}, served by the agent's own capabilities
   * (approval kept where they require it). A resource no capability covers, or whose capability has no call left, is
   * added to {@code leftOut} instead.
   */
  List<Capability> oneCallEach(String tool, List<String> resources, List<String> leftOut) {
    Map<Integer, List<String>> byServing = new LinkedHashMap<>();
    for (String resource : resources) {
      int p = covering(tool, resource);
      if (p < 0) {
        leftOut.add(resource);
      } else {
        spent[p]++;
        byServing.computeIfAbsent(p, k -> new ArrayList<>()).add(resource);
      }
    }
    List<Capability> capabilities = new ArrayList<>();
    byServing.forEach((p, names) -> capabilities.add(Capability.of(tool, names, OptionalInt.of(names.size()),
        own.capabilities().get(p).requiresApproval())));
    return capabilities;
  }

  /**
   * Whether a child that does not delegate fits beside {@code liveChildren} others: within the fan-out and the subtree,
   * and within the budget ({@link #AT_ONCE} shares), so that a delegation is never refused for budget (a strike).
   */
  boolean roomForChild(int liveChildren) {
    Bounds bounds = own.bounds();
    return bounds.maxDepth() >= 1 && liveChildren < bounds.maxChildren() && liveChildren < AT_ONCE
        && bounds.maxSubtreeAgents() - 1 - liveChildren >= 1;
  }

  /**
   * Bounds for a child that does not delegate: a share of the budget, no depth, no children, the agent's own rate and
   * strikes, and a deadline a quarter of the remaining time before the agent's own, so that the agent hears of a child
   * that ran out of time while it still has time itself.
   */
  Bounds leafBounds(Instant now) {
    Bounds bounds = own.bounds();
    Duration left = Duration.between(now, bounds.deadline());
    Instant deadline = left.isNegative() ? bounds.deadline() : bounds.deadline().minus(left.dividedBy(4));
    return new Bounds(share(), deadline, 0, 0, 1, bounds.rate(), bounds.maxStrikes());
  }

  /** The first capability covering the call with a call left, as the runtime charges it; -1 when none. */
  private int covering(String tool, String resource) {
    List<Capability> capabilities = own.capabilities();
    for (int p = 0; p < capabilities.size(); p++) {
      Capability capability = capabilities.get(p);
      if (capability.covers(tool, resource)
          && (capability.maxCalls().isEmpty() || spent[p] < capability.maxCalls().getAsInt())) {
        return p;
      }
    }
    return -1;
  }
}
