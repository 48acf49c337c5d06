package dev.custos.runtime;

import dev.custos.Durations;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentInfo;
import dev.custos.agent.ToolOutcome;
import dev.custos.approval.ApprovalAnswer;
import dev.custos.approval.ApprovalRequest;
import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditReceipt;
import dev.custos.capability.Grant;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialRequest;
import dev.custos.credential.CredentialScope;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.policy.MissionInfo;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyRequest;
import dev.custos.tool.Compensation;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The mission registry and the delegation tree index of one runtime. It decides the policy side of every delegation
 * (the parent's host has already checked attenuation against its own ledger and reserved the child's share), names and
 * identifies each new agent (a delegation that needs approval only once a person approved that exact delegation and
 * the policy, asked again, does not forbid it), halts subtrees (one lineage revocation for all their credentials, a
 * {@link AgentHost.Halt} to every host in them), runs the compensations of a halted subtree's effects under its own
 * authority, and answers snapshots.
 */
public final class Supervisor extends AbstractBehavior<Supervisor.Command> {

  /** What the supervisor accepts. */
  public sealed interface Command {}

  /** Start a mission: spawn its root agent. {@code completion} completes when the root agent ends. */
  record StartMission(MissionSpec spec, AgentId root, CompletableFuture<MissionOutcome> completion)
      implements Command {}

  /** Stop the supervisor, and with it every agent host of the runtime. */
  enum Shutdown implements Command { INSTANCE }

  /** A host asks to delegate: attenuation passed and the child's share is reserved under {@code child}. */
  record RequestDelegation(AgentId parent, AgentId child, String role, String agentType, Set<String> briefLabels,
      GrantRequest grant, ActorRef<AgentHost.Command> replyTo) implements Command {}

  record AgentStarted(AgentId agent, ActorRef<AgentHost.Command> host) implements Command {}

  /** An agent completed or failed (or never started: {@code HALTED}). */
  record AgentEnded(AgentId agent, AgentStatus status, Map<String, Object> report, String reason, HostState last)
      implements Command {}

  /** A host hit a bound; it has frozen itself and waits to be halted. */
  record ReportViolation(AgentId agent, HaltReason reason, String detail) implements Command {}

  /** A halted host's last state. */
  record HostHalted(AgentId agent, HostState last) implements Command {}

  /** An effect that has an undo ran, for rollback. */
  record EffectExecuted(AgentId agent, ToolCall call, Compensation undo, Instant at) implements Command {}

  /** A person halts an agent and its subtree. */
  record HaltAgent(MissionId mission, AgentId agent, String reason, boolean rollback, ActorRef<List<AgentId>> replyTo)
      implements Command {}

  /** Replace a running agent's brain (simulations, red-team exercises); replies whether it was running. */
  record CompromiseAgent(MissionId mission, AgentId agent, String behaviour, Supplier<Agent> brain,
      ActorRef<Boolean> replyTo) implements Command {}

  record GetSnapshot(MissionId mission, ActorRef<Optional<MissionSnapshot>> replyTo) implements Command {}

  private record DelegationAnswered(AgentId child, ApprovalAnswer answer, Throwable failure) implements Command {}

  private record DelegationTimedOut(AgentId child) implements Command {}

  private record DelegationRecorded(RequestDelegation request, AgentInfo info, PolicyDecision decision,
      Throwable failure) implements Command {}

  private record CompensationAudited(MissionId mission, Throwable failure) implements Command {}

  private record CompensationFinished(MissionId mission, ToolOutcome outcome, Throwable failure) implements Command {}

  private record CompensationRetry(MissionId mission) implements Command {}

  private record SnapshotPart(HostState state) implements Command {}

  private record SnapshotDue(long request) implements Command {}

  /** Our own timer: the broker's housekeeping (key rotation), about once a minute. */
  private enum MaintainCredentials implements Command { INSTANCE }

  /** What the supervisor knows of one agent. */
  private static final class AgentRecord {
    final AgentInfo info;
    final MissionId mission;
    final AgentId parent;
    final List<AgentId> lineage;
    final GrantRequest grant;
    final Instant startedAt;
    final List<AgentId> children = new ArrayList<>();
    final Map<String, Integer> roles = new HashMap<>();
    ActorRef<AgentHost.Command> host;
    AgentStatus status = AgentStatus.RUNNING;
    String haltReason;
    Instant endedAt;
    HostState last;

    AgentRecord(AgentInfo info, MissionId mission, AgentId parent, List<AgentId> lineage, GrantRequest grant,
        Instant startedAt) {
      this.info = info;
      this.mission = mission;
      this.parent = parent;
      this.lineage = List.copyOf(lineage);
      this.grant = grant;
      this.startedAt = startedAt;
    }
  }

