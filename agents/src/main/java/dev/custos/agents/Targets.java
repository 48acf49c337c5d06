package dev.custos.agents;

import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a misbehaving agent aims at: a call its own grant allows, found without knowing what tools cost. */
final class Targets {

  /**
   * The simulated environment's tools, reads first: an agent never learns a tool's cost, so this order is its guess at
   * the cheapest.
   */
  static final List<String> TOOLS = List.of("siem.query", "edr.scan", "forensics.snapshot", "ticket.update",
      "firewall.block", "account.disable", "host.isolate", "host.release", "account.enable", "firewall.unblock",
      "host.restore", "data.export");

  /** One call: a tool on a resource. */
  record Call(String tool, String resource) {}

  private Targets() {}

  /**
   * The first call of {@link #TOOLS}' order the grant covers, then of the grant's own literal tools: on a resource named
   * in the brief when one fits (a real host, say), else on a name made from the capability's resource pattern.
   */
  static Optional<Call> cheapest(GrantRequest grant, MissionBrief brief) {
    List<String> tools = new ArrayList<>(TOOLS);
    grant.capabilities().stream().map(Capability::tool).filter(Pattern::isLiteral).map(Pattern::text)
        .filter(t -> !tools.contains(t)).forEach(tools::add);
    List<String> named = new ArrayList<>();
    for (Fact fact : brief.facts().values()) {
      named.addAll(Values.strings(fact.value()));
    }
    for (String tool : tools) {
      for (Capability capability : grant.capabilities()) {
        if (!capability.tool().matches(tool)) {
          continue;
        }
        for (String name : named) {
          if (capability.covers(tool, name)) {
            return Optional.of(new Call(tool, name));
          }
        }
        for (Pattern resource : capability.resources()) {
          // Any name the pattern matches will do: each wildcard written as one character.
          String name = resource.text().replace("**", "x").replace('*', 'x');
          if (capability.covers(tool, name)) {
            return Optional.of(new Call(tool, name));
          }
        }
      }
    }
    return Optional.empty();
  }
}
