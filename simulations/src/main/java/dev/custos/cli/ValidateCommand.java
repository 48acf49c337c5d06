package dev.custos.cli;

import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custos validate FILE...}: whether scenario files are valid, each on its own, with every problem of each. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Validate scenario files: every field, reference and policy pack.",
        "Checks each file against the scenario format (spec/scenarios.md): unknown or missing fields, values of the "
            + "wrong kind, hosts and accounts not declared, unknown agent types, behaviours and tools, times after "
            + "the end of the run; and loads the policy packs it names. Each file is checked on its own; a valid one "
            + "is printed with its name and size, an invalid one with every problem it has."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every file is a valid scenario",
        "2:bad input: a problem in a file; every problem goes to standard error as FILE:LINE:COLUMN: message"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class ValidateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files (YAML).")
  private List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Problems problems = new Problems();
    int invalid = 0;
    for (Path file : files) {
      Optional<Scenario> scenario = ScenarioFile.read(file, problems);
      if (scenario.isEmpty()) {
        invalid++;
        continue;
      }
      out.println("ok: " + file + " (scenario " + scenario.get().name() + ", "
          + count(scenario.get().environment().hosts().size(), "host") + ", "
          + count(scenario.get().attacker().steps().size(), "attacker step") + ")");
    }
    out.flush();
    if (invalid == 0) {
      return ExitCodes.OK;
    }
    problems.printTo(err);
    err.println(count(problems.size(), "problem") + " in "
        + (invalid == files.size() ? count(invalid, "file") : invalid + " of " + count(files.size(), "file")));
    err.flush();
    return ExitCodes.BAD_INPUT;
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
