/**
 * Macro benchmarks of the runtime: delegation throughput, mediated tool calls, subtree halts and idle agents, each
 * measured next to the same work done with bare Pekko typed actors in the same JVM run. Plain main programs (not JMH),
 * run by the commands in bench/README.md; each prints one summary table.
 */
package dev.custos.bench.runtime;
