/**
 * Credentials: minted just in time per agent and tool audience, bound to their holder, short-lived and revocable by
 * lineage; a credential's secret never prints.
 */
package dev.custos.credential;
