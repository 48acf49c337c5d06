package dev.custos.agents;

import dev.custos.agent.Agent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The adversarial behaviours of the scenario spec, by name: what a compromised agent's brain is replaced with. They use
 * the same public Agent SPI as the defence agents, with no privileged access; the runtime must stop each of them.
 *
 * <p>{@code fork-bomb}, {@code rogue} and {@code injected} delegate children of their own behaviour's type, so a runtime
 * that should let them spread registers {@link #types()} as agent types too; where they are not registered (or policy
 * permits only the defence types), those delegations are refused, which stops them just the same.
 */
public final class Behaviours {

  public static final String ROGUE = "rogue";
  public static final String FORK_BOMB = "fork-bomb";
  public static final String BUDGET_BURNER = "budget-burner";
  public static final String CREDENTIAL_THIEF = "credential-thief";
  public static final String INJECTED = "injected";
  public static final String STALL = "stall";

  private static final Map<String, Supplier<Agent>> TYPES;

  static {
    Map<String, Supplier<Agent>> types = new LinkedHashMap<>();
    types.put(ROGUE, Rogue::new);
    types.put(FORK_BOMB, ForkBomb::new);
    types.put(BUDGET_BURNER, BudgetBurner::new);
    types.put(CREDENTIAL_THIEF, CredentialThief::new);
    types.put(INJECTED, Injected::new);
    types.put(STALL, Stall::new);
    TYPES = Collections.unmodifiableMap(types);
  }

  /** The behaviour names, in the order the scenario spec lists them. */
  public static final List<String> NAMES = List.copyOf(TYPES.keySet());

  private Behaviours() {}

  /**
   * The factory of the behaviour {@code name}, which makes a fresh agent per call.
   *
   * @throws IllegalArgumentException when {@code name} is not one of {@link #NAMES}: check a scenario's names against
   *     {@link #NAMES} when reading it, so that a user sees the mistake with its line
   */
  public static Supplier<Agent> named(String name) {
    Supplier<Agent> factory = TYPES.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("no behaviour '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }
    return factory;
  }

  /** Every behaviour's factory, in {@link #NAMES}' order, unmodifiable: to register them as agent types. */
  public static Map<String, Supplier<Agent>> types() {
    return TYPES;
  }
}
