package dev.custos.cli;

import dev.custos.audit.AuditStore;
import dev.custos.audit.CheckpointKey;
import dev.custos.identity.WorkloadKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custos audit verify --db URL}: recomputes the chain and checks every checkpoint. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Verify an audit store: recompute every record's hash from its stored text, check the links and numbering, "
            + "check each signed checkpoint's signature and that it still matches the record it names.",
        "Prints the record count, the head hash and OK, or the first sequence that cannot be trusted and why "
            + "(edited, missing, reordered, inserted, truncated, rewritten, forged checkpoint)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the store verifies",
        "1:a fault was found; the first bad sequence and why are printed",
        "2:bad input: the store cannot be reached, or a key file is missing or wrong"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class AuditVerifyCommand implements Callable<Integer> {

  /** How often progress is reported on standard error. */
  private static final long PROGRESS_EVERY = 500_000;

  @Spec
  private CommandSpec spec;

  @Mixin
  private AuditConnection store;

  @Option(names = "--public-key", paramLabel = "FILE",
      description = "The checkpoint key's public key file (checkpoint-key.pub). Default for an H2 file store: "
          + "checkpoint-key.pub beside the database, when there is one.")
  private Path publicKeyFile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<Path> keyFile = Optional.ofNullable(publicKeyFile).or(this::besideTheDatabase);
    WorkloadKeys.PublicKey key = null;
    if (keyFile.isPresent()) {
      try {
        key = CheckpointKey.readPublicKey(keyFile.get());
      } catch (IOException e) {
        err.println("custos audit verify: cannot read the public key: " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
    }
    AuditStore.Result result;
    try (Connection connection = store.open()) {
      long[] reported = {0};
      result = AuditStore.verify(connection, key, seq -> {
        if (seq - reported[0] >= PROGRESS_EVERY) {
          reported[0] = seq;
          err.println("verified " + seq + " records...");
          err.flush();
        }
      });
    } catch (SQLException | IllegalArgumentException e) {
      err.println("custos audit verify: cannot read the store at " + store.url + ": " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    if (key == null) {
      err.println("note: no public key given; checkpoint signatures were checked against the key stored with them, "
          + "which shows they were not edited alone. Pass --public-key to pin the key.");
    }
    String checkpoints = result.checkpoints() + (result.checkpoints() == 1 ? " checkpoint" : " checkpoints")
        + (result.checkpoints() == 0 ? "" : " (last at seq " + result.lastCheckpoint() + ")");
    if (result.intact()) {
      out.println("OK: " + result.records() + " records, head " + result.headHash() + ", " + checkpoints
          + (key == null ? "" : ", signed by key " + key.thumbprint()));
      if (result.unsigned() > 0) {
        out.println("  " + result.unsigned() + " records after the last checkpoint are chained but not yet signed");
      }
      out.flush();
      return ExitCodes.OK;
    }
    out.println("FAULT: " + result.fault().get().text() + " at seq " + result.firstBadSeq() + ": " + result.detail());
    out.println("  " + result.records() + " records, stored head " + result.headHash() + ", " + checkpoints
        + "; records before seq " + result.firstBadSeq() + " verify");
    out.flush();
    return ExitCodes.NO;
  }

  private Optional<Path> besideTheDatabase() {
    return AuditConnection.checkpointKeyBeside(store.url).map(CheckpointKey::publicKeyFile).filter(Files::exists);
  }
}
