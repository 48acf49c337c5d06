/**
 * JMH microbenchmarks of the capability algebra (pattern matching and containment, a grant's coverage check, the
 * attenuation decision), of the credentials and of policy decisions (next to Cedar and bare CEL), each on fixed inputs
 * shaped like a SOC mission's. Run by the commands in bench/README.md.
 */
package dev.custos.bench;
