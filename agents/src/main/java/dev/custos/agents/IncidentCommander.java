package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The root of a defence mission. It reads the SIEM's alerts, and for the hosts they name runs a round of delegations,
 * each child holding only what its step needs:
 *
 * <ol>
 *   <li>{@code triage} gets {@code edr.scan} on exactly the alerted hosts, one call each;
 *   <li>{@code containment} gets {@code host.isolate} on exactly the hosts triage confirmed (and {@code account.disable}
 *       / {@code firewall.block} on the accounts and addresses the alerts of those hosts name), while {@code forensics}
 *       gets the read-only {@code forensics.snapshot} on the same hosts;
 *   <li>{@code recovery} gets {@code host.restore} on the hosts both isolated and snapshotted, when the grant holds it.
 * </ol>
 *
 * <p>Then it watches again, like a SOC on shift: it reads until the next read would fall less than one interval before
 * its deadline, waits for the round under way, and reports. Only a brief that says so ends it sooner: with
 * {@code quietPolls} it reports after that many reads without a new host (once it has run a round). It completes when
 * every alerted host was judged and every compromised one isolated, and fails with the reasons when one was not (a
 * child halted, a call denied, a host outside its grant).
 *
 * <p>Brief facts, all optional: {@code pollEvery} (a duration, {@code 30s} by default) and {@code quietPolls} (none:
 * watch until the deadline).
 * Report: {@code {status: contained | nothing-found, alerts, rounds, confirmed, clean, isolated, disabled, blocked,
 * snapshots: {host: id}, restored, problems}}.
 *
 * <p>What children report is data, not authority: a report is read only for the resources that child was given, so a
 * compromised triage cannot steer containment to a host nobody alerted on. Alert text is never acted on.
 */
public final class IncidentCommander implements Agent {

  public static final Duration POLL_EVERY = Duration.ofSeconds(30);
  /** No {@code quietPolls} in the brief: quiet reads never end the watch, the deadline does. */
  public static final int WATCH_UNTIL_DEADLINE = 0;

  /** What the commander waits for: new alerts, or the children of the current round's step. */
  private enum Phase { WATCHING, TRIAGE, RESPONSE, RECOVERY }

  private static final String POLL_TIMER = "poll";

  private ChildGrants grants;
  private Instant deadline;
  private Duration pollEvery;
  /** Reads without a new host that end the watch; {@link #WATCH_UNTIL_DEADLINE} for none. */
  private int quietPolls;
  private Phase phase = Phase.WATCHING;
  /** False once the commander stops reading alerts: out of time, of calls, or told it has seen enough. */
  private boolean watching = true;
  private int polls;
  private int quiet;
  private int rounds;

  private final Map<String, Alert> alerts = new LinkedHashMap<>();
  private final Set<String> named = new LinkedHashSet<>();
  private final Set<String> toTriage = new LinkedHashSet<>();

  /** Children of the current step, asked for or running, with the resources each was given. */
  private final Map<String, Set<String>> asked = new LinkedHashMap<>();
  private final Deque<Action.Delegate> queued = new ArrayDeque<>();
  private int liveChildren;
  private final Set<String> roundConfirmed = new LinkedHashSet<>();

