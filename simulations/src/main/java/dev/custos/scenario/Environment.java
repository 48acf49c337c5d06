package dev.custos.scenario;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The simulated environment: its hosts, accounts and lateral-movement links. Guarantees at least one host, unique host
 * ids, unique account ids, and links between declared hosts. Immutable.
 *
 * @param hosts in file order
 * @param accounts in file order; none unless stated
 * @param links in file order; none unless stated
 */
public record Environment(List<Host> hosts, List<Account> accounts, List<Link> links) {

  public Environment {
    hosts = List.copyOf(hosts);
    accounts = List.copyOf(accounts);
    links = List.copyOf(links);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("an environment has at least one host");
    }
    requireUnique(hosts.stream().map(Host::id).toList(), "host id");
    requireUnique(accounts.stream().map(Account::id).toList(), "account id");
    for (Link link : links) {
      for (String end : List.of(link.first(), link.second())) {
        if (hosts.stream().noneMatch(h -> h.id().equals(end))) {
          throw new IllegalArgumentException("link " + link + " names an unknown host " + end);
        }
      }
    }
  }

  /** The host of that id, if declared. */
  public Optional<Host> host(String id) {
    return hosts.stream().filter(h -> h.id().equals(id)).findFirst();
  }

  /** The account of that id, if declared. */
  public Optional<Account> account(String id) {
    return accounts.stream().filter(a -> a.id().equals(id)).findFirst();
  }

  private static void requireUnique(List<String> ids, String what) {
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      if (!seen.add(id)) {
        throw new IllegalArgumentException("duplicate " + what + " " + id);
      }
    }
  }
}
