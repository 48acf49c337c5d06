package dev.custos.cli;

import picocli.CommandLine.Command;

/** {@code custos audit}: the group of commands about audit stores; on its own it only asks for a subcommand. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Work with audit stores: the hash-chained, checkpoint-signed record of every decision.",
        "A store is a database reached by a JDBC URL: jdbc:h2:file:DIR/audit for the embedded default, "
            + "jdbc:postgresql://HOST:5432/DB for production."},
    subcommands = {AuditVerifyCommand.class, AuditExportCommand.class},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class AuditCommand {}
