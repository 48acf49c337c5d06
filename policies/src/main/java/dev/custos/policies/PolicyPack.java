package dev.custos.policies;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One policy pack, read and compiled: its rules in file order, each rule's condition type-checked. Made only by
 * {@link PackReader}, so a pack in hand has no problem. Immutable and thread safe.
 */
public final class PolicyPack {

  private final String name;
  private final String description;
  private final String source;
  private final String digest;
  private final List<Rule> rules;
  private final Map<String, Condition> conditions;

  PolicyPack(String name, String description, String source, String digest, List<Rule> rules,
      Map<String, Condition> conditions) {
    this.name = Objects.requireNonNull(name, "name");
    this.description = Objects.requireNonNull(description, "description");
    this.source = Objects.requireNonNull(source, "source");
    this.digest = Objects.requireNonNull(digest, "digest");
    this.rules = List.copyOf(rules);
    this.conditions = Map.copyOf(conditions);
  }

  /** The pack's {@code policy} name. */
  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The file it was read from, as the user named it. */
  public String source() {
    return source;
  }

  /** SHA-256 of the file's text, lowercase hex. */
  public String digest() {
    return digest;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The compiled condition of a rule with a {@code when}; null for a rule without one. */
  Condition condition(String ruleId) {
    return conditions.get(ruleId);
  }

  @Override
  public String toString() {
    return "PolicyPack[" + name + " from " + source + ", " + rules.size() + " rules]";
  }
}
