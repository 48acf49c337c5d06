package dev.custos.credential;

import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;

/**
 * Mints short-lived credentials just in time, per agent and tool audience, and revokes them. Implementations are
 * thread safe: tools verify from their own threads while the runtime issues and revokes.
 */
public interface CredentialBroker {

  /** A new credential for the request, expiring at {@code min(notAfter, now + the broker's lifetime)}. */
  Credential issue(CredentialRequest request);

  /**
   * Checks a presented bearer string: known, within its lifetime at {@code now}, not revoked, minted for
   * {@code audience}, and presented by its holder.
   */
  Verification verify(String token, String audience, SpiffeId presenter, Instant now);

  /** Revokes every credential whose lineage contains {@code agent}: the agent's and its whole subtree's. */
  void revokeLineage(AgentId agent, Instant at);

  /** Whether {@code text} is (or contains) a bearer string this broker issued; such text never crosses a delegation. */
  boolean containsCredential(String text);

  /** Credentials of {@code holder} neither expired at {@code now} nor revoked. */
  int activeCount(AgentId holder, Instant now);

  /**
   * Housekeeping the runtime asks for about once a minute, on its own clock: a broker that signs rotates its key when
   * due and drops retired keys nobody needs. Nothing by default.
   */
  default void maintain(Instant now) {}
}
