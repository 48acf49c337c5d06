package dev.custos.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A reference to agents of a run, as {@code compromise.agent}, {@code expect.halted} and {@code expect.notHalted} write
 * it: a role ({@code containment}: every agent with that role) or a path from the root ({@code
 * commander/triage/containment-2}: that agent). Guarantees: each part is a name, and a path starts at the root's role,
 * {@value #ROOT_ROLE}.
 *
 * @param text as written
 */
public record AgentRef(String text) {

  /** The root agent's role, which starts every path. */
  public static final String ROOT_ROLE = "commander";

  public AgentRef {
    Objects.requireNonNull(text, "text");
    for (String part : text.split("/", -1)) {
      Names.requireName(part, "each part of an agent reference");
    }
    if (text.indexOf('/') >= 0 && !text.startsWith(ROOT_ROLE + "/")) {
      throw new IllegalArgumentException("a path starts at the root, " + ROOT_ROLE + ": got " + Names.quote(text));
    }
  }

  /** True for a path ({@code commander/containment}), false for a role. */
  public boolean isPath() {
    return text.indexOf('/') >= 0;
  }

  /** The roles along a path, or the role alone. */
  public List<String> parts() {
    return Arrays.asList(text.split("/"));
  }

  /** Whether an agent of this role and path is one this reference names. */
  public boolean matches(String role, String path) {
    return isPath() ? text.equals(path) : text.equals(role);
  }

  @Override
  public String toString() {
    return text;
  }
}
