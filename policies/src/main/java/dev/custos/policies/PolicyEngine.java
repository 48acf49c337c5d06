package dev.custos.policies;

import dev.custos.agent.AgentInfo;
import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditLog;
import dev.custos.files.Problems;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyDecisionPoint;
import dev.custos.policy.PolicyRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runtime's policy decision point on CEL policy packs. Each decision reads the current {@link PolicySet} once, so
 * it sees one whole set and names that set's version; {@link #reload} swaps in a new set atomically, or keeps the
 * current one when any file has a problem. Thread safe.
 *
 * <p>A tool call decides on the call's agent, tool, resource (described by the {@link ResourceDirectory}), mission and
 * context. A delegation decides as a call of the tool {@value #DELEGATE_TOOL} on the resource {@code agent:<child's
 * path>} of kind {@code agent}, with {@code child.role} and {@code child.type} set; so a pack that permits no
 * {@value #DELEGATE_TOOL} denies every delegation (default deny).
 */
public final class PolicyEngine implements PolicyDecisionPoint {

  /** The tool name a delegation is decided as. */
  public static final String DELEGATE_TOOL = "agent.delegate";

  private final AtomicReference<PolicySet> current;
  private final List<Path> files;
  private final ResourceDirectory resources;
  private final AuditLog audit;
  private final Clock clock;

  private PolicyEngine(PolicySet set, List<Path> files, ResourceDirectory resources, AuditLog audit, Clock clock) {
    this.current = new AtomicReference<>(set);
    this.files = List.copyOf(files);
    this.resources = resources;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * An engine on the packs in {@code files}, or empty when any has a problem (each added to {@code problems}): a
   * runtime whose policies do not load does not start.
   *
   * @param audit where reloads are recorded, or null
   * @param clock the time of those records
   */
  public static Optional<PolicyEngine> load(List<Path> files, ResourceDirectory resources, AuditLog audit, Clock clock,
      Problems problems) {
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(clock, "clock");
    return PolicySet.load(files, problems).map(set -> new PolicyEngine(set, files, resources, audit, clock));
  }

  /** An engine on a set already loaded; {@link #reload()} then has no files to read and keeps it. */
  public static PolicyEngine of(PolicySet set, ResourceDirectory resources) {
    return new PolicyEngine(set, List.of(), resources, null, Clock.systemUTC());
  }

  /** The set decisions use now. */
  public PolicySet current() {
    return current.get();
  }

  /**
   * Reads the engine's files again. When every file reads, the new set replaces the current one at once; otherwise the
   * current set stays and the problems are added. Either way the attempt is audited. An engine with no files (one
   * made by {@link #of}) has nothing to read and keeps its set.
   *
   * @return the set in use afterwards
   */
  public PolicySet reload(Problems problems) {
    if (files.isEmpty()) {
      // Loading no files gives the empty set, which would silently replace a set handed in with deny-everything.
      return current.get();
    }
    int before = problems.size();
    Optional<PolicySet> loaded = PolicySet.load(files, problems);
    if (loaded.isPresent()) {
      PolicySet previous = current.getAndSet(loaded.get());
      record("loaded", previous.version(), loaded.get().version(), List.of());
      return loaded.get();
    }
    List<String> found = problems.since(before).stream().map(Problems.Problem::toString).toList();
    PolicySet kept = current.get();
    record("refused", kept.version(), kept.version(), found);
    return kept;
  }

  /** Replaces the set at once, as a successful reload does. */
  public void install(PolicySet set) {
    PolicySet previous = current.getAndSet(Objects.requireNonNull(set, "set"));
    record("installed", previous.version(), set.version(), List.of());
  }

  @Override
  public PolicyDecision decide(PolicyRequest request) {
    return current.get().decide(facts(request));
  }

  /** The variables of a runtime request, as the engine's conditions see them. */
  public Facts facts(PolicyRequest request) {
    Facts.Builder facts = Facts.builder();
    AgentInfo agent = request.agent();
    facts.set(Variable.AGENT_ID, agent.id().value())
        .set(Variable.AGENT_PATH, agent.path())
        .set(Variable.AGENT_ROLE, agent.role())
        .set(Variable.AGENT_TYPE, agent.type())
        .set(Variable.AGENT_DEPTH, (long) agent.depth())
        .set(Variable.AGENT_MISSION, request.mission().id().value())
        .set(Variable.MISSION_ID, request.mission().id().value())
        .set(Variable.MISSION_NAME, request.mission().name())
        .set(Variable.MISSION_SEVERITY, request.mission().severity());
    Map<String, Object> context = request.context();
    if (context.get("confidence") instanceof Number confidence) {
      facts.set(Variable.CONTEXT_CONFIDENCE, confidence.doubleValue());
    }
    if (context.get("time") instanceof String time) {
      facts.set(Variable.CONTEXT_TIME, time);
    }
    facts.set(Variable.CONTEXT_APPROVED, request.approved());
    if (request instanceof PolicyRequest.ToolCall call) {
      ResourceDirectory.ResourceFacts resource = resources.describe(call.resource());
      facts.set(Variable.TOOL_NAME, call.tool())
          .set(Variable.TOOL_RISK, call.risk().text())
          .set(Variable.TOOL_COST, call.cost())
          .set(Variable.RESOURCE_NAME, call.resource())
          .set(Variable.RESOURCE_KIND, resource.kind())
          .set(Variable.RESOURCE_ZONE, resource.zone())
          .set(Variable.RESOURCE_CRITICALITY, resource.criticality())
          .set(Variable.RESOURCE_PRIVILEGED, resource.privileged());
    } else if (request instanceof PolicyRequest.Delegation delegation) {
      facts.set(Variable.TOOL_NAME, DELEGATE_TOOL)
          .set(Variable.TOOL_RISK, "low")
          .set(Variable.RESOURCE_NAME, "agent:" + agent.path() + "/" + delegation.role())
          .set(Variable.RESOURCE_KIND, "agent")
          .set(Variable.CHILD_ROLE, delegation.role())
          .set(Variable.CHILD_TYPE, delegation.agentType());
    }
    return facts.build();
  }

  private void record(String status, String from, String to, List<String> problems) {
    if (audit == null) {
      return;
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("status", status);
    payload.put("from", from);
    payload.put("to", to);
    payload.put("files", files.stream().map(Path::toString).toList());
    payload.put("problems", problems);
    audit.append(new AuditEntry(clock.instant(), "", List.of(), AuditKind.POLICY_RELOAD, payload));
  }
}
