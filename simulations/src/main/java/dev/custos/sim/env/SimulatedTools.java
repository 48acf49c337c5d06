package dev.custos.sim.env;

import dev.custos.agent.ToolOutcome;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialBroker;
import dev.custos.credential.CredentialVerifier;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.credential.Presentation;
import dev.custos.credential.Verdict;
import dev.custos.credential.Verification;
import dev.custos.scenario.SimulatedTool;
import dev.custos.sim.SeededRandom;
import dev.custos.sim.SimulationRun;
import dev.custos.tool.Compensation;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The tools of the simulated environment, one {@link Tool} per {@link SimulatedTool}, acting on a {@link World}.
 *
 * <p>Each call first has its credential verified — by a {@link CredentialVerifier} on the run's virtual clock when the
 * run's broker signs JWTs, by the broker itself for opaque tokens — against the tool's audience, the call's resource and
 * the caller's identity; a bad one is refused with {@link ToolOutcome.Failed} naming the verifier's reason, and the
 * refusal is recorded in the world. A resource the world does not have fails too. Otherwise the effect happens, and
 * the result (the shapes of agents/README.md) is given, after a seeded virtual delay of 200 to 2000 ms; the effect is
 * recorded in the world at that moment. {@code edr.scan} finds a compromise with the scenario's detection probability.
 *
 * <p>Used on the simulation thread only.
 */
public final class SimulatedTools {

  /** The shortest and longest virtual time a tool takes to answer. */
  static final int MIN_DELAY_MS = 200;
  static final int MAX_DELAY_MS = 2000;

  private SimulatedTools() {}

  /** Every simulated tool, in the order of the spec, acting on {@code world} and answering on {@code run}. */
  public static List<Tool> create(World world, SimulationRun run) {
    Verifier verifier = verifierFor(run.credentials(), run.clock());
    Scheduler scheduler = run::after;
    return create(world, verifier, scheduler, run.random("tools"), run.random("edr"));
  }

  static List<Tool> create(World world, Verifier verifier, Scheduler scheduler, SeededRandom delays,
      SeededRandom edr) {
    List<Tool> tools = new ArrayList<>();
    for (SimulatedTool kind : SimulatedTool.values()) {
      tools.add(new SimTool(kind, world, verifier, scheduler, delays, edr));
    }
    return List.copyOf(tools);
  }

  /** The risk of each tool: reads for looking, high for what cuts off, rebuilds or moves data out, low otherwise. */
  public static Risk risk(SimulatedTool tool) {
    switch (tool) {
      case SIEM_QUERY:
      case EDR_SCAN:
      case FORENSICS_SNAPSHOT:
        return Risk.READ;
      case HOST_ISOLATE:
      case ACCOUNT_DISABLE:
      case HOST_RESTORE:
      case DATA_EXPORT:
        return Risk.HIGH;
      default:
        return Risk.LOW;
    }
  }

  /** Budget units per call. */
  public static long cost(SimulatedTool tool) {
    switch (tool) {
      case SIEM_QUERY:
      case HOST_RELEASE:
      case ACCOUNT_ENABLE:
      case FIREWALL_UNBLOCK:
      case TICKET_UPDATE:
        return 1;
      case EDR_SCAN:
      case FORENSICS_SNAPSHOT:
        return 2;
      case ACCOUNT_DISABLE:
      case FIREWALL_BLOCK:
        return 3;
      case HOST_ISOLATE:
      case DATA_EXPORT:
        return 5;
      case HOST_RESTORE:
        return 10;
      default:
        throw new IllegalStateException("no cost for " + tool);
    }
  }

  // ---------------------------------------------------------------------------------------------- seams

  /** Checks a presented credential; empty when it is good. */
  @FunctionalInterface
  interface Verifier {
    Optional<Verification.Rejected> check(Credential credential, String audience, ToolCall call);
  }

  /** Completes a value after a virtual delay, on the simulation thread ({@link SimulationRun#after}). */
  @FunctionalInterface
  interface Scheduler {
    <T> CompletionStage<T> after(Duration delay, Supplier<T> value);
  }

  /** A verifier of {@code broker}'s credentials at {@code clock}'s time. */
  static Verifier verifierFor(CredentialBroker broker, Clock clock) {
    if (broker instanceof JwtCredentialBroker jwt) {
      CredentialVerifier verifier = CredentialVerifier.builder(jwt::jwks, jwt.revocations())
          .issuer(jwt.issuer()).clock(clock).build();
      return (credential, audience, call) -> {
        Verdict verdict = verifier.verify(Presentation.byCaller(credential == null ? null : credential.token(),
            audience, call.tool(), call.resource(), call.caller()));
        return verdict instanceof Verification.Rejected rejected ? Optional.of(rejected) : Optional.empty();
      };
    }
    return (credential, audience, call) -> {
      Verification verification = broker.verify(credential == null ? null : credential.token(), audience,
          call.caller(), clock.instant());
      return verification instanceof Verification.Rejected rejected ? Optional.of(rejected) : Optional.empty();
    };
  }

