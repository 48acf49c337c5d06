package dev.custos.sim.env;

import dev.custos.policies.ResourceDirectory;
import dev.custos.scenario.AttackStep;
import dev.custos.scenario.Host;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.Target;
import dev.custos.sim.SimulationRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The simulated environment's state for one run of a {@link Scenario}: its hosts and accounts, and what defenders and
 * the attacker changed — isolated hosts, disabled accounts, blocked addresses, compromised hosts, alerts raised,
 * snapshots, restores, exports, tickets — with every executed effect, every credential refused and every change of a
 * blocking state, in order. Also the {@link ResourceDirectory} policies read (zone, criticality, privilege).
 *
 * <p>Changed only by {@link SimulatedTools} and {@link SimulatedAttacker} (package-private mutators); read by a runner
 * for the report. Times are virtual milliseconds since {@code start}. Not thread safe: used from the simulation thread
 * only, except {@link #describe}, which reads immutable maps and may be called from any thread.
 */
public final class World implements ResourceDirectory {

  /** A SIEM alert as {@code siem.query} returns it; {@code host}, {@code technique}, {@code to}, {@code account} may be null. */
  public record RaisedAlert(String id, String host, String technique, String text, long atMs, String to,
      String account) {
    public RaisedAlert {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(text, "text");
    }

    /** The shape of agents/README.md: absent fields are left out. */
    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("id", id);
      if (host != null) {
        map.put("host", host);
      }
      if (technique != null) {
        map.put("technique", technique);
      }
      map.put("text", text);
      map.put("atMs", atMs);
      if (to != null) {
        map.put("to", to);
      }
      if (account != null) {
        map.put("account", account);
      }
      return map;
    }
  }

  /** An executed tool call: its effect happened (or its read returned) at {@code atMs}; {@code seq} counts from 1. */
  public record Effect(int seq, long atMs, String tool, String resource, String agent, String callId) {}

  /** A credential a tool refused: the report's {@code credential-rejected} event. {@code credential} may be null. */
  public record CredentialRefusal(long atMs, String credential, String presentedBy, String tool, String resource,
      String reason) {}

  /** A blocking state changed at {@code atMs}: {@code resource} (host, account or net) became blocked or not. */
  public record BlockChange(long atMs, String resource, boolean blocked) {}

  private final Scenario scenario;
  private final Clock clock;
  private final Instant start;
  private final Map<String, Host> hostsById;
  private final Map<String, Host> hostsByResource;
  private final Map<String, ResourceFacts> facts;

  private final Set<String> isolated = new LinkedHashSet<>();
  private final Set<String> disabled = new LinkedHashSet<>();
  private final Set<String> blocked = new LinkedHashSet<>();
  private final Set<String> compromised = new LinkedHashSet<>();
  private final Map<String, List<String>> techniques = new LinkedHashMap<>();
  private final List<RaisedAlert> alerts = new ArrayList<>();
  private final Map<String, List<String>> snapshots = new LinkedHashMap<>();
  private final List<String> restored = new ArrayList<>();
  private final List<String> exported = new ArrayList<>();
  private final Map<String, Integer> tickets = new LinkedHashMap<>();
  private final List<Effect> effects = new ArrayList<>();
  private final List<CredentialRefusal> refusals = new ArrayList<>();
  private final List<BlockChange> changes = new ArrayList<>();
  private int snapshotCount;

  /**
   * The world at the start of a run: nothing isolated, disabled or blocked; the attacker's start host compromised.
   *
   * @param clock the run's virtual clock
   * @param start the virtual time the run started at (a report's 0 ms)
   */
  public World(Scenario scenario, Clock clock, Instant start) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.start = Objects.requireNonNull(start, "start");
    Map<String, Host> byId = new LinkedHashMap<>();
    Map<String, Host> byResource = new LinkedHashMap<>();
    Map<String, ResourceFacts> known = new LinkedHashMap<>();
    for (Host host : scenario.environment().hosts()) {
      byId.put(host.id(), host);
      byResource.put(host.resource(), host);
      known.put(host.resource(), new ResourceFacts("host", host.zone(), host.criticality().text(), false));
    }
    scenario.environment().accounts().forEach(account ->
        known.put(account.resource(), new ResourceFacts("account", "", "", account.privileged())));
    this.hostsById = Collections.unmodifiableMap(byId);
    this.hostsByResource = Collections.unmodifiableMap(byResource);
    this.facts = Collections.unmodifiableMap(known);
    compromised.add(hostsById.get(scenario.attacker().start()).resource());
  }

  /** The world of {@code run}: its virtual clock, starting at the run's start. */
  public static World of(Scenario scenario, SimulationRun run) {
    return new World(scenario, run.clock(), run.start());
  }

  public Scenario scenario() {
    return scenario;
  }

  /** Virtual milliseconds since the start of the run. */
  public long nowMs() {
    return Duration.between(start, clock.instant()).toMillis();
  }

  public Instant start() {
    return start;
  }

  // ---------------------------------------------------------------------------------------------- lookups

  /** The host of that id, if declared. */
  public Optional<Host> hostById(String id) {
    return Optional.ofNullable(hostsById.get(id));
  }

  /** The host of that resource name ({@code host:corp/fin-ws-01}), if declared. */
  public Optional<Host> host(String resource) {
    return Optional.ofNullable(hostsByResource.get(resource));
  }

  /** Whether {@code account:<id>} is a declared account. */
  public boolean hasAccount(String resource) {
    return facts.containsKey(resource) && facts.get(resource).kind().equals("account");
  }

  /**
   * What policies know of a resource: declared hosts their zone and criticality, declared accounts their privilege;
   * any other name what it says itself ({@link ResourceDirectory#fromName}).
   */
  @Override
  public ResourceFacts describe(String resource) {
    ResourceFacts known = resource == null ? null : facts.get(resource);
    return known != null ? known : ResourceDirectory.fromName(resource == null ? "" : resource);
  }

  // ---------------------------------------------------------------------------------------------- state

  public boolean isIsolated(String hostResource) {
    return isolated.contains(hostResource);
  }

  public boolean isDisabled(String accountResource) {
    return disabled.contains(accountResource);
  }

  public boolean isBlocked(String netResource) {
    return blocked.contains(netResource);
  }

  public boolean isCompromised(String hostResource) {
    return compromised.contains(hostResource);
  }

  /** Whether a host, account or address is blocked (isolated, disabled, firewalled) now. */
  public boolean blocks(String resource) {
    return isolated.contains(resource) || disabled.contains(resource) || blocked.contains(resource);
  }

  public List<String> isolatedHosts() {
    return List.copyOf(isolated);
  }

  public List<String> disabledAccounts() {
    return List.copyOf(disabled);
  }

  public List<String> blockedAddresses() {
    return List.copyOf(blocked);
  }

  public List<String> compromisedHosts() {
    return List.copyOf(compromised);
  }

  /** The techniques of the attacker's steps that happened on or reached {@code hostResource}, in order, distinct. */
  public List<String> techniquesOn(String hostResource) {
    return List.copyOf(techniques.getOrDefault(hostResource, List.of()));
  }

  /** Every alert raised so far, oldest first. */
  public List<RaisedAlert> alerts() {
    return List.copyOf(alerts);
  }

  /** Snapshot ids by host resource, in the order taken. */
  public Map<String, List<String>> snapshots() {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    snapshots.forEach((host, ids) -> copy.put(host, List.copyOf(ids)));
    return Collections.unmodifiableMap(copy);
  }

  /** Hosts restored, in order (repeats kept). */
  public List<String> restoredHosts() {
    return List.copyOf(restored);
  }

  /** {@code net:} addresses data was exported to, in order (repeats kept). */
  public List<String> exports() {
    return List.copyOf(exported);
  }

  /** How many updates each ticket had, in the order first updated. */
  public Map<String, Integer> tickets() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(tickets));
  }

  /** Every executed tool call, in order. */
  public List<Effect> effects() {
    return List.copyOf(effects);
  }

  /** Every credential a tool refused, in order. */
  public List<CredentialRefusal> credentialRefusals() {
    return List.copyOf(refusals);
  }

  /** Every change of an isolation, a disabled account or a firewall block, in order of time. */
  public List<BlockChange> blockChanges() {
    return List.copyOf(changes);
  }

  /**
   * What would stop {@code step} now, by the spec's blocking rules in their order, or empty: {@code "isolated
   * host:corp/fin-ws-02"}, {@code "disabled account:svc-backup"}, {@code "blocked net:203.0.113.7"}.
   */
  public Optional<String> blockedBy(AttackStep step) {
    Optional<String> origin = step.origin().map(this::hostResource);
    if (origin.isPresent() && isolated.contains(origin.get())) {
      return Optional.of("isolated " + origin.get());
    }
    Optional<String> to = step.to().map(this::targetResource);
    if (to.isPresent() && to.get().startsWith("host:") && isolated.contains(to.get())) {
      return Optional.of("isolated " + to.get());
    }
    Optional<String> account = step.account().map(id -> "account:" + id);
    if (account.isPresent() && disabled.contains(account.get())) {
      return Optional.of("disabled " + account.get());
    }
    if (to.isPresent() && to.get().startsWith("net:") && blocked.contains(to.get())) {
      return Optional.of("blocked " + to.get());
    }
    return Optional.empty();
  }

  /** The resources whose block would stop {@code step}: its origin host, its {@code to}, its account. */
  public List<String> blockingResources(AttackStep step) {
    List<String> resources = new ArrayList<>();
    step.origin().map(this::hostResource).ifPresent(resources::add);
    step.to().map(this::targetResource).ifPresent(resources::add);
    step.account().map(id -> "account:" + id).ifPresent(resources::add);
    return resources;
  }

  /** {@code host:<zone>/<id>} of a declared host id. */
  public String hostResource(String id) {
    Host host = hostsById.get(id);
    if (host == null) {
      throw new IllegalArgumentException("no host " + id + " in scenario " + scenario.name());
    }
    return host.resource();
  }

  /** A step's {@code to} as a resource name: a host's, or {@code net:<address>}. */
  public String targetResource(Target target) {
    if (target instanceof Target.HostId host) {
      return hostResource(host.id());
    }
    return ((Target.NetAddress) target).resource();
  }

  // ---------------------------------------------------------------------------------------------- changes

  void isolate(String host) {
    if (isolated.add(host)) {
      changes.add(new BlockChange(nowMs(), host, true));
    }
  }

  void release(String host) {
    if (isolated.remove(host)) {
      changes.add(new BlockChange(nowMs(), host, false));
    }
  }

  void disable(String account) {
    if (disabled.add(account)) {
      changes.add(new BlockChange(nowMs(), account, true));
    }
  }

  void enable(String account) {
    if (disabled.remove(account)) {
      changes.add(new BlockChange(nowMs(), account, false));
    }
  }

  void block(String address) {
    if (blocked.add(address)) {
      changes.add(new BlockChange(nowMs(), address, true));
    }
  }

  void unblock(String address) {
    if (blocked.remove(address)) {
      changes.add(new BlockChange(nowMs(), address, false));
    }
  }

  /** A host rebuilt from backup: no longer compromised. */
  void restore(String host) {
    restored.add(host);
    compromised.remove(host);
  }

  String snapshot(String host) {
    String id = "snap-" + ++snapshotCount;
    snapshots.computeIfAbsent(host, h -> new ArrayList<>()).add(id);
    return id;
  }

  void export(String address) {
    exported.add(address);
  }

  void updateTicket(String ticket) {
    tickets.merge(ticket, 1, Integer::sum);
  }

  /** An attacker's step happened: its technique is seen on its hosts, and a {@code to} host is compromised. */
  void stepHappened(AttackStep step) {
    String origin = hostResource(step.origin().orElse(scenario.attacker().start()));
    noteTechnique(origin, step.technique());
    step.to().ifPresent(to -> {
      if (to instanceof Target.HostId host) {
        String reached = hostResource(host.id());
        compromised.add(reached);
        noteTechnique(reached, step.technique());
      }
    });
  }

  private void noteTechnique(String host, String technique) {
    List<String> seen = techniques.computeIfAbsent(host, h -> new ArrayList<>());
    if (!seen.contains(technique)) {
      seen.add(technique);
    }
  }

  /** Raises an alert now, with the next id {@code al-N}. */
  RaisedAlert raise(String host, String technique, String text, String to, String account) {
    RaisedAlert alert = new RaisedAlert("al-" + (alerts.size() + 1), host, technique, text, nowMs(), to, account);
    alerts.add(alert);
    return alert;
  }

  Effect recordEffect(String tool, String resource, String agent, String callId) {
    Effect effect = new Effect(effects.size() + 1, nowMs(), tool, resource, agent, callId);
    effects.add(effect);
    return effect;
  }

  void recordRefusal(String credential, String presentedBy, String tool, String resource, String reason) {
    refusals.add(new CredentialRefusal(nowMs(), credential, presentedBy, tool, resource, reason));
  }
}
