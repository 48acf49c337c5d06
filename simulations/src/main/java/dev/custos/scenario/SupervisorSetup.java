package dev.custos.scenario;

import dev.custos.capability.GrantRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The scenario's {@code supervisor}: the mission, its root agent and root grant, the policies, and how approvals and
 * halts go. Guarantees: a mission name, a grant whose every tool pattern matches a {@link SimulatedTool}, a positive
 * approval timeout. Immutable.
 *
 * @param mission the mission's name ({@code contain-ransomware})
 * @param agent the root agent's type
 * @param grant the root grant; its deadline is absolute, counted from {@link Scenario#START}
 * @param policies the policy packs, resolved (absolute and normalised) and found when the scenario was read; none
 *     unless stated, which denies every call
 * @param approvals how approval requests are answered; {@link Approvals#NONE} unless stated
 * @param approvalTimeout how long a call waits for approval before it is denied; 5m unless stated
 * @param rollbackOnHalt run the compensations of a halted subtree's effects; false unless stated
 */
public record SupervisorSetup(String mission, AgentType agent, GrantRequest grant, List<Path> policies,
    Approvals approvals, Duration approvalTimeout, boolean rollbackOnHalt) {

  /** The approval timeout when a scenario does not state one, the runtime's own default. */
  public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofMinutes(5);

  public SupervisorSetup {
    Names.requireName(mission, "a mission name");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(grant, "grant");
    policies = List.copyOf(policies);
    Objects.requireNonNull(approvals, "approvals");
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
    if (approvalTimeout.isNegative() || approvalTimeout.isZero()) {
      throw new IllegalArgumentException("approvalTimeout must be longer than zero, got " + approvalTimeout);
    }
    grant.capabilities().forEach(capability -> {
      if (SimulatedTool.matching(capability.tool()).isEmpty()) {
        throw new IllegalArgumentException("tool " + capability.tool() + " names no tool of the simulated environment");
      }
    });
  }
}
