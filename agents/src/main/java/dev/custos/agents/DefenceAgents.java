package dev.custos.agents;

import dev.custos.agent.Agent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The built-in defence agent types, by the names scenarios and delegations use. Register them all with
 * {@code DefenceAgents.types().forEach(builder::agentType)}.
 */
public final class DefenceAgents {

  public static final String INCIDENT_COMMANDER = "incident-commander";
  public static final String TRIAGE = "triage";
  public static final String CONTAINMENT = "containment";
  public static final String FORENSICS = "forensics";
  public static final String RECOVERY = "recovery";

  private static final Map<String, Supplier<Agent>> TYPES;

  static {
    Map<String, Supplier<Agent>> types = new LinkedHashMap<>();
    types.put(INCIDENT_COMMANDER, IncidentCommander::new);
    types.put(TRIAGE, Triage::new);
    types.put(CONTAINMENT, Containment::new);
    types.put(FORENSICS, Forensics::new);
    types.put(RECOVERY, Recovery::new);
    TYPES = Collections.unmodifiableMap(types);
  }

  /** The type names, in the order the scenario spec lists them. */
  public static final List<String> NAMES = List.copyOf(TYPES.keySet());

  private DefenceAgents() {}

  /** Each type's factory, which makes a fresh agent per call; in {@link #NAMES}' order, unmodifiable. */
  public static Map<String, Supplier<Agent>> types() {
    return TYPES;
  }
}
