package dev.custos.cli;

import picocli.CommandLine.Command;

/** {@code custos grant}: the group of commands about grant files; on its own it only asks for a subcommand. */
@Command(
    name = "grant",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Work with grant files: the capabilities and bounds an agent holds.",
        "A grant file is YAML, written as the supervisor.grant block of a scenario: 'capabilities' (tool and "
            + "resource patterns, optional maxCalls and requiresApproval) and 'bounds' (budget, deadline, maxDepth, "
            + "maxChildren, maxSubtreeAgents, rate, maxStrikes)."},
    subcommands = {GrantCheckCommand.class},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class GrantCommand {}
