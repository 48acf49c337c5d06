package dev.custos.scenario;

import java.util.Objects;

/**
 * A host of the simulated environment; its resource name is {@code host:<zone>/<id>}.
 *
 * @param id unique among the scenario's hosts; a name (letters, digits, '.', '_', '-')
 * @param zone the network zone, a name ({@code corp}, {@code core})
 * @param criticality how much it matters
 */
public record Host(String id, String zone, Criticality criticality) {

  public Host {
    Names.requireName(id, "a host id");
    Names.requireName(zone, "a zone");
    Objects.requireNonNull(criticality, "criticality");
  }

  /** {@code host:<zone>/<id>}, the name tools and grants use. */
  public String resource() {
    return "host:" + zone + "/" + id;
  }
}
