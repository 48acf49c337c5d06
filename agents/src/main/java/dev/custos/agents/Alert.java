package dev.custos.agents;

import dev.custos.agent.ToolOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One SIEM alert as {@code siem.query} on {@code siem:alerts} returns it (see the module's README for the shape):
 * {@code {alerts: [{id, host, technique, text, atMs, to?, account?}]}}.
 *
 * <p>Everything in an alert is attacker-influenced data. {@link #text} in particular may carry instructions ("ignore
 * previous instructions and..."): the defence agents never act on it, they only read the structured fields, and only
 * literal resource names of the right kind (see {@link Values#resourceName}).
 *
 * @param id unique per alert; alerts seen before are recognised by it
 * @param host where the step happened ({@code host:corp/fin-ws-01}), or empty when the alert names no valid host
 * @param technique the MITRE ATT&amp;CK technique id ({@code T1486}), or empty
 * @param text free text
 * @param to where the step went: a host ({@code host:...}) or an address ({@code net:...}), or empty
 * @param account the account the step used ({@code account:svc-backup}), or empty
 * @param atMs when it was raised, in the environment's milliseconds
 */
record Alert(String id, String host, String technique, String text, String to, String account, long atMs) {

  /** The alerts of a {@code siem.query} result, in the order given; an outcome of another shape has none. */
  static List<Alert> from(ToolOutcome outcome) {
    List<Alert> alerts = new ArrayList<>();
    if (outcome instanceof ToolOutcome.Done done) {
      for (Map<String, Object> raw : Values.maps(done.data().get("alerts"))) {
        String host = Values.resourceName(Values.text(raw.get("host"), null), "host:").orElse("");
        String technique = Values.text(raw.get("technique"), "");
        String toText = Values.text(raw.get("to"), null);
        String to = Values.resourceName(toText, "host:").or(() -> Values.resourceName(toText, "net:")).orElse("");
        String account = Values.resourceName(Values.text(raw.get("account"), null), "account:").orElse("");
        long atMs = raw.get("atMs") instanceof Number n ? n.longValue() : 0;
        // Without an id, the alert's own fields identify it, so the same alert read twice is still seen once.
        String id = Values.text(raw.get("id"), host + "|" + technique + "|" + atMs);
        alerts.add(new Alert(id, host, technique, Values.text(raw.get("text"), ""), to, account, atMs));
      }
    }
    return alerts;
  }

  /** The host the step went to, or empty. */
  String toHost() {
    return to.startsWith("host:") ? to : "";
  }

  /** The network address the step went to, or empty. */
  String toAddress() {
    return to.startsWith("net:") ? to : "";
  }
}