  // ---------------------------------------------------------------------------------------------- the tool

  private static final class SimTool implements Tool {
    private final SimulatedTool kind;
    private final World world;
    private final Verifier verifier;
    private final Scheduler scheduler;
    private final SeededRandom delays;
    private final SeededRandom edr;

    SimTool(SimulatedTool kind, World world, Verifier verifier, Scheduler scheduler, SeededRandom delays,
        SeededRandom edr) {
      this.kind = kind;
      this.world = world;
      this.verifier = verifier;
      this.scheduler = scheduler;
      this.delays = delays;
      this.edr = edr;
    }

    @Override
    public String name() {
      return kind.toolName();
    }

    @Override
    public Risk risk() {
      return SimulatedTools.risk(kind);
    }

    @Override
    public long cost() {
      return SimulatedTools.cost(kind);
    }

    @Override
    public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
      Objects.requireNonNull(call, "call");
      Optional<Verification.Rejected> rejected = verifier.check(credential, audience(), call);
      if (rejected.isPresent()) {
        Verification.Rejected r = rejected.get();
        String id = credential != null ? credential.id() : r.credentialId();
        world.recordRefusal(id, call.agent().value(), name(), call.resource(), reasonText(r.reason()));
        return CompletableFuture.completedFuture(new ToolOutcome.Failed("credential refused: "
            + reasonText(r.reason()) + " (" + r.detail() + ")"));
      }
      Optional<String> unknown = unknownResource(call.resource());
      if (unknown.isPresent()) {
        return CompletableFuture.completedFuture(new ToolOutcome.Failed(unknown.get()));
      }
      Duration delay = Duration.ofMillis(MIN_DELAY_MS + delays.nextInt(MAX_DELAY_MS - MIN_DELAY_MS + 1));
      return scheduler.after(delay, () -> act(call));
    }

    @Override
    public Optional<Compensation> compensation(ToolCall call) {
      return kind.undo().map(undo -> new Compensation(undo.toolName(), call.resource()));
    }

    /** Why the resource is not one this tool can act on, if it is not. */
    private Optional<String> unknownResource(String resource) {
      String prefix = kind.resourceKind() + ":";
      if (resource == null || !resource.startsWith(prefix) || resource.length() == prefix.length()) {
        return Optional.of(name() + " acts on " + prefix + "..., not " + resource);
      }
      switch (kind.resourceKind()) {
        case "siem":
          return resource.equals("siem:alerts") ? Optional.empty() : Optional.of("no " + resource + ", only siem:alerts");
        case "host":
          return world.host(resource).isPresent() ? Optional.empty() : Optional.of("unknown host " + resource);
        case "account":
          return world.hasAccount(resource) ? Optional.empty() : Optional.of("unknown account " + resource);
        default:
          return Optional.empty();
      }
    }

    /** The effect, now (at the end of the delay), and its result. */
    private ToolOutcome act(ToolCall call) {
      String resource = call.resource();
      Map<String, Object> result = new LinkedHashMap<>();
      switch (kind) {
        case SIEM_QUERY:
          result.put("alerts", world.alerts().stream().map(World.RaisedAlert::toMap).toList());
          break;
        case EDR_SCAN:
          boolean seen = world.isCompromised(resource)
              && edr.nextDouble() < world.scenario().attacker().detection().probability();
          result.put("host", resource);
          result.put("compromised", seen);
          result.put("techniques", seen ? world.techniquesOn(resource) : List.of());
          break;
        case HOST_ISOLATE:
          world.isolate(resource);
          result.put("host", resource);
          break;
        case HOST_RELEASE:
          world.release(resource);
          result.put("host", resource);
          break;
        case HOST_RESTORE:
          world.restore(resource);
          result.put("host", resource);
          break;
        case ACCOUNT_DISABLE:
          world.disable(resource);
          result.put("account", resource);
          break;
        case ACCOUNT_ENABLE:
          world.enable(resource);
          result.put("account", resource);
          break;
        case FIREWALL_BLOCK:
          world.block(resource);
          result.put("address", resource);
          break;
        case FIREWALL_UNBLOCK:
          world.unblock(resource);
          result.put("address", resource);
          break;
        case FORENSICS_SNAPSHOT:
          result.put("host", resource);
          result.put("snapshot", world.snapshot(resource));
          break;
        case TICKET_UPDATE:
          world.updateTicket(resource);
          result.put("ticket", resource);
          break;
        case DATA_EXPORT:
          world.export(resource);
          result.put("exported", resource);
          break;
        default:
          throw new IllegalStateException("no effect for " + kind);
      }
      world.recordEffect(name(), resource, call.agent().value(), call.callId());
      return new ToolOutcome.Done(result);
    }

    @Override
    public String toString() {
      return "SimulatedTool[" + name() + "]";
    }
  }

  /** {@code WRONG_AUDIENCE} as a report writes it: {@code wrong-audience}. */
  static String reasonText(Verification.Reason reason) {
    return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
