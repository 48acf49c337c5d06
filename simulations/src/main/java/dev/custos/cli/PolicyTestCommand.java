package dev.custos.cli;

import dev.custos.files.Location;
import dev.custos.files.Problems;
import dev.custos.policies.PolicySet;
import dev.custos.policies.PolicyTests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custos policy test DIR|FILE...}: runs the tests files beside packs. */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Run policy tests: each NAME.tests.yaml against the pack NAME.yaml beside it.",
        "A directory runs every tests file in it and below it; a pack runs its tests file; a tests file runs itself. "
            + "Prints each failing case (name, expected, got, deciding rules) and a summary line 'N passed, M failed'."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every case passed",
        "1:some case failed",
        "2:bad input: no tests found, or a problem in a pack or tests file (on standard error)"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class PolicyTestCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "DIR|FILE",
      description = "Directories of packs, pack files or tests files.")
  private List<Path> targets;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Problems problems = new Problems();
    List<Path> testsFiles = testsFiles(problems);
    if (testsFiles.isEmpty() && problems.isEmpty()) {
      err.println("no tests files (*" + PolicyTests.SUFFIX + ") in " + targets);
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    int passed = 0;
    int failed = 0;
    for (Path testsFile : testsFiles) {
      Path pack = PolicyTests.packOf(testsFile);
      Optional<PolicySet> set = PolicySet.load(List.of(pack), problems);
      Optional<List<PolicyTests.Case>> cases = PolicyTests.read(testsFile, problems);
      if (set.isEmpty() || cases.isEmpty()) {
        continue;
      }
      for (PolicyTests.Outcome outcome : PolicyTests.run(set.get(), cases.get())) {
        if (outcome.passed()) {
          passed++;
          continue;
        }
        failed++;
        PolicyTests.Case testCase = outcome.testCase();
        String expected = testCase.expect().text() + testCase.rules().map(r -> " by " + rules(r)).orElse("");
        out.println("FAIL " + testsFile + ":" + testCase.location().line() + " " + testCase.name());
        out.println("  expected " + expected + ", got " + outcome.got().text() + " by "
            + rules(outcome.decision().ruleIds()));
      }
    }
    if (!problems.isEmpty()) {
      problems.printTo(err);
      err.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the packs or tests");
      err.flush();
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    if (!problems.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.NO;
  }

  private static String rules(List<String> ids) {
    return ids.isEmpty() ? "no rule" : String.join(", ", ids);
  }

  /** The tests files the targets name, in a stable order; a target that names none is a problem. */
  private List<Path> testsFiles(Problems problems) {
    List<Path> found = new ArrayList<>();
    for (Path target : targets) {
      String name = target.getFileName() == null ? "" : target.getFileName().toString();
      if (Files.isDirectory(target)) {
        try (Stream<Path> files = Files.walk(target)) {
          files.filter(f -> f.getFileName().toString().endsWith(PolicyTests.SUFFIX) && Files.isRegularFile(f))
              .sorted().forEach(found::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (name.endsWith(PolicyTests.SUFFIX)) {
        found.add(target);
      } else if (!Files.exists(target)) {
        problems.add(target.toString(), Location.FILE, "no such file or directory");
      } else if (Files.exists(PolicyTests.testsOf(target))) {
        found.add(PolicyTests.testsOf(target));
      } else {
        problems.add(target.toString(), Location.FILE, "has no tests file beside it (expected "
            + PolicyTests.testsOf(target) + ")");
      }
    }
    return found;
  }
}
