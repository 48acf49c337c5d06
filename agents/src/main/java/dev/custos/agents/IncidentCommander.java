package dev.custos.agents;

import dev.custos.Durations;
import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.capability.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The root of a defence mission. It reads the SIEM's alerts and delegates each step of the response to a child holding
 * only what that step needs, one call per resource:
 *
 * <ol>
 *   <li>{@code triage} gets {@code edr.scan} on exactly the alerted hosts;
 *   <li>{@code containment} gets {@code host.isolate} on exactly the hosts triage confirmed (and {@code account.disable}
 *       / {@code firewall.block} on the accounts and addresses the alerts of those hosts name), while {@code forensics}
 *       gets the read-only {@code forensics.snapshot} on the same hosts;
 *   <li>{@code recovery} gets {@code host.restore} on the hosts both isolated and snapshotted, when the grant holds it.
 * </ol>
 *
 * <p>Each step starts as soon as what it needs is known, so a containment holding its isolations does not hold up the
 * triage of the next alerts. A scan can miss: a host judged clean is scanned once more straight away, and again
 * whenever a new alert names it. A child that ends without a report (halted, failed), or a triage or forensics agent
 * that has not reported within {@code patience}, has its resources given to a new child of its kind, up to
 * {@link #TRIES} children per resource; the one it stopped waiting for lives on until it ends, and what it reports
 * late still counts.
 *
 * <p>It reads until the next read would fall less than one interval before its deadline, waits for the children it
 * still expects, and reports. Only a brief that says so ends it sooner: with {@code quietPolls} it reports after that
 * many reads with nothing under way (once it has triaged). It completes when every alerted host was judged and every
 * compromised one isolated, and fails with the reasons when one was not (a child halted, a call denied, a host
 * outside its grant).
 *
 * <p>Brief facts, all optional: {@code pollEvery} (a duration, {@code 30s} by default), {@code quietPolls} (none:
 * watch until the deadline) and {@code patience} (a duration, {@code 2m}).
 * Report: {@code {status: contained | nothing-found, alerts, rounds, confirmed, clean, isolated, disabled, blocked,
 * snapshots: {host: id}, restored, problems}}.
 *
 * <p>What children report is data, not authority ({@link Findings}); alert text is never acted on.
 */
public final class IncidentCommander implements Agent {

  public static final Duration POLL_EVERY = Duration.ofSeconds(30);
  /** No {@code quietPolls} in the brief: quiet reads never end the watch, the deadline does. */
  public static final int WATCH_UNTIL_DEADLINE = 0;
  /** How long it waits for a triage or forensics report (a few reads) before it asks another child. */
  public static final Duration PATIENCE = Duration.ofMinutes(2);
  /** How many children a resource is given to, at most, when they end without doing their part for it. */
  public static final int TRIES = 3;

  private static final String TRIAGE = DefenceAgents.TRIAGE;
  private static final String CONTAINMENT = DefenceAgents.CONTAINMENT;
  private static final String FORENSICS = DefenceAgents.FORENSICS;
  private static final String RECOVERY = DefenceAgents.RECOVERY;
  /** Which waiting child goes first when a slot frees: containing what is known before looking further. */
  private static final List<String> RANK = List.of(CONTAINMENT, TRIAGE, FORENSICS, RECOVERY);
  private static final String POLL_TIMER = "poll";
  private static final String CONTAIN_AGAIN_TIMER = "contain-again";

  private ChildGrants grants;
  private Children children;
  private final Findings findings = new Findings();
  private Instant deadline;
  private Duration pollEvery;
  private Duration patience;
  /** Reads with nothing under way that end the watch; {@link #WATCH_UNTIL_DEADLINE} for none. */
  private int quietPolls;
  /** False once the commander stops reading alerts: out of time, of calls, or told it has seen enough. */
  private boolean watching = true;
  private int polls;
  private int quiet;
  private int rounds;

  private final Map<String, Alert> alerts = new LinkedHashMap<>();
  /** Every host an alert named: each must be judged. */
  private final Set<String> named = new LinkedHashSet<>();

  /** Work for the next child of each step: hosts to scan; hosts, accounts, addresses to contain; hosts to snapshot. */
  private final Set<String> toTriage = new LinkedHashSet<>();
  private final Set<String> toContain = new LinkedHashSet<>();
  private final Set<String> toSnapshot = new LinkedHashSet<>();
  /** What a halted containment held, contained again one interval later (see {@link #askAgain}). */
  private final Set<String> containLater = new LinkedHashSet<>();
  /** What a containment was given and did not hand back by ending without a report: never given twice. */
  private final Set<String> contained = new LinkedHashSet<>();
  private final Set<String> restoreAsked = new LinkedHashSet<>();
  /** {@code "tool resource"} the grant holds no call for: reported once, not asked for again. */
  private final Set<String> outOfGrant = new LinkedHashSet<>();
  /** Children given each {@code "role resource"}; looked up only, never iterated. */
  private final Map<String, Integer> tries = new HashMap<>();
  /** Hosts that had their second scan after a first clean verdict. */
  private final Set<String> secondLook = new LinkedHashSet<>();
  /** Roles a delegation was refused for: a refusal is a strike, so they are not asked for again. */
  private final Set<String> refused = new LinkedHashSet<>();

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
    if (event instanceof AgentEvent.TimerFired timer) {
      return onTimer(timer.key(), now);
    }
    if (event instanceof AgentEvent.ToolResult result && result.tool().equals("siem.query")) {
      return onAlerts(result.outcome(), now);
    }
    if (event instanceof AgentEvent.CallDenied denied && denied.tool().equals("siem.query")) {
      // A denial is a strike: do not ask again.
      findings.problem("reading alerts was denied: " + String.join("; ", denied.reasons()));
      return stopWatching();
    }
    if (event instanceof AgentEvent.ChildStarted started) {
      children.started(started.child(), started.role());
      return List.of();
    }
    if (event instanceof AgentEvent.ChildReported reported) {
      return children.ended(reported.child(), reported.role())
          .map(child -> onReport(child, reported.report(), now)).orElse(List.of());
    }
    if (event instanceof AgentEvent.ChildHalted halted) {
      return children.ended(halted.child(), halted.role())
          .map(child -> onUnanswered(child, "was halted: " + halted.reason(), true, now)).orElse(List.of());
    }
    if (event instanceof AgentEvent.ChildFailed failed) {
      return children.ended(failed.child(), failed.role())
          .map(child -> onUnanswered(child, "failed: " + failed.reason(), false, now)).orElse(List.of());
    }
    if (event instanceof AgentEvent.DelegationRefused denied) {
      findings.problem(denied.role() + " was refused: " + String.join("; ", denied.reasons()));
      refused.add(denied.role());
      return children.refused(denied.role()).map(child -> next(now)).orElse(List.of());
    }
    return List.of();
  }

  private List<Action> start(AgentEvent.MissionStarted started) {
    MissionBrief brief = started.brief();
    grants = new ChildGrants(started.grant());
    children = new Children(grants);
    deadline = started.grant().bounds().deadline();
    pollEvery = Values.duration(brief, "pollEvery", POLL_EVERY);
    patience = Values.duration(brief, "patience", PATIENCE);
    quietPolls = Math.max(WATCH_UNTIL_DEADLINE, Values.integer(brief.fact("quietPolls"), WATCH_UNTIL_DEADLINE));
    if (!grants.roomForChild(0)) {
      return List.of(new Action.Fail("the grant allows no child: a commander acts through its children"));
    }
    return poll(started.at());
  }

  private List<Action> onTimer(String key, Instant now) {
    if (key.equals(POLL_TIMER)) {
      return poll(now);
    }
    if (key.equals(CONTAIN_AGAIN_TIMER)) {
      toContain.addAll(take(containLater));
      return next(now);
    }
    return children.outOfPatience(key).map(child -> {
      findings.problem(child.role() + " did not report within " + Durations.format(patience));
      askAgain(child, false);
      return next(now);
    }).orElse(List.of());
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
      findings.problem("no siem.query on siem:alerts left in the grant");
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
        if (findings.confirmed(alert.host())) {
          containWhatItNames(alert);
        }
      }
    }
    List<Action> actions = new ArrayList<>(next(now));
    if (busy()) {
      quiet = 0;
    } else if (rounds > 0 && quietPolls != WATCH_UNTIL_DEADLINE && ++quiet >= quietPolls) {
      return stopWatching();
    }
    actions.add(new Action.StartTimer(POLL_TIMER, pollEvery));
    return actions;
  }

  /** Stops reading alerts: reports now, or once nothing is under way. */
  private List<Action> stopWatching() {
    watching = false;
    return busy() ? List.of() : List.of(finish());
  }

  /** Whether a child is still expected, or a containment is to be asked for again. */
  private boolean busy() {
    return children.waiting() || !containLater.isEmpty();
  }

  /** A host an alert names is scanned: the first time, and again while no scan has confirmed it (scans can miss). */
  private void name(String host) {
    if (!host.isEmpty() && !findings.confirmed(host) && !outOfGrant.contains("edr.scan " + host)) {
      named.add(host);
      toTriage.add(host);
    }
  }

  /** Accounts and addresses count only when an alert of a confirmed host names them. */
  private void containWhatItNames(Alert alert) {
    for (String resource : List.of(alert.account(), alert.toAddress())) {
      if (!resource.isEmpty() && !contained.contains(resource)) {
        toContain.add(resource);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ the steps

  /** Asks for every step whose work is known, launches what there is room for, and reports when all is done. */
  private List<Action> next(Instant now) {
    if (!toContain.isEmpty() && !refused.contains(CONTAINMENT)) {
      askContainment();
    }
    if (!toSnapshot.isEmpty() && !refused.contains(FORENSICS)) {
      askForensics();
    }
    if (!refused.contains(RECOVERY)) {
      askRecovery();
    }
    // One triage at a time: hosts named while it scans wait for its verdicts, then for the next one.
    if (!toTriage.isEmpty() && !children.waitingFor(TRIAGE) && !refused.contains(TRIAGE)) {
      askTriage();
    }
    List<Action> actions = new ArrayList<>(children.launch(now));
    if (!watching && !busy()) {
      actions.add(finish());
    }
    return actions;
  }

  private void askTriage() {
    List<String> hosts = new ArrayList<>(take(toTriage));
    List<Capability> scan = callsFor("edr.scan", hosts, "was alerted on, but the grant holds no edr.scan on it");
    if (hosts.isEmpty()) {
      return;
    }
    Map<String, List<String>> techniques = new TreeMap<>();
    for (Alert alert : alerts.values()) {
      if (hosts.contains(alert.host()) && !alert.technique().isEmpty()) {
        techniques.computeIfAbsent(alert.host(), h -> new ArrayList<>()).add(alert.technique());
      }
    }
    rounds++;
    ask(TRIAGE, "Scan these hosts and say which are compromised.",
        Map.of("hosts", Fact.of(hosts), "techniques", Fact.of(techniques)), scan, hosts, patience);
  }

  private void askContainment() {
    List<String> resources = take(toContain);
    List<String> hosts = only(resources, "host:");
    List<String> accounts = only(resources, "account:");
    List<String> addresses = only(resources, "net:");
    String why = "was not contained: the grant holds no call for it";
    List<Capability> contain = new ArrayList<>(callsFor("host.isolate", hosts, why));
    contain.addAll(callsFor("account.disable", accounts, why));
    contain.addAll(callsFor("firewall.block", addresses, why));
    if (contain.isEmpty()) {
      return;
    }
    // An account is as certain as the most certain confirmed host whose alert names it.
    Map<String, Double> certainty = findings.confidenceOf(hosts);
    for (Alert alert : alerts.values()) {
      Double c = findings.confidence(alert.host());
      if (c != null && accounts.contains(alert.account())) {
        certainty.merge(alert.account(), c, Math::max);
      }
    }
    List<String> given = new ArrayList<>(hosts);
    given.addAll(accounts);
    given.addAll(addresses);
    contained.addAll(given);
    // Containment reports just before its deadline, holding its isolations until then: it is waited for that long.
    ask(CONTAINMENT, "Isolate these hosts, disable these accounts, block these addresses.",
        Map.of("hosts", Fact.of(hosts), "accounts", Fact.of(accounts), "addresses", Fact.of(addresses),
            "confidence", Fact.of(certainty)), contain, given, null);
  }

  private void askForensics() {
    List<String> hosts = new ArrayList<>(take(toSnapshot));
    List<Capability> snapshot = callsFor("forensics.snapshot", hosts,
        "has no snapshot: the grant holds no forensics.snapshot for it");
    if (!hosts.isEmpty()) {
      ask(FORENSICS, "Snapshot these hosts before anyone rebuilds them.", Map.of("hosts", Fact.of(hosts)), snapshot,
          hosts, patience);
    }
  }

  /** Hosts both isolated and snapshotted are rebuilt, once; without host.restore in the grant, people rebuild them. */
  private void askRecovery() {
    List<String> hosts = new ArrayList<>(findings.isolatedAndSnapshotted());
    hosts.removeIf(host -> !restoreAsked.add(host));
    List<String> leftOut = new ArrayList<>();
    List<Capability> restore = grants.oneCallEach("host.restore", hosts, leftOut);
    hosts.removeAll(leftOut);
    if (!hosts.isEmpty()) {
      // A person usually approves a restore, within the approval timeout: it is waited for until it ends.
      ask(RECOVERY, "Rebuild these hosts from backup.",
          Map.of("hosts", Fact.of(hosts), "confidence", Fact.of(findings.confidenceOf(hosts))), restore, hosts, null);
    }
  }

  /**
   * One call of {@code tool} on each of {@code resources} (see {@link ChildGrants#oneCallEach}); a resource the grant
   * holds no call for is removed from {@code resources} and reported once, with {@code why}.
   */
  private List<Capability> callsFor(String tool, List<String> resources, String why) {
    List<String> leftOut = new ArrayList<>();
    List<Capability> calls = grants.oneCallEach(tool, resources, leftOut);
    for (String resource : leftOut) {
      if (outOfGrant.add(tool + " " + resource)) {
        findings.problem(resource + " " + why);
      }
    }
    resources.removeAll(leftOut);
    return calls;
  }

  /** Asks for a child of {@code role}, waited for {@code wait} after its launch (null: until it ends). */
  private void ask(String role, String objective, Map<String, Fact> facts, List<Capability> capabilities,
      List<String> given, Duration wait) {
    given.forEach(resource -> tries.merge(role + " " + resource, 1, Integer::sum));
    children.ask(role, RANK.indexOf(role), objective, facts, capabilities, given, wait);
  }

  // ------------------------------------------------------------------------------------------------ children

  private List<Action> onReport(Children.Child child, Map<String, Object> report, Instant now) {
    for (String host : findings.absorb(child.role(), child.given(), report)) {
      // Confirmed: contained, with what its alerts name, and snapshotted.
      toTriage.remove(host);
      toContain.add(host);
      alerts.values().stream().filter(alert -> alert.host().equals(host)).forEach(this::containWhatItNames);
      toSnapshot.add(host);
    }
    if (child.role().equals(TRIAGE)) {
      // An alert said compromised, one scan said clean: the scan may have missed, so a second one looks again.
      for (String host : child.given()) {
        if (findings.clean(host) && secondLook.add(host)) {
          toTriage.add(host);
        }
      }
    }
    return next(now);
  }

  /** A child ended without a report: what it was given is asked for again, if it was still waited for. */
  private List<Action> onUnanswered(Children.Child child, String what, boolean halted, Instant now) {
    findings.problem(child.role() + " " + what);
    List<Action> actions = new ArrayList<>();
    if (child.waitedFor() && askAgain(child, halted)) {
      actions.add(new Action.StartTimer(CONTAIN_AGAIN_TIMER, pollEvery));
    }
    actions.addAll(next(now));
    return actions;
  }

  /**
   * Gives what {@code child} did not do back to its step, while the commander watches and the resource has tries
   * left. Recovery is not asked again: a restore is high risk, and one that did not happen waits for people.
   *
   * <p>A halted containment's isolations may be being rolled back (a scenario's {@code rollbackOnHalt}), and nothing
   * tells the parent when that is over: what it held is contained again one poll interval later, so that the rollback
   * does not undo the new isolations. Returns whether that was asked for.
   */
  private boolean askAgain(Children.Child child, boolean halted) {
    String role = child.role();
    boolean later = false;
    for (String resource : child.given()) {
      if (findings.done(role, resource) || role.equals(RECOVERY)) {
        continue;
      }
      if (role.equals(CONTAINMENT)) {
        contained.remove(resource);
      }
      if (!watching || tries.getOrDefault(role + " " + resource, 0) >= TRIES) {
        continue;
      }
      if (role.equals(TRIAGE)) {
        toTriage.add(resource);
      } else if (role.equals(FORENSICS)) {
        toSnapshot.add(resource);
      } else if (halted) {
        later = containLater.add(resource) || later;
      } else {
        toContain.add(resource);
      }
    }
    return later;
  }

  private static List<String> only(List<String> resources, String kind) {
    return new ArrayList<>(resources.stream().filter(r -> r.startsWith(kind)).toList());
  }

  private static List<String> take(Set<String> work) {
    List<String> taken = List.copyOf(work);
    work.clear();
    return taken;
  }

  private Action finish() {
    return findings.end(named, alerts.size(), rounds);
  }
}
