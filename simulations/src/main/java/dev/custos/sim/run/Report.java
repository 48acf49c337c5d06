package dev.custos.sim.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.custos.Durations;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.Verification;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Pattern;
import dev.custos.runtime.AgentSnapshot;
import dev.custos.runtime.AgentStatus;
import dev.custos.scenario.AgentRef;
import dev.custos.scenario.Expect;
import dev.custos.sim.env.Containment;
import dev.custos.sim.env.SimulatedAttacker;
import dev.custos.sim.env.World;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The report of one run (spec/scenarios.md, "Report"): its fields in the spec's order, times in virtual milliseconds
 * since the run's start. Built from a {@link RunResult} only, with ordered maps throughout, so the same result gives
 * the same JSON byte for byte.
 *
 * <p>Events come from the audit log, in its order, with the simulated tools' credential refusals merged in by time:
 * a denial is a {@code tool-call} with decision {@code deny}; an allowed call a {@code tool-call} with decision
 * {@code allow}, {@code executed} when its effect happened (its result came back done, even after a halt); a call that
 * asked a person is a {@code tool-call} with {@code approval-required} and an {@code approval} event, then the answer,
 * then the call once more with its final decision. Compensations are reported once they executed or finally failed.
 * Beside the spec's {@code behaviour}, a {@code compromise} event names the credential the simulation leaked to the new
 * brain, {@code leakedCredential} (its id) and {@code leakedFrom} (its holder), both null when nothing leaked; the
 * leaked credential is not in {@code credentials}, which lists what the runtime issued (see {@link CredentialLeaks}).
 *
 * <p>Where the spec leaves a choice, the report makes these:
 * <ul>
 *   <li><b>Spending.</b> An agent's {@code budgetUsed} and {@code calls} are what its own calls spent, as the spec
 *       says; the runtime's ledger also counts what its ended children spent, which the report leaves to them.
 *   <li><b>Policy versions.</b> An {@code approval-required} call names the version of the policy set it was asked
 *       under: the one whose rule asked, or, when the capability asked, the one that permitted the call first (the
 *       policy is always asked before a person is). A call denied before the policy was asked (capability, rate,
 *       budget...) names none: {@code null}.
 *   <li><b>Credentials.</b> A {@code tool-call} names the credential the runtime presented for it, so an allowed call
 *       names one, and a denied call only when one was minted for it before it was withdrawn. A
 *       {@code credential-rejected} event names the credential presented by its id ({@code jti}); the runtime records
 *       ids, never tokens. A call carrying several gives one event per credential; a credential the broker could not
 *       name is {@code null}, and the event's reason says so.
 *   <li><b>A delegation's approval.</b> {@code call} is the seq of the {@code delegation} event the request decided.
 *       A delegation is decided only after its answer, and its decision is {@code allow} or {@code deny} (the spec has
 *       no "asked" decision for delegations), so that event comes after its approval events and {@code call} refers
 *       forward. It stays {@code null} only if the run ended with the request still open (nothing decided it).
 *   <li><b>Answers.</b> Every {@code approval} event adds {@code detail}: why the request was made, or what the answer
 *       was (who approved or denied, the timeout). An approval given for another action than the one waiting
 *       (the audit's {@code mismatched}) does not count; for the action that asked it is {@code denied}, and its
 *       detail says why.
 *   <li><b>Withdrawn requests.</b> When the agent that asked stops (halted or ended) before anyone answers, the
 *       runtime withdraws the request. The spec's statuses are requested, approved, denied and timed-out, and a
 *       withdrawal is none of them (nobody answered, and it did not time out), so it gets no {@code approval} event
 *       of its own: the request's event carries {@code withdrawnAtMs} (added to every {@code requested} event,
 *       {@code null} unless withdrawn), and what it asked for is then denied like any other: a {@code tool-call} with
 *       reason {@code agent-stopped}, or a {@code delegation} whose reason says the delegating agent stopped.
 * </ul>
 */
public final class Report {

  /** The version the report names. */
  public static final String CUSTOS_VERSION = "0.1.0";

  /** A tool call that passed both gates. */
  static final String ALLOW_REASON = "capability+policy";

