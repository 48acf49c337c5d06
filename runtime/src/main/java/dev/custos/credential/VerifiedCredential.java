package dev.custos.credential;

import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The claims of a credential whose signature, issuer, lifetime, audience, revocation, holder binding and scope a
 * {@link CredentialVerifier} checked. Holds no token, so it may be logged and kept. Made by the verifier; immutable.
 *
 * @param id the {@code jti}
 * @param issuer {@code iss}
 * @param subject {@code sub}: the holder's SPIFFE ID
 * @param audience {@code aud}
 * @param mission the {@code mission} claim
 * @param lineage the {@code custos_lineage} claim: agent ids, root first, the holder last
 * @param delegators the {@code act} chain flattened, the nearest delegator first, the root last; empty for a root agent
 * @param issuedAt {@code iat}
 * @param notBefore {@code nbf}
 * @param expiresAt {@code exp}
 * @param scope the {@code authorization_details}
 * @param holderKeyThumbprint {@code cnf.jkt}, when the credential is bound to a key
 * @param keyId the {@code kid} of the broker key that signed it
 */
public record VerifiedCredential(String id, String issuer, SpiffeId subject, String audience, MissionId mission,
    List<AgentId> lineage, List<SpiffeId> delegators, Instant issuedAt, Instant notBefore, Instant expiresAt,
    CredentialScope scope, Optional<String> holderKeyThumbprint, String keyId) {

  public VerifiedCredential {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(mission, "mission");
    lineage = List.copyOf(lineage);
    if (lineage.isEmpty()) {
      throw new IllegalArgumentException("a lineage has at least its holder");
    }
    delegators = List.copyOf(delegators);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(holderKeyThumbprint, "holderKeyThumbprint");
    Objects.requireNonNull(keyId, "keyId");
  }

  /** The agent the credential was minted for: the last of the lineage. */
  public AgentId holder() {
    return lineage.get(lineage.size() - 1);
  }
}