  /** An executed effect and its undo. */
  private record Effect(long seq, AgentId agent, ToolCall call, Compensation undo) {}

  /** One mission's state. */
  private static final class Mission {
    final MissionSpec spec;
    final MissionInfo info;
    final CompletableFuture<MissionOutcome> completion;
    final List<AgentId> agents = new ArrayList<>();
    final List<Effect> effects = new ArrayList<>();
    final Set<Long> compensated = new HashSet<>();
    final ArrayDeque<Effect> undoQueue = new ArrayDeque<>();
    AgentId root;
    Effect undoing;
    int attempt;
    Credential undoCredential;

    Mission(MissionSpec spec, CompletableFuture<MissionOutcome> completion) {
      this.spec = spec;
      this.info = spec.info();
      this.completion = completion;
    }
  }

  /** A delegation waiting for a person; an approval must name {@code actionHash}, its canonical action's hash. */
  private record PendingDelegation(RequestDelegation request, PolicyDecision decision, String approvalId,
      String actionHash) {}

  /** A snapshot being gathered from live hosts. */
  private static final class SnapshotRequest {
    final MissionId mission;
    final ActorRef<Optional<MissionSnapshot>> replyTo;
    final Set<AgentId> waiting = new HashSet<>();

    SnapshotRequest(MissionId mission, ActorRef<Optional<MissionSnapshot>> replyTo) {
      this.mission = mission;
      this.replyTo = replyTo;
    }
  }

  private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration MAINTENANCE_PERIOD = Duration.ofMinutes(1);
  private static final int UNDO_ATTEMPTS = 5;
  private static final Duration UNDO_FIRST_BACKOFF = Duration.ofSeconds(1);

  private final Services services;
  private final TimerScheduler<Command> timers;
  private final Map<MissionId, Mission> missions = new LinkedHashMap<>();
  private final Map<AgentId, AgentRecord> agents = new HashMap<>();
  private final Map<AgentId, PendingDelegation> pendingDelegations = new HashMap<>();
  private final Map<Long, SnapshotRequest> snapshots = new LinkedHashMap<>();
  private final ActorRef<HostState> snapshotAdapter;
  private long effectSeq;
  private long snapshotSeq;

  static Behavior<Command> create(Services services) {
    return Behaviors.withTimers(timers -> Behaviors.setup(context -> new Supervisor(context, timers, services)));
  }

