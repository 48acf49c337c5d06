package dev.custos.credential;

import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.List;

/**
 * What a broker needs to mint a credential.
 *
 * @param holder the agent it is for
 * @param identity the holder's workload identity
 * @param mission the holder's mission
 * @param lineage the delegation chain, root first, the holder last
 * @param audience the tool audience
 * @param now the runtime's time
 * @param notAfter the latest expiry allowed (the holder's deadline)
 */
public record CredentialRequest(AgentId holder, SpiffeId identity, MissionId mission, List<AgentId> lineage,
    String audience, Instant now, Instant notAfter) {

  public CredentialRequest {
    lineage = List.copyOf(lineage);
    if (lineage.isEmpty() || !lineage.get(lineage.size() - 1).equals(holder)) {
      throw new IllegalArgumentException("a lineage ends with its holder: " + lineage + " for " + holder);
    }
  }
}
