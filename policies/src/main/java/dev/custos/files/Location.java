package dev.custos.files;

/**
 * Where something is in a text file, both 1-based; {@link #FILE} (0:0) stands for the file as a whole, such as a file
 * that cannot be read.
 *
 * @param line 1-based line, or 0 for the whole file
 * @param column 1-based column, in code points, or 0 for the whole file
 */
public record Location(int line, int column) {

  /** The file as a whole. */
  public static final Location FILE = new Location(0, 0);

  public Location {
    if (line < 0 || column < 0 || (line == 0) != (column == 0)) {
      throw new IllegalArgumentException("no such location: " + line + ":" + column);
    }
  }

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
