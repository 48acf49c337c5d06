package dev.custos.capability;

import java.util.List;
import java.util.Objects;

/**
 * A description of a grant: what a mission asks for its root agent, or what a parent asks for a child. It carries no
 * authority; only {@link Grant#root} and {@link Attenuation} turn one into a {@link Grant}.
 *
 * @param capabilities in order; the order decides which capability a call is charged to when several cover it
 * @param bounds the limits
 */
public record GrantRequest(List<Capability> capabilities, Bounds bounds) {

  public GrantRequest {
    capabilities = List.copyOf(capabilities);
    Objects.requireNonNull(bounds, "bounds");
  }
}
