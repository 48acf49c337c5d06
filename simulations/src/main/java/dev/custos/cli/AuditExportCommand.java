package dev.custos.cli;

import dev.custos.audit.AuditStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custos audit export --db URL [--from SEQ]}: records as JSON lines, for a SIEM. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    version = "custos 0.1.0",
    description = {
        "Export audit records as JSON lines (one object per record, in sequence order) for a SIEM.",
        "Each line has seq, at, mission, lineage, kind, payload, prevHash and hash, keys sorted; the hash rule can be "
            + "checked from the line alone. Use --from to continue after the last record already shipped."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:exported", "2:bad input: the store cannot be reached, or the output cannot be written"},
    exitCodeOnExecutionException = ExitCodes.INTERNAL_ERROR)
final class AuditExportCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private AuditConnection store;

  @Option(names = "--from", paramLabel = "SEQ", defaultValue = "1",
      description = "First sequence to export (default: ${DEFAULT-VALUE}).")
  private long from;

  @Option(names = "--out", paramLabel = "FILE", description = "Write to this file instead of standard output.")
  private Path outFile;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (from < 1) {
      err.println("custos audit export: --from must be at least 1, got " + from);
      return ExitCodes.BAD_INPUT;
    }
    try (Connection connection = store.open(); Writer out = output()) {
      long written = AuditStore.export(connection, from, out);
      err.println("exported " + written + " records from seq " + from);
      return ExitCodes.OK;
    } catch (SQLException | IllegalArgumentException e) {
      err.println("custos audit export: cannot read the store at " + store.url + ": " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (IOException | UncheckedIOException e) {
      err.println("custos audit export: cannot write the output: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
  }

  private Writer output() throws IOException {
    if (outFile != null) {
      return Files.newBufferedWriter(outFile, StandardCharsets.UTF_8);
    }
    PrintWriter standard = spec.commandLine().getOut();
    return new BufferedWriter(new Writer() { // closing the export must not close the command's own output
      @Override
      public void write(char[] buffer, int offset, int length) {
        standard.write(buffer, offset, length);
      }

      @Override
      public void flush() {
        standard.flush();
      }

      @Override
      public void close() {
        standard.flush();
      }
    });
  }
}
