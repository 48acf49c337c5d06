package dev.custos.runtime;

import java.util.Locale;

/** Where an agent is in its life. */
public enum AgentStatus {
  RUNNING,
  COMPLETED,
  FAILED,
  HALTED;

  /** The name in reports: {@code running}, {@code completed}, {@code failed}, {@code halted}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
