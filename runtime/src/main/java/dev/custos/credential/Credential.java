package dev.custos.credential;

import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A short-lived credential minted for one agent and one tool audience. The bearer string ({@link #token()}) is the
 * secret: it never prints ({@link #toString()} shows the id only), never enters a brief, a log, a snapshot or a report.
 * Made only by a {@link CredentialBroker} of this package. Immutable and thread safe.
 */
public final class Credential {

  private final String id;
  private final String token;
  private final AgentId holder;
  private final SpiffeId holderIdentity;
  private final MissionId mission;
  private final List<AgentId> lineage;
  private final String audience;
  private final Instant issuedAt;
  private final Instant expiresAt;

  Credential(String id, String token, AgentId holder, SpiffeId holderIdentity, MissionId mission, List<AgentId> lineage,
      String audience, Instant issuedAt, Instant expiresAt) {
    this.id = Objects.requireNonNull(id);
    this.token = Objects.requireNonNull(token);
    this.holder = Objects.requireNonNull(holder);
    this.holderIdentity = Objects.requireNonNull(holderIdentity);
    this.mission = Objects.requireNonNull(mission);
    this.lineage = List.copyOf(lineage);
    this.audience = Objects.requireNonNull(audience);
    this.issuedAt = Objects.requireNonNull(issuedAt);
    this.expiresAt = Objects.requireNonNull(expiresAt);
  }

  /** The credential's id ({@code jti}): safe to log and report. */
  public String id() {
    return id;
  }

  /** The bearer string a tool is given: the secret. */
  public String token() {
    return token;
  }

  public AgentId holder() {
    return holder;
  }

  public SpiffeId holderIdentity() {
    return holderIdentity;
  }

  public MissionId mission() {
    return mission;
  }

  /** The delegation chain, root first, the holder last. */
  public List<AgentId> lineage() {
    return lineage;
  }

  public String audience() {
    return audience;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public String toString() {
    return "Credential[" + id + " of " + holder + " for " + audience + "]";
  }
}
