package dev.custos.runtime;

import dev.custos.agent.MissionBrief;
import dev.custos.capability.GrantRequest;
import dev.custos.identity.MissionId;
import dev.custos.policy.MissionInfo;
import java.time.Duration;
import java.util.Objects;

/**
 * What a mission asks of the runtime: its root agent's type and brief, the root grant (deadline absolute, in the
 * runtime's clock), and how to handle halts.
 *
 * @param id unique among the runtime's missions
 * @param name a human name ({@code contain-ransomware})
 * @param agentType the root agent's registered type
 * @param brief the root agent's only context
 * @param grant the root grant; no agent of the mission ever holds more
 * @param rollbackOnHalt run the compensations of a halted subtree's effects
 * @param approvalTimeout how long an action waits for a person before it is denied
 * @param severity the incident's severity as policies read it ({@code mission.severity}); empty when unstated
 */
public record MissionSpec(MissionId id, String name, String agentType, MissionBrief brief, GrantRequest grant,
    boolean rollbackOnHalt, Duration approvalTimeout, String severity) {

  public MissionSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(agentType, "agentType");
    Objects.requireNonNull(brief, "brief");
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
    Objects.requireNonNull(severity, "severity");
    if (approvalTimeout.isNegative() || approvalTimeout.isZero()) {
      throw new IllegalArgumentException("approvalTimeout must be positive, got " + approvalTimeout);
    }
  }

  /** A mission with no rollback, a 5-minute approval timeout and no stated severity. */
  public static MissionSpec of(MissionId id, String agentType, MissionBrief brief, GrantRequest grant) {
    return new MissionSpec(id, id.value(), agentType, brief, grant, false, Duration.ofMinutes(5), "");
  }

  public MissionSpec withName(String name) {
    return new MissionSpec(id, name, agentType, brief, grant, rollbackOnHalt, approvalTimeout, severity);
  }

  public MissionSpec withRollbackOnHalt(boolean rollback) {
    return new MissionSpec(id, name, agentType, brief, grant, rollback, approvalTimeout, severity);
  }

  public MissionSpec withApprovalTimeout(Duration timeout) {
    return new MissionSpec(id, name, agentType, brief, grant, rollbackOnHalt, timeout, severity);
  }

  public MissionSpec withSeverity(String severity) {
    return new MissionSpec(id, name, agentType, brief, grant, rollbackOnHalt, approvalTimeout, severity);
  }

  /** The mission as policies see it. */
  public MissionInfo info() {
    return new MissionInfo(id, name, severity);
  }
}
