package dev.custos.credential;

import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.List;

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

  /**
   * The ids ({@code jti}) of the credentials this broker issued whose bearer strings {@code text} contains, in the
   * order they first appear, each once; empty for null text or text that holds none. Never a token: the ids name the
   * credentials an audit record may show, the tokens are secrets it must not hold. Only strings this broker issued
   * count, so a look-alike cannot put an id of its choosing in a record.
   *
   * <p>The default names none, for a broker that cannot look its tokens up: a caller that found a credential with
   * {@link #containsCredential} then knows it has one it cannot name.
   */
  default List<String> credentialIdsIn(String text) {
    return List.of();
  }

  /** Credentials of {@code holder} neither expired at {@code now} nor revoked. */
  int activeCount(AgentId holder, Instant now);

  /**
   * Housekeeping the runtime asks for about once a minute, on its own clock: a broker that signs rotates its key when
   * due and drops retired keys nobody needs. Nothing by default.
   */
  default void maintain(Instant now) {}
}
