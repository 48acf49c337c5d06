package dev.custos.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** One run of the {@code custos} command in the test's JVM: its exit code and the lines it printed to each stream. */
record CliRun(int exitCode, List<String> out, List<String> err) {

  static CliRun custos(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = new CommandLine(new Main())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new CliRun(exitCode, out.toString().lines().toList(), err.toString().lines().toList());
  }
}
