package dev.custos.sim;

import dev.custos.audit.InMemoryAuditLog;
import dev.custos.credential.CredentialBroker;
import dev.custos.credential.InProcessCredentialBroker;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.runtime.Custos;
import dev.custos.runtime.CustosRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One seeded run on a {@link SimulationSystem}: the parts a {@link CustosRuntime} is built from, each fixed by the seed
 * — the virtual clock, the simulation executor for blocking agents' decisions, a {@link SeededRandom} for agents' keys,
 * a credential broker with its own seeded stream (so its keys, credential ids and tokens repeat), and an in-memory
 * audit log — and seeded streams for the scenario's own draws ({@link #random()}, {@link #random(String)}), each
 * independent of the others, so drawing more from one shifts nothing in another.
 *
 * <p>Credentials are signed JWTs by default, as outside a simulation; {@link Credentials#IN_PROCESS} gives opaque
 * tokens instead, for scenarios that do not test the credentials themselves: Ed25519 signing and first verifications
 * are most of a small run's time.
 *
 * <p>The runtime's supervisor is a system actor named {@code run-<seed>}; closing the run closes the runtime, lets
 * its actors stop, and checks that nothing broke determinism. Made by {@link SimulationSystem#newRun}; used, like its
 * system, from the simulation thread only.
 */
public final class SimulationRun implements AutoCloseable {

  /** Which credential broker a run's runtime gets; either draws its ids and tokens from the run's seed. */
  public enum Credentials {
    /** {@link JwtCredentialBroker}: Ed25519-signed JWTs on the virtual clock, as the runtime's default. */
    JWT,
    /** {@link InProcessCredentialBroker}: opaque tokens, no signatures. */
    IN_PROCESS
  }

  private final SimulationSystem system;
  private final long seed;
  private final SeededRandom seeds;
  private final SeededRandom random;
  private final InMemoryAuditLog audit = new InMemoryAuditLog();
  private final CredentialBroker credentials;
  private final Instant start;
  private CustosRuntime runtime;
  private boolean closed;

  SimulationRun(SimulationSystem system, long seed, Credentials kind) {
    this.system = system;
    this.seed = seed;
    this.seeds = new SeededRandom(seed);
    this.random = seeds.derive("scenario");
    this.start = system.now();
    this.credentials = switch (kind) {
      case JWT -> JwtCredentialBroker.builder().clock(system.clock()).random(seeds.derive("credentials")).build();
      case IN_PROCESS -> new InProcessCredentialBroker(InProcessCredentialBroker.DEFAULT_LIFETIME,
          seeds.derive("credentials"));
    };
  }

  public long seed() {
    return seed;
  }

  /** The scenario's own seeded stream (tool delays, attacker choices...), independent of the runtime's. */
  public SeededRandom random() {
    return random;
  }

  /** Another independent seeded stream, for one named user. */
  public SeededRandom random(String label) {
    return seeds.derive("scenario/" + label);
  }

  /** The virtual clock. */
  public Clock clock() {
    return system.clock();
  }

  /** The virtual time the run started at: its system's epoch. */
  public Instant start() {
    return start;
  }

  public Instant now() {
    return system.now();
  }

  /** Every record the run's runtime audited. */
  public InMemoryAuditLog audit() {
    return audit;
  }

  /** The run's credential broker: a {@link JwtCredentialBroker} or an {@link InProcessCredentialBroker}. */
  public CredentialBroker credentials() {
    return credentials;
  }

  /**
   * Builds the run's runtime: the simulation's parts first (actor system, clock, decision executor, seeded random,
   * audit log, credential broker), then {@code parts} adds tools, agent types, policy and approvals. {@code parts}
   * must not replace the simulation's parts, or the run is no longer deterministic.
   *
   * @throws IllegalStateException when this run already has a runtime
   */
  public CustosRuntime runtime(Consumer<Custos.Builder> parts) {
    if (runtime != null) {
      throw new IllegalStateException("run " + seed + " already has a runtime");
    }
    Custos.Builder builder = Custos.builder()
        .actorSystem(system.actorSystem(), "run-" + seed)
        .clock(system.clock())
        .decisionExecutor(system.executor())
        .random(seeds.derive("agent-keys"))
        .audit(audit)
        .credentials(credentials);
    parts.accept(builder);
    runtime = builder.build();
    return runtime;
  }

  /**
   * A stage that completes with {@code value}'s result on the simulation thread once {@code delay} of virtual time has
   * passed: how a simulated tool answers later. A {@code value} that throws completes it exceptionally.
   */
  public <T> CompletionStage<T> after(Duration delay, Supplier<T> value) {
    Objects.requireNonNull(value, "value");
    CompletableFuture<T> result = new CompletableFuture<>();
    system.scheduler().schedule(delay, () -> {
      try {
        result.complete(value.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** Runs {@code action} on the simulation thread at {@code at} on the virtual clock (now, if that has passed). */
  public void at(Instant at, Runnable action) {
    Duration delay = Duration.between(system.now(), at);
    system.scheduler().schedule(delay.isNegative() ? Duration.ZERO : delay, action);
  }

  /** See {@link SimulationSystem#runUntil(Instant, BooleanSupplier)}. */
  public Instant runUntil(Instant limit, BooleanSupplier done) {
    return system.runUntil(limit, done);
  }

  /**
   * Closes the runtime, if any, and lets its actors stop (their stop is queued work, run here).
   *
   * @throws IllegalStateException when something broke determinism during the run (see
   *     {@link SimulationSystem#problems()})
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (runtime != null) {
      runtime.close();
    }
    system.drain();
    system.requireDeterministic();
  }

  @Override
  public String toString() {
    return "SimulationRun[seed " + seed + ", at " + system.now() + "]";
  }
}
