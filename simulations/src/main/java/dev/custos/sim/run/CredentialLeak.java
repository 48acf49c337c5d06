package dev.custos.sim.run;

import dev.custos.identity.AgentId;
import java.time.Instant;
import java.util.Objects;

/**
 * A credential the simulation leaked to a compromised agent (see {@link CredentialLeaks}): whose it is and which one,
 * never its bearer string. Immutable.
 *
 * @param at when it leaked: when the compromised agent's new brain was made, the instant of its {@code compromise}
 * @param to the compromised agent
 * @param behaviour the behaviour the agent was compromised with ({@code credential-thief}, {@code rogue})
 * @param from the credential's holder: {@code to}'s parent
 * @param credential the credential's id ({@code jti})
 * @param audience the tool audience it was minted for
 * @param expiresAt when it expires, unless revoked earlier (its holder's lineage is revoked when the holder ends)
 */
public record CredentialLeak(Instant at, AgentId to, String behaviour, AgentId from, String credential,
    String audience, Instant expiresAt) {

  public CredentialLeak {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(behaviour, "behaviour");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
