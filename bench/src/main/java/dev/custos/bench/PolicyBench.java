package dev.custos.bench;

import static dev.custos.bench.SocCommander.expect;
import static dev.custos.bench.SocCommander.fresh;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.Context;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.value.Decimal;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimBool;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import dev.custos.agent.AgentInfo;
import dev.custos.files.Problems;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.policies.Facts;
import dev.custos.policies.PolicyEngine;
import dev.custos.policies.PolicySet;
import dev.custos.policies.ResourceDirectory;
import dev.custos.policies.ResourceDirectory.ResourceFacts;
import dev.custos.policy.MissionInfo;
import dev.custos.policy.PolicyDecision;
import dev.custos.policy.PolicyRequest;
import dev.custos.tool.Risk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A policy decision on the shipped {@code soc-baseline} pack, next to the same six rules as a Cedar policy set decided
 * by cedar-java and to one bare CEL evaluation, in the same run. Three tool calls of a containment agent (depth 1) of a
 * SOC mission, one for each outcome:
 *
 * <ul>
 *   <li><b>Allow</b>: {@code host.isolate} (high risk) of the low-criticality workstation {@code host:corp/fin-ws-01}
 *       at confidence 0.9. Allowed by {@code defence-tools}, but only after both forbid rules and both approve rules
 *       are tried and their conditions evaluated, which makes it the common worst case.
 *   <li><b>Approve</b>: the same isolation of the tier-0 domain controller {@code host:core/dc-01}: needs approval by
 *       {@code tier0-needs-a-person}.
 *   <li><b>Forbid</b>: {@code data.export} of {@code share:corp/finance}: forbidden by {@code never-export-data}.
 * </ul>
 *
 * <p>{@code custosEngine*} is the whole path a runtime call takes: {@link PolicyEngine#decide} on a
 * {@link PolicyRequest.ToolCall}, which turns the request into {@link Facts} (asking a {@link ResourceDirectory} that
 * looks the criticality up in a small map) and decides. {@code custosSet*} is {@link PolicySet#decide} alone, on the
 * facts of the same request built in setup. {@code cedar*} is {@link BasicAuthorizationEngine#isAuthorized} on the
 * Cedar translation of the pack (see {@link #CEDAR_POLICIES}) with the request's entities and context built in setup,
 * and the Custos decision read back from Cedar's answer (see {@link #cedarDecide}); the policy set is cached on the
 * native side, as a service deciding many requests on one set would do. {@code cedarUncachedAllow} is the Allow case
 * on the same set not cached, the path cedar-java takes unless {@code cache()} is called: every call sends and parses
 * the policies too. {@code bareCel} is one evaluation of the compiled condition of {@code tier0-needs-a-person} on
 * the Allow case's resource (false), its variables given by a resolver built in setup ({@code bareCelMap}: by a map).
 *
 * <p>The pack is read from {@code policies/packs/soc-baseline.yaml}, so run from the repository root. Setup checks
 * that each case has its outcome in Custos and that Cedar reaches the same decision with the same rule ids, and fails
 * the run if not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class PolicyBench {

  static final Path PACK = Path.of("policies", "packs", "soc-baseline.yaml");

  /**
   * {@code soc-baseline} in Cedar, rule by rule, under the same ids. Cedar has no approve effect: an approve rule is a
   * {@code permit} annotated {@code @effect("approve")} (read back in setup), and {@link #cedarDecide} turns a permit
   * that an approve rule determined into "needs approval". Tool patterns become action groups: {@code host.isolate}
   * is a member of {@code Action::"host.*"}. The variables are the principal's, the resource's and the context's
   * attributes under Cedar names ({@code agent.depth} is {@code principal.depth}, {@code tool.risk} is
   * {@code context.risk}, {@code child.type} is {@code context.childType}). Cedar has no floating point numbers:
   * {@code context.confidence} is a {@code decimal}.
   */
  static final Map<String, String> CEDAR_POLICIES = Map.of(
      "never-export-data", """
          forbid (principal, action == Action::"data.export", resource);
          """,
      "tier0-needs-a-person", """
          @effect("approve")
          permit (principal,
                  action in [Action::"host.isolate", Action::"host.restore", Action::"account.disable"],
                  resource)
          when { resource.criticality == "tier0" || (resource.kind == "account" && resource.privileged) };
          """,
      "low-confidence-high-risk", """
          @effect("approve")
          permit (principal, action, resource)
          when { context.risk == "high" && context.confidence.lessThan(decimal("0.8")) };
          """,
      "deep-agents-read-only", """
          forbid (principal, action, resource)
          when { principal.depth >= 3 && context.risk != "read" };
          """,
      "defence-tools", """
          permit (principal,
                  action in [Action::"siem.*", Action::"edr.*", Action::"host.*", Action::"account.*",
                             Action::"firewall.*", Action::"forensics.*", Action::"ticket.*"],
                  resource);
          """,
      "defence-delegations", """
          permit (principal, action == Action::"agent.delegate", resource)
          when { ["incident-commander", "triage", "containment", "forensics", "recovery"].contains(context.childType) };
          """);

  /** What both engines must answer for a case: the outcome's class and the deciding rule ids, in id order. */
  record Verdict(Class<? extends PolicyDecision> outcome, List<String> ruleIds) {
    static Verdict of(PolicyDecision decision) {
      return new Verdict(decision.getClass(), decision.ruleIds());
    }
  }

  /** One Cedar request with everything it carries, and whether a person approved it (as {@code context.approved}). */
  record CedarCase(AuthorizationRequest request, Set<Entity> entities, boolean approved) {}

  // Custos
  private PolicyEngine engine;
  private PolicySet set;
  private PolicyRequest.ToolCall allowCall;
  private PolicyRequest.ToolCall approveCall;
  private PolicyRequest.ToolCall forbidCall;
  private Facts allowFacts;
  private Facts approveFacts;
  private Facts forbidFacts;

  // Cedar
  private BasicAuthorizationEngine cedar;
  private com.cedarpolicy.model.policy.PolicySet cedarCached;
  private com.cedarpolicy.model.policy.PolicySet cedarUncached;
  private Set<String> cedarApproveIds;
  private CedarCase cedarAllowCase;
  private CedarCase cedarApproveCase;
  private CedarCase cedarForbidCase;

  // Bare CEL
  private CelRuntime.Program tier0Program;
  private Map<String, Object> tier0Activation;
  private CelVariableResolver tier0Resolver;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    expect(Files.isRegularFile(PACK), PACK + " not found: run from the repository root");
    Problems problems = new Problems();
    set = PolicySet.load(List.of(PACK), problems).orElse(null);
    expect(set != null && problems.isEmpty(), "soc-baseline should load: " + problems.lines());
    expect(set.rules().size() == 6, "soc-baseline should have 6 rules, has " + set.rules().size());

    // What an asset inventory would say; anything else is described by its name alone.
    Map<String, ResourceFacts> inventory = new HashMap<>();
    inventory.put("host:corp/fin-ws-01", new ResourceFacts("host", "corp", "low", false));
    inventory.put("host:corp/hr-ws-07", new ResourceFacts("host", "corp", "low", false));
    inventory.put("host:core/dc-01", new ResourceFacts("host", "core", "tier0", false));
    inventory.put("host:core/pki-01", new ResourceFacts("host", "core", "tier0", false));
    inventory.put("account:corp/svc-backup", new ResourceFacts("account", "corp", "high", true));
    inventory.put("account:corp/jdoe", new ResourceFacts("account", "corp", "medium", false));
    ResourceDirectory directory = name -> {
      ResourceFacts known = inventory.get(name);
      return known != null ? known : ResourceDirectory.fromName(name);
    };
    engine = PolicyEngine.of(set, directory);

    AgentInfo agent = new AgentInfo(new AgentId(fresh("a3")), fresh("containment"), fresh("commander/containment"),
        fresh("containment"), 1, SpiffeId.forAgent("custos.local", new MissionId("m1"), "commander/containment"));
    MissionInfo mission = new MissionInfo(new MissionId(fresh("m1")), fresh("contain-ransomware"), fresh("high"));
    Instant at = Instant.parse("2026-11-29T10:00:00Z");
    Map<String, Object> context = Map.of("time", at.toString(), "approved", false, "confidence", 0.9);
    allowCall = new PolicyRequest.ToolCall(agent, mission, at, fresh("host.isolate"), Risk.HIGH, 5,
        fresh("host:corp/fin-ws-01"), Map.of("confidence", 0.9), context);
    approveCall = new PolicyRequest.ToolCall(agent, mission, at, fresh("host.isolate"), Risk.HIGH, 5,
        fresh("host:core/dc-01"), Map.of("confidence", 0.9), context);
    forbidCall = new PolicyRequest.ToolCall(agent, mission, at, fresh("data.export"), Risk.HIGH, 5,
        fresh("share:corp/finance"), Map.of("confidence", 0.9), context);
    allowFacts = engine.facts(allowCall);
    approveFacts = engine.facts(approveCall);
    forbidFacts = engine.facts(forbidCall);

    Verdict allow = new Verdict(PolicyDecision.Permit.class, List.of("defence-tools"));
    Verdict approve = new Verdict(PolicyDecision.RequireApproval.class, List.of("tier0-needs-a-person"));
    Verdict forbid = new Verdict(PolicyDecision.Forbid.class, List.of("never-export-data"));
    expectVerdict("Custos engine, allow case", allow, Verdict.of(engine.decide(allowCall)));
    expectVerdict("Custos engine, approve case", approve, Verdict.of(engine.decide(approveCall)));
    expectVerdict("Custos engine, forbid case", forbid, Verdict.of(engine.decide(forbidCall)));
    expectVerdict("Custos set, allow case", allow, Verdict.of(set.decide(allowFacts)));
    expectVerdict("Custos set, approve case", approve, Verdict.of(set.decide(approveFacts)));
    expectVerdict("Custos set, forbid case", forbid, Verdict.of(set.decide(forbidFacts)));

    setUpCedar(directory);
    cedarAllowCase = cedarCase(allowCall, directory);
    cedarApproveCase = cedarCase(approveCall, directory);
    cedarForbidCase = cedarCase(forbidCall, directory);
    for (com.cedarpolicy.model.policy.PolicySet policies : List.of(cedarCached, cedarUncached)) {
      String which = policies == cedarCached ? "Cedar (cached)" : "Cedar (not cached)";
      expectVerdict(which + ", allow case", allow, cedarDecide(cedarAllowCase, policies, true));
      expectVerdict(which + ", approve case", approve, cedarDecide(cedarApproveCase, policies, true));
      expectVerdict(which + ", forbid case", forbid, cedarDecide(cedarForbidCase, policies, true));
    }

    setUpBareCel();
  }

  private void setUpCedar(ResourceDirectory directory) throws Exception {
    cedar = new BasicAuthorizationEngine();
    Set<Policy> policies = new LinkedHashSet<>();
    CEDAR_POLICIES.forEach((id, source) -> policies.add(new Policy(source, id)));
    expect(policies.size() == set.rules().size(), "every rule of the pack should have a Cedar policy");
    cedarApproveIds = new TreeSet<>();
    for (Policy policy : policies) {
      if ("approve".equals(policy.getAnnotation("effect"))) {
        cedarApproveIds.add(policy.getID());
      }
    }
    expect(cedarApproveIds.equals(Set.of("tier0-needs-a-person", "low-confidence-high-risk")),
        "the approve policies are " + cedarApproveIds);
    cedarUncached = new com.cedarpolicy.model.policy.PolicySet(policies);
    cedarCached = new com.cedarpolicy.model.policy.PolicySet(new LinkedHashSet<>(policies));
    cedarCached.cache();
    expect(cedarCached.cacheKey().isPresent() && cedarUncached.cacheKey().isEmpty(), "only one set should be cached");
  }

  /**
   * The Cedar request of a tool call: the agent, the resource (its attributes from the same directory Custos asks)
   * and the tool as an action in the groups of the pack's tool patterns that match it, as entities; the rest in the
   * context.
   */
  private static CedarCase cedarCase(PolicyRequest.ToolCall call, ResourceDirectory directory) {
    EntityTypeName agentType = EntityTypeName.parse("Agent").orElseThrow();
    EntityTypeName resourceType = EntityTypeName.parse("Resource").orElseThrow();
    EntityTypeName actionType = EntityTypeName.parse("Action").orElseThrow();

    AgentInfo agent = call.agent();
    Map<String, Value> agentAttrs = new HashMap<>();
    agentAttrs.put("role", new PrimString(agent.role()));
    agentAttrs.put("path", new PrimString(agent.path()));
    agentAttrs.put("type", new PrimString(agent.type()));
    agentAttrs.put("depth", new PrimLong(agent.depth()));
    agentAttrs.put("mission", new PrimString(call.mission().id().value()));
    Entity principal = new Entity(agentType.of(agent.id().value()), agentAttrs, Set.of());

    ResourceFacts facts = directory.describe(call.resource());
    Map<String, Value> resourceAttrs = new HashMap<>();
    resourceAttrs.put("kind", new PrimString(facts.kind()));
    resourceAttrs.put("zone", new PrimString(facts.zone()));
    resourceAttrs.put("criticality", new PrimString(facts.criticality()));
    resourceAttrs.put("privileged", new PrimBool(facts.privileged()));
    Entity resource = new Entity(resourceType.of(call.resource()), resourceAttrs, Set.of());

    // The groups Action::"host.*" etc.; a tool outside every pattern is in none.
    Set<EntityUID> groups = new LinkedHashSet<>();
    for (String pattern : List.of("siem.*", "edr.*", "host.*", "account.*", "firewall.*", "forensics.*", "ticket.*")) {
      if (dev.custos.capability.Pattern.parse(pattern).matches(call.tool())) {
        groups.add(actionType.of(pattern));
      }
    }
    Entity action = new Entity(actionType.of(call.tool()), new HashMap<>(), groups);

    Map<String, Value> context = new LinkedHashMap<>();
    context.put("risk", new PrimString(call.risk().text()));
    context.put("cost", new PrimLong(call.cost()));
    if (call.context().get("confidence") instanceof Number confidence) {
      context.put("confidence", new Decimal(String.format(java.util.Locale.ROOT, "%.4f", confidence.doubleValue())));
    }
    context.put("time", new PrimString(String.valueOf(call.context().getOrDefault("time", ""))));
    context.put("approved", new PrimBool(call.approved()));
    context.put("missionName", new PrimString(call.mission().name()));
    context.put("severity", new PrimString(call.mission().severity()));

    AuthorizationRequest request = new AuthorizationRequest(principal, action, resource, new Context(context));
    return new CedarCase(request, Set.of(principal, resource, action), call.approved());
  }

  private void setUpBareCel() throws Exception {
    CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .addVar("resource.criticality", SimpleType.STRING)
        .addVar("resource.kind", SimpleType.STRING)
        .addVar("resource.privileged", SimpleType.BOOL)
        .setResultType(SimpleType.BOOL)
        .build();
    CelAbstractSyntaxTree ast = compiler.compile(
        "resource.criticality == \"tier0\" || (resource.kind == \"account\" && resource.privileged)").getAst();
    tier0Program = CelRuntimeFactory.standardCelRuntimeBuilder().build().createProgram(ast);
    tier0Activation = new HashMap<>();
    tier0Activation.put("resource.criticality", fresh("low"));
    tier0Activation.put("resource.kind", fresh("host"));
    tier0Activation.put("resource.privileged", false);
    Map<String, Object> values = new HashMap<>(tier0Activation);
    tier0Resolver = name -> Optional.ofNullable(values.get(name));
    expect(Boolean.FALSE.equals(tier0Program.eval(tier0Activation)), "the tier0 condition should be false here");
    expect(Boolean.FALSE.equals(tier0Program.eval(tier0Resolver)), "the tier0 condition should be false here");
    Map<String, Object> tier0 = new HashMap<>(tier0Activation);
    tier0.put("resource.criticality", fresh("tier0"));
    expect(Boolean.TRUE.equals(tier0Program.eval(tier0)), "the tier0 condition should hold on a tier-0 host");
  }

  /**
   * The Custos decision read back from one Cedar authorization. Cedar denies when a forbid is satisfied (its reasons
   * are the satisfied forbids, none for a default deny) and otherwise allows when a permit is satisfied (its reasons
   * are every satisfied permit, approve rules included). So: a deny is a forbid; an allow with an approve rule among
   * its reasons needs approval unless {@code context.approved}, when it is allowed by the approve rules (as Custos
   * names them); any other allow is a permit by its reasons. That is the Custos precedence forbid > approve > permit >
   * default deny. Cedar differs on a failing condition: it skips the policy, where Custos counts a forbid or approve
   * rule as matching (fail closed); {@code strict} makes such a failure fail the run (setup).
   */
  private Verdict cedarDecide(CedarCase c, com.cedarpolicy.model.policy.PolicySet policies, boolean strict)
      throws AuthException {
    AuthorizationResponse response = cedar.isAuthorized(c.request(), policies, c.entities());
    AuthorizationSuccessResponse answer = response.success.orElse(null);
    if (answer == null) {
      throw new IllegalStateException("Cedar failed: " + response.errors);
    }
    if (strict && !answer.getErrors().isEmpty()) {
      throw new IllegalStateException("a Cedar policy failed: " + answer.getErrors());
    }
    Set<String> reasons = answer.getReason();
    if (!answer.isAllowed()) {
      return new Verdict(PolicyDecision.Forbid.class, sorted(reasons));
    }
    List<String> approves = new ArrayList<>(2);
    for (String id : reasons) {
      if (cedarApproveIds.contains(id)) {
        approves.add(id);
      }
    }
    if (!approves.isEmpty()) {
      approves.sort(null);
      return new Verdict(c.approved() ? PolicyDecision.Permit.class : PolicyDecision.RequireApproval.class, approves);
    }
    return new Verdict(PolicyDecision.Permit.class, sorted(reasons));
  }

  private static List<String> sorted(Set<String> ids) {
    List<String> list = new ArrayList<>(ids);
    list.sort(null);
    return list;
  }

  private static void expectVerdict(String what, Verdict expected, Verdict actual) {
    expect(expected.equals(actual), what + ": expected " + expected + ", got " + actual);
  }

  /** The whole runtime path, request to decision; allowed by defence-tools after every forbid and approve rule. */
  @Benchmark
  public PolicyDecision custosEngineAllow() {
    return engine.decide(allowCall);
  }

  @Benchmark
  public PolicyDecision custosEngineApprove() {
    return engine.decide(approveCall);
  }

  @Benchmark
  public PolicyDecision custosEngineForbid() {
    return engine.decide(forbidCall);
  }

  /** The decision alone, on facts built in setup. */
  @Benchmark
  public PolicyDecision custosSetAllow() {
    return set.decide(allowFacts);
  }

  @Benchmark
  public PolicyDecision custosSetApprove() {
    return set.decide(approveFacts);
  }

  @Benchmark
  public PolicyDecision custosSetForbid() {
    return set.decide(forbidFacts);
  }

  @Benchmark
  public Verdict cedarAllow() throws AuthException {
    return cedarDecide(cedarAllowCase, cedarCached, false);
  }

  @Benchmark
  public Verdict cedarApprove() throws AuthException {
    return cedarDecide(cedarApproveCase, cedarCached, false);
  }

  @Benchmark
  public Verdict cedarForbid() throws AuthException {
    return cedarDecide(cedarForbidCase, cedarCached, false);
  }

  /** The allow case on a policy set not cached: cedar-java's path unless cache() is called. */
  @Benchmark
  public Verdict cedarUncachedAllow() throws AuthException {
    return cedarDecide(cedarAllowCase, cedarUncached, false);
  }

  /**
   * One compiled CEL condition (tier0-needs-a-person's), evaluated on the allow case's resource: false. The variables
   * come from a resolver, as {@link Facts} gives them to the engine's conditions.
   */
  @Benchmark
  public Object bareCel() throws Exception {
    return tier0Program.eval(tier0Resolver);
  }

  /** The same evaluation with the variables in a map, the other way CEL takes them (it wraps the map each time). */
  @Benchmark
  public Object bareCelMap() throws Exception {
    return tier0Program.eval(tier0Activation);
  }
}
