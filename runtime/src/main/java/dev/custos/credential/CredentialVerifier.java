package dev.custos.credential;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.custos.BadInputException;
import dev.custos.capability.Pattern;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.identity.WorkloadKeys;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Checks credentials minted by a {@link JwtCredentialBroker}: the small library a Java tool uses on each call.
 *
 * <p><b>Checks</b>, in this order; the first that fails is the {@link Rejected#reason()}:
 * <ol>
 *   <li>{@link Reason#MALFORMED}: not a compact JWS of at most {@value #MAX_TOKEN_CHARS} characters with canonical
 *       base64url parts, a JSON header and a 64-byte signature;
 *   <li>{@link Reason#ALG_NOT_ALLOWED}: the header's {@code alg} is not {@code EdDSA}, the only algorithm the broker
 *       uses. The header never chooses the algorithm: {@code none}, {@code HS256} keyed with the public key and every
 *       other name are refused before any key is touched;
 *   <li>{@link Reason#MALFORMED}: the header's {@code typ} is not {@value JwtCredentialBroker#TOKEN_TYPE} or it has a
 *       {@code crit} member;
 *   <li>{@link Reason#UNKNOWN_KID}: no Ed25519 signing key with the header's {@code kid} is in the JWKS;
 *   <li>{@link Reason#BAD_SIGNATURE};
 *   <li>{@link Reason#MALFORMED}: a claim is missing or of the wrong type (see {@link JwtCredentialBroker} for the
 *       layout);
 *   <li>{@link Reason#WRONG_ISSUER}: {@code iss} is not the expected issuer;
 *   <li>{@link Reason#REVOKED}: the {@code jti}, or any agent of {@code custos_lineage}, is in the
 *       {@link RevocationList}. Before the time checks, as in {@link InProcessCredentialBroker}, so a halted
 *       subtree's credentials say why they stopped working;
 *   <li>{@link Reason#ISSUED_IN_FUTURE} ({@code iat > now + skew}), {@link Reason#NOT_YET_VALID}
 *       ({@code nbf > now + skew}), {@link Reason#EXPIRED} ({@code now >= exp + skew});
 *   <li>{@link Reason#WRONG_AUDIENCE}: {@code aud} is not exactly the tool's own audience;
 *   <li>holder binding: with a {@link Presentation.Caller}, {@code sub} must equal the caller
 *       ({@link Reason#WRONG_HOLDER}); with a {@link Presentation.Proof}, the credential must carry {@code cnf.jkt}
 *       ({@link Reason#MISSING_BINDING}), the proof must pass {@link HolderProof}'s checks
 *       ({@link Reason#WRONG_HOLDER}) and be new ({@link Reason#PROOF_REPLAYED});
 *   <li>{@link Reason#OUT_OF_SCOPE}: the {@code authorization_details} do not list the tool among their
 *       {@code actions} or no {@code locations} pattern matches the resource.
 * </ol>
 *
 * <p><b>Cache.</b> A token that passed checks 1 to 7 (which depend on the token alone) is remembered, keyed by the
 * exact token string, so a lookup trusts nothing that was not verified; one token is one {@code jti}. A repeated
 * presentation skips parsing and the signature: it costs a map lookup, a check that the signing key is still
 * published (a key withdrawn from the JWKS stops its cached tokens too), and checks 8 to 12. At most
 * {@link Builder#cacheSize} tokens are kept (default {@value #DEFAULT_CACHE_SIZE}); when full, expired tokens go
 * first, then arbitrary ones, a tenth of the cache at a time.
 *
 * <p><b>Clock skew</b> is at most {@link #MAX_CLOCK_SKEW} (30 s): it widens every time check (the token's and a
 * proof's) by that much, and the broker keeps a retired key published for that long after its last credential
 * expired, so within the skew a late token is still reported {@link Reason#EXPIRED} rather than
 * {@link Reason#UNKNOWN_KID}.
 *
 * <p><b>Results</b> are {@link Verdict}s: {@link Verdict.Accepted} carries the {@link VerifiedCredential} (claims, no
 * token); {@link Rejected} names the reason, the {@code jti} when the token was read far enough, and a detail that
 * never quotes the token. Nothing the presenter controls makes a method throw.
 *
 * <p><b>Thread safety.</b> All methods may be called from any number of threads. The cache and the proof memory are
 * concurrent maps; only eviction takes a lock.
 */
public final class CredentialVerifier {

  /** The clock skew a verifier allows unless told otherwise. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
  /** The largest clock skew a verifier may be given. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(30);
  public static final int DEFAULT_CACHE_SIZE = 10_000;
  /** How many recent proof ids a verifier remembers to refuse replays. */
  public static final int DEFAULT_PROOF_MEMORY = 100_000;
  /** Longest token read, in characters; the broker's are under 2,000 for a deep lineage. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final int MAX_JTI_CHARS = 128;
  private static final int MAX_ACT_DEPTH = 256;
  private static final int MAX_DECODED_KEYS = 64;

  private final Supplier<JWKSet> jwks;
  private final RevocationList revocations;
  private final String issuer;
  private final Duration skew;
  private final Clock clock;
  private final int cacheSize;
  private final int proofMemory;

  /** Verified tokens by their exact text: the secret is a key here, so this map is never printed or handed out. */
  private final Map<String, VerifiedCredential> cache = new ConcurrentHashMap<>();
  private final Object cacheEviction = new Object();
  /** Proof ids seen ({@code jkt:jti}), each with the time after which a replay would be too old anyway. */
  private final Map<String, Instant> seenProofs = new ConcurrentHashMap<>();
  private final Object proofEviction = new Object();
  /** Decoded public keys by their JWK {@code x}. */
  private final Map<String, WorkloadKeys.PublicKey> decodedKeys = new ConcurrentHashMap<>();
  private final AtomicLong signatureChecks = new AtomicLong();

  private CredentialVerifier(Builder builder) {
    this.jwks = builder.jwks;
    this.revocations = builder.revocations;
    this.issuer = builder.issuer;
    this.skew = builder.skew;
    this.clock = builder.clock;
    this.cacheSize = builder.cacheSize;
    this.proofMemory = builder.proofMemory;
  }

  /**
   * A builder for a verifier of the tokens signed by the keys {@code jwks} returns (called on every first
   * verification of a token and every cache hit, so it should be cheap: {@link JwtCredentialBroker#jwks()} is) and
   * revoked in {@code revocations}.
   */
  public static Builder builder(Supplier<JWKSet> jwks, RevocationList revocations) {
    return new Builder(jwks, revocations);
  }

  /**
   * A verifier of {@code broker}'s credentials in this process: its JWKS, its revocation list, its issuer, the
   * default clock skew, the system clock.
   */
  public static CredentialVerifier forBroker(JwtCredentialBroker broker) {
    Objects.requireNonNull(broker, "broker");
    return builder(broker::jwks, broker.revocations()).issuer(broker.issuer()).build();
  }

  /** Checks {@code presentation} at the verifier clock's time. */
  public Verdict verify(Presentation presentation) {
    return verify(presentation, clock.instant());
  }

  /**
   * Checks {@code presentation} at {@code now}; the checks and their order are in the class comment.
   *
   * @throws NullPointerException if {@code presentation} or {@code now} is null
   */
  public Verdict verify(Presentation presentation, Instant now) {
    Objects.requireNonNull(presentation, "presentation");
    return check(presentation.token(), presentation.audience(), presentation.tool(), presentation.resource(),
        presentation.holder(), Objects.requireNonNull(now, "now"), true);
  }

  /**
   * Every check but scope, for {@link JwtCredentialBroker#verify}, which is not told the call's tool or resource
   * (the runtime checked the call against the agent's grant before asking). A null {@code holder} is
   * {@link Reason#WRONG_HOLDER}.
   */
  Verdict unsafeVerifySkippingScope(String token, String audience, Presentation.Holder holder, Instant now) {
    return check(token, audience, null, null, holder, Objects.requireNonNull(now, "now"), false);
  }

  /** How many token signatures this verifier has checked: cache hits check none. For tests. */
  long signatureChecks() {
    return signatureChecks.get();
  }

  public String issuer() {
    return issuer;
  }

  public Duration clockSkew() {
    return skew;
  }

  /** Settings and counts only: never a token. */
  @Override
  public String toString() {
    return "CredentialVerifier[issuer=" + issuer + ", skew=" + skew + ", cached=" + cache.size()
        + ", signatureChecks=" + signatureChecks.get() + "]";
  }

  private Verdict check(String token, String audience, String tool, String resource, Presentation.Holder holder,
      Instant now, boolean checkScope) {
    VerifiedCredential credential = token == null ? null : cache.get(token);
    if (credential == null) {
      Verdict read = read(token);
      if (read instanceof Rejected rejected) {
        return rejected;
      }
      credential = ((Verdict.Accepted) read).credential();
      remember(token, credential, now);
    } else if (publishedKey(credential.keyId()).isEmpty()) {
      return new Rejected(Reason.UNKNOWN_KID, credential.id(), "signing key " + credential.keyId()
          + " is no longer published");
    }
    return checkUse(credential, token, audience, tool, resource, holder, now, checkScope);
  }

  /** Checks 1 to 7, which depend on the token alone. */
  private Verdict read(String token) {
    Jws.Compact jws;
    try {
      jws = Jws.parse(token, MAX_TOKEN_CHARS);
    } catch (Jws.MalformedException e) {
      return new Rejected(Reason.MALFORMED, null, "not a credential: " + e.getMessage());
    }
    Optional<String> alg = jws.headerString("alg");
    if (alg.isEmpty()) {
      return new Rejected(Reason.MALFORMED, null, "the header names no alg");
    }
    if (!alg.get().equals(Jws.ALG.getName())) {
      return new Rejected(Reason.ALG_NOT_ALLOWED, null, "alg " + printable(alg.get()) + " is not allowed, only "
          + Jws.ALG);
    }
    if (!jws.headerString("typ").equals(Optional.of(JwtCredentialBroker.TOKEN_TYPE))) {
      return new Rejected(Reason.MALFORMED, null, "typ is not " + JwtCredentialBroker.TOKEN_TYPE);
    }
    if (jws.header.containsKey("crit")) {
      return new Rejected(Reason.MALFORMED, null, "the header has critical extensions");
    }
    Optional<String> kid = jws.headerString("kid");
    if (kid.isEmpty()) {
      return new Rejected(Reason.UNKNOWN_KID, null, "the header names no kid");
    }
    Optional<WorkloadKeys.PublicKey> key = publishedKey(kid.get());
    if (key.isEmpty()) {
      return new Rejected(Reason.UNKNOWN_KID, null, "no Ed25519 key " + printable(kid.get()) + " is published");
    }
    signatureChecks.incrementAndGet();
    if (!key.get().verify(jws.signingInput(), jws.signature)) {
      return new Rejected(Reason.BAD_SIGNATURE, null, "the signature does not verify with key " + kid.get());
    }
    return claims(jws.payloadJson, kid.get());
  }

  /** Reads the signed claims (the layout is in {@link JwtCredentialBroker}) and checks the issuer. */
  private Verdict claims(String payloadJson, String kid) {
    JWTClaimsSet claims;
    try {
      claims = JWTClaimsSet.parse(payloadJson);
    } catch (ParseException e) {
      return new Rejected(Reason.MALFORMED, null, "the claims are not a JWT claims set");
    }
    String jti = claims.getJWTID();
    if (jti == null || jti.isEmpty() || jti.length() > MAX_JTI_CHARS) {
      return new Rejected(Reason.MALFORMED, null, "no usable jti");
    }
    VerifiedCredential credential;
    try {
      String iss = claims.getIssuer();
      List<String> aud = claims.getAudience();
      Date iat = claims.getIssueTime();
      Date nbf = claims.getNotBeforeTime();
      Date exp = claims.getExpirationTime();
      String sub = claims.getSubject();
      String mission = claims.getStringClaim(JwtCredentialBroker.MISSION_CLAIM);
      List<String> lineage = claims.getStringListClaim(JwtCredentialBroker.LINEAGE_CLAIM);
      if (iss == null || sub == null || iat == null || nbf == null || exp == null || mission == null
          || lineage == null || lineage.isEmpty()) {
        return new Rejected(Reason.MALFORMED, jti, "a required claim is missing");
      }
      if (aud.size() != 1) {
        return new Rejected(Reason.MALFORMED, jti, "a credential names exactly one audience, not " + aud.size());
      }
      List<AgentId> agents = lineage.stream().map(AgentId::parse).toList();
      List<SpiffeId> delegators = delegators(claims.getJSONObjectClaim(JwtCredentialBroker.ACT_CLAIM));
      if (delegators.size() != agents.size() - 1) {
        return new Rejected(Reason.MALFORMED, jti, "the act chain names " + delegators.size()
            + " delegators for a lineage of " + agents.size());
      }
      Map<String, Object> cnf = claims.getJSONObjectClaim(JwtCredentialBroker.CNF_CLAIM);
      Optional<String> jkt = Optional.empty();
      if (cnf != null) {
        if (!(cnf.get("jkt") instanceof String thumbprint)) {
          return new Rejected(Reason.MALFORMED, jti, "cnf has no jkt");
        }
        jkt = Optional.of(thumbprint);
      }
      credential = new VerifiedCredential(jti, iss, SpiffeId.parse(sub), aud.get(0), MissionId.parse(mission),
          agents, delegators, iat.toInstant(), nbf.toInstant(), exp.toInstant(),
          scope(claims.getListClaim(JwtCredentialBroker.AUTHORIZATION_DETAILS_CLAIM)), jkt, kid);
    } catch (ParseException | IllegalArgumentException e) {
      // BadInputException is an IllegalArgumentException: an id or a pattern that does not parse.
      return new Rejected(Reason.MALFORMED, jti, "a claim is malformed");
    }
    if (!credential.issuer().equals(issuer)) {
      return new Rejected(Reason.WRONG_ISSUER, jti, "issued by " + printable(credential.issuer()) + ", expected "
          + issuer);
    }
    return new Verdict.Accepted(credential);
  }

  /** The {@code act} chain flattened, nearest delegator first. */
  private static List<SpiffeId> delegators(Map<String, Object> act) {
    List<SpiffeId> chain = new ArrayList<>();
    Object node = act;
    while (node != null) {
      if (!(node instanceof Map<?, ?> actor) || !(actor.get("sub") instanceof String sub)
          || chain.size() == MAX_ACT_DEPTH) {
        throw new IllegalArgumentException("act is not a chain of {sub, act}");
      }
      chain.add(SpiffeId.parse(sub));
      node = actor.get("act");
    }
    return chain;
  }

  /** The one {@code custos_tool} entry of {@code authorization_details}. */
  private static CredentialScope scope(List<Object> details) {
    if (details == null || details.size() != 1 || !(details.get(0) instanceof Map<?, ?> detail)
        || !JwtCredentialBroker.AUTHORIZATION_TYPE.equals(detail.get("type"))) {
      throw new IllegalArgumentException("authorization_details is not one custos_tool entry");
    }
    List<String> tools = strings(detail.get("actions"));
    List<Pattern> resources = strings(detail.get("locations")).stream().map(Pattern::parse).toList();
    return new CredentialScope(tools, resources);
  }

  private static List<String> strings(Object value) {
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("not a list");
    }
    List<String> strings = new ArrayList<>(list.size());
    for (Object item : list) {
      if (!(item instanceof String string)) {
        throw new IllegalArgumentException("not a list of strings");
      }
      strings.add(string);
    }
    return strings;
  }

  /** Checks 8 to 12: those that depend on when, where and by whom the credential is presented. */
  private Verdict checkUse(VerifiedCredential credential, String token, String audience, String tool,
      String resource, Presentation.Holder holder, Instant now, boolean checkScope) {
    String jti = credential.id();
    Optional<Instant> revokedAt = revocations.revokedAt(jti, credential.lineage());
    if (revokedAt.isPresent()) {
      return new Rejected(Reason.REVOKED, jti, "revoked at " + revokedAt.get());
    }
    if (credential.issuedAt().isAfter(now.plus(skew))) {
      return new Rejected(Reason.ISSUED_IN_FUTURE, jti, "issued at " + credential.issuedAt() + ", after " + now
          + " plus the allowed skew of " + skew);
    }
    if (credential.notBefore().isAfter(now.plus(skew))) {
      return new Rejected(Reason.NOT_YET_VALID, jti, "not valid before " + credential.notBefore());
    }
    if (!credential.expiresAt().isAfter(now.minus(skew))) {
      return new Rejected(Reason.EXPIRED, jti, "expired at " + credential.expiresAt());
    }
    if (!credential.audience().equals(audience)) {
      return new Rejected(Reason.WRONG_AUDIENCE, jti,
          "minted for audience " + credential.audience() + ", presented to " + audience);
    }
    Rejected binding = checkBinding(credential, token, tool, resource, holder, now);
    if (binding != null) {
      return binding;
    }
    if (checkScope && !credential.scope().covers(tool, resource)) {
      return new Rejected(Reason.OUT_OF_SCOPE, jti, "covers " + credential.scope().tools() + " on "
          + credential.scope().resourceTexts() + ", not " + tool + " on " + resource);
    }
    return new Verdict.Accepted(credential);
  }

  /** Null when the presenter is shown to be the holder. */
  private Rejected checkBinding(VerifiedCredential credential, String token, String tool, String resource,
      Presentation.Holder holder, Instant now) {
    String jti = credential.id();
    if (holder instanceof Presentation.Caller caller) {
      return credential.subject().equals(caller.identity()) ? null : new Rejected(Reason.WRONG_HOLDER, jti,
          "held by " + credential.subject() + ", presented by " + caller.identity());
    }
    if (!(holder instanceof Presentation.Proof proof)) {
      return new Rejected(Reason.WRONG_HOLDER, jti, "held by " + credential.subject() + ", presented by null");
    }
    if (credential.holderKeyThumbprint().isEmpty()) {
      return new Rejected(Reason.MISSING_BINDING, jti, "a holder proof was offered for a credential bound to no key");
    }
    HolderProof.Check check = HolderProof.check(proof.jws(), token, credential.holderKeyThumbprint().get(), tool,
        resource, now, skew);
    if (check instanceof HolderProof.Failed failed) {
      return new Rejected(Reason.WRONG_HOLDER, jti, failed.detail());
    }
    HolderProof.Passed passed = (HolderProof.Passed) check;
    // Past this time the proof's iat falls out of the window, so a replay would fail anyway.
    Instant forgetAt = passed.issuedAt().plus(skew).plusSeconds(1);
    return firstUse(passed.keyThumbprint() + ":" + passed.jti(), forgetAt, now) ? null
        : new Rejected(Reason.PROOF_REPLAYED, jti, "holder proof " + passed.jti() + " was already used");
  }

  /** Records a proof id; false if it was seen, or if the memory is full of live ids (fail closed). */
  private boolean firstUse(String proofId, Instant forgetAt, Instant now) {
    if (seenProofs.size() >= proofMemory) {
      synchronized (proofEviction) {
        seenProofs.values().removeIf(at -> !at.isAfter(now));
        if (seenProofs.size() >= proofMemory) {
          return false;
        }
      }
    }
    return seenProofs.putIfAbsent(proofId, forgetAt) == null;
  }

  private void remember(String token, VerifiedCredential credential, Instant now) {
    if (cacheSize == 0) {
      return;
    }
    if (cache.size() >= cacheSize) {
      synchronized (cacheEviction) {
        if (cache.size() >= cacheSize) {
          Instant cutoff = now.minus(skew);
          cache.values().removeIf(cached -> !cached.expiresAt().isAfter(cutoff));
          int target = cacheSize - Math.max(1, cacheSize / 10);
          Iterator<String> tokens = cache.keySet().iterator();
          while (cache.size() > target && tokens.hasNext()) {
            tokens.next();
            tokens.remove();
          }
        }
      }
    }
    cache.put(token, credential);
  }

  /** The published Ed25519 signing key named {@code kid}, if there is one. */
  private Optional<WorkloadKeys.PublicKey> publishedKey(String kid) {
    JWKSet set = jwks.get();
    JWK jwk = set == null ? null : set.getKeyByKeyId(kid);
    if (jwk == null || !Jws.isEd25519SigningKey(jwk)) {
      return Optional.empty();
    }
    String x = ((OctetKeyPair) jwk).getX().toString();
    WorkloadKeys.PublicKey key = decodedKeys.get(x);
    if (key == null) {
      Optional<WorkloadKeys.PublicKey> decoded = Jws.publicKeyFromX(x);
      if (decoded.isEmpty()) {
        return Optional.empty();
      }
      if (decodedKeys.size() >= MAX_DECODED_KEYS) {
        decodedKeys.clear();
      }
      key = decoded.get();
      decodedKeys.put(x, key);
    }
    return Optional.of(key);
  }

  /** Presenter-controlled text in a detail: shortened, so a detail stays small. */
  private static String printable(String text) {
    String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return "'" + shown + "'";
  }

  /** Settings of a {@link CredentialVerifier}; every one has a bounded default. */
  public static final class Builder {
    private final Supplier<JWKSet> jwks;
    private final RevocationList revocations;
    private String issuer = JwtCredentialBroker.DEFAULT_ISSUER;
    private Duration skew = DEFAULT_CLOCK_SKEW;
    private Clock clock = Clock.systemUTC();
    private int cacheSize = DEFAULT_CACHE_SIZE;
    private int proofMemory = DEFAULT_PROOF_MEMORY;

    private Builder(Supplier<JWKSet> jwks, RevocationList revocations) {
      this.jwks = Objects.requireNonNull(jwks, "jwks");
      this.revocations = Objects.requireNonNull(revocations, "revocations");
    }

    /** The {@code iss} to expect; default {@value JwtCredentialBroker#DEFAULT_ISSUER}. */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /**
     * The clock skew to allow; default and maximum 30 s.
     *
     * @throws IllegalArgumentException if negative or above {@link #MAX_CLOCK_SKEW}
     */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "skew");
      if (skew.isNegative() || skew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException("a clock skew is between 0 and " + MAX_CLOCK_SKEW + ", not " + skew);
      }
      this.skew = skew;
      return this;
    }

    /** The clock {@link CredentialVerifier#verify(Presentation)} reads; default the system's, in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How many verified tokens to remember; 0 turns the cache off.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder cacheSize(int cacheSize) {
      if (cacheSize < 0) {
        throw new IllegalArgumentException("a cache size is at least 0, not " + cacheSize);
      }
      this.cacheSize = cacheSize;
      return this;
    }

    /**
     * How many recent holder-proof ids to remember; when that many are live, further proofs are refused.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder proofMemory(int proofMemory) {
      if (proofMemory < 1) {
        throw new IllegalArgumentException("a proof memory is at least 1, not " + proofMemory);
      }
      this.proofMemory = proofMemory;
      return this;
    }

    public CredentialVerifier build() {
      return new CredentialVerifier(this);
    }
  }
}
