package dev.custos.agent;

import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;

/**
 * Who an agent is, as the agent itself may know it: never a key or a credential.
 *
 * @param id the runtime's id ({@code a3})
 * @param role the name its delegator gave it ({@code commander} for the root)
 * @param path the roles from the root ({@code commander/triage/containment})
 * @param type its agent type
 * @param depth 0 for the root
 * @param identity its workload identity
 */
public record AgentInfo(AgentId id, String role, String path, String type, int depth, SpiffeId identity) {}
