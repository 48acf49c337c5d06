package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.identity.AgentId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The children an agent asked for, from the ask to their end: queued until {@link ChildGrants} has room for one more,
 * then launched (the {@code Delegate} action is out), started, ended. The runtime names a child in its events by its
 * {@link AgentId} once it started; a refusal comes before that and carries only the role, so it means the role's oldest
 * child not yet started (the runtime answers an agent's delegations in the order they were asked).
 *
 * <p>A child may be given a patience: if it has not ended that long after its launch, a timer tells the agent, which
 * then stops waiting for it ({@link Child#waitedFor()} turns false). The child lives on until it ends by itself, its
 * deadline or its parent's end, and keeps its slot until then.
 *
 * <p>Not thread safe; an agent is called one event at a time.
 */
final class Children {

  private static final String PATIENCE_TIMER = "patience-";

  /** One child, asked for, with the resources its grant names. */
  static final class Child {
    private final int ticket;
    private final String role;
    private final int rank;
    private final MissionBrief brief;
    private final List<Capability> capabilities;
    private final Set<String> given;
    private final Duration patience;
    private AgentId id;
    private boolean waitedFor = true;

    private Child(int ticket, String role, int rank, MissionBrief brief, List<Capability> capabilities,
        Set<String> given, Duration patience) {
      this.ticket = ticket;
      this.role = role;
      this.rank = rank;
      this.brief = brief;
      this.capabilities = capabilities;
      this.given = given;
      this.patience = patience;
    }

    String role() {
      return role;
    }

    /** The resources its grant names, in the order given. */
    Set<String> given() {
      return given;
    }

    /** False once its parent ran out of patience with it. */
    boolean waitedFor() {
      return waitedFor;
    }
  }

  private final ChildGrants grants;
  /** Asked for, waiting for room: launched by rank, then in the order asked. */
  private final List<Child> queued = new ArrayList<>();
  /** Launched and not ended. */
  private final List<Child> live = new ArrayList<>();
  private int tickets;

  Children(ChildGrants grants) {
    this.grants = grants;
  }

  /**
   * Asks for a child that does not delegate, of the agent type named {@code role}, holding {@code capabilities} over
   * {@code given}. It is launched by {@link #launch} when there is room, children of a lower {@code rank} first.
   *
   * @param patience how long after its launch to wait for it; null to wait until it ends
   */
  void ask(String role, int rank, String objective, Map<String, Fact> facts, List<Capability> capabilities,
      Iterable<String> given, Duration patience) {
    Set<String> resources = new LinkedHashSet<>();
    given.forEach(resources::add);
    queued.add(new Child(++tickets, role, rank, new MissionBrief(objective, facts), List.copyOf(capabilities),
        resources, patience));
    queued.sort(Comparator.comparingInt((Child c) -> c.rank).thenComparingInt(c -> c.ticket));
  }

  /** The delegations (and patience timers) of the queued children there is room for now; bounds count from now. */
  List<Action> launch(Instant now) {
    List<Action> actions = new ArrayList<>();
    while (!queued.isEmpty() && grants.roomForChild(live.size())) {
      Child child = queued.remove(0);
      live.add(child);
      GrantRequest grant = new GrantRequest(child.capabilities, grants.leafBounds(now));
      // Each child's role is the name of its agent type.
      actions.add(new Action.Delegate(child.role, child.role, child.brief, grant));
      if (child.patience != null) {
        actions.add(new Action.StartTimer(PATIENCE_TIMER + child.ticket, child.patience));
      }
    }
    return actions;
  }

  /** The runtime started the role's oldest child not yet started, as {@code id}. */
  void started(AgentId id, String role) {
    unstarted(role).ifPresent(child -> child.id = id);
  }

  /** A child reported, failed or was halted: it is no longer live. Empty for a child not asked for here. */
  Optional<Child> ended(AgentId id, String role) {
    Optional<Child> child = live.stream().filter(c -> id.equals(c.id)).findFirst().or(() -> unstarted(role));
    child.ifPresent(live::remove);
    return child;
  }

  /** A delegation of {@code role} was refused: its oldest child not yet started never will be. */
  Optional<Child> refused(String role) {
    Optional<Child> child = unstarted(role);
    child.ifPresent(live::remove);
    return child;
  }

  /** Whether {@code key} is the key of a patience timer. */
  static boolean isPatienceTimer(String key) {
    return key.startsWith(PATIENCE_TIMER);
  }

  /** The child whose patience ran out, if it is still live and was waited for; from now on it is not. */
  Optional<Child> outOfPatience(String key) {
    Optional<Child> child = live.stream().filter(c -> c.waitedFor && key.equals(PATIENCE_TIMER + c.ticket))
        .findFirst();
    child.ifPresent(c -> c.waitedFor = false);
    return child;
  }

  /** Whether a child is queued, or live and waited for. */
  boolean waiting() {
    return !queued.isEmpty() || live.stream().anyMatch(c -> c.waitedFor);
  }

  /** Whether a child of {@code role} is queued, or live and waited for. */
  boolean waitingFor(String role) {
    return queued.stream().anyMatch(c -> c.role.equals(role))
        || live.stream().anyMatch(c -> c.waitedFor && c.role.equals(role));
  }

  private Optional<Child> unstarted(String role) {
    return live.stream().filter(c -> c.id == null && c.role.equals(role)).findFirst();
  }
}
