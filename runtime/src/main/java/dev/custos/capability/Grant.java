package dev.custos.capability;

import java.util.List;

/**
 * The authority an agent holds: capabilities and bounds. Made only by {@link #root} (by the supervisor, for a mission's
 * root agent) and by {@link Attenuation} (for a child, never more than its parent). Agents never hold one: they see a
 * read-only description, {@link #request()}. Immutable and thread safe; what has been spent is kept by a {@link Ledger}.
 */
public final class Grant {

  private final GrantRequest request;

  Grant(GrantRequest request) {
    this.request = request;
  }

  /** The grant of a mission's root agent: exactly what the mission asked for. For the supervisor only. */
  public static Grant root(GrantRequest request) {
    return new Grant(request);
  }

  public List<Capability> capabilities() {
    return request.capabilities();
  }

  public Bounds bounds() {
    return request.bounds();
  }

  /** What this grant holds, as a plain description (for snapshots, reports and the agent's read-only view). */
  public GrantRequest request() {
    return request;
  }

  /** Whether some capability of this grant covers a call of {@code tool} on {@code resource} (limits aside). */
  public boolean covers(String tool, String resource) {
    return firstCovering(tool, resource, 0) >= 0;
  }

  /** The index of the first capability at or after {@code from} that covers the call, or -1. */
  int firstCovering(String tool, String resource, int from) {
    List<Capability> capabilities = request.capabilities();
    for (int i = from; i < capabilities.size(); i++) {
      if (capabilities.get(i).covers(tool, resource)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "Grant" + request;
  }
}
