package dev.custos.scenario;

import dev.custos.capability.Pattern;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The tools of the simulated environment (spec/scenarios.md), each with the kind of resource it acts on and the tool
 * that undoes its effect. The one list of them: a scenario's grant may name only these (a pattern must match at least
 * one), and the simulated environment registers exactly these.
 */
public enum SimulatedTool {
  SIEM_QUERY("siem.query", "siem"),
  EDR_SCAN("edr.scan", "host"),
  HOST_ISOLATE("host.isolate", "host"),
  HOST_RELEASE("host.release", "host"),
  ACCOUNT_DISABLE("account.disable", "account"),
  ACCOUNT_ENABLE("account.enable", "account"),
  FIREWALL_BLOCK("firewall.block", "net"),
  FIREWALL_UNBLOCK("firewall.unblock", "net"),
  FORENSICS_SNAPSHOT("forensics.snapshot", "host"),
  HOST_RESTORE("host.restore", "host"),
  TICKET_UPDATE("ticket.update", "ticket"),
  DATA_EXPORT("data.export", "net");

  private final String toolName;
  private final String resourceKind;

  SimulatedTool(String toolName, String resourceKind) {
    this.toolName = toolName;
    this.resourceKind = resourceKind;
  }

  /** The name agents call it by ({@code host.isolate}). */
  public String toolName() {
    return toolName;
  }

  /**
   * The kind of resource it takes, the part of the resource name before {@code :}: {@code siem} ({@code siem:alerts}),
   * {@code host} ({@code host:<zone>/<id>}), {@code account} ({@code account:<id>}), {@code net}
   * ({@code net:<address>}) or {@code ticket} ({@code ticket:<id>}).
   */
  public String resourceKind() {
    return resourceKind;
  }

  /** The tool that undoes this one's effect: {@code host.isolate} -> {@code host.release}, and so on. */
  public Optional<SimulatedTool> undo() {
    switch (this) {
      case HOST_ISOLATE:
        return Optional.of(HOST_RELEASE);
      case ACCOUNT_DISABLE:
        return Optional.of(ACCOUNT_ENABLE);
      case FIREWALL_BLOCK:
        return Optional.of(FIREWALL_UNBLOCK);
      default:
        return Optional.empty();
    }
  }

  /** Every tool's name, in the order of the spec. */
  public static List<String> names() {
    return Arrays.stream(values()).map(SimulatedTool::toolName).toList();
  }

  /** The tool of that name, if there is one. */
  public static Optional<SimulatedTool> named(String name) {
    return Arrays.stream(values()).filter(t -> t.toolName.equals(name)).findFirst();
  }

  /** The tools a pattern matches, in the order of the spec; empty when it names no tool of the environment. */
  public static List<SimulatedTool> matching(Pattern pattern) {
    return Arrays.stream(values()).filter(t -> pattern.matches(t.toolName)).toList();
  }

  @Override
  public String toString() {
    return toolName;
  }
}
