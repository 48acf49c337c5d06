package dev.custos.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every {@code custos audit} command takes to reach a store, and opening it read-only. */
final class AuditConnection {

  @Option(names = "--db", required = true, paramLabel = "URL",
      description = "JDBC URL of the store, e.g. jdbc:h2:file:./data/audit or "
          + "jdbc:postgresql://127.0.0.1:5432/custos.")
  String url;

  @Mixin
  DatabaseLogin login;

  /**
   * Opens the store. An H2 file URL must name an existing database: verifying a misspelt path must not create an
   * empty store that verifies.
   *
   * @throws SQLException when the store cannot be reached
   * @throws IllegalArgumentException when the options are wrong (the message says how)
   */
  Connection open() throws SQLException {
    Properties properties = login.properties();
    String target = url;
    Optional<Path> h2File = h2Database(url);
    if (h2File.isPresent()) {
      Path file = h2File.get().resolveSibling(h2File.get().getFileName() + ".mv.db");
      if (!Files.exists(file)) {
        throw new IllegalArgumentException("no H2 database at " + file);
      }
      target = url + (url.contains(";IFEXISTS=") ? "" : ";IFEXISTS=TRUE");
    }
    Connection connection = DriverManager.getConnection(target, properties);
    connection.setReadOnly(true);
    return connection;
  }

  /** The database path of an H2 file URL ({@code jdbc:h2:file:./data/audit;...} gives {@code ./data/audit}). */
  static Optional<Path> h2Database(String url) {
    String prefix = "jdbc:h2:file:";
    if (!url.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = url.substring(prefix.length());
    int options = rest.indexOf(';');
    return Optional.of(Path.of(options < 0 ? rest : rest.substring(0, options)));
  }

  /**
   * Where the checkpoint key of an H2 file store is kept: {@code checkpoint-key} beside the database, as {@code
   * Custos.builder().dataDirectory(dir)} keeps it; its public half is beside it as {@code checkpoint-key.pub}.
   */
  static Optional<Path> checkpointKeyBeside(String url) {
    return h2Database(url).map(database -> database.toAbsolutePath().resolveSibling("checkpoint-key"));
  }
}
