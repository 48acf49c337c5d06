package dev.custos.runtime;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.AgentInfo;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.agent.ToolOutcome;
import dev.custos.approval.ApprovalAnswer;
import dev.custos.approval.ApprovalRequest;
import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditReceipt;
import dev.custos.capability.Attenuation;
import dev.custos.capability.Capability;
import dev.custos.capability.ChargeResult;
import dev.custos.capability.DelegationResult;
import dev.custos.capability.Grant;
import dev.custos.capability.Ledger;
import dev.custos.capability.Reason;
import dev.custos.capability.Unused;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialRequest;
import dev.custos.credential.CredentialScope;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.WorkloadKeys;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyRequest;
import dev.custos.tool.Compensation;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Hosts one agent: holds its identity, grant, ledger and credentials and the {@link Agent} itself, turns the agent's
 * actions into mediated requests, and enforces the bounds on every one. The Pekko child of its delegator's host, so a
 * stopping host takes its subtree with it.
 *
 * <p>Every tool call passes the gateway here, in order: capability, rate, ledger (calls and budget, reserved before the
 * call so overshoot is zero), policy, approval when required (at most {@code maxPendingApprovals} calls of an agent
 * wait at once; an approval counts only when it names the hash of this exact call, and the policy is then asked
 * again), a credential of the agent's own, an audit record made durable, then the tool; the outcome is audited after.
 * Every denial is audited and, when it is the agent's doing, a strike. A violation (strikes, an exhausted budget or
 * call limit, the deadline) freezes the host at once and asks the supervisor to halt the subtree; from then on nothing
 * of this agent executes. A call still waiting for a person when its agent stops (halted or ended) has its request
 * withdrawn and audited so, and is denied ({@code agent-stopped}, no strike): every call that asked ends in a record.
 */
public final class AgentHost extends AbstractBehavior<AgentHost.Command> {

  /** What a host accepts. */
  public sealed interface Command {}

  /** The supervisor halted this agent's subtree; the subtree's root tells its parent, the others just stop. */
  public record Halt(HaltReason reason, boolean tellParent) implements Command {}

  /** The supervisor allowed a delegation this host asked for: spawn the child. */
  record DelegationGranted(AgentInfo child, List<AgentId> lineage) implements Command {}

  /** The supervisor refused a delegation this host asked for. */
  record DelegationDenied(AgentId child, String role, List<String> reasons, boolean strike) implements Command {}

  /** A child ended and returns what it left of its grant. */
  record ChildEnded(AgentId child, AgentStatus status, Map<String, Object> report, String reason, Unused unused)
      implements Command {}

  /**
   * Replace the agent's brain (a simulation or red-team exercise): same identity, grant, ledger, credentials and
   * children; replies whether the agent was running and took the new brain.
   */
  record Compromise(String behaviour, Supplier<Agent> brain, ActorRef<Boolean> replyTo) implements Command {}

  /** Reply with this host's ledger and strikes, for a snapshot. */
  record ReportState(ActorRef<HostState> replyTo) implements Command {}

  private record ChildTerminated(AgentId child) implements Command {}

  private record Decided(int brain, List<Action> actions, Throwable failure) implements Command {}

  private record ApprovalAnswered(String callId, ApprovalAnswer answer, Throwable failure) implements Command {}

  private record ApprovalTimedOut(String callId) implements Command {}

  private record AuditDurable(String callId, AuditReceipt receipt, Throwable failure) implements Command {}

  private record ToolFinished(String callId, ToolOutcome outcome, Throwable failure) implements Command {}

  private record TimerDue(String key) implements Command {}

  private enum DeadlineReached implements Command { INSTANCE }

  private enum DrainTimedOut implements Command { INSTANCE }

  /** Why a person is asked when the capability asks (the policy permitted the call). */
  private static final String CAPABILITY_ASKS = "the capability requires approval";

  /** Why a person is asked when a policy rule asks without a message of its own. */
  private static final String POLICY_ASKS = "policy requires approval";

  /** The reason of a denial because the agent stopped (halted or ended) before its call could run. */
  private static final String STOPPED = "agent-stopped";

  /** Running: acting. Freezing: a violation was reported, nothing more runs. Draining: halted or ended, calls out. */
  private enum State { RUNNING, FREEZING, DRAINING, STOPPED }

  private enum Stage { AWAITING_APPROVAL, AWAITING_AUDIT, EXECUTING }

  /** A call between the gateway's first check and its outcome. */
  private static final class Call {
    final Action.CallTool action;
    final Tool tool;
    final int capability;
    /** The decision the call runs under: the first, or once approved, the policy's decision asked again. */
    PolicyDecision decision;
    Stage stage;
    String approvalId;
    /** The hash of the call's canonical action, which an approval must name. */
    String actionHash;
    Credential credential;
    ToolCall toolCall;

    Call(Action.CallTool action, Tool tool, int capability, PolicyDecision decision) {
      this.action = action;
      this.tool = tool;
      this.capability = capability;
      this.decision = decision;
    }
  }

  /** A child this host delegated to: asked for, then running, then ended. */
  private static final class Child {
    final String role;
    /** What the parent asked for; dropped once the child is spawned, so the brief is not kept twice. */
    Action.Delegate request;
    final Grant grant;
    boolean started;
    boolean ended;

    Child(String role, Action.Delegate request, Grant grant) {
      this.role = role;
      this.request = request;
      this.grant = grant;
    }
  }

