package dev.custos.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;

/**
 * A fresh schema of its own on the PostgreSQL server the project's machines run on 127.0.0.1:5432 (trust
 * authentication, database {@code test}, user {@code postgres}), made current by the URL, so a test's audit store is
 * empty and isolated; closing it drops the schema. The same arrangement as the runtime's audit store tests.
 *
 * <p>A test never passes without the server: when it cannot be reached the test fails and says how to start it
 * ({@code .ci/run} does). Running with {@code -Dcustos.postgres=off} skips the PostgreSQL tests instead.
 */
final class PostgresSchema implements AutoCloseable {

  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String USER = "postgres";
  private static final String SWITCH = "custos.postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String schema;

  private PostgresSchema(String schema) {
    this.schema = schema;
  }

  /** A new empty schema; aborts the test when PostgreSQL tests are off, fails it when the server is unreachable. */
  static PostgresSchema fresh() throws SQLException {
    if ("off".equalsIgnoreCase(System.getProperty(SWITCH, "").trim())) {
      abort("PostgreSQL tests are off (-D" + SWITCH + "=off)");
    }
    String schema = "custos_t_" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
    try (Connection admin = connect(SERVER); Statement create = admin.createStatement()) {
      create.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      fail("PostgreSQL is not reachable at " + SERVER + " as " + USER + " (" + e.getMessage() + "). The PostgreSQL "
          + "tests need a real server on 127.0.0.1:5432 with trust authentication and a database 'test': start it "
          + "with .ci/run, or run with -D" + SWITCH + "=off to skip these tests.");
    }
    return new PostgresSchema(schema);
  }

  /** The store's URL: the server, with this schema current. */
  String url() {
    return SERVER + "?currentSchema=" + schema;
  }

  static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url, properties);
  }

  @Override
  public void close() throws SQLException {
    try (Connection admin = connect(SERVER); Statement drop = admin.createStatement()) {
      drop.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
