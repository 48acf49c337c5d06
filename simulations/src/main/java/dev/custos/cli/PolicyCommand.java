package dev.custos.cli;

import picocli.CommandLine.Command;

/** {@code custos policy}: the group of commands about policy packs; on its own it only asks for a subcommand. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Work with policy packs: YAML rules whose conditions are CEL, deciding what the organisation allows.",
        "A pack lists rules with an id, an effect (forbid, approve, permit), optional tool patterns and an optional "
            + "'when' condition. Its tests sit beside it: soc-baseline.tests.yaml tests soc-baseline.yaml."},
    subcommands = {PolicyCheckCommand.class, PolicyTestCommand.class},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class PolicyCommand {}
