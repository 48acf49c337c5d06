package dev.custos.identity;

/**
 * The id of a mission: 1 to 64 characters of {@code A-Z a-z 0-9 . - _}, neither "." nor "..", so it can stand as one
 * segment of a {@link SpiffeId} path. Any instance holds a valid value: the constructor checks it.
 *
 * @param value the id itself
 */
public record MissionId(String value) {

  /** @throws dev.custos.BadInputException if {@code value} is null or breaks the rule above; the message says where */
  public MissionId {
    IdSyntax.checkName(value, "mission id");
  }

  /** Same as the constructor; reads better where the text comes from outside. */
  public static MissionId parse(String text) {
    return new MissionId(text);
  }

  @Override
  public String toString() {
    return value;
  }
}
