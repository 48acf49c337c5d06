package dev.custos.runtime;

import dev.custos.agent.Agent;
import dev.custos.approval.ApprovalService;
import dev.custos.approval.InMemoryApprovals;
import dev.custos.audit.AuditLog;
import dev.custos.audit.CheckpointKey;
import dev.custos.audit.JdbcAuditLog;
import dev.custos.credential.CredentialBroker;
import dev.custos.policy.CapabilityOnlyPolicy;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.tool.Tool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The entry point for embedding Custos: {@code Custos.builder()...build()} gives a {@link CustosRuntime}.
 *
 * <pre>{@code
 * CustosRuntime runtime = Custos.builder()
 *     .tool(new IsolateHost())
 *     .agentType("responder", Responder::new)
 *     .build();
 * MissionHandle mission = runtime.startMission(spec);
 * MissionOutcome outcome = mission.completion().toCompletableFuture().join();
 * }</pre>
 */
public final class Custos {

  private Custos() {}

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Collects a runtime's parts. Every part has a working default: capability-only policy, an in-memory approval queue
   * (nobody answers, so approvals time out and deny) with at most 5 calls per agent waiting in it, a JWT credential
   * broker (Ed25519-signed, 5-minute credentials bound to each agent's key and scoped to its grant; tools verify them
   * with {@code CredentialVerifier}), an in-memory hash-chained audit log, the system clock, a small pool for blocking
   * agent decisions, and a simple meter registry. Not thread safe; build once.
   */
  public static final class Builder {
    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final Map<String, Supplier<Agent>> agentTypes = new LinkedHashMap<>();
    private PolicyDecisionPoint policy = new CapabilityOnlyPolicy();
    private ApprovalService approvals;
    private CredentialBroker credentials;
    private AuditLog audit;
    private Path dataDirectory;
    private Clock clock = Clock.systemUTC();
    private Executor decisions;
    private MeterRegistry meters;
    private String trustDomain = "custos.local";
    private Duration drainTimeout = Duration.ofSeconds(30);
    private int maxPendingApprovals = 5;
    private ActorSystem<?> system;
    private String name = "custos";
    private java.security.SecureRandom random;

    private Builder() {}

    /** Registers a tool under its name; a second tool of the same name is an error. */
    public Builder tool(Tool tool) {
      if (tools.putIfAbsent(tool.name(), tool) != null) {
        throw new IllegalArgumentException("a tool named '" + tool.name() + "' is already registered");
      }
      return this;
    }

    /** Registers an agent type: {@code factory} makes a fresh agent for each agent of that type. */
    public Builder agentType(String type, Supplier<Agent> factory) {
      Objects.requireNonNull(factory, "factory");
      if (agentTypes.putIfAbsent(type, factory) != null) {
        throw new IllegalArgumentException("an agent type '" + type + "' is already registered");
      }
      return this;
    }

    public Builder policy(PolicyDecisionPoint policy) {
      this.policy = Objects.requireNonNull(policy);
      return this;
    }

    public Builder approvals(ApprovalService approvals) {
      this.approvals = Objects.requireNonNull(approvals);
      return this;
    }

    public Builder credentials(CredentialBroker credentials) {
      this.credentials = Objects.requireNonNull(credentials);
      return this;
    }

    public Builder audit(AuditLog audit) {
      this.audit = Objects.requireNonNull(audit);
      return this;
    }

    /**
     * Where the runtime keeps what must outlive it. When set and no {@link #audit} is given, the audit log is the
     * embedded durable store: an H2 file {@code audit.mv.db} there, its checkpoints signed by the key in
     * {@code checkpoint-key} (made on first use, its public half in {@code checkpoint-key.pub} for {@code custos audit
     * verify}). The runtime opens it at {@link #build} and closes it at {@link CustosRuntime#close}.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory);
      return this;
    }

    /** The clock the runtime reads; a simulation gives its virtual clock (and a matching Pekko scheduler). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Where blocking agent decisions run; a simulation gives its single-threaded executor. */
    public Builder decisionExecutor(Executor executor) {
      this.decisions = Objects.requireNonNull(executor);
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry);
      return this;
    }

    /** The SPIFFE trust domain of agents' identities; {@code custos.local} by default. */
    public Builder trustDomain(String trustDomain) {
      this.trustDomain = Objects.requireNonNull(trustDomain);
      return this;
    }

    /** How long a halted host waits for its in-flight calls before it abandons them; 30 s by default. */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * How many calls one agent may have waiting for approval at once; 5 by default. A further call that needs approval
     * is denied ({@code approval-flood}) and counts as a strike, so an agent cannot flood the people who approve.
     *
     * @throws IllegalArgumentException when {@code max} is less than 1
     */
    public Builder maxPendingApprovals(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxPendingApprovals must be at least 1, got " + max);
      }
      this.maxPendingApprovals = max;
      return this;
    }

    /**
     * Runs the runtime inside an existing actor system (its supervisor becomes a system actor of it) instead of one of
     * its own. Closing the runtime then stops the supervisor, not the system.
     */
    public Builder actorSystem(ActorSystem<?> system, String name) {
      this.system = Objects.requireNonNull(system);
      this.name = Objects.requireNonNull(name);
      return this;
    }

    /**
     * Where agents' key pairs come from; a new {@code SecureRandom} by default. A simulation gives a seeded one so a
     * seed always gives the same keys; nothing else should.
     */
    public Builder random(java.security.SecureRandom random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /** The actor system's name when the runtime makes its own; {@code custos} by default. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name);
      return this;
    }

    /**
     * Starts the runtime.
     *
     * @throws IllegalStateException when the embedded audit store of the {@link #dataDirectory} cannot be opened
     */
    public CustosRuntime build() {
      dev.custos.identity.SpiffeId.parse("spiffe://" + trustDomain);
      JdbcAuditLog owned = audit == null && dataDirectory != null ? embeddedAudit() : null;
      return new CustosRuntime(tools, agentTypes, policy,
          approvals != null ? approvals : new InMemoryApprovals(),
          credentials != null ? credentials
              : dev.custos.credential.JwtCredentialBroker.builder().clock(clock)
                  .random(random != null ? random : new java.security.SecureRandom()).build(),
          audit != null ? audit : owned != null ? owned : new dev.custos.audit.InMemoryAuditLog(),
          clock, decisions, meters != null ? meters : new SimpleMeterRegistry(), trustDomain, drainTimeout,
          maxPendingApprovals, system, name, random != null ? random : new java.security.SecureRandom(), owned);
    }

    private JdbcAuditLog embeddedAudit() {
      try {
        Files.createDirectories(dataDirectory);
        CheckpointKey key = CheckpointKey.loadOrCreate(
            dataDirectory.resolve("checkpoint-key"), random != null ? random : new java.security.SecureRandom());
        return JdbcAuditLog.embedded(dataDirectory, key).open();
      } catch (IOException | SQLException e) {
        throw new IllegalStateException("cannot open the audit store in " + dataDirectory + ": " + e.getMessage(), e);
      }
    }
  }
}
