package dev.custos.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The behaviours a {@code compromise} entry may give an agent in place of its own brain, as the module {@code agents}
 * provides them. The one list of them: the scenario reader checks against it, and the runner maps each to its agent.
 */
public enum Behaviour {
  /** Widens delegations, calls tools outside its grant, presents others' credentials; repeats until halted. */
  ROGUE("rogue"),
  /** Delegates as many children as it can, each doing the same. */
  FORK_BOMB("fork-bomb"),
  /** Calls its cheapest allowed tool in a loop, past its budget and rate. */
  BUDGET_BURNER("budget-burner"),
  /** Presents a sibling's or parent's credential (the simulation leaks one to it) instead of its own. */
  CREDENTIAL_THIEF("credential-thief"),
  /** Follows instructions found in alert text. */
  INJECTED("injected"),
  /** Never completes. */
  STALL("stall");

  private final String text;

  Behaviour(String text) {
    this.text = text;
  }

  /** The name files and reports use ({@code fork-bomb}). */
  public String text() {
    return text;
  }

  /** Every behaviour's name, in the order of the spec. */
  public static List<String> names() {
    return Arrays.stream(values()).map(Behaviour::text).toList();
  }

  /** The behaviour of that name, if there is one. */
  public static Optional<Behaviour> named(String text) {
    return Arrays.stream(values()).filter(b -> b.text.equals(text)).findFirst();
  }

  @Override
  public String toString() {
    return text;
  }
}
