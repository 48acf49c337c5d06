package dev.custos.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The agent types a scenario may name ({@code supervisor.agent}), as the module {@code agents} provides them. The one
 * list of them: the scenario reader checks against it, and the runner maps each to its agent.
 */
public enum AgentType {
  INCIDENT_COMMANDER("incident-commander"),
  TRIAGE("triage"),
  CONTAINMENT("containment"),
  FORENSICS("forensics"),
  RECOVERY("recovery");

  private final String text;

  AgentType(String text) {
    this.text = text;
  }

  /** The name files and reports use ({@code incident-commander}). */
  public String text() {
    return text;
  }

  /** Every type's name, in the order of the spec. */
  public static List<String> names() {
    return Arrays.stream(values()).map(AgentType::text).toList();
  }

  /** The type of that name, if there is one. */
  public static Optional<AgentType> named(String text) {
    return Arrays.stream(values()).filter(t -> t.text.equals(text)).findFirst();
  }

  @Override
  public String toString() {
    return text;
  }
}
