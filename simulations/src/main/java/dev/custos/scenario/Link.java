package dev.custos.scenario;

/**
 * A lateral-movement path between two hosts, written {@code [first, second]}. The simulator does not require a link for
 * an attacker's step (it checks only the blocking rules); links tell defenders which hosts can reach which, both ways.
 *
 * @param first a host id of the scenario
 * @param second another host id of the scenario
 */
public record Link(String first, String second) {

  public Link {
    Names.requireName(first, "a link's host");
    Names.requireName(second, "a link's host");
    if (first.equals(second)) {
      throw new IllegalArgumentException("a link joins two different hosts, got " + first + " twice");
    }
  }

  /** Whether this link joins {@code a} and {@code b}, in either order. */
  public boolean joins(String a, String b) {
    return first.equals(a) && second.equals(b) || first.equals(b) && second.equals(a);
  }
}
