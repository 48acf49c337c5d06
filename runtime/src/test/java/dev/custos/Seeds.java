package dev.custos;

/**
 * Seeds for randomised tests: a fresh one each run (more cases over time), or the one given with {@code -Dcustos.seed=N}
 * to reproduce a failure. Every failure message carries {@link #describe(long)}.
 */
public final class Seeds {

  private Seeds() {}

  public static long seed() {
    String given = System.getProperty("custos.seed");
    return given != null && !given.isBlank() ? Long.parseLong(given.trim()) : System.nanoTime() ^ 0x5DEECE66DL;
  }

  public static String describe(long seed) {
    return "seed " + seed + " (rerun with -Dcustos.seed=" + seed + ")";
  }
}
