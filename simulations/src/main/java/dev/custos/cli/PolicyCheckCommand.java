package dev.custos.cli;

import dev.custos.files.Problems;
import dev.custos.policies.Effect;
import dev.custos.policies.PolicyEngine;
import dev.custos.policies.PolicySet;
import dev.custos.policies.Rule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custos policy check FILE...}: whether packs load together, as a runtime would load them. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Validate policy packs: every field, every rule id, every CEL condition (compiled and type-checked as a "
            + "boolean over the declared variables).",
        "Several files are checked as one set, as a runtime loads them: rule ids must be unique across them. Prints "
            + "the set's version and its rules by effect."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the packs load",
        "2:bad input: a problem in a pack; every problem goes to standard error as FILE:LINE:COLUMN: message"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class PolicyCheckCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy pack files (YAML).")
  private List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Problems problems = new Problems();
    Optional<PolicySet> set = PolicySet.load(files, problems);
    if (set.isEmpty()) {
      problems.printTo(err);
      err.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + "; nothing loaded");
      err.flush();
      return ExitCodes.BAD_INPUT;
    }
    List<Rule> rules = set.get().rules();
    out.println("ok: " + set.get().packs().size() + (set.get().packs().size() == 1 ? " pack, " : " packs, ")
        + rules.size() + " rules, version " + set.get().version());
    for (Effect effect : Effect.values()) {
      List<String> ids = rules.stream().filter(r -> r.effect() == effect).map(Rule::id).toList();
      out.println("  " + effect.text() + ": " + (ids.isEmpty() ? "-" : String.join(", ", ids)));
    }
    boolean delegates = rules.stream()
        .anyMatch(r -> r.effect() != Effect.FORBID && r.appliesTo(PolicyEngine.DELEGATE_TOOL));
    if (!delegates) {
      out.println("note: no rule permits or approves " + PolicyEngine.DELEGATE_TOOL
          + ", so every delegation will be denied");
    }
    out.flush();
    return ExitCodes.OK;
  }
}
