package dev.custos.capability;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why a delegation was refused or a charge did not fit: each names the capability (by its index in the request or grant)
 * or the bound concerned, and what would have widened. {@link #describe()} says it in a sentence for people.
 */
public sealed interface Reason {

  /** One sentence for a person. */
  String describe();

  /** No parent capability's tool pattern contains the requested one. */
  record ToolNotCovered(int capability, Pattern tool) implements Reason {
    @Override
    public String describe() {
      return "capability " + capability + ": tool '" + tool + "' is not covered by any capability of the parent";
    }
  }

  /**
   * Parent capabilities cover the tool, but none of them has a resource pattern containing this one. {@code example} is a
   * resource the request would reach and no such parent capability does, when one could be named.
   */
  record ResourceNotCovered(int capability, Pattern tool, Pattern resource, Optional<String> example) implements Reason {
    @Override
    public String describe() {
      return "capability " + capability + " (" + tool + "): resource '" + resource
          + "' is not within the parent's resources for that tool" + example.map(e -> ", e.g. '" + e + "'").orElse("");
    }
  }

  /** More calls than the covering parent capability has left (empty {@code requested}: unlimited under a limit). */
  record CallsAboveRemaining(int capability, Pattern tool, OptionalInt requested, int remaining) implements Reason {
    @Override
    public String describe() {
      return "capability " + capability + " (" + tool + "): asks for "
          + (requested.isPresent() ? requested.getAsInt() + " calls" : "unlimited calls")
          + " but the parent has " + remaining + " left";
    }
  }

  /** The covering parent capability needs approval and the requested one does not. */
  record ApprovalDropped(int capability, Pattern tool) implements Reason {
    @Override
    public String describe() {
      return "capability " + capability + " (" + tool + "): the parent's calls need approval, the request drops it";
    }
  }

  record BudgetAboveRemaining(long requested, long remaining) implements Reason {
    @Override
    public String describe() {
      return "budget " + requested + " is more than the parent has left (" + remaining + ")";
    }
  }

  record DeadlineLater(Instant requested, Instant parent) implements Reason {
    @Override
    public String describe() {
      return "deadline " + requested + " is later than the parent's (" + parent + ")";
    }
  }

  /** A child's {@code maxDepth} must be strictly smaller than its parent's. */
  record DepthNotSmaller(int requested, int parent) implements Reason {
    @Override
    public String describe() {
      return parent == 0
          ? "the parent may not delegate (maxDepth 0)"
          : "maxDepth " + requested + " is not smaller than the parent's (" + parent + ")";
    }
  }

  record ChildrenAboveParent(int requested, int parent) implements Reason {
    @Override
    public String describe() {
      return "maxChildren " + requested + " is more than the parent's (" + parent + ")";
    }
  }

  /** The parent already has as many live children as its {@code maxChildren}. */
  record NoChildSlotLeft(int live, int maxChildren) implements Reason {
    @Override
    public String describe() {
      return "the parent already has " + live + " live children, its limit is " + maxChildren;
    }
  }

  record SubtreeAgentsAboveRemaining(int requested, int remaining) implements Reason {
    @Override
    public String describe() {
      return "maxSubtreeAgents " + requested + " is more than the parent's subtree has room for (" + remaining + ")";
    }
  }

  record RateAbove(Rate requested, Rate parent) implements Reason {
    @Override
    public String describe() {
      return "rate " + requested + " allows more than the parent's (" + parent + ")";
    }
  }

  record StrikesAbove(int requested, int parent) implements Reason {
    @Override
    public String describe() {
      return "maxStrikes " + requested + " is more than the parent's (" + parent + ")";
    }
  }

  /** A charge on a capability whose calls are all used or reserved for children. */
  record CallsExhausted(int capability, Pattern tool, int maxCalls) implements Reason {
    @Override
    public String describe() {
      return "capability " + capability + " (" + tool + "): all " + maxCalls + " calls are used or reserved";
    }
  }

  /** A charge that costs more than the budget has left. */
  record BudgetExhausted(long cost, long remaining) implements Reason {
    @Override
    public String describe() {
      return "cost " + cost + " is more than the budget left (" + remaining + ")";
    }
  }
}
