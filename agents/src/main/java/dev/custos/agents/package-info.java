/**
 * Built-in defence agents and adversarial behaviours, written against the public Agent SPI only, with no privileged
 * access (the simulations issue builds them; this module depends only on the runtime).
 */
package dev.custos.agents;
