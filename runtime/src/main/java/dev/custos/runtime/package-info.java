/**
 * The runtime: a supervisor and one host actor per agent, on Pekko typed actors. Every delegation is attenuated, every
 * tool call mediated and audited, and any agent that exceeds its bounds is halted with its whole subtree.
 */
package dev.custos.runtime;
