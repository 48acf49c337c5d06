package dev.custos.runtime;

import dev.custos.identity.MissionId;
import java.util.List;

/** A mission spec that cannot run: every problem is listed; nothing of the mission started. */
public final class MissionRejectedException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  MissionRejectedException(MissionId mission, List<String> problems) {
    super("mission " + mission + " cannot start: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