  private final Set<String> confirmed = new LinkedHashSet<>();
  private final Set<String> clean = new LinkedHashSet<>();
  private final Set<String> isolated = new LinkedHashSet<>();
  private final Set<String> disabled = new LinkedHashSet<>();
  private final Set<String> blocked = new LinkedHashSet<>();
  private final Set<String> restored = new LinkedHashSet<>();
  private final Map<String, Object> snapshots = new TreeMap<>();
  private final Map<String, Double> confidence = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    Instant now = event.at();
    if (event instanceof AgentEvent.MissionStarted started) {
      return start(started);
    }
    if (event instanceof AgentEvent.TimerFired timer && timer.key().equals(POLL_TIMER)) {
      return poll(now);
    }
    if (event instanceof AgentEvent.ToolResult result && result.tool().equals("siem.query")) {
      return onAlerts(result.outcome(), now);
    }
    if (event instanceof AgentEvent.CallDenied denied && denied.tool().equals("siem.query")) {
      // A denial is a strike: do not ask again.
      problems.add("reading alerts was denied: " + String.join("; ", denied.reasons()));
      return stopWatching();
    }
    if (event instanceof AgentEvent.ChildReported reported) {
      absorb(reported.role(), reported.report());
      return childEnded(reported.role(), now);
    }
    if (event instanceof AgentEvent.ChildHalted halted) {
      problems.add(halted.role() + " was halted: " + halted.reason());
      return childEnded(halted.role(), now);
    }
    if (event instanceof AgentEvent.ChildFailed failed) {
      problems.add(failed.role() + " failed: " + failed.reason());
      return childEnded(failed.role(), now);
    }
    if (event instanceof AgentEvent.DelegationRefused refused) {
      problems.add(refused.role() + " was refused: " + String.join("; ", refused.reasons()));
      return childEnded(refused.role(), now);
    }
    return List.of();
  }

  private List<Action> start(AgentEvent.MissionStarted started) {
    MissionBrief brief = started.brief();
    grants = new ChildGrants(started.grant());
    deadline = started.grant().bounds().deadline();
    pollEvery = Values.duration(brief, "pollEvery", POLL_EVERY);
    quietPolls = Math.max(WATCH_UNTIL_DEADLINE, Values.integer(brief.fact("quietPolls"), WATCH_UNTIL_DEADLINE));
    if (!grants.roomForChild(0)) {
      return List.of(new Action.Fail("the grant allows no child: a commander acts through its children"));
    }
    return poll(started.at());
  }

  // ------------------------------------------------------------------------------------------------ watching

  private List<Action> poll(Instant now) {
    if (!watching) {
      return List.of();
    }
    // What a read finds less than an interval before the deadline could not be acted on in time.
    if (now.plus(pollEvery.multipliedBy(2)).isAfter(deadline)) {
      return stopWatching();
    }
    if (!grants.takeCall("siem.query", "siem:alerts")) {
      problems.add("no siem.query on siem:alerts left in the grant");
      return stopWatching();
    }
    polls++;
    return List.of(new Action.CallTool("alerts-" + polls, "siem.query", "siem:alerts"));
  }

  private List<Action> onAlerts(ToolOutcome outcome, Instant now) {
    for (Alert alert : Alert.from(outcome)) {
      if (alerts.putIfAbsent(alert.id(), alert) == null) {
        name(alert.host());
        name(alert.toHost());
      }
    }
    List<Action> actions = new ArrayList<>();
    if (phase == Phase.WATCHING && !toTriage.isEmpty()) {
      actions.addAll(startTriage(now));
    } else if (phase == Phase.WATCHING && rounds > 0 && quietPolls != WATCH_UNTIL_DEADLINE && ++quiet >= quietPolls) {
      return stopWatching();
    }
    actions.add(new Action.StartTimer(POLL_TIMER, pollEvery));
    return actions;
  }

  /** Stops reading alerts: reports now, or when the round under way ends. */
  private List<Action> stopWatching() {
    watching = false;
    return phase == Phase.WATCHING ? finish() : List.of();
  }

  private void name(String host) {
    if (!host.isEmpty() && named.add(host)) {
      toTriage.add(host);
    }
  }

  // ------------------------------------------------------------------------------------------------ a round

  private List<Action> startTriage(Instant now) {
    List<String> hosts = new ArrayList<>(toTriage);
    toTriage.clear();
    List<String> leftOut = new ArrayList<>();
    List<Capability> scan = grants.oneCallEach("edr.scan", hosts, leftOut);
    leftOut.forEach(host -> problems.add(host + " was alerted on, but the grant holds no edr.scan on it"));
    hosts.removeAll(leftOut);
    if (hosts.isEmpty()) {
      return List.of();
    }
    Map<String, List<String>> techniques = new TreeMap<>();
    for (Alert alert : alerts.values()) {
      if (hosts.contains(alert.host()) && !alert.technique().isEmpty()) {
        techniques.computeIfAbsent(alert.host(), h -> new ArrayList<>()).add(alert.technique());
      }
    }
    phase = Phase.TRIAGE;
    return delegate("triage", "Scan these hosts and say which are compromised.",
        Map.of("hosts", Fact.of(hosts), "techniques", Fact.of(techniques)), scan, hosts, now);
  }

  private List<Action> startResponse(Instant now) {
    phase = Phase.RESPONSE;
    List<String> hosts = new ArrayList<>(roundConfirmed);
    // Accounts and addresses count only when an alert of a confirmed host names them.
    Set<String> accounts = new LinkedHashSet<>();
    Set<String> addresses = new LinkedHashSet<>();
    Map<String, Double> certainty = confidenceOf(hosts);
    for (Alert alert : alerts.values()) {
      if (roundConfirmed.contains(alert.host())) {
        if (!alert.account().isEmpty()) {
          accounts.add(alert.account());
          // An account is as certain as the most certain confirmed host whose alert names it.
          Double c = confidence.get(alert.host());
          if (c != null) {
            certainty.merge(alert.account(), c, Math::max);
          }
        }
        if (!alert.toAddress().isEmpty()) {
          addresses.add(alert.toAddress());
        }
      }
    }
    List<String> leftOut = new ArrayList<>();
    List<Capability> contain = new ArrayList<>(grants.oneCallEach("host.isolate", hosts, leftOut));
    contain.addAll(grants.oneCallEach("account.disable", new ArrayList<>(accounts), leftOut));
    contain.addAll(grants.oneCallEach("firewall.block", new ArrayList<>(addresses), leftOut));
    leftOut.forEach(r -> problems.add(r + " was not contained: the grant holds no call for it"));
    Set<String> toContain = new LinkedHashSet<>(hosts);
    toContain.addAll(accounts);
    toContain.addAll(addresses);
    toContain.removeAll(leftOut);

    List<String> noSnapshot = new ArrayList<>();
    List<Capability> snapshot = grants.oneCallEach("forensics.snapshot", hosts, noSnapshot);
    noSnapshot.forEach(h -> problems.add(h + " has no snapshot: the grant holds no forensics.snapshot for it"));
    List<String> toSnapshot = new ArrayList<>(hosts);
    toSnapshot.removeAll(noSnapshot);

    List<Action> actions = new ArrayList<>();
    if (!contain.isEmpty()) {
      actions.addAll(delegate("containment", "Isolate these hosts, disable these accounts, block these addresses.",
          Map.of("hosts", Fact.of(only(toContain, "host:")), "accounts", Fact.of(only(toContain, "account:")),
              "addresses", Fact.of(only(toContain, "net:")), "confidence", Fact.of(certainty)),
          contain, toContain, now));
    }
    if (!snapshot.isEmpty()) {
      actions.addAll(delegate("forensics", "Snapshot these hosts before anyone rebuilds them.",
          Map.of("hosts", Fact.of(toSnapshot)), snapshot, toSnapshot, now));
    }
    return asked.isEmpty() ? endRound(now) : actions;
  }

  private List<Action> startRecovery(Instant now) {
    phase = Phase.RECOVERY;
    List<String> hosts = new ArrayList<>();
    for (String host : roundConfirmed) {
      if (isolated.contains(host) && snapshots.containsKey(host)) {
        hosts.add(host);
      }
    }
    // Recovery is optional: without host.restore in the grant, isolated hosts wait for people to rebuild them.
    List<String> leftOut = new ArrayList<>();
    List<Capability> restore = grants.oneCallEach("host.restore", hosts, leftOut);
    hosts.removeAll(leftOut);
    if (restore.isEmpty()) {
      return endRound(now);
    }
    return delegate("recovery", "Rebuild these hosts from backup.",
        Map.of("hosts", Fact.of(hosts), "confidence", Fact.of(confidenceOf(hosts))), restore, hosts, now);
  }

  private List<Action> endRound(Instant now) {
    rounds++;
    phase = Phase.WATCHING;
    quiet = 0;
    roundConfirmed.clear();
    List<Action> next = toTriage.isEmpty() ? List.of() : startTriage(now);
    if (phase == Phase.WATCHING && !watching) {
      return finish();
    }
    return next;
  }

  // ------------------------------------------------------------------------------------------------ children

  /** Asks for a child that does not delegate, holding {@code capabilities} over {@code resources}; queued when no slot. */
  private List<Action> delegate(String role, String objective, Map<String, Fact> facts, List<Capability> capabilities,
      Iterable<String> resources, Instant now) {
    Set<String> given = new LinkedHashSet<>();
    resources.forEach(given::add);
    asked.put(role, given);
    GrantRequest grant = new GrantRequest(capabilities, grants.leafBounds(now));
    // Each child's role is the name of its agent type.
    queued.add(new Action.Delegate(role, role, new MissionBrief(objective, facts), grant));
    return launch();
  }

  private List<Action> launch() {
    List<Action> actions = new ArrayList<>();
    while (!queued.isEmpty() && grants.roomForChild(liveChildren)) {
      actions.add(queued.poll());
      liveChildren++;
    }
    return actions;
  }

  /** A child of the current step ended (or was never spawned); the next step starts when the last one has. */
  private List<Action> childEnded(String role, Instant now) {
    if (asked.remove(role) == null) {
      return List.of();
    }
    liveChildren--;
    List<Action> actions = new ArrayList<>(launch());
    if (asked.isEmpty()) {
      if (phase == Phase.TRIAGE) {
        actions.addAll(roundConfirmed.isEmpty() ? endRound(now) : startResponse(now));
      } else if (phase == Phase.RESPONSE) {
        actions.addAll(startRecovery(now));
      } else if (phase == Phase.RECOVERY) {
        actions.addAll(endRound(now));
      }
    }
    return actions;
  }

  /** Takes from a child's report only what concerns the resources that child was given. */
  private void absorb(String role, Map<String, Object> report) {
    Set<String> given = asked.getOrDefault(role, Set.of());
    switch (role) {
      case "triage" -> {
        for (String host : mine(report.get("confirmed"), given)) {
          roundConfirmed.add(host);
          confirmed.add(host);
          Double c = Values.numbers(report.get("confidence")).get(host);
          if (c != null && c >= 0 && c <= 1) {
            confidence.put(host, c);
          }
        }
        clean.addAll(mine(report.get("clean"), given));
        troubles(role, report.get("unscanned"));
      }
      case "containment" -> {
        isolated.addAll(mine(report.get("isolated"), given));
        disabled.addAll(mine(report.get("disabled"), given));
        blocked.addAll(mine(report.get("blocked"), given));
        troubles(role, report.get("denied"));
        troubles(role, report.get("failed"));
      }
      case "forensics" -> {
        Object taken = report.get("snapshots");
        for (String host : given) {
          if (Values.get(taken, host) instanceof String id) {
            snapshots.put(host, id);
          }
        }
        troubles(role, report.get("failed"));
      }
      case "recovery" -> {
        restored.addAll(mine(report.get("restored"), given));
        troubles(role, report.get("denied"));
        troubles(role, report.get("failed"));
      }
      default -> { }
    }
  }

  /** The confidence triage gave each of {@code hosts}; a host without one is left out, and its calls state none. */
  private Map<String, Double> confidenceOf(List<String> hosts) {
    Map<String, Double> out = new TreeMap<>();
    hosts.stream().filter(confidence::containsKey).forEach(h -> out.put(h, confidence.get(h)));
    return out;
  }

  private static List<String> mine(Object reported, Set<String> given) {
    return Values.strings(reported).stream().filter(given::contains).distinct().toList();
  }

  private void troubles(String role, Object entries) {
    Values.maps(entries).forEach(entry -> problems.add(role + ": " + entry));
  }

  private static List<String> only(Set<String> resources, String kind) {
    return resources.stream().filter(r -> r.startsWith(kind)).toList();
  }

  // ------------------------------------------------------------------------------------------------ the end

  /** Completes when every alerted host was judged and every compromised one isolated; fails with the reasons if not. */
  private List<Action> finish() {
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
      return List.of(new Action.Fail(String.join("; ", why)));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("status", confirmed.isEmpty() ? "nothing-found" : "contained");
    report.put("alerts", alerts.size());
    report.put("rounds", rounds);
    report.put("confirmed", List.copyOf(confirmed));
    report.put("clean", List.copyOf(clean));
    report.put("isolated", List.copyOf(isolated));
    report.put("disabled", List.copyOf(disabled));
    report.put("blocked", List.copyOf(blocked));
    report.put("snapshots", snapshots);
    report.put("restored", List.copyOf(restored));
    report.put("problems", problems);
    return List.of(new Action.Complete(report));
  }
}
