package dev.custos.policies;

/**
 * Seeds for this module's randomised tests, as the runtime's tests take them: a fresh one each run, or the one given
 * with {@code -Dcustos.seed=N} to reproduce a failure, which names it with {@link #describe(long)}.
 */
final class Seeds {

  private Seeds() {}

  static long seed() {
    String given = System.getProperty("custos.seed");
    return given != null && !given.isBlank() ? Long.parseLong(given.trim()) : System.nanoTime() ^ 0x5DEECE66DL;
  }

  static String describe(long seed) {
    return "seed " + seed + " (rerun with -Dcustos.seed=" + seed + ")";
  }
}