  private static final ObjectWriter JSON = new ObjectMapper().writer(new DefaultPrettyPrinter()
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private final RunResult result;
  private final List<Map<String, Object>> expectations;

  private Report(RunResult result) {
    this.result = result;
    this.expectations = expectations(result);
  }

  /** The report of {@code result}. */
  public static Report of(RunResult result) {
    return new Report(Objects.requireNonNull(result, "result"));
  }

  /** Whether every expectation held: the verdict {@code pass}. */
  public boolean passed() {
    return expectations.stream().allMatch(e -> Boolean.TRUE.equals(e.get("ok")));
  }

  /** Each expectation as the report lists it: {@code name}, {@code ok}, {@code detail}. */
  public List<Map<String, Object>> expectations() {
    return expectations;
  }

  /** The report as ordered maps and lists, as the JSON shows it. */
  public Map<String, Object> toMap() {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("scenario", result.scenario().name());
    report.put("seed", result.seed());
    report.put("custosVersion", CUSTOS_VERSION);
    report.put("outcome", outcome());
    report.put("agents", agents());
    report.put("events", events());
    report.put("credentials", credentials());
    report.put("attacker", attacker());
    report.put("audit", audit());
    return report;
  }

  /** The report's JSON: two-space indents, {@code \n} line ends, a final newline. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap()) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report of plain maps, lists and scalars did not serialise", e);
    }
  }

  // ---------------------------------------------------------------------------------------------- outcome

  private Map<String, Object> outcome() {
    Containment c = result.containment();
    Map<String, Object> outcome = new LinkedHashMap<>();
    outcome.put("verdict", passed() ? "pass" : "fail");
    outcome.put("contained", c.contained());
    outcome.put("containedAtMs", c.containedAtMs().isPresent() ? c.containedAtMs().getAsLong() : null);
    outcome.put("attackerSteps", c.attackerSteps());
    outcome.put("expectations", expectations);
    return outcome;
  }

  private static List<Map<String, Object>> expectations(RunResult result) {
    Expect expect = result.scenario().expect();
    Containment c = result.containment();
    List<Map<String, Object>> list = new ArrayList<>();
    expect.contained().ifPresent(wanted -> list.add(expectation("contained", wanted == c.contained(),
        wanted == c.contained() ? "" : "expected contained " + wanted + ", was " + c.contained())));
    if (expect.maxAttackerSteps().isPresent()) {
      int max = expect.maxAttackerSteps().getAsInt();
      boolean ok = c.attackerSteps() <= max;
      list.add(expectation("maxAttackerSteps", ok, ok ? "" : c.attackerSteps() + " steps happened, at most " + max
          + " expected"));
    }
    for (AgentRef ref : expect.halted()) {
      list.add(haltExpectation("halted", ref, true, result));
    }
    for (AgentRef ref : expect.notHalted()) {
      list.add(haltExpectation("notHalted", ref, false, result));
    }
    return List.copyOf(list);
  }

  /**
   * Every agent {@code ref} names must (or must not) end halted; a reference that names no agent fails {@code halted}
   * (nothing was halted) and passes {@code notHalted} (nothing was), saying so.
   */
  private static Map<String, Object> haltExpectation(String name, AgentRef ref, boolean halted, RunResult result) {
    List<AgentSnapshot> matching = result.snapshot().agents().stream()
        .filter(a -> ref.matches(a.role(), a.path())).toList();
    String label = name + ": " + ref;
    if (matching.isEmpty()) {
      return expectation(label, !halted, "no agent is " + ref);
    }
    List<String> wrong = matching.stream().filter(a -> (a.status() == AgentStatus.HALTED) != halted)
        .map(a -> a.path() + " (" + a.id().value() + ") " + a.status().text()).toList();
    return expectation(label, wrong.isEmpty(), wrong.isEmpty() ? "" : String.join(", ", wrong));
  }

  private static Map<String, Object> expectation(String name, boolean ok, String detail) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", name);
    e.put("ok", ok);
    e.put("detail", detail);
    return e;
  }

  // ---------------------------------------------------------------------------------------------- agents

