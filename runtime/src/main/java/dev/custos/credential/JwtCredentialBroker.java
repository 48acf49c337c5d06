package dev.custos.credential;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.credential.Verification.Valid;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import dev.custos.identity.WorkloadKeys;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker whose credentials are signed JWTs (Nimbus JOSE+JWT), so any tool, in any stack, can verify them against
 * the broker's published JWKS; in Java, with a {@link CredentialVerifier}.
 *
 * <p><b>Algorithm: EdDSA (Ed25519), signed with BouncyCastle.</b> Measured with {@code CredentialTimings} (in the
 * tests) on this project's machine: 2 cores, JDK 17, other builds running, a full credential of ~900 characters,
 * warmed-up means per operation over 5,000 operations, Nimbus doing the JOSE work in every case:
 * <pre>
 *                         mint          verify (first time)
 * EdDSA, BouncyCastle     40-140 us     75-185 us    (a cached re-verification: ~2 us)
 * ES256, JDK provider     430-500 us    850-900 us
 * ES256, BouncyCastle JCA 235-290 us    210-340 us
 * </pre>
 * EdDSA is the fastest both ways (against ES256 on BouncyCastle ~1.5-3x on verify and ~2-6x on mint, against the
 * JDK's ES256 ~5-10x), its signatures are deterministic (no per-signature nonce to get wrong, and
 * a seeded broker mints byte-identical tokens, which the simulator's reproducibility likes), and it is the algorithm
 * of the agents' own {@link WorkloadKeys}, so one primitive serves credentials and holder proofs. Nimbus' own
 * {@code Ed25519Signer} needs Google Tink, an optional Nimbus dependency that is not among ours, so the signature is
 * made by {@link WorkloadKeys#sign} (BouncyCastle) behind Nimbus' {@link JWSSigner} interface ({@link Jws}).
 * Verifiers in other stacks use their own Ed25519 ({@code EdDSA}, RFC 8037); the tests check jose4j.
 *
 * <p><b>Claims.</b> Header {@code {"alg":"EdDSA","kid":<key thumbprint>,"typ":"custos-cred+jwt"}}. Payload:
 * <pre>
 * iss                    the issuer (default {@value #DEFAULT_ISSUER})
 * sub                    the holder's SPIFFE ID
 * aud                    the tool audience (one string)
 * iat, nbf               the request's now, in whole seconds (rounded down)
 * exp                    min(notAfter, now + lifetime), in whole seconds (rounded down: never past notAfter)
 * jti                    22 characters of base64url: 128 random bits
 * mission                the mission id
 * authorization_details  [{"type":"custos_tool","actions":[tools],"locations":[resource patterns]}] (RFC 9396)
 * act                    {"sub":parent,"act":{"sub":grandparent,...}}: the delegators, nearest first (RFC 8693);
 *                        absent for a root agent
 * cnf                    {"jkt":RFC 7638 thumbprint of the holder's key}, when the request names the key (RFC 9449)
 * custos_lineage         ["a1","a3"]: the lineage's agent ids, root first, so a verifier can check lineage revocation
 * </pre>
 * The request must carry the lineage's SPIFFE IDs for {@code act} (the seven-argument {@link CredentialRequest}
 * derives them from the runtime's agent IDs); a request with a lineage of several agents and none of their identities
 * is refused rather than minted with a chain that says less than the truth.
 *
 * <p><b>Lifetime</b> as in {@link InProcessCredentialBroker}: nothing is minted past the holder's deadline, and a
 * credential is valid on {@code [iat, exp)}. Both are whole seconds, as JWT times are, so {@link Credential#issuedAt}
 * and {@link Credential#expiresAt} are the request's times rounded down; a deadline less than a second away yields a
 * credential that is already expired.
 *
 * <p><b>Revocation</b> lives in a {@link RevocationList} that this broker owns and that verifiers in the same process
 * read directly: a revocation holds for every verification that starts after {@link #revokeLineage} or
 * {@link #revoke} returned. A lineage revocation is one entry that also covers credentials minted later.
 *
 * <p><b>Keys.</b> The signing key is an Ed25519 {@link WorkloadKeys} pair whose {@code kid} is the RFC 7638
 * thumbprint of its public JWK. {@link #rotate} makes a new one; the previous keys stay in {@link #jwks()} until their
 * last credential has expired plus {@link #RETIRED_KEY_GRACE} (the largest clock skew a verifier allows, so a late
 * verifier still reports {@code EXPIRED}, not an unknown key); a key that signed nothing leaves at once. Retired keys
 * are dropped when {@link #issue}, {@link #rotate}, {@link #rotateIfOlderThan} or {@link #jwks(Instant)} run.
 *
 * <p><b>Verification.</b> {@link #verify} runs a {@link CredentialVerifier} with no clock skew (the runtime issues and
 * verifies on one clock) and the transport presenter as the holder; it is not told the call's tool or resource, so it
 * skips the scope check only (the runtime checked the call against the agent's grant before). A token that verifies
 * but was not issued by this broker object is {@link Reason#UNKNOWN}.
 *
 * <p><b>Secrets.</b> Only {@link Credential#token()} returns a token. {@link #toString()}, rejections and exception
 * messages show ids and counts; {@link #jwks()} holds public keys only; the private keys never leave their
 * {@link WorkloadKeys}.
 *
 * <p><b>Memory.</b> Every credential issued is kept, for {@link #issued()}, {@link #containsCredential} and reports:
 * one broker serves one run of the runtime.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread. Issuing, rotation and key pruning hold one
 * lock (a mint takes tens of microseconds, and agents mint once per audience per lifetime); verification, revocation
 * and the lookups take none.
 */
public final class JwtCredentialBroker implements CredentialBroker {

  public static final String DEFAULT_ISSUER = "https://custos.local";
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  /** How old a signing key grows before {@link #maintain} replaces it, unless the builder says otherwise. */
  public static final Duration DEFAULT_ROTATION = Duration.ofHours(24);
  /** The {@code typ} header of every credential (explicit typing, RFC 8725 section 3.11). */
  public static final String TOKEN_TYPE = "custos-cred+jwt";
  /** How long a retired key stays published after its last credential expired. */
  public static final Duration RETIRED_KEY_GRACE = CredentialVerifier.MAX_CLOCK_SKEW;

  static final String MISSION_CLAIM = "mission";
  static final String AUTHORIZATION_DETAILS_CLAIM = "authorization_details";
  static final String AUTHORIZATION_TYPE = "custos_tool";
  static final String ACT_CLAIM = "act";
  static final String CNF_CLAIM = "cnf";
  static final String LINEAGE_CLAIM = "custos_lineage";

  private static final JOSEObjectType JOSE_TYPE = new JOSEObjectType(TOKEN_TYPE);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final int JTI_BYTES = 16;

  private final String issuer;
  private final Duration lifetime;
  private final SecureRandom random;
  private final Clock clock;
  private final RevocationList revocations = new RevocationList();
  private final CredentialVerifier verifier;

  /** Guards {@link #random}, the keys' {@code lastExpiry}, and {@link #retired}. */
  private final Object lock = new Object();
  private volatile SigningKey current;
  /** Previous keys that may still have live credentials, newest first. */
  private final List<SigningKey> retired = new ArrayList<>();
  private volatile JWKSet published;
  /** The encoded header and '.' of every key this broker ever had: how every one of its tokens starts. */
  private final List<String> tokenStarts = new CopyOnWriteArrayList<>();

  // Indexes the secrets too: never printed, never handed out.
  private final Inventory inventory = new Inventory();

  private final Duration rotateEvery;

  private JwtCredentialBroker(Builder builder) {
    this.issuer = builder.issuer;
    this.lifetime = builder.lifetime;
    this.random = builder.random != null ? builder.random : new SecureRandom();
    this.clock = builder.clock;
    this.rotateEvery = builder.rotateEvery;
    synchronized (lock) {
      installNewKey(clock.instant());
    }
    this.verifier = CredentialVerifier.builder(this::jwks, revocations)
        .issuer(issuer)
        .clockSkew(Duration.ZERO)
        .build();
  }

  /** A builder with the defaults: issuer {@value #DEFAULT_ISSUER}, a 5-minute lifetime, a new SecureRandom. */
  public static Builder builder() {
    return new Builder();
  }

  public String issuer() {
    return issuer;
  }

  /** The longest lifetime this broker gives a credential. */
  public Duration lifetime() {
    return lifetime;
  }

  /** This broker's revocations, for verifiers in the same process to read. */
  public RevocationList revocations() {
    return revocations;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The claims are in the class comment.
   *
   * @throws IllegalArgumentException if {@code request.notAfter()} is at or before {@code request.now()}, or the
   *     lineage has several agents and the request does not name their identities
   * @throws NullPointerException if the request or any of its parts is null
   */
  @Override
  public Credential issue(CredentialRequest request) {
    Objects.requireNonNull(request, "request");
    Instant now = Objects.requireNonNull(request.now(), "request.now");
    Instant notAfter = Objects.requireNonNull(request.notAfter(), "request.notAfter");
    SpiffeId identity = Objects.requireNonNull(request.identity(), "request.identity");
    Objects.requireNonNull(request.mission(), "request.mission");
    Objects.requireNonNull(request.audience(), "request.audience");
    if (!notAfter.isAfter(now)) {
      throw new IllegalArgumentException("no credential for " + request.holder() + " past its deadline: notAfter "
          + notAfter + " is not after now " + now);
    }
    List<SpiffeId> identities = request.lineageIdentities();
    if (identities.isEmpty()) {
      if (request.lineage().size() > 1) {
        throw new IllegalArgumentException("the act claim needs the SPIFFE IDs of the lineage " + request.lineage()
            + "; the request has none (see CredentialRequest.withLineageIdentities)");
      }
      identities = List.of(identity);
    }
    // Compared as durations so now + lifetime cannot overflow when the deadline is far away.
    Instant expiry = Duration.between(now, notAfter).compareTo(lifetime) <= 0 ? notAfter : now.plus(lifetime);
    Instant issuedAt = now.truncatedTo(ChronoUnit.SECONDS);
    Instant expiresAt = expiry.truncatedTo(ChronoUnit.SECONDS);
    synchronized (lock) {
      pruneRetired(now);
      String jti = newJti();
      if (inventory.contains(jti)) {
        // 128 random bits do not repeat; a generator that repeats them must not give two credentials one id.
        throw new IllegalStateException("the random generator repeated a credential id; refusing to issue");
      }
      SigningKey key = current;
      String token = sign(key, claims(request, identities, jti, issuedAt, expiresAt));
      key.lastExpiry = key.lastExpiry == null || expiresAt.isAfter(key.lastExpiry) ? expiresAt : key.lastExpiry;
      Credential credential = new Credential(jti, token, request.holder(), identity, request.mission(),
          request.lineage(), request.audience(), issuedAt, expiresAt);
      inventory.add(credential);
      return credential;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The checks of {@link CredentialVerifier} but scope, with no clock skew, {@code presenter} as the
   * transport-authenticated caller; then {@link Reason#UNKNOWN} if this broker did not issue the token. Never throws
   * for what a presenter controls: a null token is {@link Reason#MALFORMED}, a null presenter
   * {@link Reason#WRONG_HOLDER}.
   *
   * @throws NullPointerException if {@code now} is null
   */
  @Override
  public Verification verify(String token, String audience, SpiffeId presenter, Instant now) {
    Objects.requireNonNull(now, "now");
    Verdict verdict = verifier.unsafeVerifySkippingScope(token, audience,
        presenter == null ? null : new Presentation.Caller(presenter), now);
    if (verdict instanceof Rejected rejected) {
      return rejected;
    }
    Credential credential = inventory.byToken(token);
    if (credential == null) {
      return new Rejected(Reason.UNKNOWN, ((Verdict.Accepted) verdict).credential().id(),
          "not a credential this broker issued");
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
    revocations.revokeAgent(agent, at);
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
    revocations.revokeCredential(credentialId, at);
    return true;
  }

  /**
   * When the credential was revoked: the earliest {@code at} among its own revocation and those of the agents of its
   * lineage. Empty if it is not revoked or this broker did not issue it.
   */
  public Optional<Instant> revokedAt(String credentialId) {
    Objects.requireNonNull(credentialId, "credentialId");
    Credential credential = inventory.byId(credentialId).orElse(null);
    return credential == null ? Optional.empty() : revocations.revokedAt(credential.id(), credential.lineage());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Every token starts with the encoded header of the key that signed it, and this broker knows each of its keys'
   * headers. So the scan looks for those starts, reads the payload part up to its '.', takes the 86 characters of an
   * Ed25519 signature, and looks that string up: linear in the text, whatever the number of credentials. A token cut,
   * wrapped or re-encoded is not found; a look-alike this broker did not issue does not count. Null text contains
   * nothing.
   */
  @Override
  public boolean containsCredential(String text) {
    return !issuedIn(text, 1).isEmpty();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The same scan as {@link #containsCredential}, each token found looked up for its credential's id: the id is
   * this broker's record of what it issued, not the {@code jti} claim read from the text, so nothing unverified is
   * named.
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
    for (int at = text.indexOf("eyJ"); at >= 0 && (ids == null || ids.size() < atMost);
        at = text.indexOf("eyJ", at + 1)) {
      for (String start : tokenStarts) {
        Credential credential = text.startsWith(start, at) ? issuedTokenAt(text, at, at + start.length()) : null;
        if (credential != null) {
          ids = ids == null ? new LinkedHashSet<>() : ids;
          ids.add(credential.id());
          break;
        }
      }
    }
    return ids == null ? List.of() : List.copyOf(ids);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Counts the holder's credentials with {@code now < expiresAt} that are not revoked.
   */
  @Override
  public int activeCount(AgentId holder, Instant now) {
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(now, "now");
    return inventory.activeCount(holder, now,
        credential -> revocations.revokedAt(credential.id(), credential.lineage()).isPresent());
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

  /**
   * The public keys verifiers need: the current signing key first, then the retired keys that may still have live
   * credentials, newest first, as of the last time given to this broker. Public members only. Cheap: the set is
   * rebuilt on rotation and pruning, not per call.
   */
  public JWKSet jwks() {
    return published;
  }

  /** {@link #jwks()} after dropping the retired keys whose last credential expired more than the grace before now. */
  public JWKSet jwks(Instant now) {
    Objects.requireNonNull(now, "now");
    synchronized (lock) {
      pruneRetired(now);
      return published;
    }
  }

  /** The {@code kid} credentials are signed with now. */
  public String currentKeyId() {
    return current.kid;
  }

  /** {@link #rotate(Instant)} at the broker clock's time. */
  public String rotate() {
    return rotate(clock.instant());
  }

  /**
   * Starts signing with a new key made at {@code now}. The previous key stays published while it has live
   * credentials (see the class comment).
   *
   * @return the new key's {@code kid}
   */
  public String rotate(Instant now) {
    Objects.requireNonNull(now, "now");
    synchronized (lock) {
      SigningKey previous = current;
      if (previous.lastExpiry != null) {
        retired.add(0, previous);
      }
      installNewKey(now);
      pruneRetired(now);
      return current.kid;
    }
  }

  /**
   * Rotates when the current key was made {@code maxAge} or longer before {@code now}: call it on a schedule.
   *
   * @return whether it rotated
   * @throws IllegalArgumentException if {@code maxAge} is not positive
   */
  /** Rotates the signing key when it is older than the builder's period, and prunes retired keys: on a schedule. */
  @Override
  public void maintain(Instant now) {
    rotateIfOlderThan(rotateEvery, now);
    jwks(now);
  }

  public boolean rotateIfOlderThan(Duration maxAge, Instant now) {
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(now, "now");
    if (maxAge.isZero() || maxAge.isNegative()) {
      throw new IllegalArgumentException("a key's maximum age must be positive, not " + maxAge);
    }
    synchronized (lock) {
      if (Duration.between(current.createdAt, now).compareTo(maxAge) < 0) {
        return false;
      }
      rotate(now);
      return true;
    }
  }

  /** Counts and key ids only: never a token. */
  @Override
  public String toString() {
    return "JwtCredentialBroker[issuer=" + issuer + ", lifetime=" + lifetime + ", kid=" + current.kid + ", issued="
        + inventory.size() + ", " + revocations + "]";
  }

  private JWTClaimsSet claims(CredentialRequest request, List<SpiffeId> identities, String jti, Instant issuedAt,
      Instant expiresAt) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("type", AUTHORIZATION_TYPE);
    detail.put("actions", request.scope().tools());
    detail.put("locations", request.scope().resourceTexts());
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(request.identity().toString())
        .audience(request.audience())
        .issueTime(Date.from(issuedAt))
        .notBeforeTime(Date.from(issuedAt))
        .expirationTime(Date.from(expiresAt))
        .jwtID(jti)
        .claim(MISSION_CLAIM, request.mission().value())
        .claim(AUTHORIZATION_DETAILS_CLAIM, List.of(detail));
    Map<String, Object> act = null;
    // Built from the root outwards, so the outermost act names the nearest delegator.
    for (int i = 0; i < identities.size() - 1; i++) {
      Map<String, Object> actor = new LinkedHashMap<>();
      actor.put("sub", identities.get(i).toString());
      if (act != null) {
        actor.put(ACT_CLAIM, act);
      }
      act = actor;
    }
    if (act != null) {
      claims.claim(ACT_CLAIM, act);
    }
    request.holderKey().ifPresent(key -> claims.claim(CNF_CLAIM, Map.of("jkt", key.thumbprint())));
    claims.claim(LINEAGE_CLAIM, request.lineage().stream().map(AgentId::value).toList());
    return claims.build();
  }

  private static String sign(SigningKey key, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(key.header, claims);
    try {
      jwt.sign(key.signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a credential failed", e);
    }
    String token = jwt.serialize();
    if (!token.startsWith(key.tokenStart)) {
      throw new IllegalStateException("a token does not start with its key's header");
    }
    return token;
  }

  /** The credential whose issued token starts at {@code at}, its payload at {@code payload}; null when none does. */
  private Credential issuedTokenAt(String text, int at, int payload) {
    int dot = payload;
    int limit = Math.min(text.length(), at + CredentialVerifier.MAX_TOKEN_CHARS);
    while (dot < limit && isBase64Url(text.charAt(dot))) {
      dot++;
    }
    int end = dot + 1 + Jws.SIGNATURE_CHARS;
    return dot < limit && text.charAt(dot) == '.' && end <= text.length()
        ? inventory.byToken(text.substring(at, end)) : null;
  }

  private static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  /** Called under {@link #lock}. */
  private void installNewKey(Instant now) {
    SigningKey key = new SigningKey(WorkloadKeys.generate(random), now);
    current = key;
    tokenStarts.add(key.tokenStart);
    publish();
  }

  /** Called under {@link #lock}. */
  private void pruneRetired(Instant now) {
    if (retired.removeIf(key -> !key.lastExpiry.plus(RETIRED_KEY_GRACE).isAfter(now))) {
      publish();
    }
  }

  /** Called under {@link #lock}. */
  private void publish() {
    List<JWK> keys = new ArrayList<>();
    keys.add(current.jwk);
    for (SigningKey key : retired) {
      keys.add(key.jwk);
    }
    published = new JWKSet(keys);
  }

  /** Called under {@link #lock}. */
  private String newJti() {
    byte[] bytes = new byte[JTI_BYTES];
    random.nextBytes(bytes);
    return BASE64URL.encodeToString(bytes);
  }

  /** One signing key: the pair, its public JWK and the header its tokens carry. */
  private static final class SigningKey {
    final String kid;
    final OctetKeyPair jwk;
    final JWSHeader header;
    final String tokenStart;
    final JWSSigner signer;
    final Instant createdAt;
    /** The latest expiry of a credential it signed; null while it signed none. Guarded by the broker's lock. */
    Instant lastExpiry;

    SigningKey(WorkloadKeys keys, Instant createdAt) {
      this.kid = keys.publicKey().thumbprint();
      this.jwk = Jws.publicJwk(keys.publicKey(), kid);
      this.header = new JWSHeader.Builder(Jws.ALG).keyID(kid).type(JOSE_TYPE).build();
      this.tokenStart = header.toBase64URL() + ".";
      this.signer = Jws.signer(keys);
      this.createdAt = createdAt;
    }
  }

  /** Settings of a {@link JwtCredentialBroker}; every one has a default. */
  public static final class Builder {
    private String issuer = DEFAULT_ISSUER;
    private Duration lifetime = DEFAULT_LIFETIME;
    private SecureRandom random;
    private Clock clock = Clock.systemUTC();
    private Duration rotateEvery = DEFAULT_ROTATION;

    private Builder() {}

    /**
     * The {@code iss} of every credential.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder issuer(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      if (issuer.isBlank()) {
        throw new IllegalArgumentException("an issuer may not be blank");
      }
      this.issuer = issuer;
      return this;
    }

    /**
     * The longest lifetime of a credential (the TTL); default 5 minutes.
     *
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder lifetime(Duration lifetime) {
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.isZero() || lifetime.isNegative()) {
        throw new IllegalArgumentException("a credential lifetime must be positive, not " + lifetime);
      }
      this.lifetime = lifetime;
      return this;
    }

    /**
     * The source of signing keys and credential ids; default a new {@link SecureRandom}. A simulation may pass a
     * seeded one (a {@code SHA1PRNG} seeded before first use) to get the same keys, ids and tokens on every run; the
     * broker becomes its only user.
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The clock that dates new keys ({@link #rotate()} and the first key); default the system's, in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How old a signing key grows before {@link JwtCredentialBroker#maintain} replaces it; 24 hours by default. */
    public Builder rotateEvery(Duration period) {
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("a rotation period must be positive, not " + period);
      }
      this.rotateEvery = period;
      return this;
    }

    public JwtCredentialBroker build() {
      return new JwtCredentialBroker(this);
    }
  }
}
