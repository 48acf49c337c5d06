package dev.custos.sim.batch;

import dev.custos.audit.AuditRecord;
import dev.custos.sim.run.Report;
import dev.custos.sim.run.RunResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a batch keeps of one run: a few numbers instead of the run's whole report.
 *
 * @param seed the run's seed
 * @param verdict {@code pass}, {@code fail}, or {@code error} when the run threw
 * @param contained whether the attacker was contained (false for an error)
 * @param containedAtMs the virtual time from which it was contained; empty when not contained
 * @param attackerSteps how many attacker steps happened
 * @param denials how many tool calls were denied (the report's {@code tool-call} events with decision {@code deny})
 * @param halts how many halts there were, per reason, ordered by reason
 * @param expectations each expectation's name, whether it held and, when not, why, in the report's order
 * @param wallNanos how long the run took on the wall clock (not part of any file output: it differs run to run)
 * @param error for an error, the exception's class and message; else empty
 */
public record RunSummary(long seed, String verdict, boolean contained, OptionalLong containedAtMs, int attackerSteps,
    int denials, SortedMap<String, Integer> halts, List<Expectation> expectations, long wallNanos, String error) {

  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String ERROR = "error";

  /**
   * One expectation's result.
   *
   * @param name as the report names it
   * @param ok whether it held
   * @param detail the report's detail: why it did not hold, empty when it did
   */
  public record Expectation(String name, boolean ok, String detail) {
    public Expectation {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(detail, "detail");
    }

    /** A result with no detail. */
    public Expectation(String name, boolean ok) {
      this(name, ok, "");
    }
  }

  public RunSummary {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(containedAtMs, "containedAtMs");
    halts = Collections.unmodifiableSortedMap(new TreeMap<>(halts));
    expectations = List.copyOf(expectations);
    Objects.requireNonNull(error, "error");
  }

  /** The summary of {@code result} (its wall time 0: the batch runner sets it). */
  public static RunSummary of(RunResult result) {
    Report report = Report.of(result);
    int denials = 0;
    SortedMap<String, Integer> halts = new TreeMap<>();
    for (AuditRecord record : result.audit()) {
      switch (record.kind()) {
        case DECISION -> denials++;
        case HALT -> halts.merge(String.valueOf(record.payload().get("reason")), 1, Integer::sum);
        default -> { }
      }
    }
    List<Expectation> expectations = new ArrayList<>();
    for (Map<String, Object> e : report.expectations()) {
      Object detail = e.get("detail");
      expectations.add(new Expectation(String.valueOf(e.get("name")), Boolean.TRUE.equals(e.get("ok")),
          detail == null ? "" : String.valueOf(detail)));
    }
    return new RunSummary(result.seed(), report.passed() ? PASS : FAIL, result.containment().contained(),
        result.containment().containedAtMs(), result.containment().attackerSteps(), denials, halts, expectations, 0,
        "");
  }

  /** A run that threw {@code failure}. */
  public static RunSummary failed(long seed, Throwable failure) {
    String message = failure.getMessage();
    return new RunSummary(seed, ERROR, false, OptionalLong.empty(), 0, 0, new TreeMap<>(), List.of(), 0,
        failure.getClass().getName() + (message == null ? "" : ": " + message));
  }

  /** This summary with {@code nanos} as its wall time. */
  public RunSummary withWallNanos(long nanos) {
    return new RunSummary(seed, verdict, contained, containedAtMs, attackerSteps, denials, halts, expectations, nanos,
        error);
  }

  public boolean passed() {
    return PASS.equals(verdict);
  }

  public boolean failedWithError() {
    return ERROR.equals(verdict);
  }
}
