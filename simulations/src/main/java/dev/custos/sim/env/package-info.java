/**
 * The simulated environment of a scenario (spec/scenarios.md): its state ({@link dev.custos.sim.env.World}), its tools,
 * which verify every credential they are shown ({@link dev.custos.sim.env.SimulatedTools}), the attacker's playbook on
 * virtual time ({@link dev.custos.sim.env.SimulatedAttacker}) and the outcome ({@link dev.custos.sim.env.Containment});
 * all deterministic for a seed: no wall clock, only seeded draws, only insertion-ordered collections in results.
 */
package dev.custos.sim.env;
