/**
 * Runs a scenario end to end on a {@link dev.custos.sim.SimulationSystem} and turns the run into the report of
 * spec/scenarios.md: the same scenario and seed give the same {@link dev.custos.sim.run.RunResult} and byte-identical
 * report JSON.
 */
package dev.custos.sim.run;
