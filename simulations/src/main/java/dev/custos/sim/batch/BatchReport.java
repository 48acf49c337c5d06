package dev.custos.sim.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.custos.scenario.Scenario;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A batch's files: JSON (the aggregate, then every run's summary), CSV (a header, then one row per run), by seed, and
 * an HTML page of the aggregate ({@link #toHtml}). None holds a wall-clock time or the number of threads, so the same
 * scenario and seeds give the same bytes.
 */
public final class BatchReport {

  /** The CSV's header line. */
  public static final String CSV_HEADER =
      "seed,verdict,contained,containedAtMs,attackerSteps,denials,halts,expectationsFailed,error";

  private static final ObjectWriter JSON = new ObjectMapper().writer(new DefaultPrettyPrinter()
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private final String scenario;
  private final String description;
  private final long firstSeed;
  private final List<RunSummary> summaries;
  private final BatchAggregate aggregate;

  private BatchReport(String scenario, String description, long firstSeed, List<RunSummary> summaries,
      BatchAggregate aggregate) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.description = Objects.requireNonNull(description, "description");
    this.firstSeed = firstSeed;
    this.summaries = List.copyOf(summaries);
    this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
  }

  /** The report of {@code summaries}, by seed from {@code firstSeed}, of {@code scenario}. */
  public static BatchReport of(Scenario scenario, long firstSeed, List<RunSummary> summaries) {
    return new BatchReport(scenario.name(), scenario.description().orElse(""), firstSeed, summaries,
        BatchAggregate.of(summaries, scenario.duration().toMillis(), scenario.attacker().steps().size()));
  }

  /** The scenario's name. */
  public String scenario() {
    return scenario;
  }

  /** The scenario's description; empty when it has none. */
  String description() {
    return description;
  }

  public long firstSeed() {
    return firstSeed;
  }

  public BatchAggregate aggregate() {
    return aggregate;
  }

  public List<RunSummary> summaries() {
    return summaries;
  }

  /** Whether every run met every expectation. */
  public boolean passed() {
    return aggregate.passed() == aggregate.runs();
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("scenario", scenario);
    map.put("firstSeed", firstSeed);
    map.put("runs", summaries.size());
    map.put("aggregate", aggregate.toMap());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (RunSummary s : summaries) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("seed", s.seed());
      run.put("verdict", s.verdict());
      run.put("contained", s.contained());
      run.put("containedAtMs", s.containedAtMs().isPresent() ? s.containedAtMs().getAsLong() : null);
      run.put("attackerSteps", s.attackerSteps());
      run.put("denials", s.denials());
      run.put("halts", new LinkedHashMap<>(s.halts()));
      List<Map<String, Object>> expectations = new ArrayList<>();
      for (RunSummary.Expectation e : s.expectations()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("ok", e.ok());
        expectations.add(m);
      }
      run.put("expectations", expectations);
      run.put("error", s.error().isEmpty() ? null : s.error());
      runs.add(run);
    }
    map.put("results", runs);
    return map;
  }

  /** Two-space indents, {@code \n} line ends, a final newline. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap()) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report of plain maps, lists and scalars did not serialise", e);
    }
  }

  /**
   * {@link #CSV_HEADER}, then a row per run (RFC 4180 quoting, {@code \n} line ends): {@code halts} as
   * {@code reason=count} joined by {@code ;}, {@code expectationsFailed} the failed expectations' names joined by
   * {@code ;}.
   */
  public String toCsv() {
    StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
    for (RunSummary s : summaries) {
      List<String> row = List.of(
          Long.toString(s.seed()),
          s.verdict(),
          Boolean.toString(s.contained()),
          s.containedAtMs().isPresent() ? Long.toString(s.containedAtMs().getAsLong()) : "",
          Integer.toString(s.attackerSteps()),
          Integer.toString(s.denials()),
          s.halts().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";")),
          s.expectations().stream().filter(e -> !e.ok()).map(RunSummary.Expectation::name)
              .collect(Collectors.joining(";")),
          s.error());
      csv.append(row.stream().map(BatchReport::csvField).collect(Collectors.joining(","))).append('\n');
    }
    return csv.toString();
  }

  /**
   * The aggregate as one self-contained HTML page ({@link BatchHtml}); {@code scenarioFile} is the scenario file as the
   * user named it, for the commands that rerun a failing seed.
   */
  public String toHtml(String scenarioFile) {
    return BatchHtml.render(this, scenarioFile);
  }

  static String csvField(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
      return "\"" + value.replace("\"", "\"\"") + "\"";
    }
    return value;
  }
}
