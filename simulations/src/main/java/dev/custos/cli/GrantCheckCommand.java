package dev.custos.cli;

import dev.custos.capability.Attenuation;
import dev.custos.capability.Capability;
import dev.custos.capability.DelegationResult;
import dev.custos.capability.Grant;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Ledger;
import dev.custos.capability.Reason;
import dev.custos.capability.Reservation;
import dev.custos.Durations;
import dev.custos.files.GrantFile;
import dev.custos.files.Problems;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custos grant check PARENT CHILD}: whether the child grant is within what the parent, a fresh root grant, holds.
 * Both deadlines count from the same mission start, so only their difference matters.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Check whether a child grant is within its parent's.",
        "Decides as a delegation would and prints what the child would reserve from the parent, or every reason it "
            + "is refused. The parent is taken as a root grant with nothing spent yet; both deadlines count from the "
            + "same mission start."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:granted: the child is within the parent",
        "1:refused: the child would widen the parent; the reasons are printed",
        "2:bad input: a file is missing, is not YAML or is not a valid grant; the problems go to standard error"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class GrantCheckCommand implements Callable<Integer> {

  /** Any fixed instant will do: deadlines are compared with each other, never with the clock. */
  private static final Instant MISSION_START = Instant.EPOCH;

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PARENT_FILE",
      description = "Grant file of the parent (YAML: capabilities and bounds).")
  private Path parentFile;

  @Parameters(index = "1", paramLabel = "CHILD_FILE",
      description = "Grant file the child asks for, in the same format.")
  private Path childFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Problems problems = new Problems();
    Optional<GrantRequest> parent = GrantFile.read(parentFile, MISSION_START, problems);
    Optional<GrantRequest> child = GrantFile.read(childFile, MISSION_START, problems);
    if (!problems.isEmpty() || parent.isEmpty() || child.isEmpty()) {
      problems.printTo(err);
      return ExitCodes.BAD_INPUT;
    }
    Ledger ledger = new Ledger(Grant.root(parent.get()));
    DelegationResult result = Attenuation.decide(ledger, child.get());
    if (result instanceof DelegationResult.Granted granted) {
      out.println("granted: " + childFile + " is within " + parentFile);
      printReservation(out, ledger, granted.reservation());
      out.flush();
      return ExitCodes.OK;
    }
    out.println("refused: " + childFile + " is not within " + parentFile);
    for (Reason reason : ((DelegationResult.Refused) result).reasons()) {
      out.println("  - " + describe(reason));
    }
    out.flush();
    return ExitCodes.NO;
  }

  /** A reason in the files' own terms: deadlines as durations from the mission start, as the files write them. */
  private static String describe(Reason reason) {
    if (reason instanceof Reason.DeadlineLater later) {
      return "deadline " + Durations.format(Duration.between(MISSION_START, later.requested()))
          + " is later than the parent's (" + Durations.format(Duration.between(MISSION_START, later.parent())) + ")";
    }
    return reason.describe();
  }

  /** What the delegation would carve out of the parent, against what the parent has left. */
  private static void printReservation(PrintWriter out, Ledger parent, Reservation reservation) {
    out.println("it would reserve from the parent:");
    out.println("  budget: " + reservation.budget() + " of the " + parent.budgetLeft() + " left");
    out.println("  agent slots: " + reservation.agentSlots() + " of the " + parent.agentSlotsLeft() + " left");
    List<Capability> held = parent.grant().capabilities();
    for (int p = 0; p < held.size(); p++) {
      OptionalInt left = parent.callsLeft(p);
      if (left.isEmpty()) {
        continue; // no limit: nothing to carve out
      }
      int index = p;
      int calls = reservation.calls().stream()
          .filter(c -> c.parentCapability() == index).mapToInt(Reservation.Calls::calls).sum();
      if (calls > 0) {
        out.println("  calls of capability " + p + " (" + held.get(p) + "): " + calls + " of the " + left.getAsInt()
            + " left");
      }
    }
  }
}
