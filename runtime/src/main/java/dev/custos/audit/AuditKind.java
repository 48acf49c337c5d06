package dev.custos.audit;

import java.util.Locale;

/** The kinds of audit records. */
public enum AuditKind {
  MISSION_STARTED,
  DELEGATION,
  DECISION,
  APPROVAL,
  CREDENTIAL_ISSUED,
  CREDENTIAL_REVOKED,
  CREDENTIAL_REJECTED,
  TOOL_EXECUTED,
  TOOL_OUTCOME,
  LATE_RESULT_DISCARDED,
  HALT,
  COMPENSATION,
  AGENT_ENDED,
  MISSION_ENDED,
  POLICY_RELOAD,
  /** An agent's brain was replaced (a simulation or red-team exercise); payload {@code behaviour}. */
  COMPROMISE;

  /** The name in records: {@code tool-executed}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
