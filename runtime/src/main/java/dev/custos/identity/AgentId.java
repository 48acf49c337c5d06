package dev.custos.identity;

/**
 * The id of an agent within the runtime ({@code a1}, {@code a17}): 1 to 64 characters of {@code A-Z a-z 0-9 . - _},
 * neither "." nor "..". Any instance holds a valid value: the constructor checks it.
 *
 * @param value the id itself
 */
public record AgentId(String value) {

  /** @throws dev.custos.BadInputException if {@code value} is null or breaks the rule above; the message says where */
  public AgentId {
    IdSyntax.checkName(value, "agent id");
  }

  /** Same as the constructor; reads better where the text comes from outside. */
  public static AgentId parse(String text) {
    return new AgentId(text);
  }

  @Override
  public String toString() {
    return value;
  }
}