  private Supervisor(ActorContext<Command> context, TimerScheduler<Command> timers, Services services) {
    super(context);
    this.services = services;
    this.timers = timers;
    this.snapshotAdapter = context.messageAdapter(HostState.class, SnapshotPart::new);
    timers.startTimerWithFixedDelay(MaintainCredentials.INSTANCE, MaintainCredentials.INSTANCE, MAINTENANCE_PERIOD);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StartMission.class, this::onStartMission)
        .onMessage(RequestDelegation.class, this::onRequestDelegation)
        .onMessage(AgentStarted.class, this::onAgentStarted)
        .onMessage(AgentEnded.class, this::onAgentEnded)
        .onMessage(ReportViolation.class, this::onReportViolation)
        .onMessage(HostHalted.class, this::onHostHalted)
        .onMessage(EffectExecuted.class, this::onEffectExecuted)
        .onMessage(HaltAgent.class, this::onHaltAgent)
        .onMessage(CompromiseAgent.class, this::onCompromiseAgent)
        .onMessage(GetSnapshot.class, this::onGetSnapshot)
        .onMessage(DelegationAnswered.class, this::onDelegationAnswered)
        .onMessage(DelegationTimedOut.class, this::onDelegationTimedOut)
        .onMessage(DelegationRecorded.class, this::onDelegationRecorded)
        .onMessage(CompensationAudited.class, this::onCompensationAudited)
        .onMessage(CompensationFinished.class, this::onCompensationFinished)
        .onMessage(CompensationRetry.class, this::onCompensationRetry)
        .onMessage(SnapshotPart.class, this::onSnapshotPart)
        .onMessage(SnapshotDue.class, this::onSnapshotDue)
        .onMessageEquals(MaintainCredentials.INSTANCE, this::onMaintainCredentials)
        .onMessageEquals(Shutdown.INSTANCE, Behaviors::stopped)
        .build();
  }

  // ---------------------------------------------------------------------------------------------- missions

  private Behavior<Command> onStartMission(StartMission start) {
    MissionSpec spec = start.spec();
    Instant now = now();
    Mission mission = new Mission(spec, start.completion());
    missions.put(spec.id(), mission);
    AgentId rootId = start.root();
    String role = "commander";
    SpiffeId identity = SpiffeId.forAgent(services.trustDomain(), spec.id(), role);
    AgentInfo info = new AgentInfo(rootId, role, role, spec.agentType(), 0, identity);
    AgentRecord record = new AgentRecord(info, spec.id(), null, List.of(rootId), spec.grant(), now);
    agents.put(rootId, record);
    mission.agents.add(rootId);
    mission.root = rootId;
    audit(spec.id(), List.of(), AuditKind.MISSION_STARTED, Map.of("mission", spec.id().value(), "name", spec.name(),
        "agent", rootId.value(), "agentType", spec.agentType(), "grant", describe(spec.grant())));
    Agent agent;
    try {
      agent = services.agentTypes().get(spec.agentType()).get();
    } catch (RuntimeException e) {
      String reason = "creating the agent threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
      ended(record, AgentStatus.FAILED, Map.of(), reason, null);
      return this;
    }
    HostSetup setup = new HostSetup(info, spec.info(), List.of(rootId), Grant.root(spec.grant()), spec.brief(), agent,
        getContext().getSelf(), null, services, spec.approvalTimeout());
    record.host = getContext().spawn(AgentHost.create(setup), rootId.value());
    services.metrics().delegation("allow");
    getContext().getLog().info("mission {} started: root {} of type {}", spec.id(), rootId, spec.agentType());
    return this;
  }

  private void missionEnded(Mission mission, AgentRecord root) {
    Instant now = now();
    getContext().getLog().info("mission {} ended: {}", mission.spec.id(), root.status.text());
    // Nothing left to revoke here: the root's end (or halt) revoked its lineage, which is the whole mission.
    audit(mission.spec.id(), List.of(), AuditKind.MISSION_ENDED, Map.of("status", root.status.text(),
        "reason", root.haltReason != null ? root.haltReason : ""));
  }

  // ---------------------------------------------------------------------------------------------- delegations

  private Behavior<Command> onRequestDelegation(RequestDelegation request) {
    AgentRecord parent = agents.get(request.parent());
    if (parent == null || parent.status != AgentStatus.RUNNING) {
      request.replyTo().tell(new AgentHost.DelegationDenied(request.child(), request.role(),
          List.of("the delegating agent is no longer running"), false));
      return this;
    }
    Instant now = now();
    Mission mission = missions.get(parent.mission);
    PolicyDecision decision = services.decide(new PolicyRequest.Delegation(parent.info, mission.info, now,
        request.role(), request.agentType(), request.grant(), request.briefLabels(),
        Map.of("time", now.toString(), "approved", false)));
    if (decision instanceof PolicyDecision.Forbid forbid) {
      denyDelegation(request, parent, decision, null, List.of(forbid.message().isEmpty() ? "forbidden by policy"
          : forbid.message()), !Services.POLICY_FAILED.equals(forbid.policyVersion()));
      return this;
    }
    Set<String> held = new TreeSet<>(request.briefLabels());
    if (decision instanceof PolicyDecision.Permit permit) {
      held.removeAll(permit.releasedLabels());
    }
    if (!held.isEmpty()) {
      denyDelegation(request, parent, decision, null,
          List.of("the brief carries facts labelled " + held + ", which policy does not release"), true);
      return this;
    }
    if (decision instanceof PolicyDecision.RequireApproval approval) {
      // The canonical action a person sees and approves: the role, the child's type and the grant asked for; the
      // reason is the rule's message, never the agent's text (a brief is not shown).
      String approvalId = request.parent() + "/delegate:" + request.child();
      String action = "delegate:" + request.role();
      String reason = approval.message().isEmpty() ? "policy requires approval of this delegation" : approval.message();
      ApprovalRequest approvalRequest = ApprovalRequest.of(approvalId, parent.mission.value(), parent.info,
          lineageText(parent), action, request.agentType(), Map.of("grant", describe(request.grant())),
          decision.ruleIds(), reason, now, now.plus(mission.spec.approvalTimeout()));
      pendingDelegations.put(request.child(),
          new PendingDelegation(request, decision, approvalId, approvalRequest.actionHash()));
      audit(parent, AuditKind.APPROVAL, Map.of("approval", approvalId, "status", "requested", "action", action,
          "resource", request.agentType(), "policyVersion", decision.policyVersion(), "rules", decision.ruleIds(),
          "reason", reason, "actionHash", approvalRequest.actionHash()));
      timers.startSingleTimer("delegation:" + request.child(), new DelegationTimedOut(request.child()),
          mission.spec.approvalTimeout());
      CompletionStage<ApprovalAnswer> answer;
      try {
        answer = services.approvals().request(approvalRequest);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      AgentId child = request.child();
      getContext().pipeToSelf(answer, (a, failure) -> new DelegationAnswered(child, a, failure));
      return this;
    }
    grantDelegation(request, parent, decision, null);
    return this;
  }

  private Behavior<Command> onDelegationAnswered(DelegationAnswered answered) {
    PendingDelegation pending = pendingDelegations.remove(answered.child());
    if (pending == null) {
      return this;
    }
    timers.cancel("delegation:" + answered.child());
    AgentRecord parent = agents.get(pending.request().parent());
    ApprovalVerdict verdict = ApprovalVerdict.of(answered.answer(), answered.failure(), pending.actionHash());
    audit(parent, AuditKind.APPROVAL, verdict.record(Map.of("approval", pending.approvalId()), pending.actionHash()));
    if (!verdict.approved() || parent.status != AgentStatus.RUNNING) {
      denyDelegation(pending.request(), parent, pending.decision(), pending.approvalId(),
          List.of(verdict.detail()), false);
      return this;
    }
    // Approved: the policy has the last word once more, with context.approved, in case it changed while waiting.
    RequestDelegation request = pending.request();
    Instant now = now();
    PolicyDecision decision = services.decide(new PolicyRequest.Delegation(parent.info,
        missions.get(parent.mission).info, now, request.role(), request.agentType(), request.grant(),
        request.briefLabels(), Map.of("time", now.toString(), "approved", true)));
    if (decision instanceof PolicyDecision.Forbid forbid) {
      denyDelegation(request, parent, decision, pending.approvalId(), List.of(forbid.message().isEmpty()
          ? "forbidden by policy once approved" : forbid.message()), false);
      return this;
    }
    grantDelegation(request, parent, decision, pending.approvalId());
    return this;
  }

  private Behavior<Command> onDelegationTimedOut(DelegationTimedOut timedOut) {
    PendingDelegation pending = pendingDelegations.remove(timedOut.child());
    if (pending != null) {
      services.approvals().withdraw(pending.approvalId());
      AgentRecord parent = agents.get(pending.request().parent());
      String detail = "nobody answered within " + Durations.format(missions.get(parent.mission).spec.approvalTimeout());
      audit(parent, AuditKind.APPROVAL, Map.of("approval", pending.approvalId(), "status", "timed-out",
          "detail", detail));
      denyDelegation(pending.request(), parent, pending.decision(), pending.approvalId(), List.of("approval timed out"),
          false);
    }
    return this;
  }

  /**
   * The agents stopped running (halted or ended): the delegations they wait on leave the approval queue, so nobody is
   * asked to approve what can no longer happen, and are denied (no strike).
   */
  private void withdrawDelegations(Set<AgentId> parents, String why) {
    List<AgentId> withdrawn = new ArrayList<>();
    pendingDelegations.forEach((child, pending) -> {
      if (parents.contains(pending.request().parent())) {
        withdrawn.add(child);
      }
    });
    withdrawn.sort(java.util.Comparator.comparing(AgentId::value));
    for (AgentId child : withdrawn) {
      PendingDelegation pending = pendingDelegations.remove(child);
      timers.cancel("delegation:" + child);
      services.approvals().withdraw(pending.approvalId());
      AgentRecord parent = agents.get(pending.request().parent());
      audit(parent, AuditKind.APPROVAL, Map.of("approval", pending.approvalId(), "status", "withdrawn",
          "detail", why));
      denyDelegation(pending.request(), parent, pending.decision(), pending.approvalId(), List.of(why), false);
    }
  }

  /**
   * Names and identifies the child, then records the delegation; the parent hears "granted" only once that record is
   * durable, and "denied" (no strike: not the agent's doing) when the audit store cannot take it. {@code approval} is
   * the id of the approval the delegation waited on, null when it asked nobody: the record names it, so the request and
   * the delegation it decided can be joined.
   */
  private void grantDelegation(RequestDelegation request, AgentRecord parent, PolicyDecision decision,
      String approval) {
    int seen = parent.roles.merge(request.role(), 1, Integer::sum);
    String role = seen == 1 ? request.role() : request.role() + "-" + seen;
    String path = parent.info.path() + "/" + role;
    SpiffeId identity = SpiffeId.forAgent(services.trustDomain(), parent.mission, path);
    AgentInfo info = new AgentInfo(request.child(), role, path, request.agentType(), parent.info.depth() + 1, identity);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("decision", "allow");
    payload.put("child", request.child().value());
    payload.put("role", role);
    payload.put("path", path);
    payload.put("agentType", request.agentType());
    payload.put("identity", identity.toString());
    payload.put("grant", describe(request.grant()));
    payload.put("policyVersion", decision.policyVersion());
    payload.put("rules", decision.ruleIds());
    if (approval != null) {
      payload.put("approval", approval);
    }
    CompletionStage<AuditReceipt> durable;
    try {
      durable = services.audit().append(new AuditEntry(now(), parent.mission.value(),
          parent.lineage.stream().map(AgentId::value).toList(), AuditKind.DELEGATION, payload));
    } catch (RuntimeException e) {
      durable = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<AuditReceipt> future = durable.toCompletableFuture();
    if (future.isDone()) {
      onDelegationRecorded(new DelegationRecorded(request, info, decision,
          future.isCompletedExceptionally() ? new IllegalStateException("audit store down") : null));
    } else {
      getContext().pipeToSelf(durable, (receipt, failure) -> new DelegationRecorded(request, info, decision, failure));
    }
  }

  private Behavior<Command> onDelegationRecorded(DelegationRecorded recorded) {
    RequestDelegation request = recorded.request();
    AgentRecord parent = agents.get(request.parent());
    if (recorded.failure() != null) {
      request.replyTo().tell(new AgentHost.DelegationDenied(request.child(), request.role(),
          List.of("audit-unavailable: the audit store did not record the delegation; nothing was spawned"), false));
      return this;
    }
    if (parent.status != AgentStatus.RUNNING) {
      request.replyTo().tell(new AgentHost.DelegationDenied(request.child(), request.role(),
          List.of("the delegating agent is no longer running"), false));
      return this;
    }
    List<AgentId> lineage = new ArrayList<>(parent.lineage);
    lineage.add(request.child());
    AgentRecord record = new AgentRecord(recorded.info(), parent.mission, parent.info.id(), lineage, request.grant(),
        now());
    agents.put(request.child(), record);
    parent.children.add(request.child());
    missions.get(parent.mission).agents.add(request.child());
    request.replyTo().tell(new AgentHost.DelegationGranted(recorded.info(), lineage));
    return this;
  }

  /** Records a refused delegation ({@code approval} as for {@link #grantDelegation}) and tells the parent. */
  private void denyDelegation(RequestDelegation request, AgentRecord parent, PolicyDecision decision, String approval,
      List<String> reasons, boolean strike) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("decision", "deny");
    payload.put("role", request.role());
    payload.put("agentType", request.agentType());
    payload.put("reasons", reasons);
    payload.put("policyVersion", decision.policyVersion());
    payload.put("rules", decision.ruleIds());
    payload.put("strike", strike);
    if (approval != null) {
      payload.put("approval", approval);
    }
    audit(parent, AuditKind.DELEGATION, payload);
    request.replyTo().tell(new AgentHost.DelegationDenied(request.child(), request.role(), reasons, strike));
  }

  // ---------------------------------------------------------------------------------------------- agents' lives

  private Behavior<Command> onAgentStarted(AgentStarted started) {
    AgentRecord record = agents.get(started.agent());
    if (record != null) {
      record.host = started.host();
      if (record.status == AgentStatus.HALTED) {
        // The halt was decided before the host started: deliver it now.
        started.host().tell(new AgentHost.Halt(HaltReason.PARENT_ENDED, false));
      }
    }
    return this;
  }

  private Behavior<Command> onAgentEnded(AgentEnded ended) {
    AgentRecord record = agents.get(ended.agent());
    if (record != null && record.status == AgentStatus.RUNNING) {
      ended(record, ended.status(), ended.report(), ended.reason(), ended.last());
    }
    return this;
  }

  /** An agent ended on its own: record it, revoke what it (and any subtree) holds, halt children still running. */
  private void ended(AgentRecord record, AgentStatus status, Map<String, Object> report, String reason, HostState last) {
    Instant now = now();
    record.status = status;
    record.haltReason = status == AgentStatus.HALTED ? reason : null;
    record.endedAt = now;
    record.last = last;
    revoke(record, "agent-" + status.text(), now);
    withdrawDelegations(Set.of(record.info.id()), "the delegating agent ended");
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("status", status.text());
    payload.put("reason", reason == null ? "" : reason);
    audit(record, AuditKind.AGENT_ENDED, payload);
    for (AgentId child : List.copyOf(record.children)) {
      halt(child, HaltReason.PARENT_ENDED, "its parent " + record.info.id() + " ended", false);
    }
    Mission mission = missions.get(record.mission);
    if (record.parent == null) {
      missionEnded(mission, record);
      mission.completion.complete(new MissionOutcome(record.mission, status, report, reason, now));
    }
  }

  private Behavior<Command> onReportViolation(ReportViolation violation) {
    AgentRecord record = agents.get(violation.agent());
    if (record != null) {
      halt(violation.agent(), violation.reason(), violation.detail(), missions.get(record.mission).spec.rollbackOnHalt());
    }
    return this;
  }

  private Behavior<Command> onHaltAgent(HaltAgent halt) {
    AgentRecord record = agents.get(halt.agent());
    boolean ours = record != null && record.mission.equals(halt.mission());
    halt.replyTo().tell(ours ? halt(halt.agent(), HaltReason.PERSON, halt.reason(), halt.rollback()) : List.of());
    return this;
  }

  /**
   * Routes a compromise to the agent's host, which alone may swap its brain. Not running (ended, halted, or not started
   * yet: its host has not reported) answers false here; the host answers for itself otherwise.
   */
  private Behavior<Command> onCompromiseAgent(CompromiseAgent compromise) {
    AgentRecord record = agents.get(compromise.agent());
    if (record == null || !record.mission.equals(compromise.mission()) || record.status != AgentStatus.RUNNING
        || record.host == null) {
      compromise.replyTo().tell(false);
      return this;
    }
    record.host.tell(new AgentHost.Compromise(compromise.behaviour(), compromise.brain(), compromise.replyTo()));
    return this;
  }

  private Behavior<Command> onHostHalted(HostHalted halted) {
    AgentRecord record = agents.get(halted.agent());
    if (record != null) {
      record.last = halted.last();
    }
    return this;
  }

  /**
   * Halts an agent and its running subtree, at once: marks them halted, revokes every credential of the subtree by
   * lineage, audits, tells every host, and queues the subtree's compensations when rollback is asked.
   *
   * @return the halted agents, the subtree's root first; empty when the agent was not running
   */
  private List<AgentId> halt(AgentId agentId, HaltReason reason, String detail, boolean rollback) {
    AgentRecord root = agents.get(agentId);
    if (root == null || root.status != AgentStatus.RUNNING) {
      return List.of();
    }
    long started = System.nanoTime();
    // First of all: from here on no host of the subtree acts, whatever its mailbox holds.
    services.halts().add(agentId);
    Instant now = now();
    List<AgentRecord> subtree = new ArrayList<>();
    ArrayDeque<AgentRecord> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      AgentRecord record = stack.pop();
      if (record.status != AgentStatus.RUNNING) {
        continue;
      }
      subtree.add(record);
      for (int i = record.children.size() - 1; i >= 0; i--) {
        stack.push(agents.get(record.children.get(i)));
      }
    }
    for (AgentRecord record : subtree) {
      record.status = AgentStatus.HALTED;
      record.haltReason = reason.text();
      record.endedAt = now;
    }
    revoke(root, "halted", now);
    List<AgentId> ids = subtree.stream().map(r -> r.info.id()).toList();
    audit(root, AuditKind.HALT, Map.of("reason", reason.text(), "detail", detail == null ? "" : detail,
        "subtree", ids.stream().map(AgentId::value).toList(), "rollback", rollback));
    withdrawDelegations(new HashSet<>(ids), "the delegating agent was halted");
    services.metrics().halt(reason);
    getContext().getLog().info("mission {}: halted {} ({}) with {} agents of its subtree", root.mission, agentId,
        reason.text(), ids.size());
    for (AgentRecord record : subtree) {
      if (record.host != null) {
        record.host.tell(new AgentHost.Halt(reason, record == root));
      }
    }
    Mission mission = missions.get(root.mission);
    if (rollback) {
      Set<AgentId> halted = new HashSet<>(ids);
      List<Effect> undo = new ArrayList<>();
      for (Effect effect : mission.effects) {
        if (halted.contains(effect.agent()) && !mission.compensated.contains(effect.seq())) {
          undo.add(0, effect);
        }
      }
      undo.forEach(e -> mission.compensated.add(e.seq()));
      mission.undoQueue.addAll(undo);
      nextCompensation(mission);
    }
    if (root.parent == null) {
      missionEnded(mission, root);
      mission.completion.complete(new MissionOutcome(root.mission, AgentStatus.HALTED, Map.of(), reason.text(), now));
    }
    services.metrics().haltTook(Duration.ofNanos(System.nanoTime() - started));
    return ids;
  }

  // ---------------------------------------------------------------------------------------------- rollback

  private Behavior<Command> onEffectExecuted(EffectExecuted executed) {
    AgentRecord record = agents.get(executed.agent());
    if (record == null) {
      return this;
    }
    Mission mission = missions.get(record.mission);
    Effect effect = new Effect(++effectSeq, executed.agent(), executed.call(), executed.undo());
    mission.effects.add(effect);
    if (record.status == AgentStatus.HALTED && mission.spec.rollbackOnHalt()
        && mission.compensated.add(effect.seq())) {
      // Executed before the halt, reported after it: undo it too.
      mission.undoQueue.add(effect);
      nextCompensation(mission);
    }
    return this;
  }

  /** Runs the next queued compensation of a mission, one at a time, in the queue's (reverse execution) order. */
  private void nextCompensation(Mission mission) {
    if (mission.undoing != null || mission.undoQueue.isEmpty()) {
      return;
    }
    mission.undoing = mission.undoQueue.poll();
    mission.attempt = 1;
    auditCompensation(mission);
  }

  private void auditCompensation(Mission mission) {
    Effect effect = mission.undoing;
    Map<String, Object> payload = compensationFields(effect);
    payload.put("status", "starting");
    payload.put("attempt", mission.attempt);
    CompletionStage<AuditReceipt> durable;
    try {
      durable = services.audit().append(new AuditEntry(now(), mission.spec.id().value(), List.of(),
          AuditKind.COMPENSATION, payload));
    } catch (RuntimeException e) {
      durable = CompletableFuture.failedFuture(e);
    }
    MissionId id = mission.spec.id();
    getContext().pipeToSelf(durable, (receipt, failure) -> new CompensationAudited(id, failure));
  }

  private Behavior<Command> onCompensationAudited(CompensationAudited audited) {
    Mission mission = missions.get(audited.mission());
    if (mission == null || mission.undoing == null) {
      return this;
    }
    if (audited.failure() != null) {
      compensationFailed(mission, "the audit store did not record it");
      return this;
    }
    Effect effect = mission.undoing;
    Tool tool = services.tools().get(effect.undo().tool());
    if (tool == null) {
      compensationFailed(mission, "no tool '" + effect.undo().tool() + "' is registered");
      return this;
    }
    Instant now = now();
    SpiffeId identity = supervisorIdentity(mission.spec.id());
    AgentId holder = new AgentId("supervisor");
    // Scoped to this one undo, like an agent's credential to its grant: a tool that checks scope accepts it.
    Credential credential = services.credentials().issue(new CredentialRequest(holder, identity, mission.spec.id(),
        List.of(holder), tool.audience(), now, now.plus(Duration.ofMinutes(5)))
        .withScope(new CredentialScope(List.of(effect.undo().tool()),
            List.of(Pattern.literal(effect.undo().resource())))));
    ToolCall call = new ToolCall("undo/" + effect.call().callId() + "#" + mission.attempt, effect.undo().tool(),
        effect.undo().resource(), effect.undo().arguments(), holder, identity);
    CompletionStage<ToolOutcome> outcome;
    try {
      outcome = tool.execute(call, credential);
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    MissionId id = mission.spec.id();
    getContext().pipeToSelf(outcome, (result, failure) -> new CompensationFinished(id, result, failure));
    return this;
  }

  private Behavior<Command> onCompensationFinished(CompensationFinished finished) {
    Mission mission = missions.get(finished.mission());
    if (mission == null || mission.undoing == null) {
      return this;
    }
    if (finished.failure() == null && finished.outcome() instanceof ToolOutcome.Done) {
      Map<String, Object> payload = compensationFields(mission.undoing);
      payload.put("status", "executed");
      payload.put("attempt", mission.attempt);
      audit(mission.spec.id(), List.of(), AuditKind.COMPENSATION, payload);
      mission.undoing = null;
      nextCompensation(mission);
      return this;
    }
    String why = finished.failure() != null ? finished.failure().getMessage()
        : finished.outcome() instanceof ToolOutcome.Failed failed ? failed.reason() : "no outcome";
    compensationFailed(mission, why);
    return this;
  }

  /** Retries with doubling backoff; after the last attempt the failure is audited and the queue moves on. */
  private void compensationFailed(Mission mission, String why) {
    Map<String, Object> payload = compensationFields(mission.undoing);
    payload.put("attempt", mission.attempt);
    payload.put("failure", why);
    if (mission.attempt < UNDO_ATTEMPTS) {
      payload.put("status", "retrying");
      audit(mission.spec.id(), List.of(), AuditKind.COMPENSATION, payload);
      Duration backoff = UNDO_FIRST_BACKOFF.multipliedBy(1L << (mission.attempt - 1));
      mission.attempt++;
      timers.startSingleTimer("undo:" + mission.spec.id(), new CompensationRetry(mission.spec.id()), backoff);
    } else {
      payload.put("status", "failed");
      audit(mission.spec.id(), List.of(), AuditKind.COMPENSATION, payload);
      getContext().getLog().warn("compensation {} on {} failed after {} attempts: {}", mission.undoing.undo().tool(),
          mission.undoing.undo().resource(), mission.attempt, why);
      mission.undoing = null;
      nextCompensation(mission);
    }
  }

  private Behavior<Command> onCompensationRetry(CompensationRetry retry) {
    Mission mission = missions.get(retry.mission());
    if (mission != null && mission.undoing != null) {
      auditCompensation(mission);
    }
    return this;
  }

  private static Map<String, Object> compensationFields(Effect effect) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("effect", effect.call().callId());
    payload.put("agent", effect.agent().value());
    payload.put("tool", effect.undo().tool());
    payload.put("resource", effect.undo().resource());
    return payload;
  }

  private SpiffeId supervisorIdentity(MissionId mission) {
    return SpiffeId.parse("spiffe://" + services.trustDomain() + "/mission/" + mission.value() + "/supervisor");
  }

  private Behavior<Command> onMaintainCredentials() {
    try {
      services.credentials().maintain(now());
      services.audit().flush();
    } catch (RuntimeException e) {
      getContext().getLog().error("credential housekeeping failed: {}", e.toString());
    }
    return this;
  }

  // ---------------------------------------------------------------------------------------------- snapshots

  private Behavior<Command> onGetSnapshot(GetSnapshot get) {
    Mission mission = missions.get(get.mission());
    if (mission == null) {
      get.replyTo().tell(Optional.empty());
      return this;
    }
    long id = ++snapshotSeq;
    SnapshotRequest request = new SnapshotRequest(get.mission(), get.replyTo());
    for (AgentId agent : mission.agents) {
      AgentRecord record = agents.get(agent);
      if (record.status == AgentStatus.RUNNING && record.host != null) {
        request.waiting.add(agent);
        record.host.tell(new AgentHost.ReportState(snapshotAdapter));
      }
    }
    snapshots.put(id, request);
    if (request.waiting.isEmpty()) {
      finishSnapshot(id);
    } else {
      timers.startSingleTimer("snapshot:" + id, new SnapshotDue(id), SNAPSHOT_TIMEOUT);
    }
    return this;
  }

  private Behavior<Command> onSnapshotPart(SnapshotPart part) {
    AgentRecord record = agents.get(part.state().agent());
    if (record != null) {
      record.last = part.state();
    }
    for (Map.Entry<Long, SnapshotRequest> entry : List.copyOf(snapshots.entrySet())) {
      if (entry.getValue().waiting.remove(part.state().agent()) && entry.getValue().waiting.isEmpty()) {
        finishSnapshot(entry.getKey());
      }
    }
    return this;
  }

  private Behavior<Command> onSnapshotDue(SnapshotDue due) {
    if (snapshots.containsKey(due.request())) {
      finishSnapshot(due.request());
    }
    return this;
  }

  private void finishSnapshot(long id) {
    SnapshotRequest request = snapshots.remove(id);
    timers.cancel("snapshot:" + id);
    Mission mission = missions.get(request.mission);
    List<AgentSnapshot> out = new ArrayList<>();
    for (AgentId agent : mission.agents) {
      out.add(snapshotOf(agents.get(agent)));
    }
    AgentStatus status = agents.get(mission.root).status;
    request.replyTo.tell(Optional.of(new MissionSnapshot(request.mission, now(), status, out)));
  }

  private static AgentSnapshot snapshotOf(AgentRecord r) {
    HostState last = r.last;
    long used = last == null ? 0 : last.budgetUsed();
    long reserved = last == null ? 0 : last.budgetReserved();
    long left = last == null ? r.grant.bounds().budget() : last.budgetLeft();
    List<Integer> none = r.grant.capabilities().stream().map(c -> 0).toList();
    List<Integer> calls = last == null ? none : last.callsUsed();
    return new AgentSnapshot(r.info.id(), r.parent, r.info.role(), r.info.path(), r.info.type(), r.info.depth(),
        r.info.identity(), r.grant, used, reserved, left, calls, last == null ? 0 : last.ownBudgetUsed(),
        last == null ? none : last.ownCallsUsed(), last == null ? 0 : last.strikes(), r.status,
        r.haltReason, r.status == AgentStatus.RUNNING && last != null ? last.activeCredentials() : 0,
        r.children, r.startedAt, r.endedAt);
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** Revokes every credential of the agent's lineage (it and its whole subtree) with one entry, and audits it. */
  private void revoke(AgentRecord record, String why, Instant now) {
    services.credentials().revokeLineage(record.info.id(), now);
    audit(record, AuditKind.CREDENTIAL_REVOKED, Map.of("lineage", record.info.id().value(), "reason", why));
  }

  private Instant now() {
    return services.clock().instant();
  }

  private void audit(AgentRecord record, AuditKind kind, Map<String, Object> payload) {
    audit(record.mission, lineageText(record), kind, payload);
  }

  private static List<String> lineageText(AgentRecord record) {
    return record.lineage.stream().map(AgentId::value).toList();
  }

  private void audit(MissionId mission, List<String> lineage, AuditKind kind, Map<String, Object> payload) {
    services.audit().unawaited(new AuditEntry(now(), mission.value(), lineage, kind, payload));
  }

  /** A grant as audit records and approval requests show it. */
  static String describe(GrantRequest grant) {
    return grant.capabilities() + " within " + grant.bounds();
  }
}