  private final HostSetup setup;
  private final Services services;
  private final AgentInfo self;
  /** The brain; replaced only by {@link Compromise}. */
  private Agent agent;
  /** Which brain this is: 0 the agent's own, then one more per compromise. A decision of an older brain is dropped. */
  private int brain;
  private final TimerScheduler<Command> timers;
  private final Ledger ledger;
  /** Each capability as audit records name it, written once. */
  private final String[] capabilityText;
  // Small initial sizes: a million idle hosts each hold these.
  private final ArrayDeque<AgentEvent> inbox = new ArrayDeque<>(2);
  private final Map<String, Call> calls = new LinkedHashMap<>();
  private final Map<AgentId, Child> children = new LinkedHashMap<>();
  private final Map<String, Credential> credentials = new LinkedHashMap<>();
  private final ArrayDeque<Instant> recentCalls = new ArrayDeque<>(2);
  private State state = State.RUNNING;
  private boolean deciding;
  private boolean pumping;
  private boolean haltReceived;
  private int strikes;
  private int approvalSeq;
  private WorkloadKeys keys;

  static Behavior<Command> create(HostSetup setup) {
    // Correlation ids for every log line of this host; never grants or credentials.
    Map<String, String> mdc = Map.of("mission", setup.mission().id().value(), "agent", setup.self().id().value(),
        "path", setup.self().path());
    return Behaviors.withMdc(Command.class, mdc,
        Behaviors.withTimers(timers -> Behaviors.setup(context -> new AgentHost(context, timers, setup))));
  }

  private AgentHost(ActorContext<Command> context, TimerScheduler<Command> timers, HostSetup setup) {
    super(context);
    this.setup = setup;
    this.services = setup.services();
    this.self = setup.self();
    this.agent = setup.agent();
    this.timers = timers;
    this.ledger = new Ledger(setup.grant());
    this.capabilityText = setup.grant().capabilities().stream().map(Capability::toString).toArray(String[]::new);
    services.metrics().agentStarted();
    setup.supervisor().tell(new Supervisor.AgentStarted(self.id(), context.getSelf()));
    Instant now = now();
    Duration left = Duration.between(now, setup.grant().bounds().deadline());
    if (left.isNegative() || left.isZero()) {
      context.getSelf().tell(DeadlineReached.INSTANCE);
    } else {
      timers.startSingleTimer(DeadlineReached.INSTANCE, DeadlineReached.INSTANCE, left);
    }
    deliver(new AgentEvent.MissionStarted(now, setup.brief(), setup.grant().request(), self));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Halt.class, this::onHalt)
        .onMessage(DelegationGranted.class, this::onDelegationGranted)
        .onMessage(DelegationDenied.class, this::onDelegationDenied)
        .onMessage(ChildEnded.class, this::onChildEnded)
        .onMessage(Compromise.class, this::onCompromise)
        .onMessage(ReportState.class, this::onReportState)
        .onMessage(ChildTerminated.class, this::onChildTerminated)
        .onMessage(Decided.class, this::onDecided)
        .onMessage(ApprovalAnswered.class, this::onApprovalAnswered)
        .onMessage(ApprovalTimedOut.class, this::onApprovalTimedOut)
        .onMessage(AuditDurable.class, this::onAuditDurable)
        .onMessage(ToolFinished.class, this::onToolFinished)
        .onMessage(TimerDue.class, this::onTimerDue)
        .onMessageEquals(DeadlineReached.INSTANCE, this::onDeadlineReached)
        .onMessageEquals(DrainTimedOut.INSTANCE, this::onDrainTimedOut)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  // ---------------------------------------------------------------------------------------------- agent decisions

  private void deliver(AgentEvent event) {
    if (running()) {
      inbox.add(event);
      pump();
    }
  }

