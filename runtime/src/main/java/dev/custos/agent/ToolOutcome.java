package dev.custos.agent;

import dev.custos.JsonValues;
import java.util.Map;

/** What a tool call produced: exactly one of {@link Done} or {@link Failed}. */
public sealed interface ToolOutcome {

  /** The effect happened (or the read returned); {@code data} is deep-copied. */
  record Done(Map<String, Object> data) implements ToolOutcome {
    public Done {
      data = JsonValues.copyMap(data);
    }
  }

  /** The tool ran and failed, or refused the call (a bad credential, say). */
  record Failed(String reason) implements ToolOutcome {}
}
