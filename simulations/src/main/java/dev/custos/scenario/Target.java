package dev.custos.scenario;

import dev.custos.capability.Pattern;

/**
 * Where an attacker's step goes ({@code to}): exactly one of a host of the scenario or a network address, written
 * {@code net:<address>}.
 */
public sealed interface Target permits Target.HostId, Target.NetAddress {

  /** The prefix that makes a {@code to} an address rather than a host id. */
  String NET = "net:";

  /** A host of the scenario, by id. */
  record HostId(String id) implements Target {
    public HostId {
      Names.requireName(id, "a host id");
    }
  }

  /**
   * An address outside the environment ({@code 203.0.113.7}), which {@code firewall.block} can block.
   *
   * @param address the part after {@code net:}; no white space, no control character, no {@code *}
   */
  record NetAddress(String address) implements Target {
    public NetAddress {
      if (address == null || address.isEmpty()) {
        throw new IllegalArgumentException("a net: address may not be empty");
      }
      Pattern.literal(NET + address); // a resource name any grant pattern can be matched against
    }

    /** {@code net:<address>}, the resource name of {@code firewall.block} and {@code data.export}. */
    public String resource() {
      return NET + address;
    }
  }
}
