package dev.custos.audit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Fresh, isolated audit stores for tests, on each database the store supports: an embedded H2 file in a temporary
 * directory, or a schema of its own on the PostgreSQL server the project's machines run on 127.0.0.1:5432 (trust
 * authentication, database {@code test}). The store's SQL names its tables unqualified, so a PostgreSQL store is a
 * schema made current by the URL; closing the store drops it.
 *
 * <p>A PostgreSQL test never passes without the server: when it cannot be reached the test fails and says how to
 * start it ({@code .ci/run} does). Running with {@code -Dcustos.postgres=off} skips the PostgreSQL tests instead.
 */
final class Stores {

  static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String POSTGRES_SWITCH = "custos.postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Stores() {}

  enum Database {
    H2,
    POSTGRES
  }

  /** One store: where it is, who connects, and how to get rid of it. */
  static final class Store implements AutoCloseable {

    private final Database database;
    private final String url;
    private final String user;
    private final String schema;

    private Store(Database database, String url, String user, String schema) {
      this.database = database;
      this.url = url;
      this.user = user;
      this.schema = schema;
    }

    Database database() {
      return database;
    }

    String url() {
      return url;
    }

    /** A log writing to this store. */
    JdbcAuditLog.Builder log(CheckpointKey key) {
      JdbcAuditLog.Builder builder = JdbcAuditLog.builder(url, key);
      return user == null ? builder : builder.user(user);
    }

    Connection connect() throws SQLException {
      return database == Database.H2 ? DriverManager.getConnection(url) : DriverManager.getConnection(url,
          properties(user));
    }

    /** Drops a PostgreSQL store's schema; an H2 store goes with its temporary directory. */
    @Override
    public void close() throws SQLException {
      if (schema == null) {
        return;
      }
      try (Connection admin = DriverManager.getConnection(POSTGRES_URL, properties(user));
          Statement drop = admin.createStatement()) {
        drop.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }

    @Override
    public String toString() {
      return database + (schema == null ? "" : " schema " + schema);
    }
  }

  /** A new empty store on {@code database}; an H2 store lives in {@code directory}. */
  static Store fresh(Database database, Path directory) throws SQLException {
    return switch (database) {
      case H2 -> new Store(database, JdbcAuditLog.embeddedUrl(directory), null, null);
      case POSTGRES -> freshPostgres();
    };
  }

  private static Store freshPostgres() throws SQLException {
    if ("off".equalsIgnoreCase(System.getProperty(POSTGRES_SWITCH, "").trim())) {
      abort("PostgreSQL tests are off (-D" + POSTGRES_SWITCH + "=off)");
    }
    String user = postgresUser();
    String schema = "custos_t_" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
    try (Connection admin = DriverManager.getConnection(POSTGRES_URL, properties(user));
        Statement create = admin.createStatement()) {
      create.execute("CREATE SCHEMA " + schema);
    }
    return new Store(Database.POSTGRES, POSTGRES_URL + "?currentSchema=" + schema, user, schema);
  }

  /** The first user the server lets in: {@code postgres}, else the OS user. */
  private static String postgresUser() {
    List<String> refusals = new ArrayList<>();
    for (String user : List.of("postgres", System.getProperty("user.name"))) {
      try (Connection probe = DriverManager.getConnection(POSTGRES_URL, properties(user))) {
        return user;
      } catch (SQLException e) {
        refusals.add(user + ": " + e.getMessage());
      }
    }
    return fail("PostgreSQL is not reachable at " + POSTGRES_URL + " (" + String.join("; ", refusals) + "). "
        + "The PostgreSQL tests need a real server on 127.0.0.1:5432 with trust authentication and a database "
        + "'test': start it with .ci/run, or run with -D" + POSTGRES_SWITCH + "=off to skip these tests.");
  }

  private static Properties properties(String user) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("connectTimeout", "5");
    return properties;
  }
}
