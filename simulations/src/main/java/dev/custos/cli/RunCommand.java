package dev.custos.cli;

import dev.custos.runtime.AgentSnapshot;
import dev.custos.scenario.Scenario;
import dev.custos.sim.SimulationSystem;
import dev.custos.sim.run.HtmlReport;
import dev.custos.sim.run.Report;
import dev.custos.sim.run.RunResult;
import dev.custos.sim.run.ScenarioRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custos run FILE [--seed N] [--report PATH] [--html PATH] [--audit-db URL]}: simulates one scenario, checks its
 * expectations, and with {@code --audit-db} also writes the run's audit trail to a durable store (see
 * {@link DurableAudit}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Simulate a scenario file once and check its expectations.",
        "Validates the file, runs it in virtual time with the scenario's seed (or --seed), prints the outcome, the "
            + "agent tree with each agent's status, the halts and the denied calls, and writes the JSON report "
            + "(spec/scenarios.md) when --report is given, a self-contained HTML page of the run when --html is given. "
            + "The same file and seed give the same report and page, byte for byte.",
        "With --audit-db URL the run's audit records are also written, once the run is over, to that durable audit "
            + "store (a JDBC URL as 'custos audit verify --db' takes: jdbc:h2:file:DIR/audit, made if absent, or "
            + "jdbc:postgresql://HOST:5432/DB). A fresh store holds the run's chain exactly (its head hash is the "
            + "report's audit.headHash); a store that already holds records continues its own chain. The store is "
            + "then verified and one line says what was written (its seq range) and whether the store verifies. "
            + "The run itself, its report and page do not change with --audit-db."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the run met every expectation",
        "1:an expectation failed, or the store of --audit-db does not verify after the run",
        "2:bad input: a problem in the file (every problem on standard error as FILE:LINE:COLUMN: message), an "
            + "output that cannot be written, or an audit store that cannot be opened or did not take the run"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class RunCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The scenario file (YAML).")
  private Path file;

  @Option(names = "--seed", paramLabel = "N", description = "The run's seed, in place of the file's.")
  private Long seed;

  @Option(names = "--report", paramLabel = "PATH", description = "Write the JSON report here.")
  private Path report;

  @Option(names = "--html", paramLabel = "PATH",
      description = "Write a self-contained HTML page of the run here (opens from disk, no network).")
  private Path html;

  @Option(names = "--audit-db", paramLabel = "URL",
      description = "Also write the run's audit records to this durable store (JDBC URL, e.g. "
          + "jdbc:h2:file:./data/audit or jdbc:postgresql://127.0.0.1:5432/custos), then verify it.")
  private String auditDb;

  @Mixin
  private DatabaseLogin login;

  @Option(names = "--checkpoint-key", paramLabel = "FILE",
      description = "The key that signs the --audit-db store's checkpoints (made here if absent, its public half in "
          + "FILE.pub). Default for an H2 file store: checkpoint-key beside the database; needed for any other.")
  private Path checkpointKey;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seed != null && seed < 0) {
      err.println("--seed may not be negative, got " + seed);
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    if (auditDb == null && (login.given() || checkpointKey != null)) {
      err.println("--user, --password-env and --checkpoint-key go with --audit-db");
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    Optional<Scenario> read = Simulations.read(file, err);
    if (read.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario = read.get();
    // Before the run: a store that cannot be used is bad input, found before any work.
    DurableAudit store = null;
    if (auditDb != null) {
      try {
        store = DurableAudit.open(auditDb, login, checkpointKey);
      } catch (DurableAudit.Unusable e) {
        err.println("custos run: --audit-db: " + e.getMessage());
        err.flush();
        return ExitCodes.BAD_INPUT;
      }
    }
    long runSeed = seed != null ? seed : scenario.seed();
    RunResult result = Simulations.quietly(() -> {
      try (SimulationSystem sim = SimulationSystem.create("custos-run")) {
        return ScenarioRunner.run(scenario, runSeed, sim);
      }
    });
    Report built = Report.of(result);
    summary(out, result, built);
    boolean storeVerified = true;
    if (store != null) {
      // The run is over and its log is its own: the store gets a copy, awaited here, outside the simulated world.
      try {
        DurableAudit.Written written = store.write(result.audit());
        out.println(written.line());
        storeVerified = written.verified();
      } catch (DurableAudit.Unusable e) {
        out.flush();
        err.println("custos run: --audit-db: " + e.getMessage());
        err.flush();
        return ExitCodes.BAD_INPUT;
      }
    }
    if (report != null && !Simulations.write(report, built.toJson(), "report", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    if (html != null && !Simulations.write(html, HtmlReport.render(built.toMap(), scenario.attacker().alerts()), "html", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    out.flush();
    return built.passed() && storeVerified ? ExitCodes.OK : ExitCodes.NO;
  }

  /** The outcome, the agent tree, the halts and the denials, in a few lines. */
  private static void summary(PrintWriter out, RunResult result, Report report) {
    out.printf("scenario %s, seed %d: %s%n", result.scenario().name(), result.seed(),
        report.passed() ? "PASS" : "FAIL");
    out.printf("  attacker: %d of %d steps happened, %s%n", result.containment().attackerSteps(),
        result.attacker().size(), result.containment().contained()
            ? "contained from " + result.containment().containedAtMs().getAsLong() + " ms" : "not contained");
    out.printf("  mission: %s at %d ms%n", result.outcome().map(o -> o.status().text()).orElse("still running"),
        result.ms(result.stoppedAt()));
    out.println("agents:");
    for (AgentSnapshot agent : result.snapshot().agents()) {
      out.printf("  %s%s (%s, %s) %s%s%n", "  ".repeat(agent.depth()), agent.role(), agent.id().value(), agent.type(),
          agent.status().text(), agent.haltReason() == null ? "" : ": " + agent.haltReason());
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events = (List<Map<String, Object>>) report.toMap().get("events");
    long denied = events.stream().filter(e -> "tool-call".equals(e.get("kind")) && "deny".equals(e.get("decision")))
        .count();
    List<Map<String, Object>> halts = events.stream().filter(e -> "halt".equals(e.get("kind"))).toList();
    for (Map<String, Object> halt : halts) {
      out.printf("halt at %s ms: %s (%s), subtree %s%n", halt.get("atMs"), halt.get("agent"), halt.get("reason"),
          halt.get("subtree"));
    }
    out.printf("denied calls: %d%n", denied);
    for (Map<String, Object> e : report.expectations()) {
      out.printf("expect %s: %s%s%n", e.get("name"), Boolean.TRUE.equals(e.get("ok")) ? "ok" : "FAILED",
          String.valueOf(e.get("detail")).isEmpty() ? "" : " (" + e.get("detail") + ")");
    }
  }
}
