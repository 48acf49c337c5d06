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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custos run FILE [--seed N] [--report PATH] [--html PATH]}: simulates one scenario and checks its expectations. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Simulate a scenario file once and check its expectations.",
        "Validates the file, runs it in virtual time with the scenario's seed (or --seed), prints the outcome, the "
            + "agent tree with each agent's status, the halts and the denied calls, and writes the JSON report "
            + "(spec/scenarios.md) when --report is given, a self-contained HTML page of the run when --html is given. "
            + "The same file and seed give the same report and page, byte for byte."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the run met every expectation",
        "1:an expectation failed",
        "2:bad input: a problem in the file (every problem on standard error as FILE:LINE:COLUMN: message)"},
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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seed != null && seed < 0) {
      err.println("--seed may not be negative, got " + seed);
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    Optional<Scenario> read = Simulations.read(file, err);
    if (read.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario = read.get();
    long runSeed = seed != null ? seed : scenario.seed();
    RunResult result = Simulations.quietly(() -> {
      try (SimulationSystem sim = SimulationSystem.create("custos-run")) {
        return ScenarioRunner.run(scenario, runSeed, sim);
      }
    });
    Report built = Report.of(result);
    summary(out, result, built);
    if (report != null && !Simulations.write(report, built.toJson(), "report", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    if (html != null && !Simulations.write(html, HtmlReport.render(built.toMap(), scenario.attacker().alerts()), "html", out, err)) {
      return ExitCodes.BAD_INPUT;
    }
    out.flush();
    return built.passed() ? ExitCodes.OK : ExitCodes.NO;
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
