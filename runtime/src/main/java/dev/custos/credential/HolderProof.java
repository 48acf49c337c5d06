package dev.custos.credential;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.custos.identity.WorkloadKeys;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A DPoP-style proof (after RFC 9449) that the presenter of a credential holds the key the credential is bound to
 * ({@code cnf.jkt}): a compact JWS the holder signs with its own Ed25519 {@link WorkloadKeys} over one call.
 *
 * <p>Header: {@code {"alg":"EdDSA","typ":"custos-proof+jwt","jwk":{"kty":"OKP","crv":"Ed25519","x":...}}}, the
 * holder's public key. Claims: {@code jti} (unique per proof: a verifier accepts each once), {@code iat},
 * {@code tool} and {@code resource} (the call it authorises) and {@code ath} (unpadded base64url of the SHA-256 of
 * the credential's token, so the proof goes with one credential only).
 *
 * <p>A {@link CredentialVerifier} accepts a proof when its key's RFC 7638 thumbprint equals the credential's
 * {@code cnf.jkt}, its signature verifies, {@code ath} matches the presented token, {@code tool} and {@code resource}
 * equal the call's, it was made within the verifier's clock skew of now, and its {@code jti} was not seen before.
 *
 * <p>A proof is not a bearer secret in itself (it is bound to one call and used once), but it travels with the token,
 * so treat it like one: do not log it. Stateless; thread safe.
 */
public final class HolderProof {

  /** The {@code typ} of a proof, distinct from a credential's so neither passes for the other. */
  public static final String TYPE = "custos-proof+jwt";

  /** Longest proof a verifier reads, in characters. */
  static final int MAX_CHARS = 4096;
  /** Longest proof {@code jti} a verifier accepts. */
  static final int MAX_JTI_CHARS = 128;

  private static final JOSEObjectType JOSE_TYPE = new JOSEObjectType(TYPE);
  private static final SecureRandom JTI_RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private HolderProof() {}

  /**
   * A proof for one call, with a random 128-bit {@code jti}.
   *
   * @param keys the holder's keys (their public half must be the one the credential is bound to)
   * @param token the credential presented with the proof
   * @param tool the called tool's name
   * @param resource the call's resource
   * @param now the holder's time; written as {@code iat} in whole seconds
   */
  public static String create(WorkloadKeys keys, String token, String tool, String resource, Instant now) {
    byte[] jti = new byte[16];
    JTI_RANDOM.nextBytes(jti);
    return create(keys, token, tool, resource, now, BASE64URL.encodeToString(jti));
  }

  /** A proof with the given {@code jti}, for callers that need reproducible proofs (a simulation, a test). */
  public static String create(WorkloadKeys keys, String token, String tool, String resource, Instant now,
      String jti) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(jti, "jti");
    JWSHeader header = new JWSHeader.Builder(Jws.ALG)
        .type(JOSE_TYPE)
        .jwk(Jws.publicJwk(keys.publicKey(), null))
        .build();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .jwtID(jti)
        .issueTime(Date.from(now))
        .claim("tool", tool)
        .claim("resource", resource)
        .claim("ath", Jws.sha256Base64Url(token))
        .build();
    SignedJWT proof = new SignedJWT(header, claims);
    try {
      proof.sign(Jws.signer(keys));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a holder proof failed", e);
    }
    return proof.serialize();
  }

  /** What {@link #check} found: exactly one of {@link Passed} or {@link Failed}. */
  sealed interface Check permits Passed, Failed {}

  /** Every check but replay passed; replay needs the verifier's memory of {@code jti}s. */
  record Passed(String keyThumbprint, String jti, Instant issuedAt) implements Check {}

  record Failed(String detail) implements Check {}

  /**
   * Checks {@code proof} for the call, all but replay (see the class comment). Never throws for what the presenter
   * controls; a failure's detail never quotes the proof or the token.
   */
  static Check check(String proof, String token, String expectedJkt, String tool, String resource, Instant now,
      Duration skew) {
    if (proof == null) {
      return new Failed("no holder proof");
    }
    Jws.Compact jws;
    try {
      jws = Jws.parse(proof, MAX_CHARS);
    } catch (Jws.MalformedException e) {
      return new Failed("the holder proof is malformed: " + e.getMessage());
    }
    if (!jws.headerString("alg").equals(Optional.of(Jws.ALG.getName()))) {
      return new Failed("the holder proof's alg is not " + Jws.ALG);
    }
    if (!jws.headerString("typ").equals(Optional.of(TYPE))) {
      return new Failed("the holder proof's typ is not " + TYPE);
    }
    Optional<WorkloadKeys.PublicKey> key = proofKey(jws.header.get("jwk"));
    if (key.isEmpty()) {
      return new Failed("the holder proof carries no Ed25519 public jwk");
    }
    String thumbprint = key.get().thumbprint();
    if (!thumbprint.equals(expectedJkt)) {
      return new Failed("the holder proof is signed by key " + thumbprint + ", the credential is bound to "
          + expectedJkt);
    }
    if (!key.get().verify(jws.signingInput(), jws.signature)) {
      return new Failed("the holder proof's signature does not verify");
    }
    JWTClaimsSet claims;
    String jti;
    String proofTool;
    String proofResource;
    String ath;
    try {
      claims = JWTClaimsSet.parse(jws.payloadJson);
      jti = claims.getJWTID();
      proofTool = claims.getStringClaim("tool");
      proofResource = claims.getStringClaim("resource");
      ath = claims.getStringClaim("ath");
    } catch (ParseException e) {
      return new Failed("the holder proof's claims are malformed");
    }
    Date iat = claims.getIssueTime();
    if (jti == null || jti.isEmpty() || jti.length() > MAX_JTI_CHARS || iat == null || proofTool == null
        || proofResource == null || ath == null) {
      return new Failed("the holder proof lacks jti, iat, tool, resource or ath");
    }
    if (!ath.equals(Jws.sha256Base64Url(token))) {
      return new Failed("the holder proof was made for another credential (ath)");
    }
    Instant issuedAt = iat.toInstant();
    // iat is whole seconds, so a proof made at t says iat in (t - 1 s, t]: "made within skew of now" is this.
    if (issuedAt.isAfter(now.plus(skew)) || !issuedAt.plus(skew).plusSeconds(1).isAfter(now)) {
      return new Failed("the holder proof was made at " + issuedAt + ", not within " + skew + " of " + now);
    }
    if (!proofTool.equals(tool) || !proofResource.equals(resource)) {
      return new Failed("the holder proof is for " + proofTool + " on " + proofResource + ", the call is " + tool
          + " on " + resource);
    }
    return new Passed(thumbprint, jti, issuedAt);
  }

  private static Optional<WorkloadKeys.PublicKey> proofKey(Object jwk) {
    if (!(jwk instanceof Map<?, ?> members)) {
      return Optional.empty();
    }
    if (!"OKP".equals(members.get("kty")) || !"Ed25519".equals(members.get("crv")) || members.containsKey("d")
        || !(members.get("x") instanceof String x)) {
      return Optional.empty();
    }
    return Jws.publicKeyFromX(x);
  }
}
