package dev.custos.files;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Every problem found while reading one or more files. Readers report all they find rather than stop at the first, so a
 * user fixes a file in one round. Listed in the order they stand in their files (whole-file problems first), files in the
 * order first reported. Not thread safe: one reading fills it.
 */
public final class Problems {

  /**
   * One problem.
   *
   * @param file the file as the user named it
   * @param at where in it, or {@link Location#FILE}
   * @param message what is wrong and what was expected, one line
   */
  public record Problem(String file, Location at, String message) {

    public Problem {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(message, "message");
    }

    /** {@code FILE:LINE:COLUMN: message}, or {@code FILE: message} for the file as a whole. */
    @Override
    public String toString() {
      return at.equals(Location.FILE) ? file + ": " + message : file + ":" + at + ": " + message;
    }
  }

  private final List<Problem> found = new ArrayList<>();

  public void add(String file, Location at, String message) {
    found.add(new Problem(file, at, message));
  }

  public boolean isEmpty() {
    return found.isEmpty();
  }

  public int size() {
    return found.size();
  }

  /** The problems so far, each file's in file order. */
  public List<Problem> list() {
    List<String> files = found.stream().map(Problem::file).distinct().toList();
    return found.stream()
        .sorted(Comparator.comparingInt((Problem p) -> files.indexOf(p.file()))
            .thenComparingInt(p -> p.at().line())
            .thenComparingInt(p -> p.at().column()))
        .toList();
  }

  /** The problems added after the first {@code count}, in the order they were added. */
  public List<Problem> since(int count) {
    return List.copyOf(found.subList(Math.min(count, found.size()), found.size()));
  }

  /** The problems as printed: one {@code FILE:LINE:COLUMN: message} line each, as {@link #list()} orders them. */
  public List<String> lines() {
    return list().stream().map(Problem::toString).toList();
  }

  /** Prints one line per problem and flushes. */
  public void printTo(PrintWriter out) {
    for (Problem problem : list()) {
      out.println(problem);
    }
    out.flush();
  }

  @Override
  public String toString() {
    return String.join("\n", lines());
  }
}
