package dev.custos.credential;

import static dev.custos.credential.JwtFixtures.CORP_HOSTS;
import static dev.custos.credential.JwtFixtures.DEADLINE;
import static dev.custos.credential.JwtFixtures.EDR;
import static dev.custos.credential.JwtFixtures.ISOLATE;
import static dev.custos.credential.JwtFixtures.MISSION;
import static dev.custos.credential.JwtFixtures.T0;
import static dev.custos.credential.JwtFixtures.TICKETS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import dev.custos.capability.Pattern;
import dev.custos.credential.JwtFixtures.Tree;
import dev.custos.credential.Verdict.Accepted;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.identity.WorkloadKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CredentialVerifierTest {

  static final String WS1 = "host:corp/ws-1";

  private final Tree tree = new Tree(JwtFixtures.seeded(21));
  private final JwtCredentialBroker broker = JwtFixtures.broker(22);
  private final CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
  private final WorkloadKeys attacker = WorkloadKeys.generate(JwtFixtures.seeded(23));

  private Credential mint(JwtFixtures.Agent agent) {
    return broker.issue(agent.request(T0));
  }

  private static Presentation byCaller(Credential credential, JwtFixtures.Agent presenter) {
    return Presentation.byCaller(credential.token(), EDR, ISOLATE, WS1, presenter.identity());
  }

  private static Presentation withProof(Credential credential, WorkloadKeys keys, Instant madeAt) {
    return Presentation.withProof(credential.token(), EDR, ISOLATE, WS1,
        HolderProof.create(keys, credential.token(), ISOLATE, WS1, madeAt));
  }

  private static Rejected rejected(Verdict verdict) {
    assertThat(verdict).isInstanceOf(Rejected.class);
    return (Rejected) verdict;
  }

  @Test
  void aMintedCredentialRoundTripsToItsClaims() {
    Credential credential = mint(tree.contain1);

    VerifiedCredential expected = new VerifiedCredential(credential.id(), "https://custos.local",
        tree.contain1.identity(), EDR, MISSION, tree.contain1.lineage(),
        List.of(tree.triage.identity(), tree.commander.identity()), T0, T0, T0.plusSeconds(300), CORP_HOSTS,
        Optional.of(tree.contain1.keys().publicKey().thumbprint()), broker.currentKeyId());
    assertEquals(new Accepted(expected), verifier.verify(byCaller(credential, tree.contain1), T0));
    assertEquals(new Accepted(expected), verifier.verify(withProof(credential, tree.contain1.keys(), T0), T0));
    assertEquals(tree.contain1.id(), expected.holder());
  }

  @Test
  void theClockSkewWidensExpiryAndIssueTimeByExactlyItsLength() {
    Credential credential = mint(tree.triage);
    Instant expiry = credential.expiresAt();
    Presentation call = byCaller(credential, tree.triage);

    assertThat(verifier.verify(call, expiry.plusSeconds(29))).isInstanceOf(Accepted.class);
    assertEquals(new Rejected(Reason.EXPIRED, credential.id(), "expired at 2030-01-01T00:05:00Z"),
        verifier.verify(call, expiry.plusSeconds(30)));
    assertEquals(new Rejected(Reason.EXPIRED, credential.id(), "expired at 2030-01-01T00:05:00Z"),
        verifier.verify(call, expiry.plusSeconds(31)));
    assertEquals(new Rejected(Reason.EXPIRED, credential.id(), "expired at 2030-01-01T00:05:00Z"),
        verifier.verify(call, expiry.plus(Duration.ofDays(1))));

    Credential future = broker.issue(tree.triage.request(T0.plusSeconds(31)));
    Presentation early = byCaller(future, tree.triage);
    assertEquals(new Rejected(Reason.ISSUED_IN_FUTURE, future.id(), "issued at 2030-01-01T00:00:31Z, after "
        + "2030-01-01T00:00:00Z plus the allowed skew of PT30S"), verifier.verify(early, T0));
    assertThat(verifier.verify(early, T0.plusSeconds(1))).isInstanceOf(Accepted.class);

    CredentialVerifier strict = CredentialVerifier.builder(broker::jwks, broker.revocations())
        .clockSkew(Duration.ZERO).build();
    assertThat(strict.verify(call, expiry.minusNanos(1))).isInstanceOf(Accepted.class);
    assertEquals(Reason.EXPIRED, rejected(strict.verify(call, expiry)).reason());
    assertEquals(Reason.ISSUED_IN_FUTURE, rejected(strict.verify(early, T0.plusSeconds(30))).reason());
  }

  @Test
  void theSkewIsBoundedToThirtySeconds() {
    CredentialVerifier.Builder builder = CredentialVerifier.builder(broker::jwks, broker.revocations());

    assertThrows(IllegalArgumentException.class, () -> builder.clockSkew(Duration.ofSeconds(31)));
    assertThrows(IllegalArgumentException.class, () -> builder.clockSkew(Duration.ofSeconds(-1)));
    assertEquals(Duration.ofSeconds(30), builder.clockSkew(Duration.ofSeconds(30)).build().clockSkew());
    assertEquals(Duration.ofSeconds(30), verifier.clockSkew());
  }

  @Test
  void theVerifiersClockIsUsedWhenNoTimeIsGiven() {
    Credential credential = mint(tree.triage);
    CredentialVerifier late = CredentialVerifier.builder(broker::jwks, broker.revocations())
        .clock(Clock.fixed(credential.expiresAt().plusSeconds(30), ZoneOffset.UTC)).build();
    CredentialVerifier onTime = CredentialVerifier.builder(broker::jwks, broker.revocations())
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).build();

    assertEquals(Reason.EXPIRED, rejected(late.verify(byCaller(credential, tree.triage))).reason());
    assertThat(onTime.verify(byCaller(credential, tree.triage))).isInstanceOf(Accepted.class);
  }

  @Test
  void aRevokedCredentialIsRefusedByJtiAndByLineage() {
    Credential own = mint(tree.contain1);
    Credential sibling = mint(tree.contain2);
    Presentation ownCall = byCaller(own, tree.contain1);
    Presentation siblingCall = byCaller(sibling, tree.contain2);
    assertThat(verifier.verify(ownCall, T0)).isInstanceOf(Accepted.class);

    broker.revoke(own.id(), T0.plusSeconds(1));

    assertEquals(new Rejected(Reason.REVOKED, own.id(), "revoked at 2030-01-01T00:00:01Z"),
        verifier.verify(ownCall, T0.plusSeconds(2)));
    assertThat(verifier.verify(siblingCall, T0.plusSeconds(2))).isInstanceOf(Accepted.class);

    broker.revokeLineage(tree.commander.id(), T0.plusSeconds(3));

    assertEquals(new Rejected(Reason.REVOKED, sibling.id(), "revoked at 2030-01-01T00:00:03Z"),
        verifier.verify(siblingCall, T0.plusSeconds(4)));
    // Revocation is reported before expiry, so a halted subtree's credentials say why they stopped.
    assertEquals(Reason.REVOKED, rejected(verifier.verify(siblingCall, DEADLINE)).reason());
  }

  @Test
  void aTokenForAnotherToolIsRefused() {
    Credential credential = mint(tree.triage);

    assertEquals(new Rejected(Reason.WRONG_AUDIENCE, credential.id(), "minted for audience edr, presented to tickets"),
        verifier.verify(Presentation.byCaller(credential.token(), TICKETS, ISOLATE, WS1, tree.triage.identity()), T0));
    assertEquals(Reason.WRONG_AUDIENCE, rejected(verifier.verify(
        Presentation.byCaller(credential.token(), "EDR", ISOLATE, WS1, tree.triage.identity()), T0)).reason());
    assertEquals(Reason.WRONG_AUDIENCE, rejected(verifier.verify(
        Presentation.byCaller(credential.token(), "edr ", ISOLATE, WS1, tree.triage.identity()), T0)).reason());
  }

  @Test
  void anotherAgentPresentingASiblingsOrParentsTokenIsNotTheHolder() {
    Credential sibling = mint(tree.contain2);
    Credential parent = mint(tree.triage);

    assertEquals(new Rejected(Reason.WRONG_HOLDER, sibling.id(), "held by " + tree.contain2.identity()
        + ", presented by " + tree.contain1.identity()), verifier.verify(byCaller(sibling, tree.contain1), T0));
    assertEquals(new Rejected(Reason.WRONG_HOLDER, parent.id(), "held by " + tree.triage.identity()
        + ", presented by " + tree.contain1.identity()), verifier.verify(byCaller(parent, tree.contain1), T0));

    String contain1Jkt = tree.contain1.keys().publicKey().thumbprint();
    assertEquals(new Rejected(Reason.WRONG_HOLDER, sibling.id(), "the holder proof is signed by key " + contain1Jkt
        + ", the credential is bound to " + tree.contain2.keys().publicKey().thumbprint()),
        verifier.verify(withProof(sibling, tree.contain1.keys(), T0), T0));
    assertEquals(Reason.WRONG_HOLDER,
        rejected(verifier.verify(withProof(parent, tree.contain1.keys(), T0), T0)).reason());
    assertEquals(Reason.WRONG_HOLDER, rejected(verifier.verify(withProof(parent, attacker, T0), T0)).reason());
  }

  @Test
  void aHolderProofMustBeForThisTokenThisCallAndNow() {
    Credential credential = mint(tree.triage);
    Credential other = mint(tree.triage);
    WorkloadKeys keys = tree.triage.keys();
    String token = credential.token();

    assertThat(verifier.verify(withProof(credential, keys, T0.plusSeconds(100)), T0.plusSeconds(130)))
        .isInstanceOf(Accepted.class);
    assertThat(verifier.verify(withProof(credential, keys, T0.plusSeconds(100)), T0.plusSeconds(70)))
        .isInstanceOf(Accepted.class);
    assertEquals(new Rejected(Reason.WRONG_HOLDER, credential.id(), "the holder proof was made at "
        + "2030-01-01T00:01:40Z, not within PT30S of 2030-01-01T00:02:11Z"),
        verifier.verify(withProof(credential, keys, T0.plusSeconds(100)), T0.plusSeconds(131)));
    assertEquals(Reason.WRONG_HOLDER,
        rejected(verifier.verify(withProof(credential, keys, T0.plusSeconds(100)), T0.plusSeconds(69))).reason());
    assertEquals(new Rejected(Reason.WRONG_HOLDER, credential.id(), "the holder proof was made for another "
        + "credential (ath)"), verifier.verify(Presentation.withProof(token, EDR, ISOLATE, WS1,
        HolderProof.create(keys, other.token(), ISOLATE, WS1, T0)), T0));
    assertEquals(new Rejected(Reason.WRONG_HOLDER, credential.id(), "the holder proof is for host.isolate on "
        + "host:corp/ws-2, the call is host.isolate on host:corp/ws-1"), verifier.verify(
        Presentation.withProof(token, EDR, ISOLATE, WS1, HolderProof.create(keys, token, ISOLATE, "host:corp/ws-2",
            T0)), T0));
    assertEquals(Reason.WRONG_HOLDER, rejected(verifier.verify(Presentation.withProof(token, EDR, ISOLATE, WS1,
        HolderProof.create(keys, token, "host.release", WS1, T0)), T0)).reason());
    assertEquals(new Rejected(Reason.WRONG_HOLDER, credential.id(), "no holder proof"),
        verifier.verify(Presentation.withProof(token, EDR, ISOLATE, WS1, null), T0));
    assertEquals(Reason.WRONG_HOLDER, rejected(verifier.verify(Presentation.withProof(token, EDR, ISOLATE, WS1,
        "not.a.proof"), T0)).reason());
    // A credential is not a proof: wrong typ, and signed by the broker, not the holder.
    assertEquals(Reason.WRONG_HOLDER, rejected(verifier.verify(Presentation.withProof(token, EDR, ISOLATE, WS1,
        other.token()), T0)).reason());
  }

  @Test
  void aHolderProofIsAcceptedOnce() {
    Credential credential = mint(tree.triage);
    String proof = HolderProof.create(tree.triage.keys(), credential.token(), ISOLATE, WS1, T0, "proof-1");
    Presentation call = Presentation.withProof(credential.token(), EDR, ISOLATE, WS1, proof);

    assertThat(verifier.verify(call, T0)).isInstanceOf(Accepted.class);
    assertEquals(new Rejected(Reason.PROOF_REPLAYED, credential.id(), "holder proof proof-1 was already used"),
        verifier.verify(call, T0.plusSeconds(1)));
    assertThat(verifier.verify(Presentation.withProof(credential.token(), EDR, ISOLATE, WS1,
        HolderProof.create(tree.triage.keys(), credential.token(), ISOLATE, WS1, T0, "proof-2")), T0))
        .isInstanceOf(Accepted.class);
  }

  @Test
  void whenTheProofMemoryIsFullOfLiveProofsFurtherProofsAreRefused() {
    Credential credential = mint(tree.triage);
    CredentialVerifier small = CredentialVerifier.builder(broker::jwks, broker.revocations()).proofMemory(2).build();
    WorkloadKeys keys = tree.triage.keys();

    for (String jti : List.of("p1", "p2")) {
      assertThat(small.verify(Presentation.withProof(credential.token(), EDR, ISOLATE, WS1,
          HolderProof.create(keys, credential.token(), ISOLATE, WS1, T0, jti)), T0)).isInstanceOf(Accepted.class);
    }
    Presentation third = Presentation.withProof(credential.token(), EDR, ISOLATE, WS1,
        HolderProof.create(keys, credential.token(), ISOLATE, WS1, T0, "p3"));
    assertEquals(Reason.PROOF_REPLAYED, rejected(small.verify(third, T0)).reason());
    // Once the remembered proofs are too old to replay, they are forgotten.
    Presentation later = Presentation.withProof(credential.token(), EDR, ISOLATE, WS1,
        HolderProof.create(keys, credential.token(), ISOLATE, WS1, T0.plusSeconds(40), "p4"));
    assertThat(small.verify(later, T0.plusSeconds(40))).isInstanceOf(Accepted.class);
  }

  @Test
  void aProofForACredentialBoundToNoKeyIsAMissingBinding() {
    CredentialRequest unbound = new CredentialRequest(tree.triage.id(), tree.triage.identity(), MISSION,
        tree.triage.lineage(), EDR, T0, DEADLINE).withScope(CORP_HOSTS);
    Credential credential = broker.issue(unbound);

    assertEquals(new Rejected(Reason.MISSING_BINDING, credential.id(),
        "a holder proof was offered for a credential bound to no key"),
        verifier.verify(withProof(credential, tree.triage.keys(), T0), T0));
    assertThat(verifier.verify(byCaller(credential, tree.triage), T0)).isInstanceOf(Accepted.class);
  }

  @Test
  void aCallOutsideTheScopeIsRefused() {
    Credential credential = mint(tree.triage);
    String token = credential.token();

    assertThat(verifier.verify(Presentation.byCaller(token, EDR, ISOLATE, "host:corp/fin-ws-01",
        tree.triage.identity()), T0)).isInstanceOf(Accepted.class);
    assertEquals(new Rejected(Reason.OUT_OF_SCOPE, credential.id(),
        "covers [host.isolate] on [host:corp/*], not host.isolate on host:core/dc-01"),
        verifier.verify(Presentation.byCaller(token, EDR, ISOLATE, "host:core/dc-01", tree.triage.identity()), T0));
    assertEquals(Reason.OUT_OF_SCOPE, rejected(verifier.verify(Presentation.byCaller(token, EDR, ISOLATE,
        "host:corp/eu/ws-1", tree.triage.identity()), T0)).reason());
    assertEquals(Reason.OUT_OF_SCOPE, rejected(verifier.verify(Presentation.byCaller(token, EDR, "host.release",
        "host:corp/ws-1", tree.triage.identity()), T0)).reason());

    Credential unscoped = broker.issue(new CredentialRequest(tree.triage.id(), tree.triage.identity(), MISSION,
        tree.triage.lineage(), EDR, T0, DEADLINE));
    assertEquals(Reason.OUT_OF_SCOPE, rejected(verifier.verify(byCaller(unscoped, tree.triage), T0)).reason());
    // The broker's own verify is not told the call, so it does not check scope.
    assertThat(broker.verify(unscoped.token(), EDR, tree.triage.identity(), T0))
        .isInstanceOf(Verification.Valid.class);
  }

  @Test
  void aVerifierExpectsItsIssuer() {
    JwtCredentialBroker elsewhere = JwtCredentialBroker.builder().issuer("https://other.example").build();
    Credential credential = elsewhere.issue(tree.triage.request(T0));
    CredentialVerifier expectingCustos = CredentialVerifier.builder(elsewhere::jwks, elsewhere.revocations()).build();

    assertEquals(new Rejected(Reason.WRONG_ISSUER, credential.id(),
        "issued by 'https://other.example', expected https://custos.local"),
        expectingCustos.verify(byCaller(credential, tree.triage), T0));
    assertThat(CredentialVerifier.forBroker(elsewhere).verify(byCaller(credential, tree.triage), T0))
        .isInstanceOf(Accepted.class);
  }

  // ------------------------------------------------------------------------------------------------ forgeries

  @Test
  void algNoneIsRefused() {
    Credential credential = mint(tree.triage);
    Map<String, Object> header = new LinkedHashMap<>(JwtFixtures.header(credential.token()));
    header.put("alg", "none");
    String[] parts = JwtFixtures.parts(credential.token());
    String unsigned = JwtFixtures.encode(header) + "." + parts[1] + ".";

    assertEquals(new Rejected(Reason.ALG_NOT_ALLOWED, null, "alg 'none' is not allowed, only EdDSA"),
        verifier.verify(forged(unsigned), T0));
    assertEquals(Reason.ALG_NOT_ALLOWED,
        rejected(verifier.verify(forged(JwtFixtures.encode(header) + "." + parts[1] + "." + parts[2]), T0)).reason());
    assertEquals(Reason.MALFORMED,
        rejected(verifier.verify(forged(JwtFixtures.encode(header) + "." + parts[1]), T0)).reason());
  }

  @Test
  void hmacKeyedWithThePublicKeyIsRefused() throws Exception {
    Credential credential = mint(tree.triage);
    String[] parts = JwtFixtures.parts(credential.token());
    String x = broker.jwks().getKeys().get(0).toOctetKeyPair().getX().toString();
    Map<String, Object> header = new LinkedHashMap<>(JwtFixtures.header(credential.token()));
    header.put("alg", "HS256");
    String input = JwtFixtures.encode(header) + "." + parts[1];

    for (byte[] secret : List.of(Base64URL.from(x).decode(), x.getBytes(StandardCharsets.US_ASCII),
        broker.jwks().toString().getBytes(StandardCharsets.UTF_8))) {
      Base64URL mac = new MACSigner(secret).sign(new JWSHeader(JWSAlgorithm.HS256),
          input.getBytes(StandardCharsets.US_ASCII));
      assertEquals(new Rejected(Reason.ALG_NOT_ALLOWED, null, "alg 'HS256' is not allowed, only EdDSA"),
          verifier.verify(forged(input + "." + mac), T0));
    }
  }

  @Test
  void aTokenSignedByAnotherKeyIsRefusedWhateverItsKidSays() {
    Credential credential = mint(tree.triage);
    Map<String, Object> header = new LinkedHashMap<>(JwtFixtures.header(credential.token()));
    Map<String, Object> claims = JwtFixtures.claims(credential.token());

    assertEquals(new Rejected(Reason.BAD_SIGNATURE, null, "the signature does not verify with key "
        + broker.currentKeyId()), verifier.verify(forged(JwtFixtures.signed(header, claims, attacker)), T0));
    header.put("kid", attacker.publicKey().thumbprint());
    assertEquals(new Rejected(Reason.UNKNOWN_KID, null, "no Ed25519 key '" + attacker.publicKey().thumbprint()
        + "' is published"), verifier.verify(forged(JwtFixtures.signed(header, claims, attacker)), T0));
    header.remove("kid");
    assertEquals(new Rejected(Reason.UNKNOWN_KID, null, "the header names no kid"),
        verifier.verify(forged(JwtFixtures.signed(header, claims, attacker)), T0));
  }

  @Test
  void removingTheBindingNeedsAResignatureThatFails() {
    Credential credential = mint(tree.triage);
    Map<String, Object> header = new LinkedHashMap<>(JwtFixtures.header(credential.token()));
    Map<String, Object> claims = new LinkedHashMap<>(JwtFixtures.claims(credential.token()));
    claims.remove("cnf");
    String[] parts = JwtFixtures.parts(credential.token());

    assertEquals(Reason.BAD_SIGNATURE, rejected(verifier.verify(
        forged(parts[0] + "." + JwtFixtures.encode(claims) + "." + parts[2]), T0)).reason());
    assertEquals(Reason.BAD_SIGNATURE,
        rejected(verifier.verify(forged(JwtFixtures.signed(header, claims, attacker)), T0)).reason());
    header.put("kid", attacker.publicKey().thumbprint());
    assertEquals(Reason.UNKNOWN_KID,
        rejected(verifier.verify(forged(JwtFixtures.signed(header, claims, attacker)), T0)).reason());
  }

  @Test
  void wideningTheAuthorizationDetailsBreaksTheSignature() {
    Credential credential = mint(tree.triage);
    Map<String, Object> claims = new LinkedHashMap<>(JwtFixtures.claims(credential.token()));
    claims.put("authorization_details",
        List.of(Map.of("type", "custos_tool", "actions", List.of("host.isolate"), "locations", List.of("**"))));
    String[] parts = JwtFixtures.parts(credential.token());
    String widened = parts[0] + "." + JwtFixtures.encode(claims) + "." + parts[2];

    assertEquals(new Rejected(Reason.BAD_SIGNATURE, null, "the signature does not verify with key "
        + broker.currentKeyId()), verifier.verify(Presentation.byCaller(widened, EDR, ISOLATE, "host:core/dc-01",
        tree.triage.identity()), T0));
  }

  @Test
  void aKeyOfAnotherTypeUnderTheKidIsNotUsed() throws Exception {
    Credential credential = mint(tree.triage);
    String kid = broker.currentKeyId();
    JWKSet hmacUnderKid = JWKSet.parse("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"k\":\""
        + Base64URL.encode(new byte[32]) + "\"}]}");
    CredentialVerifier confused = CredentialVerifier.builder(() -> hmacUnderKid, broker.revocations()).build();

    assertEquals(Reason.UNKNOWN_KID, rejected(confused.verify(byCaller(credential, tree.triage), T0)).reason());
  }

  @Test
  void garbageIsMalformedAndNeverThrows() {
    for (String garbage : List.of("", "a", "a.b", "a.b.c.d", "....", "eyJ.eyJ.", "e30.e30.", "!!.!!.!!",
        "eyJhbGciOiJFZERTQSJ9.e30.AAAA=", "x".repeat(CredentialVerifier.MAX_TOKEN_CHARS + 1))) {
      Verdict verdict = verifier.verify(forged(garbage), T0);
      assertThat(verdict).as(garbage).isInstanceOf(Rejected.class);
      assertThat(((Rejected) verdict).reason()).as(garbage)
          .isIn(Reason.MALFORMED, Reason.ALG_NOT_ALLOWED, Reason.UNKNOWN_KID);
    }
    assertEquals(new Rejected(Reason.MALFORMED, null, "not a credential: no token"),
        verifier.verify(forged(null), T0));
  }

  @Test
  void aSignedTokenWithTheWrongClaimShapesIsMalformed() {
    // The broker never signs these; a verifier must still not trust a shape it did not expect.
    WorkloadKeys signer = WorkloadKeys.generate(JwtFixtures.seeded(99));
    String kid = signer.publicKey().thumbprint();
    JWKSet keys = new JWKSet(Jws.publicJwk(signer.publicKey(), kid));
    CredentialVerifier trusting = CredentialVerifier.builder(() -> keys, broker.revocations()).build();
    Credential credential = mint(tree.triage);
    Map<String, Object> header = new LinkedHashMap<>(JwtFixtures.header(credential.token()));
    header.put("kid", kid);
    Map<String, Object> good = JwtFixtures.claims(credential.token());
    assertThat(trusting.verify(byCaller(JwtFixtures.signed(header, good, signer)), T0)).isInstanceOf(Accepted.class);

    List<Map<String, Object>> bad = List.of(
        with(good, "aud", List.of(EDR, TICKETS)),
        with(good, "custos_lineage", List.of()),
        with(good, "custos_lineage", "a1"),
        with(good, "authorization_details", List.of()),
        with(good, "authorization_details", List.of(Map.of("type", "other", "actions", List.of(), "locations",
            List.of()))),
        with(good, "authorization_details", List.of(Map.of("type", "custos_tool", "actions", List.of(ISOLATE),
            "locations", List.of("host:**/x")))),
        with(good, "act", Map.of("sub", "not a spiffe id")),
        with(good, "act", Map.of("sub", tree.commander.identity().toString(), "act",
            Map.of("sub", tree.commander.identity().toString()))),
        with(good, "act", "spiffe://corp.example/mission/m1/agent/commander"),
        with(good, "cnf", Map.of("jwk", "x")),
        with(good, "mission", 7L),
        with(good, "sub", "https://not.spiffe"),
        with(good, "exp", null),
        with(good, "jti", null));
    for (Map<String, Object> claims : bad) {
      Verdict verdict = trusting.verify(byCaller(JwtFixtures.signed(header, claims, signer)), T0);
      assertThat(verdict).as(claims.toString()).isInstanceOf(Rejected.class);
      assertEquals(Reason.MALFORMED, ((Rejected) verdict).reason(), claims.toString());
    }
    Map<String, Object> typed = new LinkedHashMap<>(header);
    typed.put("typ", "JWT");
    assertEquals(new Rejected(Reason.MALFORMED, null, "typ is not custos-cred+jwt"),
        trusting.verify(byCaller(JwtFixtures.signed(typed, good, signer)), T0));
    Map<String, Object> critical = new LinkedHashMap<>(header);
    critical.put("crit", List.of("b64"));
    critical.put("b64", false);
    assertEquals(new Rejected(Reason.MALFORMED, null, "the header has critical extensions"),
        trusting.verify(byCaller(JwtFixtures.signed(critical, good, signer)), T0));
  }

  // ------------------------------------------------------------------------------------------------ the cache

  @Test
  void aRepeatedPresentationSkipsTheSignatureButNotRevocationExpiryAudienceOrBinding() {
    AtomicInteger jwksReads = new AtomicInteger();
    Supplier<JWKSet> counting = () -> {
      jwksReads.incrementAndGet();
      return broker.jwks();
    };
    CredentialVerifier cached = CredentialVerifier.builder(counting, broker.revocations()).build();
    Credential first = mint(tree.contain1);
    Credential second = mint(tree.contain2);
    Presentation firstCall = byCaller(first, tree.contain1);

    assertThat(cached.verify(firstCall, T0)).isInstanceOf(Accepted.class);
    assertEquals(1, cached.signatureChecks());
    for (int i = 1; i <= 5; i++) {
      assertThat(cached.verify(firstCall, T0.plusSeconds(i))).isInstanceOf(Accepted.class);
    }
    assertThat(cached.verify(withProof(first, tree.contain1.keys(), T0), T0)).isInstanceOf(Accepted.class);
    assertEquals(1, cached.signatureChecks());
    assertEquals(Reason.WRONG_AUDIENCE, rejected(cached.verify(Presentation.byCaller(first.token(), TICKETS, ISOLATE,
        WS1, tree.contain1.identity()), T0)).reason());
    assertEquals(Reason.WRONG_HOLDER, rejected(cached.verify(byCaller(first, tree.contain2), T0)).reason());
    assertEquals(Reason.OUT_OF_SCOPE, rejected(cached.verify(Presentation.byCaller(first.token(), EDR, ISOLATE,
        "host:core/dc-01", tree.contain1.identity()), T0)).reason());
    assertEquals(1, cached.signatureChecks());

    broker.revoke(first.id(), T0.plusSeconds(6));
    assertEquals(Reason.REVOKED, rejected(cached.verify(firstCall, T0.plusSeconds(6))).reason());

    Presentation secondCall = byCaller(second, tree.contain2);
    assertThat(cached.verify(secondCall, T0)).isInstanceOf(Accepted.class);
    assertEquals(2, cached.signatureChecks());
    assertEquals(Reason.EXPIRED, rejected(cached.verify(secondCall, second.expiresAt().plusSeconds(30))).reason());
    broker.revokeLineage(tree.triage.id(), T0.plusSeconds(7));
    assertEquals(Reason.REVOKED, rejected(cached.verify(secondCall, T0.plusSeconds(7))).reason());
    assertEquals(2, cached.signatureChecks());
    assertThat(jwksReads.get()).isEqualTo(14);
  }

  @Test
  void theCacheIsBoundedAndEvictionKeepsAnswersRight() {
    CredentialVerifier small = CredentialVerifier.builder(broker::jwks, broker.revocations()).cacheSize(4).build();
    List<Credential> credentials = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      credentials.add(mint(tree.comms));
    }
    for (int round = 0; round < 2; round++) {
      for (Credential credential : credentials) {
        assertThat(small.verify(byCaller(credential, tree.comms), T0)).isInstanceOf(Accepted.class);
      }
    }
    assertThat(small.signatureChecks()).isBetween(11L, 20L);

    CredentialVerifier none = CredentialVerifier.builder(broker::jwks, broker.revocations()).cacheSize(0).build();
    for (int i = 0; i < 3; i++) {
      assertThat(none.verify(byCaller(credentials.get(0), tree.comms), T0)).isInstanceOf(Accepted.class);
    }
    assertEquals(3, none.signatureChecks());
  }

  @Test
  void theScopeRecordRefusesDuplicatesAndBlanks() {
    assertThrows(IllegalArgumentException.class, () -> CredentialScope.of(ISOLATE, "host:a", "host:a"));
    assertThrows(IllegalArgumentException.class,
        () -> new CredentialScope(List.of(ISOLATE, ISOLATE), List.of(Pattern.parse("host:a"))));
    assertThrows(IllegalArgumentException.class, () -> CredentialScope.of(" ", "host:a"));
    assertThrows(IllegalArgumentException.class, () -> CredentialScope.of(ISOLATE, "host:**/x"));
  }

  private Presentation forged(String token) {
    return Presentation.byCaller(token, EDR, ISOLATE, WS1, tree.triage.identity());
  }

  private Presentation byCaller(String token) {
    return Presentation.byCaller(token, EDR, ISOLATE, WS1, tree.triage.identity());
  }

  private static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
    Map<String, Object> changed = new LinkedHashMap<>(claims);
    if (value == null) {
      changed.remove(name);
    } else {
      changed.put(name, value);
    }
    return changed;
  }
}
