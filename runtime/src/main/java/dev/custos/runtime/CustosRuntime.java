package dev.custos.runtime;

import dev.custos.agent.Agent;
import dev.custos.approval.ApprovalService;
import dev.custos.audit.AuditLog;
import dev.custos.capability.Capability;
import dev.custos.credential.CredentialBroker;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.tool.Tool;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * A running Custos: a supervisor and its agent hosts in an actor system, with the parts the builder was given. Start
 * missions with {@link #startMission}; {@link #close()} stops everything. Thread safe.
 */
public final class CustosRuntime implements AutoCloseable {

  private static final int DECISION_THREADS = 16;

  private final Services services;
  private final ActorSystem<?> system;
  private final boolean ownSystem;
  private final ActorRef<Supervisor.Command> supervisor;
  private final ExecutorService ownDecisions;
  private final Set<MissionId> missions = new HashSet<>();
  private final AutoCloseable ownedAudit;

  CustosRuntime(Map<String, Tool> tools, Map<String, Supplier<Agent>> agentTypes, PolicyDecisionPoint policy,
      ApprovalService approvals, CredentialBroker credentials, AuditLog audit, Clock clock, Executor decisions,
      MeterRegistry meters, String trustDomain, Duration drainTimeout, int maxPendingApprovals, ActorSystem<?> system,
      String name, java.security.SecureRandom random, AutoCloseable ownedAudit) {
    this.ownedAudit = ownedAudit;
    this.ownDecisions = decisions == null ? Executors.newFixedThreadPool(DECISION_THREADS, daemonThreads()) : null;
    this.services = new Services(tools, agentTypes, policy, approvals, credentials, new AuditWrites(audit), clock,
        decisions != null ? decisions : ownDecisions, new RuntimeMetrics(meters), trustDomain, drainTimeout,
        maxPendingApprovals, new AtomicLong(), new Halts(), random);
    if (system == null) {
      ActorSystem<Supervisor.Command> own = ActorSystem.create(Supervisor.create(services), name);
      this.system = own;
      this.supervisor = own;
      this.ownSystem = true;
    } else {
      this.system = system;
      this.supervisor = system.systemActorOf(Supervisor.create(services), name, Props.empty());
      this.ownSystem = false;
    }
  }

  /**
   * Starts a mission: its root agent gets the spec's brief and grant.
   *
   * @throws MissionRejectedException with every problem when the spec cannot run here (unknown agent type, a tool
   *     the grant names that no tool registered, a deadline already past, a mission id in use); nothing starts
   */
  public MissionHandle startMission(MissionSpec spec) {
    List<String> problems = new ArrayList<>();
    if (!services.agentTypes().containsKey(spec.agentType())) {
      problems.add("no agent type '" + spec.agentType() + "' is registered (known: "
          + services.agentTypes().keySet().stream().sorted().toList() + ")");
    }
    List<Capability> capabilities = spec.grant().capabilities();
    for (int i = 0; i < capabilities.size(); i++) {
      Capability capability = capabilities.get(i);
      boolean known = services.tools().keySet().stream().anyMatch(t -> capability.tool().matches(t));
      if (!known) {
        problems.add("capability " + i + ": no registered tool matches '" + capability.tool() + "'");
      }
    }
    Instant now = services.clock().instant();
    if (!spec.grant().bounds().deadline().isAfter(now)) {
      problems.add("the deadline " + spec.grant().bounds().deadline() + " is not after now (" + now + ")");
    }
    synchronized (missions) {
      if (missions.contains(spec.id())) {
        problems.add("a mission '" + spec.id() + "' was already started");
      }
      if (!problems.isEmpty()) {
        throw new MissionRejectedException(spec.id(), problems);
      }
      missions.add(spec.id());
    }
    AgentId root = services.nextAgentId();
    CompletableFuture<MissionOutcome> completion = new CompletableFuture<>();
    supervisor.tell(new Supervisor.StartMission(spec, root, completion));
    return new MissionHandle(spec.id(), root, completion, supervisor, system);
  }

  /** The runtime's clock, for writing deadlines. */
  public Instant now() {
    return services.clock().instant();
  }

  /** Stops every agent, and the actor system when the runtime made its own. */
  @Override
  public void close() {
    if (ownSystem) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    } else {
      supervisor.tell(Supervisor.Shutdown.INSTANCE);
    }
    if (ownDecisions != null) {
      ownDecisions.shutdownNow();
      try {
        ownDecisions.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    services.audit().flush();
    if (services.audit().backlog() > 0) {
      org.slf4j.LoggerFactory.getLogger(CustosRuntime.class).error(
          "{} audit records could not be written before the runtime closed", services.audit().backlog());
    }
    if (ownedAudit != null) {
      try {
        ownedAudit.close();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(CustosRuntime.class).error("closing the audit store: {}", e.toString());
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "custos-decision-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
