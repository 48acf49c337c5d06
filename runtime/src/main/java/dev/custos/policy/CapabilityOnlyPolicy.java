package dev.custos.policy;

import java.util.List;
import java.util.Set;

/**
 * The default decision point when a runtime is given no policies: it permits what the capability check already allowed,
 * and releases no fact label, so secrets never cross a delegation.
 */
public final class CapabilityOnlyPolicy implements PolicyDecisionPoint {

  /** The version every decision of this point carries. */
  public static final String VERSION = "capability-only";

  private static final PolicyDecision PERMIT = new PolicyDecision.Permit(VERSION, List.of(), Set.of());

  @Override
  public PolicyDecision decide(PolicyRequest request) {
    return PERMIT;
  }
}
