package dev.custos.policies;

/** What a matching rule does to a decision; a matching forbid beats approve, which beats permit. */
public enum Effect {
  FORBID, APPROVE, PERMIT;

  /** As written in packs: {@code forbid}, {@code approve}, {@code permit}. */
  public String text() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
