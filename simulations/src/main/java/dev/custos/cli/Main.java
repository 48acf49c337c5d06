package dev.custos.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code custos} command. Keep its startup light: subcommands load what they need (Jackson, the runtime) only when
 * they run, so {@code custos --help} answers at once.
 */
@Command(
    name = "custos",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = "Custos: multi-agent defence workflows with bounded delegation.",
    subcommands = {
        ValidateCommand.class, RunCommand.class, BatchCommand.class, GrantCommand.class, PolicyCommand.class,
        AuditCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Run 'custos help COMMAND' or 'custos COMMAND --help' for what a command does and takes."},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
public final class Main {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
