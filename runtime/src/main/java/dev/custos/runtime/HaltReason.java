package dev.custos.runtime;

import java.util.Locale;

/** Why a subtree was halted. */
public enum HaltReason {
  /** The agent collected {@code maxStrikes} denials. */
  STRIKES,
  /** The agent tried to spend budget it no longer had. */
  BUDGET,
  /** The agent tried a call of a capability whose calls were all used. */
  CALLS,
  /** The agent's deadline passed. */
  DEADLINE,
  /** A person halted it. */
  PERSON,
  /** Its parent ended (completed, failed or was halted) while it was still running. */
  PARENT_ENDED;

  /** The name in reports and audit records: {@code strikes}, {@code parent-ended}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
