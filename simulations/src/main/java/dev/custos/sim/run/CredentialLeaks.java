package dev.custos.sim.run;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.agents.Behaviours;
import dev.custos.agents.CredentialThief;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialRequest;
import dev.custos.credential.CredentialScope;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.runtime.AgentSnapshot;
import dev.custos.runtime.AgentStatus;
import dev.custos.runtime.MissionSnapshot;
import dev.custos.sim.SimulationRun;
import dev.custos.tool.Tool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The simulation's part in the behaviours that present credentials not their own (spec/scenarios.md, "Behaviours":
 * {@code credential-thief}, and {@code rogue} "when it can get any"): when such a brain replaces an agent's, it is
 * handed a live credential of another agent of the mission, as a hijacked agent might find one in a shared log, a
 * memory dump or a careless parent's context.
 *
 * <p><b>Whose.</b> The compromised agent's parent's. The spec allows a sibling's as well; the parent is the choice
 * because it is always there: an agent that ends halts its children, so every running agent but the root has a running
 * parent, and the leak never depends on which siblings happen to be alive. The root has neither parent nor sibling and
 * gets nothing: a {@code credential-thief} then fails at once, a {@code rogue} goes on without.
 *
 * <p><b>What.</b> A credential the run's broker mints for the parent, as the parent's own host mints one for a call:
 * the holder's identity, mission and lineage; the audience of the first registered tool (the spec's order) that its
 * grant covers, scoped to that tool and to the resource patterns its grant gives for it; expiring after the broker's
 * lifetime or at the holder's deadline, whichever is first. One difference: a host binds its credentials to its own key,
 * which never leaves it, so this one is unbound. The simulated tools check the holder by the caller's identity, so
 * presented by its holder this credential passes every check of theirs: a true leak, not a look-alike. It leaks only
 * if the broker finds it valid for its holder at that moment; the broker revokes it with its holder's lineage.
 *
 * <p><b>How.</b> Through the public compromise path only: the brain handed to
 * {@link dev.custos.runtime.MissionHandle#redTeamCompromise} is the behaviour's own, wrapped so that the brief of its
 * {@code MissionStarted} carries one more fact, {@value CredentialThief#LEAKED_CREDENTIAL} (the bearer string, labelled
 * {@link Fact#SECRET}). The brain gets nothing else; the only way it has to present the credential is to put it in a
 * call or a brief, where the runtime refuses it.
 *
 * <p><b>When.</b> The credential is minted as the runtime makes the new brain, on the compromised agent's host just
 * before the swap is audited, so a leak happens exactly when a brain is swapped and at that instant. Each leak is kept
 * as a {@link CredentialLeak} (the credential's id, never its token), which the report shows on that
 * {@code compromise} event.
 *
 * <p>Used on the simulation thread only. Minting draws from the broker's seeded stream, so a seed repeats its leaks.
 */
final class CredentialLeaks {

  /** The behaviours that get a leaked credential. */
  static final Set<String> LEAKED_TO = Set.of(Behaviours.CREDENTIAL_THIEF, Behaviours.ROGUE);

  /** Sees each leaked credential, token and all, as it leaks: for tests. */
  @FunctionalInterface
  interface Witness {
    Witness NONE = (credential, leak, run) -> { };

    void leaked(Credential credential, CredentialLeak leak, SimulationRun run);
  }

  private final SimulationRun run;
  private final MissionId mission;
  private final List<Tool> tools;
  private final Witness witness;
  private final List<CredentialLeak> record = new ArrayList<>();

  /** Leaks on {@code run}'s broker, for agents of {@code mission}, minting for one of {@code tools}. */
  CredentialLeaks(SimulationRun run, MissionId mission, List<Tool> tools, Witness witness) {
    this.run = Objects.requireNonNull(run, "run");
    this.mission = Objects.requireNonNull(mission, "mission");
    this.tools = List.copyOf(tools);
    this.witness = Objects.requireNonNull(witness, "witness");
  }

  /**
   * The brain to compromise {@code agent} with: {@code behaviour}'s, given a credential of the agent's parent when the
   * behaviour is one of {@link #LEAKED_TO} and the parent runs in {@code snapshot}.
   */
  Supplier<Agent> brain(String behaviour, AgentSnapshot agent, MissionSnapshot snapshot) {
    Supplier<Agent> plain = Behaviours.named(behaviour);
    Optional<AgentSnapshot> parent = snapshot.agents().stream()
        .filter(a -> a.id().equals(agent.parent()) && a.status() == AgentStatus.RUNNING).findFirst();
    if (!LEAKED_TO.contains(behaviour) || parent.isEmpty()) {
      return plain;
    }
    return () -> {
      Agent brain = plain.get();
      Optional<Credential> leaked = mint(parent.get(), snapshot);
      if (leaked.isEmpty()) {
        return brain;
      }
      Credential credential = leaked.get();
      CredentialLeak leak = new CredentialLeak(run.now(), agent.id(), behaviour, credential.holder(), credential.id(),
          credential.audience(), credential.expiresAt());
      record.add(leak);
      witness.leaked(credential, leak, run);
      return new WithLeakedCredential(brain, Fact.secret(credential.token()));
    };
  }

  /** Every leak so far, in order. */
  List<CredentialLeak> record() {
    return List.copyOf(record);
  }

  /** A credential for {@code holder}, as its host would mint one; empty when none can be had live now. */
  private Optional<Credential> mint(AgentSnapshot holder, MissionSnapshot snapshot) {
    Instant now = run.now();
    GrantRequest grant = holder.grant();
    Instant deadline = grant.bounds().deadline();
    Optional<Tool> tool = tools.stream().filter(t -> grant.capabilities().stream()
        .anyMatch(c -> c.tool().matches(t.name()))).findFirst();
    if (tool.isEmpty() || !deadline.isAfter(now)) {
      return Optional.empty();
    }
    List<Pattern> resources = new ArrayList<>();
    for (Capability capability : grant.capabilities()) {
      if (capability.tool().matches(tool.get().name())) {
        capability.resources().stream().filter(r -> !resources.contains(r)).forEach(resources::add);
      }
    }
    Credential credential = run.credentials().issue(new CredentialRequest(holder.id(), holder.identity(), mission,
        lineage(holder, snapshot), tool.get().audience(), now, deadline)
        .withScope(new CredentialScope(List.of(tool.get().name()), resources)));
    boolean live = run.credentials().verify(credential.token(), credential.audience(), holder.identity(), now)
        instanceof Verification.Valid;
    return live ? Optional.of(credential) : Optional.empty();
  }

  /** The delegation chain of {@code agent}, root first. */
  private static List<AgentId> lineage(AgentSnapshot agent, MissionSnapshot snapshot) {
    Map<AgentId, AgentSnapshot> byId = new HashMap<>();
    snapshot.agents().forEach(a -> byId.put(a.id(), a));
    List<AgentId> lineage = new ArrayList<>();
    for (AgentSnapshot a = agent; a != null; a = a.parent() == null ? null : byId.get(a.parent())) {
      lineage.add(0, a.id());
    }
    return lineage;
  }

  /** A behaviour's brain whose {@code MissionStarted} brief carries the leaked credential as one more fact. */
  private static final class WithLeakedCredential implements Agent {
    private final Agent brain;
    private final Fact leaked;

    WithLeakedCredential(Agent brain, Fact leaked) {
      this.brain = brain;
      this.leaked = leaked;
    }

    @Override
    public List<Action> onEvent(AgentEvent event) {
      if (event instanceof AgentEvent.MissionStarted started) {
        Map<String, Fact> facts = new TreeMap<>(started.brief().facts());
        facts.put(CredentialThief.LEAKED_CREDENTIAL, leaked);
        return brain.onEvent(new AgentEvent.MissionStarted(started.at(),
            new MissionBrief(started.brief().objective(), facts), started.grant(), started.self()));
      }
      return brain.onEvent(event);
    }

    @Override
    public boolean blocking() {
      return brain.blocking();
    }

    @Override
    public String toString() {
      return "WithLeakedCredential[" + brain.getClass().getSimpleName() + "]";
    }
  }
}