  /**
   * Hands the agent its next event when it is idle; a non-blocking agent decides right here, in a loop. Events its own
   * actions cause (a denial, say) queue up behind the current one instead of recursing.
   */
  private void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      pumpEvents();
    } finally {
      pumping = false;
    }
  }

  private void pumpEvents() {
    while (running() && !deciding && !inbox.isEmpty()) {
      AgentEvent event = inbox.poll();
      if (agent.blocking()) {
        deciding = true;
        Agent mind = agent;
        int current = brain;
        CompletableFuture<List<Action>> decision =
            CompletableFuture.supplyAsync(() -> mind.onEvent(event), services.decisions());
        getContext().pipeToSelf(decision, (actions, failure) -> new Decided(current, actions, failure));
      } else {
        List<Action> actions;
        try {
          actions = agent.onEvent(event);
        } catch (RuntimeException e) {
          act(null, e);
          continue;
        }
        act(actions, null);
      }
    }
  }

  private Behavior<Command> onDecided(Decided decided) {
    if (decided.brain() != brain) {
      // The replaced brain's last decision: from the compromise on, only the new brain acts.
      return next();
    }
    deciding = false;
    if (running()) {
      act(decided.actions(), decided.failure());
      pump();
    }
    return next();
  }

  private void act(List<Action> actions, Throwable failure) {
    if (failure != null) {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      end(AgentStatus.FAILED, Map.of(), "the agent threw " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
      return;
    }
    for (Action action : actions == null ? List.<Action>of() : actions) {
      if (!running()) {
        return;
      }
      if (action instanceof Action.CallTool call) {
        callTool(call);
      } else if (action instanceof Action.Delegate delegate) {
        delegate(delegate);
      } else if (action instanceof Action.StartTimer timer) {
        timers.startSingleTimer("agent:" + timer.key(), new TimerDue(timer.key()), timer.delay());
      } else if (action instanceof Action.Complete complete) {
        end(AgentStatus.COMPLETED, complete.report(), null);
      } else if (action instanceof Action.Fail fail) {
        end(AgentStatus.FAILED, Map.of(), fail.reason());
      }
    }
  }

  /**
   * Swaps the brain and starts it like an agent: a {@code MissionStarted} with this agent's own brief, grant and identity,
   * ahead of anything queued. Everything else stays: the same gateway, ledger, strikes, credentials, children, timers
   * and in-flight calls, whose results (under their old call ids) now go to the new brain.
   */
  private Behavior<Command> onCompromise(Compromise compromise) {
    if (!running()) {
      compromise.replyTo().tell(false);
      return next();
    }
    Agent replacement;
    try {
      replacement = compromise.brain().get();
    } catch (RuntimeException e) {
      replacement = null;
    }
    if (replacement == null) {
      getContext().getLog().warn("compromise '{}' not applied: its brain could not be made", compromise.behaviour());
      compromise.replyTo().tell(false);
      return next();
    }
    agent = replacement;
    brain++;
    deciding = false;
    audit(AuditKind.COMPROMISE, Map.of("behaviour", compromise.behaviour()));
    getContext().getLog().warn("brain replaced by '{}' (simulation or red-team exercise)", compromise.behaviour());
    compromise.replyTo().tell(true);
    inbox.addFirst(new AgentEvent.MissionStarted(now(), setup.brief(), setup.grant().request(), self));
    pump();
    return next();
  }

  private Behavior<Command> onTimerDue(TimerDue due) {
    deliver(new AgentEvent.TimerFired(now(), due.key()));
    return next();
  }

  // ---------------------------------------------------------------------------------------------- the gateway

  /** The gateway's synchronous part, timed as the decision latency (the clock is read for the metric only). */
  private void callTool(Action.CallTool action) {
    long started = System.nanoTime();
    try {
      decideCall(action);
    } finally {
      services.metrics().decisionTook(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private void decideCall(Action.CallTool action) {
    Instant now = now();
    if (calls.containsKey(action.callId())) {
      deny(action, "duplicate-call", List.of("call id '" + action.callId() + "' is already in flight"), null, true);
      return;
    }
    Tool tool = services.tools().get(action.tool());
    if (tool == null) {
      deny(action, "unknown-tool", List.of("no tool '" + action.tool() + "' is registered"), null, true);
      return;
    }
    if (containsCredential(action.arguments()) || services.credentials().containsCredential(action.resource())) {
      // An agent never holds a credential; one in its call was taken from another agent (leaked, injected).
      rejectPresented(action);
      deny(action, "foreign-credential", List.of("the call carries a credential; an agent may only use its own, which"
          + " the runtime presents for it"), null, true);
      return;
    }
    OptionalInt capability = ledger.capabilityFor(action.tool(), action.resource());
    if (capability.isEmpty()) {
      deny(action, "capability", List.of(action.tool() + " on " + action.resource() + " is not within the agent's grant"),
          null, true);
      return;
    }
    if (!rateAllows(now)) {
      deny(action, "rate", List.of("more than " + ledger.grant().bounds().rate() + " calls"), null, true);
      return;
    }
    ChargeResult charge = ledger.consume(capability.getAsInt(), tool.cost());
    if (charge instanceof ChargeResult.Insufficient insufficient) {
      List<String> reasons = insufficient.reasons().stream().map(Reason::describe).toList();
      boolean exhausted = insufficient.reasons().stream().anyMatch(r -> r instanceof Reason.CallsExhausted);
      deny(action, exhausted ? "calls" : "budget", reasons, null, false);
      violation(exhausted ? HaltReason.CALLS : HaltReason.BUDGET, String.join("; ", reasons));
      return;
    }
    recentCalls.addLast(now);
    PolicyDecision decision = decidePolicy(action, tool, now, false);
    if (decision instanceof PolicyDecision.Forbid forbid) {
      ledger.refund(capability.getAsInt(), tool.cost());
      // A policy that failed is the runtime's trouble, not the agent's: denied, but no strike.
      deny(action, "policy", List.of(forbid.message().isEmpty() ? "forbidden by policy" : forbid.message()), forbid,
          !Services.POLICY_FAILED.equals(forbid.policyVersion()));
      return;
    }
    boolean needsApproval = ledger.grant().capabilities().get(capability.getAsInt()).requiresApproval()
        || decision instanceof PolicyDecision.RequireApproval;
    int waiting = needsApproval ? awaitingApproval() : 0;
    if (needsApproval && waiting >= services.maxPendingApprovals()) {
      // Bounded, so an agent cannot bury the people who approve under requests; asking past the bound is a strike.
      ledger.refund(capability.getAsInt(), tool.cost());
      deny(action, "approval-flood", List.of(waiting + " calls of the agent already wait for approval, the most it may"
          + " have waiting"), decision, true);
      return;
    }
    Call call = new Call(action, tool, capability.getAsInt(), decision);
    calls.put(action.callId(), call);
    if (needsApproval) {
      askApproval(call, now);
    } else {
      authorize(call, now);
    }
  }

  /**
   * Audits the credentials a call carried: their ids, as the broker names the tokens it issued, never the tokens (the
   * audit must not hold a usable secret). {@code credential} is the first, {@code credentials} all of them in the order
   * they appear (the resource first, then the arguments, a map's entries in key order); a broker that cannot name its
   * tokens leaves the first absent and the list empty, and the reason says so.
   */
  private void rejectPresented(Action.CallTool action) {
    Set<String> ids = new LinkedHashSet<>(services.credentials().credentialIdsIn(action.resource()));
    collectCredentialIds(action.arguments(), ids);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("call", action.callId());
    record.put("tool", action.tool());
    record.put("presentedBy", self.id().value());
    if (!ids.isEmpty()) {
      // Absent rather than null when unnamed: the audit store indexes this member as a credential id.
      record.put("credential", ids.iterator().next());
    }
    record.put("credentials", List.copyOf(ids));
    record.put("reason", ids.isEmpty()
        ? "a credential that is not the caller's own was presented; the credential broker cannot name it, so no id is"
            + " recorded"
        : "a credential that is not the caller's own was presented");
    audit(AuditKind.CREDENTIAL_REJECTED, record);
  }

  /** Adds the ids of the credentials {@code value} carries, where {@link #containsCredential} looks, in order. */
  private void collectCredentialIds(Object value, Set<String> ids) {
    if (value instanceof String text) {
      ids.addAll(services.credentials().credentialIdsIn(text));
    } else if (value instanceof List<?> list) {
      list.forEach(v -> collectCredentialIds(v, ids));
    } else if (value instanceof Map<?, ?> map) {
      // In key order, not the map's: an immutable map's order changes from one JVM to the next, the record must not.
      map.entrySet().stream().sorted(Comparator.comparing(e -> String.valueOf(e.getKey()))).forEach(e -> {
        collectCredentialIds(e.getKey(), ids);
        collectCredentialIds(e.getValue(), ids);
      });
    }
  }

  private PolicyDecision decidePolicy(Action.CallTool action, Tool tool, Instant now, boolean approved) {
    return services.decide(new PolicyRequest.ToolCall(self, setup.mission(), now, tool.name(), tool.risk(),
        tool.cost(), action.resource(), action.arguments(), policyContext(action, now, approved)));
  }

  /** How many of this agent's calls wait for a person. */
  private int awaitingApproval() {
    int waiting = 0;
    for (Call call : calls.values()) {
      if (call.stage == Stage.AWAITING_APPROVAL) {
        waiting++;
      }
    }
    return waiting;
  }

  /**
   * What policies may read of the situation: the time, whether a person approved this exact call, and the agent's
   * stated confidence when it gives one.
   */
  private static Map<String, Object> policyContext(Action.CallTool action, Instant now, boolean approved) {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("time", now.toString());
    context.put("approved", approved);
    if (action.arguments().get("confidence") instanceof Number confidence) {
      context.put("confidence", confidence.doubleValue());
    }
    return context;
  }

  private boolean rateAllows(Instant now) {
    Duration window = ledger.grant().bounds().rate().per();
    while (!recentCalls.isEmpty() && !recentCalls.peekFirst().plus(window).isAfter(now)) {
      recentCalls.pollFirst();
    }
    return recentCalls.size() < ledger.grant().bounds().rate().calls();
  }

  /**
   * Queues the call for a person as its canonical action; the approval is bound to that action's hash. The reason shown
   * is the rule's message or the runtime's own text, never anything the agent wrote.
   */
  private void askApproval(Call call, Instant now) {
    call.stage = Stage.AWAITING_APPROVAL;
    call.approvalId = self.id() + "/" + call.action.callId() + "#" + (++approvalSeq);
    List<String> rules = call.decision.ruleIds();
    String reason = call.decision instanceof PolicyDecision.RequireApproval r
        ? (r.message().isEmpty() ? POLICY_ASKS : r.message()) : CAPABILITY_ASKS;
    ApprovalRequest request = ApprovalRequest.of(call.approvalId, setup.mission().id().value(), self, lineageText(),
        call.action.tool(), call.action.resource(), call.action.arguments(), rules, reason, now,
        now.plus(setup.approvalTimeout()));
    call.actionHash = request.actionHash();
    // The version of the policy set that asked, or that permitted a call its capability sends to a person: the policy
    // is asked before either, so a request always names the version it was made under, as the call's other records do.
    audit(AuditKind.APPROVAL, Map.of("call", call.action.callId(), "approval", call.approvalId, "status", "requested",
        "tool", call.action.tool(), "resource", call.action.resource(), "policyVersion",
        call.decision.policyVersion(), "rules", rules, "reason", reason, "actionHash", call.actionHash));
    String callId = call.action.callId();
    timers.startSingleTimer("approval:" + callId, new ApprovalTimedOut(callId), setup.approvalTimeout());
    CompletionStage<ApprovalAnswer> answer;
    try {
      answer = services.approvals().request(request);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(answer, (a, failure) -> new ApprovalAnswered(callId, a, failure));
  }

  private Behavior<Command> onApprovalAnswered(ApprovalAnswered answered) {
    Call call = calls.get(answered.callId());
    if (call == null || call.stage != Stage.AWAITING_APPROVAL) {
      return next();
    }
    timers.cancel("approval:" + answered.callId());
    Instant now = now();
    ApprovalVerdict verdict = ApprovalVerdict.of(answered.answer(), answered.failure(), call.actionHash);
    audit(AuditKind.APPROVAL, verdict.record(Map.of("call", answered.callId(), "approval", call.approvalId),
        call.actionHash));
    if (!running()) {
      dropStoppedCall(call);
      return next();
    }
    deliver(new AgentEvent.ApprovalResolved(now, answered.callId(), verdict.approved(), verdict.detail()));
    if (verdict.approved()) {
      decideApproved(call, now);
    } else {
      withdrawCall(call, "approval", List.of(verdict.detail()));
    }
    return next();
  }

  /**
   * A person approved this exact call: the policy is asked again, with {@code context.approved}, before it runs, so a
   * policy reloaded while the call waited still has the last word. A Forbid now withdraws the call (not a strike: the
   * agent asked for what was allowed then); anything else runs it under this second decision.
   */
  private void decideApproved(Call call, Instant now) {
    call.decision = decidePolicy(call.action, call.tool, now, true);
    if (call.decision instanceof PolicyDecision.Forbid forbid) {
      withdrawCall(call, "policy", List.of(forbid.message().isEmpty() ? "forbidden by policy once approved"
          : forbid.message()));
      return;
    }
    authorize(call, now);
  }

  private Behavior<Command> onApprovalTimedOut(ApprovalTimedOut timedOut) {
    Call call = calls.get(timedOut.callId());
    if (call == null || call.stage != Stage.AWAITING_APPROVAL) {
      return next();
    }
    services.approvals().withdraw(call.approvalId);
    String detail = "nobody answered within " + dev.custos.Durations.format(setup.approvalTimeout());
    audit(AuditKind.APPROVAL, Map.of("call", timedOut.callId(), "approval", call.approvalId, "status", "timed-out",
        "detail", detail));
    if (running()) {
      deliver(new AgentEvent.ApprovalResolved(now(), timedOut.callId(), false, detail));
      withdrawCall(call, "approval", List.of("approval timed out: " + detail));
    } else {
      dropStoppedCall(call);
    }
    return next();
  }

  /** Credential, then the audit record of the allowed call; the tool runs once that record is durable. */
  private void authorize(Call call, Instant now) {
    Optional<Credential> credential = credentialFor(call.tool, now);
    if (credential.isEmpty()) {
      withdrawCall(call, "credential", List.of("no credential can be minted: the agent's deadline has passed"));
      return;
    }
    call.credential = credential.get();
    call.stage = Stage.AWAITING_AUDIT;
    call.toolCall = new ToolCall(self.id() + "/" + call.action.callId(), call.action.tool(), call.action.resource(),
        call.action.arguments(), self.id(), self.identity());
    Map<String, Object> record = new LinkedHashMap<>(callFields(call));
    record.put("decision", "allow");
    record.put("capability", call.capability);
    record.put("grant", capabilityText[call.capability]);
    record.put("credential", call.credential.id());
    String callId = call.action.callId();
    CompletionStage<AuditReceipt> durable;
    try {
      durable = services.audit().append(entry(AuditKind.TOOL_EXECUTED, record, now));
    } catch (RuntimeException e) {
      durable = CompletableFuture.failedFuture(e);
    }
    Optional<AuditDurable> already = completed(durable, (receipt, failure) -> new AuditDurable(callId, receipt, failure));
    if (already.isPresent()) {
      onAuditDurable(already.get());
    } else {
      getContext().pipeToSelf(durable, (receipt, failure) -> new AuditDurable(callId, receipt, failure));
    }
  }

  /**
   * The message a stage would bring once complete, when it already is: a store or tool that answers at once (the
   * in-memory audit log, a no-op tool) then costs no trip through the mailbox. Same handler, same checks.
   */
  private static <T, M> Optional<M> completed(CompletionStage<T> stage, java.util.function.BiFunction<T, Throwable, M> adapt) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    if (!future.isDone()) {
      return Optional.empty();
    }
    try {
      return Optional.of(adapt.apply(future.join(), null));
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return Optional.of(adapt.apply(null, e.getCause() != null ? e.getCause() : e));
    }
  }

  private Behavior<Command> onAuditDurable(AuditDurable durable) {
    Call call = calls.get(durable.callId());
    if (call == null || call.stage != Stage.AWAITING_AUDIT) {
      return next();
    }
    if (!running()) {
      calls.remove(durable.callId());
      return next();
    }
    if (durable.failure() != null) {
      withdrawCall(call, "audit-unavailable", List.of("the audit store did not record the call; nothing ran"));
      return next();
    }
    Instant now = now();
    Verification check = services.credentials().verify(call.credential.token(), call.tool.audience(),
        self.identity(), now);
    if (check instanceof Verification.Rejected rejected) {
      withdrawCall(call, "credential", List.of("the agent's credential was refused: " + rejected.reason()));
      return next();
    }
    call.stage = Stage.EXECUTING;
    services.metrics().toolCall("allow");
    CompletionStage<ToolOutcome> outcome;
    try {
      outcome = call.tool.execute(call.toolCall, call.credential);
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    String callId = durable.callId();
    Optional<ToolFinished> already = completed(outcome, (result, failure) -> new ToolFinished(callId, result, failure));
    if (already.isPresent()) {
      onToolFinished(already.get());
    } else {
      getContext().pipeToSelf(outcome, (result, failure) -> new ToolFinished(callId, result, failure));
    }
    return next();
  }

  private Behavior<Command> onToolFinished(ToolFinished finished) {
    Call call = calls.remove(finished.callId());
    if (call == null) {
      return next();
    }
    ToolOutcome outcome = finished.failure() != null
        ? new ToolOutcome.Failed(finished.failure().getClass().getSimpleName() + ": " + finished.failure().getMessage())
        : finished.outcome() == null ? new ToolOutcome.Failed("the tool returned no outcome") : finished.outcome();
    Instant now = now();
    Map<String, Object> record = new LinkedHashMap<>(callFields(call));
    record.put("outcome", outcome instanceof ToolOutcome.Done ? "done" : "failed");
    if (outcome instanceof ToolOutcome.Failed failed) {
      record.put("failure", failed.reason());
    }
    if (!running()) {
      // The effect ran before the halt was decided or while the halt reached this host; its result is not acted on.
      audit(AuditKind.LATE_RESULT_DISCARDED, record);
      reportEffect(call, outcome, now);
      stopWhenDrained();
      return next();
    }
    // The effect goes on the supervisor's rollback journal first: by the time anyone reads the outcome record, a halt
    // they then ask for already finds the effect there.
    reportEffect(call, outcome, now);
    audit(AuditKind.TOOL_OUTCOME, record);
    deliver(new AgentEvent.ToolResult(now, call.action.callId(), call.action.tool(), call.action.resource(), outcome));
    return next();
  }

  /** Tells the supervisor of an executed effect that has an undo, for rollback. */
  private void reportEffect(Call call, ToolOutcome outcome, Instant now) {
    if (outcome instanceof ToolOutcome.Done) {
      Optional<Compensation> undo = call.tool.compensation(call.toolCall);
      undo.ifPresent(c -> setup.supervisor().tell(new Supervisor.EffectExecuted(self.id(), call.toolCall, c, now)));
    }
  }

  /**
   * The call never ran: return its charge, audit why (naming the credential minted for it, if one was), tell the agent.
   * Not a strike: it was not the agent's doing.
   */
  private void withdrawCall(Call call, String reason, List<String> details) {
    calls.remove(call.action.callId());
    ledger.refund(call.capability, call.tool.cost());
    Map<String, Object> record = denial(call.action, reason, details, call.decision, false);
    if (call.credential != null) {
      record.put("credential", call.credential.id());
    }
    deny(call.action, record, details, reason, false);
  }

  private void deny(Action.CallTool action, String reason, List<String> details, PolicyDecision decision, boolean strike) {
    deny(action, denial(action, reason, details, decision, strike), details, reason, strike);
  }

  private void deny(Action.CallTool action, Map<String, Object> record, List<String> details, String reason,
      boolean strike) {
    audit(AuditKind.DECISION, record);
    services.metrics().toolCall("deny");
    deliver(new AgentEvent.CallDenied(now(), action.callId(), action.tool(), action.resource(), details));
    if (strike) {
      strike(reason);
    }
  }

  /** The audit record of a denied call. */
  private static Map<String, Object> denial(Action.CallTool action, String reason, List<String> details,
      PolicyDecision decision, boolean strike) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("call", action.callId());
    record.put("tool", action.tool());
    record.put("resource", action.resource());
    record.put("decision", "deny");
    record.put("reason", reason);
    record.put("details", details);
    if (decision != null) {
      record.put("policyVersion", decision.policyVersion());
      record.put("rules", decision.ruleIds());
    }
    record.put("strike", strike);
    return record;
  }

  private Map<String, Object> callFields(Call call) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("call", call.action.callId());
    fields.put("tool", call.action.tool());
    fields.put("resource", call.action.resource());
    fields.put("policyVersion", call.decision.policyVersion());
    fields.put("rules", call.decision.ruleIds());
    return fields;
  }

  /**
   * The agent's own credential for a tool, minted just in time and renewed before it runs out: bound to the agent's key
   * (made on first need) and scoped to the tool and the resource patterns the grant gives for it, never wider.
   */
  private Optional<Credential> credentialFor(Tool tool, Instant now) {
    String key = tool.audience() + "|" + tool.name();
    Credential held = credentials.get(key);
    if (held != null && held.expiresAt().isAfter(now.plusSeconds(5))) {
      return Optional.of(held);
    }
    Instant deadline = ledger.grant().bounds().deadline();
    if (!deadline.isAfter(now)) {
      return Optional.empty();
    }
    List<dev.custos.capability.Pattern> resources = new ArrayList<>();
    for (Capability capability : ledger.grant().capabilities()) {
      if (capability.tool().matches(tool.name())) {
        capability.resources().stream().filter(r -> !resources.contains(r)).forEach(resources::add);
      }
    }
    CredentialRequest request = new CredentialRequest(self.id(), self.identity(), setup.mission().id(), setup.lineage(),
        tool.audience(), now, deadline)
        .withScope(new CredentialScope(List.of(tool.name()), resources))
        .withHolderKey(keys().publicKey());
    Credential minted = services.credentials().issue(request);
    credentials.put(key, minted);
    services.metrics().credentialsIssued(1);
    audit(AuditKind.CREDENTIAL_ISSUED, Map.of("credential", minted.id(), "audience", tool.audience(),
        "expiresAt", minted.expiresAt().toString()));
    return Optional.of(minted);
  }

  /** The agent's key pair, made when it is first needed; the private half never leaves this host. */
  private WorkloadKeys keys() {
    if (keys == null) {
      keys = WorkloadKeys.generate(services.random());
    }
    return keys;
  }

  // ---------------------------------------------------------------------------------------------- delegation

  private void delegate(Action.Delegate request) {
    List<String> refusals = new ArrayList<>();
    if (!services.agentTypes().containsKey(request.agentType())) {
      refusals.add("no agent type '" + request.agentType() + "' is registered");
    }
    if (carriesCredential(request.brief())) {
      refusals.add("the brief carries a credential; credentials never cross a delegation");
    }
    DelegationResult result = Attenuation.decide(ledger, request.grant());
    if (result instanceof DelegationResult.Refused refused) {
      refused.reasons().forEach(r -> refusals.add(r.describe()));
    }
    if (!refusals.isEmpty()) {
      refuseDelegation(request, refusals);
      return;
    }
    DelegationResult.Granted granted = (DelegationResult.Granted) result;
    AgentId child = services.nextAgentId();
    ledger.reserve(child, granted);
    children.put(child, new Child(request.role(), request, granted.grant()));
    Set<String> labels = new HashSet<>();
    request.brief().facts().values().forEach(f -> labels.addAll(f.labels()));
    setup.supervisor().tell(new Supervisor.RequestDelegation(self.id(), child, request.role(), request.agentType(),
        labels, request.grant(), getContext().getSelf()));
  }

  private void refuseDelegation(Action.Delegate request, List<String> reasons) {
    audit(AuditKind.DELEGATION, Map.of("decision", "deny", "role", request.role(), "agentType", request.agentType(),
        "reasons", reasons, "strike", true));
    services.metrics().delegation("deny");
    deliver(new AgentEvent.DelegationRefused(now(), request.role(), reasons));
    strike("delegation");
  }

  private boolean carriesCredential(MissionBrief brief) {
    if (services.credentials().containsCredential(brief.objective())) {
      return true;
    }
    for (Fact fact : brief.facts().values()) {
      if (containsCredential(fact.value())) {
        return true;
      }
    }
    return false;
  }

  private boolean containsCredential(Object value) {
    if (value instanceof String text) {
      return services.credentials().containsCredential(text);
    }
    if (value instanceof List<?> list) {
      return list.stream().anyMatch(this::containsCredential);
    }
    if (value instanceof Map<?, ?> map) {
      return map.keySet().stream().anyMatch(this::containsCredential)
          || map.values().stream().anyMatch(this::containsCredential);
    }
    return false;
  }

  private Behavior<Command> onDelegationGranted(DelegationGranted granted) {
    AgentInfo info = granted.child();
    Child child = children.get(info.id());
    if (child == null || child.started) {
      return next();
    }
    if (!running()) {
      // Halted between asking and hearing back: the child never starts.
      setup.supervisor().tell(new Supervisor.AgentEnded(info.id(), AgentStatus.HALTED, Map.of(),
          HaltReason.PARENT_ENDED.text(), emptyState(info.id(), child.grant)));
      return next();
    }
    Agent childAgent;
    try {
      childAgent = services.agentTypes().get(child.request.agentType()).get();
    } catch (RuntimeException e) {
      child.ended = true;
      ledger.release(info.id(), nothingLeft(child.grant));
      String reason = "creating the agent threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
      setup.supervisor().tell(new Supervisor.AgentEnded(info.id(), AgentStatus.FAILED, Map.of(), reason,
          emptyState(info.id(), child.grant)));
      deliver(new AgentEvent.ChildFailed(now(), info.id(), child.role, reason));
      return next();
    }
    child.started = true;
    MissionBrief brief = child.request.brief();
    child.request = null;
    HostSetup childSetup = new HostSetup(info, setup.mission(), granted.lineage(), child.grant, brief,
        childAgent, setup.supervisor(), getContext().getSelf(), services, setup.approvalTimeout());
    ActorRef<Command> ref = getContext().spawn(AgentHost.create(childSetup), info.id().value());
    getContext().watchWith(ref, new ChildTerminated(info.id()));
    services.metrics().delegation("allow");
    deliver(new AgentEvent.ChildStarted(now(), info.id(), child.role, info.path()));
    return next();
  }

  private Behavior<Command> onDelegationDenied(DelegationDenied denied) {
    Child child = children.remove(denied.child());
    if (child == null) {
      return next();
    }
    ledger.cancel(denied.child());
    services.metrics().delegation("deny");
    deliver(new AgentEvent.DelegationRefused(now(), denied.role(), denied.reasons()));
    if (denied.strike() && state == State.RUNNING) {
      strike("delegation");
    }
    return next();
  }

  private Behavior<Command> onChildEnded(ChildEnded ended) {
    Child child = children.get(ended.child());
    if (child == null || child.ended) {
      return next();
    }
    child.ended = true;
    ledger.release(ended.child(), ended.unused());
    Instant now = now();
    if (ended.status() == AgentStatus.COMPLETED) {
      deliver(new AgentEvent.ChildReported(now, ended.child(), child.role, ended.report()));
    } else if (ended.status() == AgentStatus.FAILED) {
      deliver(new AgentEvent.ChildFailed(now, ended.child(), child.role, ended.reason()));
    } else {
      deliver(new AgentEvent.ChildHalted(now, ended.child(), child.role, ended.reason()));
    }
    return next();
  }

  private Behavior<Command> onChildTerminated(ChildTerminated terminated) {
    Child child = children.remove(terminated.child());
    if (child != null && !child.ended && ledger.holds(terminated.child())) {
      // Stopped without handing back what it left (it crashed, or was stopped with this host's subtree): count it spent.
      ledger.release(terminated.child(), nothingLeft(child.grant));
      deliver(new AgentEvent.ChildFailed(now(), terminated.child(), child.role, "stopped without reporting"));
    }
    return next();
  }

  private static Unused nothingLeft(Grant grant) {
    List<OptionalInt> calls = new ArrayList<>();
    for (Capability capability : grant.capabilities()) {
      calls.add(capability.maxCalls().isPresent() ? OptionalInt.of(0) : OptionalInt.empty());
    }
    return new Unused(0, calls);
  }

  private static HostState emptyState(AgentId id, Grant grant) {
    List<Integer> calls = new ArrayList<>();
    grant.capabilities().forEach(c -> calls.add(0));
    return new HostState(id, 0, 0, grant.bounds().budget(), calls, 0, calls, 0, 0);
  }

  // ---------------------------------------------------------------------------------------------- bounds and halts

  private void strike(String reason) {
    strikes++;
    if (strikes >= ledger.grant().bounds().maxStrikes() && state == State.RUNNING) {
      violation(HaltReason.STRIKES, strikes + " strikes, the last for " + reason);
    }
  }

  /** Freezes this host at once and asks the supervisor to halt its subtree. */
  private void violation(HaltReason reason, String detail) {
    if (state != State.RUNNING) {
      return;
    }
    state = State.FREEZING;
    inbox.clear();
    setup.supervisor().tell(new Supervisor.ReportViolation(self.id(), reason, detail));
  }

  private Behavior<Command> onDeadlineReached() {
    violation(HaltReason.DEADLINE, "the deadline " + ledger.grant().bounds().deadline() + " passed");
    return next();
  }

  private Behavior<Command> onHalt(Halt halt) {
    if (haltReceived || state == State.DRAINING || state == State.STOPPED) {
      return next();
    }
    haltReceived = true;
    state = State.DRAINING;
    inbox.clear();
    timers.cancelAll();
    dropUnstartedCalls("the agent was halted");
    // The supervisor first: whatever the parent does next reaches the supervisor after this (local sends enqueue at once).
    setup.supervisor().tell(new Supervisor.HostHalted(self.id(), hostState()));
    if (halt.tellParent() && setup.parent() != null) {
      setup.parent().tell(new ChildEnded(self.id(), AgentStatus.HALTED, Map.of(), halt.reason().text(), ledger.unused()));
    }
    if (!calls.isEmpty()) {
      timers.startSingleTimer(DrainTimedOut.INSTANCE, DrainTimedOut.INSTANCE, services.drainTimeout());
    }
    stopWhenDrained();
    return next();
  }

  /**
   * The agent stopped (halted or ended): calls not yet executing never will. A request still waiting for a person leaves
   * the approval queue, so nobody is asked to approve what can no longer happen, and is audited as withdrawn; its call
   * is denied (no strike: not the agent's doing) and its charge returned, as the supervisor does for a delegation
   * waiting on approval. Said to nobody: the agent hears nothing more.
   */
  private void dropUnstartedCalls(String why) {
    for (Call call : new ArrayList<>(calls.values())) {
      if (call.stage == Stage.AWAITING_APPROVAL) {
        services.approvals().withdraw(call.approvalId);
        audit(AuditKind.APPROVAL, Map.of("call", call.action.callId(), "approval", call.approvalId,
            "status", "withdrawn", "detail", why));
        refuseStopped(call, "approval withdrawn: " + why);
      }
      if (call.stage != Stage.EXECUTING) {
        calls.remove(call.action.callId());
      }
    }
  }

  /**
   * A call whose approval was answered (or timed out) while the agent was being halted: it will not run, whatever the
   * answer. Denied, no strike, its charge returned; the halt on its way finds nothing of it left.
   */
  private void dropStoppedCall(Call call) {
    calls.remove(call.action.callId());
    refuseStopped(call, "the agent was being halted when the approval was resolved");
  }

  /** Audits a call the agent's stop denied and returns its charge; the agent is not told, it acts no more. */
  private void refuseStopped(Call call, String detail) {
    ledger.refund(call.capability, call.tool.cost());
    audit(AuditKind.DECISION, denial(call.action, STOPPED, List.of(detail), call.decision, false));
    services.metrics().toolCall("deny");
  }

  private void stopWhenDrained() {
    if (state == State.DRAINING && calls.isEmpty()) {
      state = State.STOPPED;
    }
  }

  private Behavior<Command> onDrainTimedOut() {
    abandon("abandoned: no result before the drain timeout");
    state = State.STOPPED;
    return next();
  }

  /**
   * Audits every call still executing as abandoned: its effect may have run, its result will not be seen. The record
   * is written with nothing waiting on it; an audit store already closed (the runtime shutting down) is logged.
   */
  private void abandon(String why) {
    for (Call call : calls.values()) {
      try {
        audit(AuditKind.LATE_RESULT_DISCARDED, Map.of("call", call.action.callId(), "tool", call.action.tool(),
            "resource", call.action.resource(), "outcome", why));
      } catch (RuntimeException e) {
        getContext().getLog().warn("call {} abandoned, not audited: {}", call.action.callId(), e.toString());
      }
    }
    calls.clear();
  }

  /** Completion or failure of the agent itself: hand back what is left, tell the parent and the supervisor, stop. */
  private void end(AgentStatus status, Map<String, Object> report, String reason) {
    inbox.clear();
    timers.cancelAll();
    dropUnstartedCalls("the agent ended");
    // Calls already executing drain as a halted host's do: their results are audited as discarded (and their effects
    // journalled for rollback), or the drain timeout abandons them.
    if (calls.isEmpty()) {
      state = State.STOPPED;
    } else {
      state = State.DRAINING;
      timers.startSingleTimer(DrainTimedOut.INSTANCE, DrainTimedOut.INSTANCE, services.drainTimeout());
    }
    // The supervisor first, so it knows this agent ended before its parent can react (and, say, end too, which would
    // otherwise halt this already completed agent as a running child).
    setup.supervisor().tell(new Supervisor.AgentEnded(self.id(), status, report, reason, hostState()));
    if (setup.parent() != null) {
      setup.parent().tell(new ChildEnded(self.id(), status, report, reason, ledger.unused()));
    }
  }

  private Behavior<Command> onReportState(ReportState report) {
    report.replyTo().tell(hostState());
    return this;
  }

  private HostState hostState() {
    List<Integer> used = new ArrayList<>();
    List<Integer> own = new ArrayList<>();
    for (int i = 0; i < ledger.grant().capabilities().size(); i++) {
      used.add(ledger.callsUsed(i));
      own.add(ledger.ownCallsUsed(i));
    }
    Instant now = now();
    int active = (int) credentials.values().stream()
        .filter(c -> services.credentials().verify(c.token(), c.audience(), self.identity(), now)
            instanceof Verification.Valid)
        .count();
    return new HostState(self.id(), ledger.budgetUsed(), ledger.budgetReserved(), ledger.budgetLeft(), used,
        ledger.ownBudgetUsed(), own, strikes, active);
  }

  private Behavior<Command> onPostStop() {
    // Stopped from outside (the runtime closing) with calls out: their results will never be seen, say so.
    abandon("abandoned: the host was stopped before the result came");
    services.metrics().agentStopped();
    services.metrics().credentialsGone(credentials.size());
    return this;
  }

  /**
   * Whether this agent may still act: running, and no halt of its subtree decided. A halt decided while the host is
   * mid-turn (its {@link Halt} not yet here) freezes it at the next action, event or effect.
   */
  private boolean running() {
    if (state == State.RUNNING && services.halts().covers(setup.lineage())) {
      state = State.FREEZING;
      inbox.clear();
    }
    return state == State.RUNNING;
  }

  /**
   * Stopped once this agent is done and every child host it spawned has stopped: Pekko would stop live children with
   * this host, killing a halted child still draining its calls before their late results (or its drain timeout) could
   * be audited. Until then a done host only waits; nothing of it acts.
   */
  private Behavior<Command> next() {
    return state == State.STOPPED && !hasLiveChildren() ? Behaviors.stopped() : this;
  }

  /** Whether a child host this host spawned has not yet been seen to stop. */
  private boolean hasLiveChildren() {
    for (Child child : children.values()) {
      if (child.started) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private Instant now() {
    return services.clock().instant();
  }

  private AuditEntry entry(AuditKind kind, Map<String, Object> payload, Instant at) {
    return new AuditEntry(at, setup.mission().id().value(), lineageText(), kind, payload);
  }

  /** The agent ids from the mission's root to this agent. */
  private List<String> lineageText() {
    return setup.lineage().stream().map(AgentId::value).toList();
  }

  /** Appends a record whose durability nothing waits on (decisions and outcomes; effects wait in {@link #authorize}). */
  private void audit(AuditKind kind, Map<String, Object> payload) {
    services.audit().unawaited(entry(kind, payload, now()));
  }
}
