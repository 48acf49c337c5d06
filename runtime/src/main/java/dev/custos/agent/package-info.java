/**
 * The Agent SPI: agents receive events and return actions; nothing here gives an agent a key, a credential, a tool or
 * another agent's memory.
 */
package dev.custos.agent;
