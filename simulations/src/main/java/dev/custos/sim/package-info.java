/**
 * Deterministic execution for simulations: one actor system per thread whose actors, future callbacks and blocking
 * agent decisions all run on that thread from one first-in first-out queue, whose timers run on virtual time, and whose
 * runs draw every random value from a seed, so the same scenario and seed give the same audit log, byte for byte,
 * whatever the machine's load; one system serves many runs, one after another.
 */
package dev.custos.sim;
