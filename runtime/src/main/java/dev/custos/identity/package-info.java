/**
 * Who an agent is: identifiers ({@link dev.custos.identity.MissionId}, {@link dev.custos.identity.AgentId},
 * {@link dev.custos.identity.SpiffeId}) that can only hold well-formed values, and each agent's own Ed25519 key pair
 * ({@link dev.custos.identity.WorkloadKeys}), whose private half no method hands out or prints.
 */
package dev.custos.identity;
