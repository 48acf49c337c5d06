package dev.custos.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates and migrates the audit store's tables: versioned SQL scripts in {@code dev/custos/audit/schema/}, applied
 * in order, each once, recorded in {@code custos_schema}. A store written by a newer Custos (a version this one does
 * not know) is refused rather than written to.
 */
final class AuditSchema {

  /** The scripts in order; version n is the n-th. Never edit a released script: add the next one. */
  static final List<String> SCRIPTS = List.of("V1__audit.sql");

  private static final String COMPONENT = "audit";

  private AuditSchema() {}

  /** Brings the schema up to date; returns the version now in place. */
  static int migrate(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE IF NOT EXISTS custos_schema (component VARCHAR(64) NOT NULL, "
            + "version INT NOT NULL, applied_at VARCHAR(64) NOT NULL, PRIMARY KEY (component, version))");
      }
      connection.commit();
      int current = current(connection);
      if (current > SCRIPTS.size()) {
        throw new SQLException("the audit store's schema is version " + current + ", newer than this Custos knows ("
            + SCRIPTS.size() + "); use a newer Custos");
      }
      for (int version = current + 1; version <= SCRIPTS.size(); version++) {
        try (Statement statement = connection.createStatement()) {
          for (String sql : statements(SCRIPTS.get(version - 1))) {
            statement.execute(sql);
          }
        }
        try (PreparedStatement record = connection.prepareStatement(
            "INSERT INTO custos_schema (component, version, applied_at) VALUES (?, ?, ?)")) {
          record.setString(1, COMPONENT);
          record.setInt(2, version);
          record.setString(3, Instant.now().toString()); // when the schema was installed: wall time is right here
          record.executeUpdate();
        }
        connection.commit();
      }
      return SCRIPTS.size();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static int current(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT MAX(version) FROM custos_schema WHERE component = ?")) {
      query.setString(1, COMPONENT);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  /** A script's statements: text up to each ';' that ends a line, without '--' comments. */
  static List<String> statements(String script) {
    String text;
    try (InputStream in = AuditSchema.class.getResourceAsStream("schema/" + script)) {
      if (in == null) {
        throw new IllegalStateException("schema script " + script + " is missing from the build");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      int comment = line.indexOf("--");
      String code = (comment >= 0 ? line.substring(0, comment) : line).stripTrailing();
      if (code.isBlank()) {
        continue;
      }
      current.append(code).append('\n');
      if (code.endsWith(";")) {
        statements.add(current.substring(0, current.lastIndexOf(";")).strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().strip());
    }
    return statements;
  }
}
