package dev.custos.tool;

import dev.custos.JsonValues;
import java.util.Map;

/**
 * The call that undoes an effect ({@code host.isolate} on a host is undone by {@code host.release} on it), run by the
 * supervisor under its own authority when a halted subtree is rolled back.
 */
public record Compensation(String tool, String resource, Map<String, Object> arguments) {

  public Compensation {
    arguments = JsonValues.copyMap(arguments);
  }

  public Compensation(String tool, String resource) {
    this(tool, resource, Map.of());
  }
}
