/**
 * Many seeds of one scenario: {@link dev.custos.sim.batch.BatchRunner} runs them on one reused
 * {@link dev.custos.sim.SimulationSystem} per worker thread and keeps a small {@link dev.custos.sim.batch.RunSummary}
 * of each; {@link dev.custos.sim.batch.BatchAggregate} turns the summaries, in seed order, into the batch's numbers.
 * The output depends on the scenario and the seeds only, never on the number of threads or their timing.
 */
package dev.custos.sim.batch;