  private List<Map<String, Object>> agents() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (AgentSnapshot a : result.snapshot().agents()) {
      Map<String, Object> agent = new LinkedHashMap<>();
      agent.put("id", a.id().value());
      agent.put("path", a.path());
      agent.put("role", a.role());
      agent.put("type", a.type());
      agent.put("parent", a.parent() == null ? null : a.parent().value());
      agent.put("identity", a.identity().toString());
      agent.put("depth", a.depth());
      agent.put("grant", grant(a.grant()));
      agent.put("startedAtMs", ms(a.startedAt()));
      agent.put("endedAtMs", a.endedAt() == null ? null : ms(a.endedAt()));
      agent.put("status", a.status().text());
      agent.put("haltReason", a.haltReason());
      // The agent's own spending, as the spec says: its children's are theirs (the runtime's budgetUsed counts both).
      agent.put("budgetUsed", a.ownBudgetUsed());
      agent.put("calls", a.ownCallsUsed().stream().mapToLong(Integer::longValue).sum());
      agent.put("strikes", a.strikes());
      list.add(agent);
    }
    return list;
  }

  private Map<String, Object> grant(GrantRequest grant) {
    List<Map<String, Object>> capabilities = new ArrayList<>();
    for (Capability c : grant.capabilities()) {
      Map<String, Object> capability = new LinkedHashMap<>();
      capability.put("tool", c.tool().text());
      capability.put("resources", c.resources().stream().map(Pattern::text).toList());
      capability.put("maxCalls", c.maxCalls().isPresent() ? c.maxCalls().getAsInt() : null);
      capability.put("requiresApproval", c.requiresApproval());
      capabilities.add(capability);
    }
    Bounds b = grant.bounds();
    Map<String, Object> bounds = new LinkedHashMap<>();
    bounds.put("budget", b.budget());
    bounds.put("deadlineMs", ms(b.deadline()));
    bounds.put("maxDepth", b.maxDepth());
    bounds.put("maxChildren", b.maxChildren());
    bounds.put("maxSubtreeAgents", b.maxSubtreeAgents());
    bounds.put("rate", b.rate().calls() + "/" + Durations.format(b.rate().per()));
    bounds.put("maxStrikes", b.maxStrikes());
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("capabilities", capabilities);
    map.put("bounds", bounds);
    return map;
  }

  // ---------------------------------------------------------------------------------------------- events

  private List<Map<String, Object>> events() {
    return new Events().build();
  }

  /** The audit log read once, in order, into the report's events. */
  private final class Events {
    private final List<Map<String, Object>> events = new ArrayList<>();
    /** Per executed call ({@code agent/call}, the runtime's tool call id), the seq of its tool-call event. */
    private final Map<String, Long> executedCalls = new HashMap<>();
    /** Per approval the runtime asked for (its id), the events made of it so far. */
    private final Map<String, Asked> asked = new HashMap<>();
    /** Per TOOL_EXECUTED record's seq, whether its effect happened. */
    private final Map<Long, Boolean> effectHappened = new HashMap<>();
    /** The leaks no compromise event has shown yet, in order. */
    private final List<CredentialLeak> leaks = new ArrayList<>(result.leaks());
    private int refusal;

    List<Map<String, Object>> build() {
      outcomes();
      List<World.CredentialRefusal> refusals = result.refusals();
      for (AuditRecord record : result.audit()) {
        long at = ms(record.at());
        while (refusal < refusals.size() && refusals.get(refusal).atMs() < at) {
          refused(refusals.get(refusal++));
        }
        map(record, at);
      }
      while (refusal < refusals.size()) {
        refused(refusals.get(refusal++));
      }
      return events;
    }

    /** Which executed calls' effects happened: their result came back done, in time or after a halt. */
    private void outcomes() {
      Map<String, Long> pending = new HashMap<>();
      for (AuditRecord record : result.audit()) {
        String key = agent(record) + "/" + record.payload().get("call");
        switch (record.kind()) {
          case TOOL_EXECUTED -> {
            pending.put(key, record.seq());
            effectHappened.put(record.seq(), false);
          }
          case TOOL_OUTCOME, LATE_RESULT_DISCARDED -> {
            Long executed = pending.remove(key);
            if (executed != null) {
              effectHappened.put(executed, "done".equals(record.payload().get("outcome")));
            }
          }
          default -> { }
        }
      }
    }

    private void map(AuditRecord record, long at) {
      Map<String, Object> p = record.payload();
      String agent = agent(record);
      switch (record.kind()) {
        case DECISION -> {
          Map<String, Object> e = event(at, "tool-call", agent);
          e.put("tool", p.get("tool"));
          e.put("resource", p.get("resource"));
          e.put("decision", "deny");
          e.put("reason", p.get("reason"));
          e.put("policyVersion", p.get("policyVersion"));
          // Null unless a credential was minted for a call that then never ran (refused, audit store down).
          e.put("credential", p.get("credential"));
          e.put("executed", false);
        }
        case TOOL_EXECUTED -> {
          Map<String, Object> e = event(at, "tool-call", agent);
          e.put("tool", p.get("tool"));
          e.put("resource", p.get("resource"));
          e.put("decision", "allow");
          e.put("reason", ALLOW_REASON);
          e.put("policyVersion", p.get("policyVersion"));
          e.put("credential", p.get("credential"));
          e.put("executed", effectHappened.getOrDefault(record.seq(), false));
          executedCalls.put(agent + "/" + p.get("call"), (Long) e.get("seq"));
        }
        case APPROVAL -> approval(record, at, agent);
        case DELEGATION -> {
          Map<String, Object> e = event(at, "delegation", agent);
          boolean allowed = "allow".equals(p.get("decision"));
          e.put("child", allowed ? p.get("child") : null);
          e.put("role", p.get("role"));
          e.put("decision", allowed ? "allow" : "deny");
          e.put("reason", allowed ? ALLOW_REASON : reasons(p.get("reasons")));
          Asked ask = p.get("approval") == null ? null : asked.get(String.valueOf(p.get("approval")));
          if (ask != null) {
            ask.decided((Long) e.get("seq"));
          }
        }
        case CREDENTIAL_REJECTED -> {
          // One event per credential the call carried, each named by its id (the runtime records no token).
          List<?> presented = p.get("credentials") instanceof List<?> ids && !ids.isEmpty()
              ? ids : Collections.singletonList(p.get("credential"));
          for (Object credential : presented) {
            Map<String, Object> e = event(at, "credential-rejected", agent);
            e.put("credential", credential);
            e.put("presentedBy", p.get("presentedBy"));
            e.put("tool", p.get("tool"));
            e.put("reason", p.get("reason"));
          }
        }
        case HALT -> {
          @SuppressWarnings("unchecked")
          List<Object> subtree = (List<Object>) p.get("subtree");
          Map<String, Object> e = event(at, "halt", subtree.isEmpty() ? agent : String.valueOf(subtree.get(0)));
          e.put("reason", p.get("reason"));
          e.put("subtree", subtree);
        }
        case COMPENSATION -> {
          Object status = p.get("status");
          if ("executed".equals(status) || "failed".equals(status)) {
            Map<String, Object> e = event(at, "compensation", String.valueOf(p.get("agent")));
            e.put("effect", executedCalls.get(String.valueOf(p.get("effect"))));
            e.put("tool", p.get("tool"));
            e.put("resource", p.get("resource"));
            e.put("executed", "executed".equals(status));
          }
        }
        case COMPROMISE -> compromise(record, at, agent);
        case AGENT_ENDED -> {
          Object status = p.get("status");
          if (AgentStatus.COMPLETED.text().equals(status)) {
            event(at, "complete", agent);
          } else if (AgentStatus.FAILED.text().equals(status)) {
            event(at, "fail", agent).put("reason", p.get("reason"));
          }
        }
        default -> { }
      }
    }

    /**
     * A request for a person's approval and what became of it, by the approval's id (see the class comment). A call's
     * request is its {@code approval-required} tool-call event, then the {@code approval} event; a delegation's is
     * the approval event alone, whose {@code call} is filled in once the delegation event is made.
     */
    private void approval(AuditRecord record, long at, String agent) {
      Map<String, Object> p = record.payload();
      String status = String.valueOf(p.get("status"));
      String id = String.valueOf(p.get("approval"));
      if ("requested".equals(status)) {
        Asked ask = new Asked();
        asked.put(id, ask);
        if (p.containsKey("call")) {
          Map<String, Object> e = event(at, "tool-call", agent);
          e.put("tool", p.get("tool"));
          e.put("resource", p.get("resource"));
          e.put("decision", "approval-required");
          e.put("reason", p.get("reason"));
          e.put("policyVersion", p.get("policyVersion"));
          e.put("credential", null);
          e.put("executed", false);
          ask.call = (Long) e.get("seq");
        }
        ask.request = ask.add(approvalEvent(at, agent, ask, "requested", p.get("reason")));
        ask.request.put("withdrawnAtMs", null);
        return;
      }
      Asked ask = asked.computeIfAbsent(id, unseen -> new Asked());
      switch (status) {
        case "approved", "denied", "timed-out" -> ask.add(approvalEvent(at, agent, ask, status, p.get("detail")));
        // An approval given for another action never counts: for the action that asked, it is a denial.
        case "mismatched" -> ask.add(approvalEvent(at, agent, ask, "denied", p.get("detail")));
        // Nobody answered and nobody will: the asking agent stopped. Not a status of the spec's; the request says when.
        case "withdrawn" -> {
          if (ask.request != null) {
            ask.request.put("withdrawnAtMs", at);
          }
        }
        default -> { }
      }
    }

    private Map<String, Object> approvalEvent(long at, String agent, Asked ask, String status, Object detail) {
      Map<String, Object> e = event(at, "approval", agent);
      e.put("call", ask.call);
      e.put("status", status);
      e.put("detail", detail);
      return e;
    }

    /**
     * A brain swapped, with the credential the simulation leaked to the new brain if it did: the leak of the same
     * agent, instant and behaviour (a leak is made as the swap is audited).
     */
    private void compromise(AuditRecord record, long at, String agent) {
      Map<String, Object> e = event(at, "compromise", agent);
      Object behaviour = record.payload().get("behaviour");
      e.put("behaviour", behaviour);
      CredentialLeak leak = null;
      for (CredentialLeak candidate : leaks) {
        if (candidate.to().value().equals(agent) && candidate.at().equals(record.at())
            && candidate.behaviour().equals(behaviour)) {
          leak = candidate;
          break;
        }
      }
      leaks.remove(leak);
      e.put("leakedCredential", leak == null ? null : leak.credential());
      e.put("leakedFrom", leak == null ? null : leak.from().value());
    }

    private void refused(World.CredentialRefusal r) {
      Map<String, Object> e = event(r.atMs(), "credential-rejected", r.presentedBy());
      e.put("credential", r.credential());
      e.put("presentedBy", r.presentedBy());
      e.put("tool", r.tool());
      e.put("reason", r.reason());
    }

    private Map<String, Object> event(long atMs, String kind, String agent) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("seq", (long) events.size() + 1);
      e.put("atMs", atMs);
      e.put("kind", kind);
      e.put("agent", agent);
      events.add(e);
      return e;
    }
  }

  /** What the report made of one approval request: the event that asked, and the approval events so far. */
  private static final class Asked {
    /** The seq of the tool-call or delegation event that asked; a delegation's is known only once it is decided. */
    Long call;
    /** The approval event of the request itself; null when the request was not seen. */
    Map<String, Object> request;
    private final List<Map<String, Object>> events = new ArrayList<>();

    Map<String, Object> add(Map<String, Object> event) {
      events.add(event);
      return event;
    }

    /** The delegation that asked was decided as event {@code seq}: every approval event of it refers to that. */
    void decided(long seq) {
      if (call == null) {
        call = seq;
        events.forEach(e -> e.put("call", seq));
      }
    }
  }

  private static String reasons(Object reasons) {
    if (reasons instanceof List<?> list) {
      return String.join("; ", list.stream().map(String::valueOf).toList());
    }
    return reasons == null ? "" : String.valueOf(reasons);
  }

  /** The agent a record is about: the last of its lineage; null for the mission's own records. */
  private static String agent(AuditRecord record) {
    List<String> lineage = record.lineage();
    return lineage.isEmpty() ? null : lineage.get(lineage.size() - 1);
  }

  // ---------------------------------------------------------------------------------------------- the rest

  /**
   * Every credential the runtime issued to an agent, with its revocation: the first revocation of its holder's
   * lineage, or of an ancestor's, after it was issued.
   */
  private List<Map<String, Object>> credentials() {
    List<Map<String, Object>> list = new ArrayList<>();
    List<AuditRecord> records = result.audit();
    for (AuditRecord record : records) {
      if (record.kind() != AuditKind.CREDENTIAL_ISSUED) {
        continue;
      }
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", record.payload().get("credential"));
      c.put("holder", agent(record));
      c.put("audience", record.payload().get("audience"));
      c.put("issuedAtMs", ms(record.at()));
      Object expires = record.payload().get("expiresAt");
      c.put("expiresAtMs", expires == null ? null : ms(Instant.parse(String.valueOf(expires))));
      Long revoked = null;
      for (AuditRecord later : records.subList((int) record.seq(), records.size())) {
        if (later.kind() == AuditKind.CREDENTIAL_REVOKED
            && record.lineage().contains(String.valueOf(later.payload().get("lineage")))) {
          revoked = ms(later.at());
          break;
        }
      }
      c.put("revokedAtMs", revoked);
      list.add(c);
    }
    return list;
  }

  private List<Map<String, Object>> attacker() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (SimulatedAttacker.StepRecord r : result.attacker()) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("step", r.step());
      step.put("technique", r.technique());
      step.put("atMs", r.atMs());
      step.put("happened", r.happened());
      step.put("blockedBy", r.blockedBy());
      list.add(step);
    }
    return list;
  }

  private Map<String, Object> audit() {
    Verification v = result.verification();
    Map<String, Object> audit = new LinkedHashMap<>();
    audit.put("records", result.audit().size());
    audit.put("headHash", v.headHash());
    audit.put("verified", v instanceof Verification.Intact);
    return audit;
  }

  private long ms(Instant at) {
    return result.ms(at);
  }
}
