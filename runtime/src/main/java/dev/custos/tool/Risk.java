package dev.custos.tool;

import java.util.Locale;

/** How much harm a tool can do: reads nothing changes; low and high risk effects change the world. */
public enum Risk {
  READ,
  LOW,
  HIGH;

  /** The name policies use: {@code read}, {@code low}, {@code high}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
