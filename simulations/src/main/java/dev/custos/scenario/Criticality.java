package dev.custos.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How much a host matters, as policies read it ({@code resource.criticality}): low, medium, high or tier0. */
public enum Criticality {
  LOW("low"),
  MEDIUM("medium"),
  HIGH("high"),
  TIER0("tier0");

  private final String text;

  Criticality(String text) {
    this.text = text;
  }

  /** The name files, policies and reports use. */
  public String text() {
    return text;
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(Criticality::text).toList();
  }

  public static Optional<Criticality> named(String text) {
    return Arrays.stream(values()).filter(c -> c.text.equals(text)).findFirst();
  }

  @Override
  public String toString() {
    return text;
  }
}
