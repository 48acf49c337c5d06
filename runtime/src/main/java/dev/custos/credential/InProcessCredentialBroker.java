package dev.custos.credential;

import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.credential.Verification.Valid;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The broker the runtime uses until a JWT broker replaces it: credentials live in this process only, and the bearer
 * string is an opaque random token that means nothing outside this broker.
 *
 * <p><b>Tokens and ids.</b> A token is {@code "cst_"} followed by 32 bytes of the broker's random generator in
 * unpadded base64url (43 characters), 47 characters in all. The prefix lets {@link #containsCredential} find tokens in
 * free text. A credential's id ({@code jti}) is {@code "jti-"} followed by the broker's issue counter in plain decimal,
 * starting at 1 ({@code jti-1}, {@code jti-2}, ...), not zero-padded. Given a seeded generator and the same order of
 * issues, two brokers therefore mint the same ids and the same tokens, which the deterministic simulator relies on.
 * Outside a simulation pass a {@link SecureRandom} (the convenience constructors do): with a predictable generator the
 * tokens are predictable too.
 *
 * <p><b>Lifetime.</b> A credential expires at {@code min(request.notAfter(), request.now() + lifetime)}; it is valid
 * on {@code [issuedAt, expiresAt)}, so at exactly {@code expiresAt} it is expired. Nothing is minted past the holder's
 * deadline: a request whose {@code notAfter} is not after its {@code now} throws.
 *
 * <p><b>Revocation</b> takes effect as soon as {@link #revokeLineage} or {@link #revoke} returns, whatever the
 * {@code now} later passed to {@link #verify}: the {@code at} given is only recorded, for {@link #revokedAt} and
 * reports. Revoking a lineage adds one entry to a set of revoked agents rather than visiting credentials; a credential
 * is revoked when any agent of its lineage is in that set, so a credential minted later for a revoked subtree is
 * revoked from the start. When several revocations cover one credential, the earliest {@code at} is the one reported.
 *
 * <p><b>Verification</b> checks, in this order, and reports the first that fails: {@link Reason#UNKNOWN} (not a token
 * of this broker), {@link Reason#REVOKED}, {@link Reason#NOT_YET_VALID} ({@code now < issuedAt}) or
 * {@link Reason#EXPIRED} ({@code now >= expiresAt}), {@link Reason#WRONG_AUDIENCE}, {@link Reason#WRONG_HOLDER}
 * (the presenter is not the holder's identity). Revocation comes before time so a halted subtree's credentials always
 * say why they stopped working. A presented token is never echoed in a rejection.
 *
 * <p><b>Secrets.</b> No method returns a token except {@link Credential#token()}; {@link #toString()}, rejections and
 * exception messages show ids and counts only.
 *
 * <p><b>Memory.</b> Every credential issued is kept for {@link #issued()} and reports, so the broker grows with the
 * number of issues; it is meant for one run of the runtime or one simulation.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread. Lookups use {@link ConcurrentHashMap}s and the
 * revoked agents and credentials are concurrent maps too, so {@link #verify} takes no lock; a verification that starts
 * after {@code revokeLineage} or {@code revoke} has returned sees the revocation. {@link #issue} holds a lock so the
 * counter and the random generator (which need not be thread safe) advance together.
 */
public final class InProcessCredentialBroker implements CredentialBroker {

  /** The lifetime the convenience constructors use. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  /** What every token starts with. */
  public static final String TOKEN_PREFIX = "cst_";

  private static final String ID_PREFIX = "jti-";
  private static final int TOKEN_BYTES = 32;
  /** ceil(32 bytes * 8 / 6 bits) characters of unpadded base64url. */
  private static final int TOKEN_BODY_LENGTH = 43;
  private static final int TOKEN_LENGTH = TOKEN_PREFIX.length() + TOKEN_BODY_LENGTH;
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final Duration lifetime;
  private final RandomGenerator random;

  /** Guards {@link #random} and {@link #issueCount}, so ids and tokens follow the issue order. */
  private final Object issueLock = new Object();
  private long issueCount;

  // Indexes the secrets too: never printed, never handed out.
  private final Inventory inventory = new Inventory();

  /** The revoked-lineage set, with when each agent was revoked. */
  private final Map<AgentId, Instant> revokedAgents = new ConcurrentHashMap<>();
  private final Map<String, Instant> revokedCredentials = new ConcurrentHashMap<>();

  /** A broker minting credentials of {@link #DEFAULT_LIFETIME} with tokens from a new {@link SecureRandom}. */
  public InProcessCredentialBroker() {
    this(DEFAULT_LIFETIME, new SecureRandom());
  }

  /** A broker minting credentials of at most {@code lifetime} with tokens from a new {@link SecureRandom}. */
  public InProcessCredentialBroker(Duration lifetime) {
    this(lifetime, new SecureRandom());
  }

  /**
   * A broker minting credentials of at most {@code lifetime} with tokens from {@code random}: a seeded generator in a
   * simulation, a {@link SecureRandom} everywhere else. The broker becomes the generator's only user.
   *
   * @throws IllegalArgumentException if {@code lifetime} is zero or negative
   */
  public InProcessCredentialBroker(Duration lifetime, RandomGenerator random) {
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isZero() || lifetime.isNegative()) {
      throw new IllegalArgumentException("a credential lifetime must be positive, not " + lifetime);
    }
    this.lifetime = lifetime;
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The longest lifetime this broker gives a credential. */
  public Duration lifetime() {
    return lifetime;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code request.notAfter()} is at or before {@code request.now()}: the
   *     holder's deadline has passed, and nothing may be minted past it
   * @throws NullPointerException if the request or any of its parts is null
   */
  @Override
  public Credential issue(CredentialRequest request) {
    Objects.requireNonNull(request, "request");
    Instant now = Objects.requireNonNull(request.now(), "request.now");
    Instant notAfter = Objects.requireNonNull(request.notAfter(), "request.notAfter");
    // Checked here, not by Credential's constructor, so a bad request never uses up an id.
    Objects.requireNonNull(request.identity(), "request.identity");
    Objects.requireNonNull(request.mission(), "request.mission");
    Objects.requireNonNull(request.audience(), "request.audience");
    if (!notAfter.isAfter(now)) {
      throw new IllegalArgumentException("no credential for " + request.holder() + " past its deadline: notAfter "
          + notAfter + " is not after now " + now);
    }
    // Compared as durations so now + lifetime cannot overflow when the deadline is far away.
    Instant expiresAt = Duration.between(now, notAfter).compareTo(lifetime) <= 0 ? notAfter : now.plus(lifetime);
    synchronized (issueLock) {
      String token = newToken();
      if (inventory.hasToken(token)) {
        // 256 random bits do not repeat; a generator that repeats them must not mint a second holder's secret.
        throw new IllegalStateException("the random generator repeated a token; refusing to issue");
      }
      issueCount++;
      Credential credential = new Credential(ID_PREFIX + issueCount, token, request.holder(), request.identity(),
          request.mission(), request.lineage(), request.audience(), now, expiresAt);
      inventory.add(credential);
      return credential;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never throws for what a presenter controls: a null or malformed {@code token} is {@link Reason#UNKNOWN}, a null
   * {@code audience} or {@code presenter} matches nothing. The order of the checks is in the class comment.
   *
   * @throws NullPointerException if {@code now} is null
   */
  @Override
  public Verification verify(String token, String audience, SpiffeId presenter, Instant now) {
    Objects.requireNonNull(now, "now");
    Credential credential = inventory.byToken(token);
    if (credential == null) {
      return new Rejected(Reason.UNKNOWN, null, "not a credential this broker issued");
    }
    Optional<Instant> revokedAt = revokedAt(credential);
    if (revokedAt.isPresent()) {
      return new Rejected(Reason.REVOKED, credential.id(), "revoked at " + revokedAt.get());
    }
    if (now.isBefore(credential.issuedAt())) {
      return new Rejected(Reason.NOT_YET_VALID, credential.id(), "not valid before " + credential.issuedAt());
    }
    if (!now.isBefore(credential.expiresAt())) {
      return new Rejected(Reason.EXPIRED, credential.id(), "expired at " + credential.expiresAt());
    }
    if (!credential.audience().equals(audience)) {
      return new Rejected(Reason.WRONG_AUDIENCE, credential.id(),
          "minted for audience " + credential.audience() + ", presented to " + audience);
    }
    if (!credential.holderIdentity().equals(presenter)) {
      return new Rejected(Reason.WRONG_HOLDER, credential.id(),
          "held by " + credential.holderIdentity() + ", presented by " + presenter);
    }
    return new Valid(credential);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Effective when this returns, for credentials already issued and any issued later with {@code agent} in their
   * lineage. Revoking an agent again keeps the earlier time.
   */
  @Override
  public void revokeLineage(AgentId agent, Instant at) {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(at, "at");
    revokedAgents.merge(agent, at, InProcessCredentialBroker::earlier);
  }

  /**
   * Revokes one credential, effective when this returns. Revoking it again keeps the earlier time.
   *
   * @return whether this broker issued {@code credentialId}; an unknown id is left alone
   */
  public boolean revoke(String credentialId, Instant at) {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(at, "at");
    if (!inventory.contains(credentialId)) {
      return false;
    }
    revokedCredentials.merge(credentialId, at, InProcessCredentialBroker::earlier);
    return true;
  }

  /**
   * When the credential was revoked: the earliest {@code at} among its own revocation and those of the agents of its
   * lineage. Empty if it is not revoked or this broker did not issue it.
   */
  public Optional<Instant> revokedAt(String credentialId) {
    Objects.requireNonNull(credentialId, "credentialId");
    Credential credential = inventory.byId(credentialId).orElse(null);
    return credential == null ? Optional.empty() : revokedAt(credential);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Scans {@code text} for {@value #TOKEN_PREFIX} and looks each occurrence's 47 characters up, so the cost is
   * linear in the text, whatever the number of credentials. A look-alike that this broker did not issue does not
   * count. Null text contains nothing.
   */
  @Override
  public boolean containsCredential(String text) {
    return !issuedIn(text, 1).isEmpty();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The same scan as {@link #containsCredential}, each token found looked up for its credential's id.
   */
  @Override
  public List<String> credentialIdsIn(String text) {
    return issuedIn(text, Integer.MAX_VALUE);
  }

  /**
   * The ids of the credentials this broker issued whose tokens {@code text} holds, in order, each once, at most
   * {@code atMost} of them (the scan stops there). Text that holds none, as nearly every call's arguments, costs the
   * scan and no allocation.
   */
  private List<String> issuedIn(String text, int atMost) {
    if (text == null) {
      return List.of();
    }
    Set<String> ids = null;
    int last = text.length() - TOKEN_LENGTH;
    for (int at = text.indexOf(TOKEN_PREFIX); at >= 0 && at <= last && (ids == null || ids.size() < atMost);
        at = text.indexOf(TOKEN_PREFIX, at + 1)) {
      Credential credential = inventory.byToken(text.substring(at, at + TOKEN_LENGTH));
      if (credential != null) {
        ids = ids == null ? new LinkedHashSet<>() : ids;
        ids.add(credential.id());
      }
    }
    return ids == null ? List.of() : List.copyOf(ids);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Counts the holder's credentials with {@code now < expiresAt} that are not revoked (a credential not yet valid
   * at {@code now} counts: it has not expired).
   */
  @Override
  public int activeCount(AgentId holder, Instant now) {
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(now, "now");
    return inventory.activeCount(holder, now, credential -> revokedAt(credential).isPresent());
  }

  /** Every credential this broker issued, in issue order; a snapshot. */
  public List<Credential> issued() {
    return inventory.inOrder();
  }

  /** The credential with id {@code id}, if this broker issued it. */
  public Optional<Credential> byId(String id) {
    Objects.requireNonNull(id, "id");
    return inventory.byId(id);
  }

  /** Counts only: never a token. */
  @Override
  public String toString() {
    return "InProcessCredentialBroker[lifetime=" + lifetime + ", issued=" + inventory.size() + ", revokedAgents="
        + revokedAgents.size() + ", revokedCredentials=" + revokedCredentials.size() + "]";
  }

  private Optional<Instant> revokedAt(Credential credential) {
    Instant earliest = revokedCredentials.get(credential.id());
    for (AgentId agent : credential.lineage()) {
      Instant at = revokedAgents.get(agent);
      if (at != null) {
        earliest = earliest == null ? at : earlier(earliest, at);
      }
    }
    return Optional.ofNullable(earliest);
  }

  /** Called under {@link #issueLock}. */
  private String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return TOKEN_PREFIX + BASE64URL.encodeToString(bytes);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isAfter(b) ? b : a;
  }
}
