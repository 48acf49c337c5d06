package dev.custos.credential;

import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.identity.WorkloadKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a broker needs to mint a credential.
 *
 * <p>The first seven components are what every broker uses. The last three feed the claims of a signed credential
 * ({@link JwtCredentialBroker}); {@link InProcessCredentialBroker} ignores them. The seven-argument constructor leaves
 * the scope {@link CredentialScope#NONE} and the holder key out, and derives the lineage's identities from the
 * holder's SPIFFE ID when it can (see that constructor).
 *
 * @param holder the agent it is for
 * @param identity the holder's workload identity
 * @param mission the holder's mission
 * @param lineage the delegation chain, root first, the holder last
 * @param audience the tool audience
 * @param now the runtime's time
 * @param notAfter the latest expiry allowed (the holder's deadline)
 * @param lineageIdentities the SPIFFE IDs of {@code lineage}, in the same order (so the last is {@code identity}), or
 *     empty when they are not known; a signed credential names the delegators in its {@code act} claim
 * @param holderKey the holder's public key, when the credential is to be bound to it ({@code cnf.jkt})
 * @param scope the tools and resource patterns the credential covers ({@code authorization_details})
 */
public record CredentialRequest(AgentId holder, SpiffeId identity, MissionId mission, List<AgentId> lineage,
    String audience, Instant now, Instant notAfter, List<SpiffeId> lineageIdentities,
    Optional<WorkloadKeys.PublicKey> holderKey, CredentialScope scope) {

  /**
   * @throws IllegalArgumentException if the lineage does not end with the holder, or {@code lineageIdentities} is
   *     neither empty nor as long as the lineage and ending with {@code identity}
   */
  public CredentialRequest {
    lineage = List.copyOf(lineage);
    if (lineage.isEmpty() || !lineage.get(lineage.size() - 1).equals(holder)) {
      throw new IllegalArgumentException("a lineage ends with its holder: " + lineage + " for " + holder);
    }
    lineageIdentities = List.copyOf(lineageIdentities);
    if (!lineageIdentities.isEmpty() && (lineageIdentities.size() != lineage.size()
        || !lineageIdentities.get(lineageIdentities.size() - 1).equals(identity))) {
      throw new IllegalArgumentException("the lineage's identities follow the lineage and end with the holder's: "
          + lineageIdentities + " for " + lineage + " and " + identity);
    }
    Objects.requireNonNull(holderKey, "holderKey (Optional.empty() for none)");
    Objects.requireNonNull(scope, "scope (CredentialScope.NONE for none)");
  }

  /**
   * A request without scope or holder key. The lineage's identities are derived from {@code identity} when the
   * lineage has one agent (the holder's own ID) or when {@code identity} is an agent ID
   * ({@link SpiffeId#forAgent}) whose delegation path has one segment per agent of the lineage (the runtime names
   * agents so: the parent's path, a '/', the child's role); otherwise they are left empty, and a broker that needs
   * them refuses the request.
   */
  public CredentialRequest(AgentId holder, SpiffeId identity, MissionId mission, List<AgentId> lineage,
      String audience, Instant now, Instant notAfter) {
    this(holder, identity, mission, lineage, audience, now, notAfter, derivedIdentities(identity, lineage),
        Optional.empty(), CredentialScope.NONE);
  }

  /** This request with {@code scope}. */
  public CredentialRequest withScope(CredentialScope scope) {
    return new CredentialRequest(holder, identity, mission, lineage, audience, now, notAfter, lineageIdentities,
        holderKey, scope);
  }

  /** This request bound to {@code key}: the credential's {@code cnf.jkt} will be the key's thumbprint. */
  public CredentialRequest withHolderKey(WorkloadKeys.PublicKey key) {
    return new CredentialRequest(holder, identity, mission, lineage, audience, now, notAfter, lineageIdentities,
        Optional.of(Objects.requireNonNull(key, "key")), scope);
  }

  /** This request with the lineage's identities given explicitly, root first, the holder's last. */
  public CredentialRequest withLineageIdentities(List<SpiffeId> identities) {
    return new CredentialRequest(holder, identity, mission, lineage, audience, now, notAfter, identities, holderKey,
        scope);
  }

  /** Empty when they cannot be derived; never throws, so the checks of the canonical constructor speak first. */
  private static List<SpiffeId> derivedIdentities(SpiffeId identity, List<AgentId> lineage) {
    if (identity == null || lineage == null) {
      return List.of();
    }
    if (lineage.size() == 1) {
      return List.of(identity);
    }
    Optional<MissionId> mission = identity.missionId();
    Optional<String> path = identity.agentPath();
    if (mission.isEmpty() || path.isEmpty()) {
      return List.of();
    }
    String[] segments = path.get().split("/");
    if (segments.length != lineage.size()) {
      return List.of();
    }
    List<SpiffeId> identities = new ArrayList<>(segments.length);
    StringBuilder prefix = new StringBuilder();
    for (String segment : segments) {
      if (prefix.length() > 0) {
        prefix.append('/');
      }
      prefix.append(segment);
      identities.add(SpiffeId.forAgent(identity.trustDomain(), mission.get(), prefix.toString()));
    }
    return identities;
  }
}
