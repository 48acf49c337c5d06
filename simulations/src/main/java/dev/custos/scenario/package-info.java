/**
 * Scenarios (spec/scenarios.md) as immutable values, and their strict reader: a {@link dev.custos.scenario.Scenario}
 * exists only when every field, reference and bound of its file checked out, each problem having been reported at its
 * line and column. The names a scenario may use (agent types, behaviours, simulated tools) are listed here once.
 */
package dev.custos.scenario;
