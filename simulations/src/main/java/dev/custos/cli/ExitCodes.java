package dev.custos.cli;

/** The exit codes of every {@code custos} command. */
final class ExitCodes {

  /** The command did what was asked and the answer is yes (a grant is within its parent...). */
  static final int OK = 0;
  /** The command ran and the answer is no (a grant is refused...). */
  static final int NO = 1;
  /** The command line or an input file is wrong: the problems are on standard error. Same as picocli's usage error. */
  static final int BAD_INPUT = 2;
  /** A bug in custos: an unexpected exception, its stack trace on standard error. */
  static final int INTERNAL_ERROR = 3;

  private ExitCodes() {}
}
