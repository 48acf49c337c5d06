package dev.custos.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** What the commands that simulate share: reading the scenario file, and running with Custos' own logs quiet. */
final class Simulations {

  /** Work that may throw a checked exception of one type. */
  @FunctionalInterface
  interface Work<T, E extends Exception> {
    T run() throws E;
  }

  private Simulations() {}

  /** The scenario in {@code file}; empty when it has problems, each printed to {@code err} as FILE:LINE:COLUMN. */
  static Optional<Scenario> read(Path file, PrintWriter err) {
    Problems problems = new Problems();
    Optional<Scenario> read = ScenarioFile.read(file, problems);
    if (read.isEmpty()) {
      problems.printTo(err);
      err.flush();
    }
    return read;
  }

  /**
   * Writes an output file (its directories made as needed) and names it on {@code out} as {@code label: PATH}; when it
   * cannot be written, says why on {@code err} and returns false, so the command ends with bad input, not a trace.
   */
  static boolean write(Path path, String text, String label, PrintWriter out, PrintWriter err) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(path, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("cannot write " + path + ": " + e.getMessage());
      err.flush();
      return false;
    }
    out.println(label + ": " + path);
    return true;
  }

  /**
   * Runs {@code work} with Custos and Pekko logging errors only: the runtime logs every mission at INFO, and a
   * compromise at WARN from the agent's actor (Pekko's logger); a simulation's summary and files say all of that.
   */
  static <T, E extends Exception> T quietly(Work<T, E> work) throws E {
    List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger("dev.custos"),
        (Logger) LoggerFactory.getLogger("org.apache.pekko"));
    List<Level> saved = loggers.stream().map(Logger::getLevel).toList();
    loggers.forEach(l -> l.setLevel(Level.ERROR));
    try {
      return work.run();
    } finally {
      for (int i = 0; i < loggers.size(); i++) {
        loggers.get(i).setLevel(saved.get(i));
      }
    }
  }
}
