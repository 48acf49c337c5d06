package dev.custos.bench.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The summary every benchmark prints: one row per measure with the Custos result, the bare Pekko result, their ratio,
 * the target and whether Custos met it. Rows without a target show "-".
 */
final class Table {

  private static final String[] HEADER = {"measure", "Custos", "bare Pekko", "ratio C/P", "target", "met?"};

  private final String title;
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Table(String title) {
    this.title = title;
  }

  Table row(String measure, String custos, String pekko, String ratio, String target, String met) {
    rows.add(new String[] {measure, custos, pekko, ratio, target, met});
    return this;
  }

  Table note(String note) {
    notes.add(note);
    return this;
  }

  void print() {
    int[] width = new int[HEADER.length];
    for (int c = 0; c < HEADER.length; c++) {
      width[c] = HEADER[c].length();
      for (String[] row : rows) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder("\n").append(title).append('\n');
    line(out, HEADER, width);
    String[] rule = new String[HEADER.length];
    for (int c = 0; c < HEADER.length; c++) {
      rule[c] = "-".repeat(width[c]);
    }
    line(out, rule, width);
    rows.forEach(row -> line(out, row, width));
    notes.forEach(n -> out.append("  * ").append(n).append('\n'));
    System.out.print(out);
    System.out.flush();
  }

  private static void line(StringBuilder out, String[] cells, int[] width) {
    out.append("| ");
    for (int c = 0; c < cells.length; c++) {
      boolean left = c == 0;
      String cell = cells[c];
      String pad = " ".repeat(width[c] - cell.length());
      out.append(left ? cell + pad : pad + cell).append(" | ");
    }
    out.setLength(out.length() - 1);
    out.append('\n');
  }

  // ---------------------------------------------------------------------------------------------- formatting

  static String count(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  static String micros(double nanos) {
    return String.format(Locale.ROOT, "%,.1f µs", nanos / 1_000.0);
  }

  static String millis(double nanos) {
    return String.format(Locale.ROOT, "%,.1f ms", nanos / 1_000_000.0);
  }

  static String ratio(double custos, double pekko) {
    return pekko == 0 ? "-" : String.format(Locale.ROOT, "%.3f", custos / pekko);
  }

  static String bytes(double bytes) {
    if (Math.abs(bytes) >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GiB", bytes / (1L << 30));
    }
    if (Math.abs(bytes) >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1L << 20));
    }
    return String.format(Locale.ROOT, "%,.0f B", bytes);
  }

  static String met(boolean met) {
    return met ? "yes" : "NO";
  }

  // ---------------------------------------------------------------------------------------------- statistics

  /** The nearest-rank percentile {@code p} (0 to 100) of {@code values}; the input is not changed. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(double[] values) {
    return percentile(values, 50);
  }

  static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  /** {@code median (min-max)} of per-round values, as {@code format} writes each. */
  static String spread(double[] values, java.util.function.DoubleFunction<String> format) {
    return format.apply(median(values)) + " (" + format.apply(min(values)) + "-" + format.apply(max(values)) + ")";
  }
}
