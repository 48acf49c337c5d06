package dev.custos.bench.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command-line options of one benchmark: {@code --name value} or {@code --name=value}, each with a default and a line of
 * help. An unknown option or a malformed number stops the program with the usage text, so a typo never silently runs
 * the defaults.
 */
final class Args {

  private record Option(String defaultValue, String help) {}

  private final String program;
  private final String summary;
  private final Map<String, Option> options = new LinkedHashMap<>();
  private final Map<String, String> given = new LinkedHashMap<>();

  Args(String program, String summary) {
    this.program = program;
    this.summary = summary;
  }

  Args option(String name, String defaultValue, String help) {
    options.put(name, new Option(defaultValue, help));
    return this;
  }

  /** Reads {@code argv}; prints the usage and exits on {@code --help} or a mistake. */
  Args parse(String[] argv) {
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage());
        System.exit(0);
      }
      if (!arg.startsWith("--")) {
        fail("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < argv.length) {
        value = argv[++i];
      } else {
        fail("option --" + name + " needs a value");
        return this;
      }
      if (!options.containsKey(name)) {
        fail("unknown option --" + name);
      }
      given.put(name, value);
    }
    return this;
  }

  String string(String name) {
    Option option = options.get(name);
    if (option == null) {
      throw new IllegalArgumentException("no option " + name + " was declared");
    }
    return given.getOrDefault(name, option.defaultValue());
  }

  /** A whole number; {@code _} may group digits ({@code 1_000_000}). */
  int integer(String name) {
    String text = string(name).replace("_", "");
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      fail("--" + name + " must be a whole number, not '" + string(name) + "'");
      return 0;
    }
  }

  /** {@code integer(name)}, at least {@code min}. */
  int integer(String name, int min) {
    int value = integer(name);
    if (value < min) {
      fail("--" + name + " must be at least " + min + ", not " + value);
    }
    return value;
  }

  /** One of {@code allowed}. */
  String choice(String name, String... allowed) {
    String value = string(name);
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    fail("--" + name + " must be one of " + String.join(", ", allowed) + ", not '" + value + "'");
    return value;
  }

  /** The options as given or defaulted, for the report's header. */
  String settings() {
    StringBuilder out = new StringBuilder();
    for (String name : options.keySet()) {
      out.append(out.length() == 0 ? "" : " ").append("--").append(name).append(' ').append(string(name));
    }
    return out.toString();
  }

  void fail(String problem) {
    System.err.println(program + ": " + problem);
    System.err.println(usage());
    System.exit(2);
  }

  private String usage() {
    StringBuilder out = new StringBuilder("usage: java -cp bench/target/benchmarks.jar dev.custos.bench.runtime.")
        .append(program).append(" [options]\n").append(summary).append("\noptions:\n");
    options.forEach((name, option) -> out.append(String.format("  --%-14s %s (default %s)%n", name + " <v>",
        option.help(), option.defaultValue())));
    return out.toString();
  }
}
