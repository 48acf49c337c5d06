package dev.custos.agents;

import dev.custos.agent.Action;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the incident commander learned from its children: the verdicts and the actions they reported, each report read
 * only for the resources that child was given (so a compromised triage cannot steer containment to a host nobody
 * alerted on), the problems met on the way, and the report or the failure the mission ends with.
 *
 * <p>Not thread safe; an agent is called one event at a time.
 */
final class Findings {

  private final Set<String> confirmed = new LinkedHashSet<>();
  private final Set<String> clean = new LinkedHashSet<>();
  private final Set<String> isolated = new LinkedHashSet<>();
  private final Set<String> disabled = new LinkedHashSet<>();
  private final Set<String> blocked = new LinkedHashSet<>();
  private final Set<String> restored = new LinkedHashSet<>();
  private final Map<String, Object> snapshots = new TreeMap<>();
  private final Map<String, Double> confidence = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  /**
   * Reads the report of a child of {@code role} that was given {@code given}; returns the hosts a triage confirmed
   * that were not confirmed before. A host once confirmed stays so; one judged clean is clean until a scan confirms it.
   */
  List<String> absorb(String role, Set<String> given, Map<String, Object> report) {
    List<String> newlyConfirmed = new ArrayList<>();
    switch (role) {
      case DefenceAgents.TRIAGE -> {
        Map<String, Double> certainty = Values.numbers(report.get("confidence"));
        for (String host : mine(report.get("confirmed"), given)) {
          if (confirmed.add(host)) {
            newlyConfirmed.add(host);
            clean.remove(host);
            Double c = certainty.get(host);
            if (c != null && c >= 0 && c <= 1) {
              confidence.put(host, c);
            }
          }
        }
        mine(report.get("clean"), given).stream().filter(h -> !confirmed.contains(h)).forEach(clean::add);
        troubles(role, report.get("unscanned"));
      }
      case DefenceAgents.CONTAINMENT -> {
        isolated.addAll(mine(report.get("isolated"), given));
        disabled.addAll(mine(report.get("disabled"), given));
        blocked.addAll(mine(report.get("blocked"), given));
        troubles(role, report.get("denied"));
        troubles(role, report.get("failed"));
      }
      case DefenceAgents.FORENSICS -> {
        Object taken = report.get("snapshots");
        for (String host : given) {
          if (Values.get(taken, host) instanceof String id) {
            snapshots.put(host, id);
          }
        }
        troubles(role, report.get("failed"));
      }
      case DefenceAgents.RECOVERY -> {
        restored.addAll(mine(report.get("restored"), given));
        troubles(role, report.get("denied"));
        troubles(role, report.get("failed"));
      }
      default -> { }
    }
    return newlyConfirmed;
  }

  /** Whether a child of {@code role} (or an earlier one) did its part for {@code resource}. */
  boolean done(String role, String resource) {
    return switch (role) {
      case DefenceAgents.TRIAGE -> confirmed.contains(resource);
      case DefenceAgents.CONTAINMENT -> isolated.contains(resource) || disabled.contains(resource)
          || blocked.contains(resource);
      case DefenceAgents.FORENSICS -> snapshots.containsKey(resource);
      case DefenceAgents.RECOVERY -> restored.contains(resource);
      default -> false;
    };
  }

  boolean confirmed(String host) {
    return confirmed.contains(host);
  }

  /** Whether the last verdict on {@code host} was clean. */
  boolean clean(String host) {
    return clean.contains(host);
  }

  /** The hosts both isolated and snapshotted, in the order isolated. */
  List<String> isolatedAndSnapshotted() {
    return isolated.stream().filter(snapshots::containsKey).toList();
  }

  /** The confidence triage gave {@code host} when it confirmed it; null when none. */
  Double confidence(String host) {
    return confidence.get(host);
  }

  /** The confidence triage gave each of {@code hosts}; a host without one is left out, and its calls state none. */
  Map<String, Double> confidenceOf(Collection<String> hosts) {
    Map<String, Double> out = new TreeMap<>();
    hosts.stream().filter(confidence::containsKey).forEach(h -> out.put(h, confidence.get(h)));
    return out;
  }

  void problem(String text) {
    problems.add(text);
  }

  /**
   * Completes when every host of {@code named} was judged and every compromised one isolated; fails with the reasons
   * if not.
   */
  Action end(Collection<String> named, int alerts, int rounds) {
    List<String> unjudged = named.stream().filter(h -> !confirmed.contains(h) && !clean.contains(h)).toList();
    List<String> uncontained = confirmed.stream().filter(h -> !isolated.contains(h)).toList();
    if (!unjudged.isEmpty() || !uncontained.isEmpty()) {
      List<String> why = new ArrayList<>();
      if (!uncontained.isEmpty()) {
        why.add("not contained: " + String.join(", ", uncontained));
      }
      if (!unjudged.isEmpty()) {
        why.add("not triaged: " + String.join(", ", unjudged));
      }
      why.addAll(problems);
      return new Action.Fail(String.join("; ", why));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("status", confirmed.isEmpty() ? "nothing-found" : "contained");
    report.put("alerts", alerts);
    report.put("rounds", rounds);
    report.put("confirmed", List.copyOf(confirmed));
    report.put("clean", List.copyOf(clean));
    report.put("isolated", List.copyOf(isolated));
    report.put("disabled", List.copyOf(disabled));
    report.put("blocked", List.copyOf(blocked));
    report.put("snapshots", snapshots);
    report.put("restored", List.copyOf(restored));
    report.put("problems", problems);
    return new Action.Complete(report);
  }

  private static List<String> mine(Object reported, Set<String> given) {
    return Values.strings(reported).stream().filter(given::contains).distinct().toList();
  }

  private void troubles(String role, Object entries) {
    Values.maps(entries).forEach(entry -> problems.add(role + ": " + entry));
  }
}
