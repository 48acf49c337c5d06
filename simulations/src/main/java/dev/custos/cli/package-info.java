/**
 * The {@code custos} command line: results go to standard output, problems to standard error, and the exit code says
 * which (0 success, 1 a negative answer such as a refused grant, 2 bad input), so scripts can rely on it.
 */
package dev.custos.cli;
