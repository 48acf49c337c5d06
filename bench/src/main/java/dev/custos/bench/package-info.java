/**
 * JMH microbenchmarks of the capability algebra: pattern matching and containment, a grant's coverage check and the
 * attenuation decision, each on fixed inputs shaped like a SOC mission's. Run by the commands in bench/README.md.
 */
package dev.custos.bench;
