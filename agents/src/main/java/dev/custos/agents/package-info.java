/**
 * Built-in defence agents ({@link dev.custos.agents.DefenceAgents}) and the adversarial behaviours of the scenario spec
 * ({@link dev.custos.agents.Behaviours}), written against the public Agent SPI only: events in, actions out, with no
 * privileged access to the runtime. Every agent here is non-blocking and deterministic given its events.
 */
package dev.custos.agents;
