package dev.custos.cli;

import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The options that log in to an audit store's database, shared by every command that reaches one ({@code audit verify},
 * {@code audit export}, {@code run --audit-db}): a user, and the password only through an environment variable, so it
 * never appears on a command line or in a shell's history.
 */
final class DatabaseLogin {

  @Option(names = "--user", paramLabel = "NAME", description = "Database user, when the store needs one.")
  String user;

  @Option(names = "--password-env", paramLabel = "VARIABLE",
      description = "Name of an environment variable holding the database password (never on the command line).")
  String passwordVariable;

  /** Whether either option was given. */
  boolean given() {
    return user != null || passwordVariable != null;
  }

  /** The password from its environment variable; null when no variable was named. */
  private String password() {
    if (passwordVariable == null) {
      return null;
    }
    String password = System.getenv(passwordVariable);
    if (password == null) {
      throw new IllegalArgumentException("the environment variable " + passwordVariable + " is not set");
    }
    return password;
  }

  /**
   * The JDBC connection properties: the user and password, those that were given.
   *
   * @throws IllegalArgumentException when the password's variable is not set
   */
  Properties properties() {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    String password = password();
    if (password != null) {
      properties.setProperty("password", password);
    }
    return properties;
  }
}
