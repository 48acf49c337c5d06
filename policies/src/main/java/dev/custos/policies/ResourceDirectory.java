package dev.custos.policies;

import java.util.Objects;

/**
 * What policies know of a resource beyond its name: its zone, criticality and whether it is privileged. The embedder
 * supplies it (the simulation from its environment, a deployment from its asset inventory); {@link #NAMES_ONLY} reads
 * what a name itself says. Implementations are thread safe and fast: every decision asks.
 */
@FunctionalInterface
public interface ResourceDirectory {

  /**
   * What is known of a resource.
   *
   * @param kind {@code host}, {@code account}, {@code net}, {@code siem}, {@code ticket}, {@code agent}... (the name's
   *     prefix before {@code :})
   * @param zone a host's zone ({@code corp} of {@code host:corp/fin-ws-01}), else empty
   * @param criticality {@code low}, {@code medium}, {@code high}, {@code tier0}, or empty when unknown
   * @param privileged an account's privilege
   */
  record ResourceFacts(String kind, String zone, String criticality, boolean privileged) {
    public ResourceFacts {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(criticality, "criticality");
    }
  }

  /** Reads only the name: kind before {@code :}, a host's zone before {@code /}; no criticality, not privileged. */
  ResourceDirectory NAMES_ONLY = ResourceDirectory::fromName;

  ResourceFacts describe(String resource);

  /** What the name {@code kind:rest} says: the kind, and for {@code host:<zone>/<id>} the zone. */
  static ResourceFacts fromName(String resource) {
    int colon = resource.indexOf(':');
    String kind = colon < 0 ? "" : resource.substring(0, colon);
    String zone = "";
    if (kind.equals("host")) {
      int slash = resource.indexOf('/', colon + 1);
      zone = slash < 0 ? "" : resource.substring(colon + 1, slash);
    }
    return new ResourceFacts(kind, zone, "", false);
  }
}
