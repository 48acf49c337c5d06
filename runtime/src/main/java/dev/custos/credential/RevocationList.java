package dev.custos.credential;

import dev.custos.identity.AgentId;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocations of one {@link JwtCredentialBroker}: revoked credential ids ({@code jti}) and revoked agents, each
 * with the time it was revoked. A credential is revoked when its id is, or when any agent of its lineage is, so one
 * entry revokes a whole subtree, including credentials minted for it later.
 *
 * <p>Only the broker that owns the list writes to it (the writers are package-private); {@link CredentialVerifier}s
 * in the same process read this very object, so a revocation is visible to every verification that starts after the
 * broker's {@code revoke...} method returned: both sets are {@link ConcurrentHashMap}s, whose reads see every write
 * that completed before them. Reads take no lock. Thread safe.
 *
 * <p>Entries are never removed: the list grows with the number of revocations, like the broker with its issues.
 */
public final class RevocationList {

  private final Map<String, Instant> credentials = new ConcurrentHashMap<>();
  private final Map<AgentId, Instant> agents = new ConcurrentHashMap<>();

  RevocationList() {}

  /** Revokes one credential; revoking it again keeps the earlier time. */
  void revokeCredential(String jti, Instant at) {
    Objects.requireNonNull(jti, "jti");
    Objects.requireNonNull(at, "at");
    credentials.merge(jti, at, RevocationList::earlier);
  }

  /** Revokes every credential whose lineage contains {@code agent}; revoking it again keeps the earlier time. */
  void revokeAgent(AgentId agent, Instant at) {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(at, "at");
    agents.merge(agent, at, RevocationList::earlier);
  }

  /**
   * When the credential {@code jti} with this lineage was revoked: the earliest of its own revocation and those of the
   * agents of its lineage; empty when it is not revoked.
   */
  public Optional<Instant> revokedAt(String jti, List<AgentId> lineage) {
    Objects.requireNonNull(jti, "jti");
    Objects.requireNonNull(lineage, "lineage");
    Instant earliest = credentials.get(jti);
    for (AgentId agent : lineage) {
      Instant at = agents.get(agent);
      if (at != null) {
        earliest = earliest == null ? at : earlier(earliest, at);
      }
    }
    return Optional.ofNullable(earliest);
  }

  /** When the agent (and so its subtree) was revoked, if it was. */
  public Optional<Instant> agentRevokedAt(AgentId agent) {
    return Optional.ofNullable(agents.get(Objects.requireNonNull(agent, "agent")));
  }

  /** When the credential was revoked by its own id, if it was (lineage revocations not included). */
  public Optional<Instant> credentialRevokedAt(String jti) {
    return Optional.ofNullable(credentials.get(Objects.requireNonNull(jti, "jti")));
  }

  /** The revoked credential ids with their times, sorted by id; a snapshot. */
  public Map<String, Instant> revokedCredentials() {
    return Collections.unmodifiableMap(new TreeMap<>(credentials));
  }

  /** The revoked agents with their times, sorted by id; a snapshot. */
  public Map<AgentId, Instant> revokedAgents() {
    TreeMap<AgentId, Instant> sorted = new TreeMap<>((a, b) -> a.value().compareTo(b.value()));
    sorted.putAll(agents);
    return Collections.unmodifiableMap(sorted);
  }

  @Override
  public String toString() {
    return "RevocationList[credentials=" + credentials.size() + ", agents=" + agents.size() + "]";
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isAfter(b) ? b : a;
  }
}
