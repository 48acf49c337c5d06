package dev.custos.credential;

import static dev.custos.credential.JwtFixtures.CORP_HOSTS;
import static dev.custos.credential.JwtFixtures.DEADLINE;
import static dev.custos.credential.JwtFixtures.EDR;
import static dev.custos.credential.JwtFixtures.ISOLATE;
import static dev.custos.credential.JwtFixtures.LIFETIME;
import static dev.custos.credential.JwtFixtures.MISSION;
import static dev.custos.credential.JwtFixtures.T0;
import static dev.custos.credential.JwtFixtures.TICKETS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.custos.credential.JwtFixtures.Agent;
import dev.custos.credential.JwtFixtures.Tree;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.credential.Verification.Valid;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JwtCredentialBrokerTest {

  private final Tree tree = new Tree(JwtFixtures.seeded(7));
  private final JwtCredentialBroker broker = JwtFixtures.broker(11);

  @Test
  void aMintedCredentialVerifiesForItsHolderAndAudienceOnly() {
    Credential credential = broker.issue(tree.contain1.request(T0));

    assertEquals(new Valid(credential), broker.verify(credential.token(), EDR, tree.contain1.identity(), T0));
    assertEquals(new Valid(credential),
        broker.verify(credential.token(), EDR, tree.contain1.identity(), T0.plus(LIFETIME).minusNanos(1)));
    assertEquals(new Rejected(Reason.EXPIRED, credential.id(), "expired at 2030-01-01T00:05:00Z"),
        broker.verify(credential.token(), EDR, tree.contain1.identity(), T0.plus(LIFETIME)));
    assertEquals(new Rejected(Reason.WRONG_AUDIENCE, credential.id(), "minted for audience edr, presented to tickets"),
        broker.verify(credential.token(), TICKETS, tree.contain1.identity(), T0));
    assertEquals(new Rejected(Reason.WRONG_HOLDER, credential.id(), "held by " + tree.contain1.identity()
        + ", presented by " + tree.triage.identity()),
        broker.verify(credential.token(), EDR, tree.triage.identity(), T0));
    assertEquals(new Rejected(Reason.WRONG_HOLDER, credential.id(), "held by " + tree.contain1.identity()
        + ", presented by null"), broker.verify(credential.token(), EDR, null, T0));
    assertEquals(new Rejected(Reason.MALFORMED, null, "not a credential: no token"),
        broker.verify(null, EDR, tree.contain1.identity(), T0));
    assertEquals(List.of(credential), broker.issued());
    assertEquals(Optional.of(credential), broker.byId(credential.id()));
    assertThat(credential.id()).matches("[A-Za-z0-9_-]{22}");
    assertThat(credential.toString()).doesNotContain(credential.token());
  }

  @Test
  void theClaimsAreExactlyTheSpecifiedOnes() {
    Instant now = T0.plusMillis(1_500);
    Credential credential = broker.issue(tree.contain1.request(now));

    Map<String, Object> grandparent = Map.of("sub", "spiffe://corp.example/mission/m1/agent/commander");
    Map<String, Object> act = Map.of("sub", "spiffe://corp.example/mission/m1/agent/commander/triage",
        "act", grandparent);
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("iss", "https://custos.local");
    expected.put("sub", "spiffe://corp.example/mission/m1/agent/commander/triage/contain-1");
    expected.put("aud", "edr");
    expected.put("iat", T0.getEpochSecond() + 1);
    expected.put("nbf", T0.getEpochSecond() + 1);
    expected.put("exp", T0.getEpochSecond() + 301);
    expected.put("jti", credential.id());
    expected.put("mission", "m1");
    expected.put("authorization_details",
        List.of(Map.of("type", "custos_tool", "actions", List.of("host.isolate"), "locations", List.of("host:corp/*"))));
    expected.put("act", act);
    expected.put("cnf", Map.of("jkt", tree.contain1.keys().publicKey().thumbprint()));
    expected.put("custos_lineage", List.of("a1", "a2", "a4"));
    assertEquals(expected, JwtFixtures.claims(credential.token()));
    assertEquals(Map.of("alg", "EdDSA", "kid", broker.currentKeyId(), "typ", "custos-cred+jwt"),
        JwtFixtures.header(credential.token()));
    assertEquals(Instant.parse("2030-01-01T00:00:01Z"), credential.issuedAt());
    assertEquals(Instant.parse("2030-01-01T00:05:01Z"), credential.expiresAt());
  }

  @Test
  void aRootAgentsCredentialHasNoActAndAnUnboundOneNoCnf() {
    CredentialRequest unbound = new CredentialRequest(tree.commander.id(), tree.commander.identity(), MISSION,
        tree.commander.lineage(), TICKETS, T0, DEADLINE);
    Credential credential = broker.issue(unbound);

    Map<String, Object> claims = JwtFixtures.claims(credential.token());
    assertThat(claims).doesNotContainKeys("act", "cnf");
    assertEquals(List.of(Map.of("type", "custos_tool", "actions", List.of(), "locations", List.of())),
        claims.get("authorization_details"));
    assertEquals(List.of("a1"), claims.get("custos_lineage"));
  }

  @Test
  void theSevenArgumentRequestDerivesTheLineagesIdentitiesFromTheAgentPath() {
    CredentialRequest request = new CredentialRequest(tree.contain1.id(), tree.contain1.identity(), MISSION,
        tree.contain1.lineage(), EDR, T0, DEADLINE);

    assertEquals(tree.contain1.identities(), request.lineageIdentities());
    assertEquals(Optional.empty(), request.holderKey());
    assertEquals(CredentialScope.NONE, request.scope());
    Credential credential = broker.issue(request);
    assertEquals(Map.of("sub", "spiffe://corp.example/mission/m1/agent/commander/triage",
        "act", Map.of("sub", "spiffe://corp.example/mission/m1/agent/commander")),
        JwtFixtures.claims(credential.token()).get("act"));
  }

  @Test
  void aRequestWhoseLineageIdentitiesCannotBeKnownIsRefused() {
    SpiffeId odd = SpiffeId.parse("spiffe://corp.example/workload/x");
    CredentialRequest request = new CredentialRequest(tree.triage.id(), odd, MISSION, tree.triage.lineage(), EDR, T0,
        DEADLINE);
    assertEquals(List.of(), request.lineageIdentities());

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> broker.issue(request));
    assertThat(refused.getMessage()).contains("act claim needs the SPIFFE IDs of the lineage [a1, a2]");
    assertEquals(List.of(), broker.issued());
    assertThrows(IllegalArgumentException.class,
        () -> request.withLineageIdentities(List.of(tree.commander.identity(), tree.triage.identity())));
    assertThrows(IllegalArgumentException.class, () -> request.withLineageIdentities(List.of(odd)));
  }

  @Test
  void theLifetimeIsTheShorterOfTheTtlAndTheDeadlineAndNothingIsMintedPastTheDeadline() {
    Credential capped = broker.issue(tree.triage.request(EDR, CORP_HOSTS, T0, T0.plusSeconds(90).plusMillis(700)));
    Credential full = broker.issue(tree.triage.request(T0));

    assertEquals(T0.plusSeconds(90), capped.expiresAt());
    assertEquals(T0.plus(LIFETIME), full.expiresAt());
    assertThrows(IllegalArgumentException.class,
        () -> broker.issue(tree.triage.request(EDR, CORP_HOSTS, T0, T0)));
    JwtCredentialBroker shortLived = JwtCredentialBroker.builder().lifetime(Duration.ofSeconds(30)).build();
    assertEquals(T0.plusSeconds(30), shortLived.issue(tree.triage.request(T0)).expiresAt());
  }

  @Test
  void revokingOneCredentialOrALineageIsVisibleAtOnceAndKeepsTheEarliestTime() {
    Credential own = broker.issue(tree.contain1.request(T0));
    Credential sibling = broker.issue(tree.contain2.request(T0));
    Credential cousin = broker.issue(tree.comms.request(T0));

    assertTrue(broker.revoke(own.id(), T0.plusSeconds(5)));
    assertFalse(broker.revoke("no-such-id", T0));
    assertEquals(new Rejected(Reason.REVOKED, own.id(), "revoked at 2030-01-01T00:00:05Z"),
        broker.verify(own.token(), EDR, tree.contain1.identity(), T0.plusSeconds(6)));
    assertEquals(new Valid(sibling), broker.verify(sibling.token(), EDR, tree.contain2.identity(), T0.plusSeconds(6)));

    broker.revokeLineage(tree.triage.id(), T0.plusSeconds(3));
    broker.revokeLineage(tree.triage.id(), T0.plusSeconds(9));
    assertEquals(new Rejected(Reason.REVOKED, own.id(), "revoked at 2030-01-01T00:00:03Z"),
        broker.verify(own.token(), EDR, tree.contain1.identity(), T0.plusSeconds(10)));
    assertEquals(new Rejected(Reason.REVOKED, sibling.id(), "revoked at 2030-01-01T00:00:03Z"),
        broker.verify(sibling.token(), EDR, tree.contain2.identity(), T0.plusSeconds(10)));
    assertEquals(new Valid(cousin), broker.verify(cousin.token(), EDR, tree.comms.identity(), T0.plusSeconds(10)));
    assertEquals(Optional.of(T0.plusSeconds(3)), broker.revokedAt(own.id()));
    assertEquals(Optional.empty(), broker.revokedAt(cousin.id()));
    assertEquals(Map.of(own.id(), T0.plusSeconds(5)), broker.revocations().revokedCredentials());
    assertEquals(Map.of(tree.triage.id(), T0.plusSeconds(3)), broker.revocations().revokedAgents());

    // A credential minted later for the revoked subtree is revoked from the start.
    Credential late = broker.issue(tree.contain2.request(T0.plusSeconds(20)));
    assertEquals(new Rejected(Reason.REVOKED, late.id(), "revoked at 2030-01-01T00:00:03Z"),
        broker.verify(late.token(), EDR, tree.contain2.identity(), T0.plusSeconds(20)));
  }

  @Test
  void activeCountIsZeroAfterTheLineageIsRevoked() {
    broker.issue(tree.contain1.request(T0));
    broker.issue(tree.contain1.request(EDR, CORP_HOSTS, T0, T0.plusSeconds(60)));
    broker.issue(tree.contain1.request(TICKETS, CredentialScope.of("ticket.open", "ticket:*"), T0, DEADLINE));
    broker.issue(tree.triage.request(T0));

    assertEquals(3, broker.activeCount(tree.contain1.id(), T0));
    assertEquals(2, broker.activeCount(tree.contain1.id(), T0.plusSeconds(60)));
    assertEquals(1, broker.activeCount(tree.triage.id(), T0));

    broker.revokeLineage(tree.triage.id(), T0.plusSeconds(1));

    assertEquals(0, broker.activeCount(tree.contain1.id(), T0.plusSeconds(1)));
    assertEquals(0, broker.activeCount(tree.triage.id(), T0.plusSeconds(1)));
    assertEquals(0, broker.activeCount(new AgentId("nobody"), T0));
  }

  @Test
  void containsCredentialFindsAnIssuedTokenInsideTextAndNothingElse() {
    Credential credential = broker.issue(tree.contain1.request(T0));
    String token = credential.token();
    Credential afterRotation;
    broker.rotate(T0);
    afterRotation = broker.issue(tree.triage.request(T0));

    assertTrue(broker.containsCredential(token));
    assertTrue(broker.containsCredential("Authorization: Bearer " + token + "\n"));
    assertTrue(broker.containsCredential("eyJ" + "note: " + token + "eyJabc"));
    assertTrue(broker.containsCredential("{\"fact\":\"" + afterRotation.token() + "\"}"));
    assertTrue(broker.containsCredential("x" + token + "trailing-base64url-text"));
    assertFalse(broker.containsCredential(token.substring(0, token.length() - 1)));
    assertFalse(broker.containsCredential(token.substring(1)));
    String[] parts = JwtFixtures.parts(token);
    assertFalse(broker.containsCredential(parts[0] + "." + parts[1] + "." + "A".repeat(86)));
    assertFalse(broker.containsCredential(null));
    assertFalse(broker.containsCredential(""));
    assertFalse(broker.containsCredential("eyJ"));
  }

  @Test
  void credentialIdsInNamesEachIssuedTokenOnceInOrderAndNothingForAForgedJti() {
    Credential first = broker.issue(tree.contain1.request(T0));
    broker.rotate(T0);
    Credential second = broker.issue(tree.triage.request(T0));
    String[] parts = JwtFixtures.parts(first.token());

    assertEquals(List.of(second.id(), first.id()), broker.credentialIdsIn("use " + second.token() + " or "
        + first.token() + ", then " + second.token() + " again"));
    assertEquals(List.of(first.id()), broker.credentialIdsIn("Authorization: Bearer " + first.token() + "\n"));
    assertEquals(first.id(), JwtFixtures.claims(first.token()).get("jti"), "the id is the token's jti");
    // A token whose payload names another jti is not one this broker issued: not named, whatever its claim says.
    String forged = parts[0] + "." + JwtFixtures.encode(Map.of("jti", second.id())) + "." + parts[2];
    assertEquals(List.of(), broker.credentialIdsIn(forged));
    assertEquals(List.of(), broker.credentialIdsIn(first.token().substring(1)));
    assertEquals(List.of(), broker.credentialIdsIn(null));
    assertEquals(List.of(), broker.credentialIdsIn(""));
  }

  @Test
  void rotationKeepsOldKeysPublishedUntilTheirLastCredentialExpiredPlusTheGrace() {
    JwtCredentialBroker rotating = JwtCredentialBroker.builder().lifetime(LIFETIME).random(JwtFixtures.seeded(3))
        .clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    String first = rotating.currentKeyId();
    Credential old = rotating.issue(tree.triage.request(T0));
    String second = rotating.rotate(T0.plusSeconds(60));
    Credential fresh = rotating.issue(tree.triage.request(T0.plusSeconds(60)));
    CredentialVerifier verifier = CredentialVerifier.forBroker(rotating);

    assertEquals(first, JwtFixtures.header(old.token()).get("kid"));
    assertEquals(second, JwtFixtures.header(fresh.token()).get("kid"));
    assertEquals(List.of(second, first), kids(rotating.jwks(T0.plusSeconds(60))));
    Presentation old4Min = Presentation.byCaller(old.token(), EDR, ISOLATE, "host:corp/ws-1", tree.triage.identity());
    assertThat(verifier.verify(old4Min, T0.plusSeconds(240))).isInstanceOf(Verdict.Accepted.class);

    Instant oldExpiry = old.expiresAt();
    assertEquals(List.of(second, first), kids(rotating.jwks(oldExpiry.plusSeconds(29))));
    assertThat(verifier.verify(old4Min, oldExpiry.plusSeconds(29))).isInstanceOf(Verdict.Accepted.class);
    assertEquals(List.of(second), kids(rotating.jwks(oldExpiry.plusSeconds(30))));
    assertEquals(List.of(second), kids(rotating.jwks()));
    assertEquals(new Rejected(Reason.UNKNOWN_KID, old.id(), "signing key " + first + " is no longer published"),
        verifier.verify(old4Min, oldExpiry.plusSeconds(30)));
    assertEquals(new Rejected(Reason.UNKNOWN_KID, null, "no Ed25519 key '" + first + "' is published"),
        CredentialVerifier.forBroker(rotating).verify(old4Min, oldExpiry.plusSeconds(30)));
    Presentation freshCall = Presentation.byCaller(fresh.token(), EDR, ISOLATE, "host:corp/ws-1",
        tree.triage.identity());
    assertThat(verifier.verify(freshCall, oldExpiry.plusSeconds(30))).isInstanceOf(Verdict.Accepted.class);

    // A key that signed nothing leaves at once.
    String third = rotating.rotate();
    String fourth = rotating.rotate();
    assertEquals(List.of(fourth, second), kids(rotating.jwks()));
    assertThat(third).isNotEqualTo(fourth);
  }

  @Test
  void rotateIfOlderThanRotatesOnScheduleOnly() {
    JwtCredentialBroker rotating = JwtCredentialBroker.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    String first = rotating.currentKeyId();

    assertFalse(rotating.rotateIfOlderThan(Duration.ofHours(1), T0.plus(Duration.ofMinutes(59))));
    assertEquals(first, rotating.currentKeyId());
    assertTrue(rotating.rotateIfOlderThan(Duration.ofHours(1), T0.plus(Duration.ofHours(1))));
    String second = rotating.currentKeyId();
    assertThat(second).isNotEqualTo(first);
    assertFalse(rotating.rotateIfOlderThan(Duration.ofHours(1), T0.plus(Duration.ofMinutes(119))));
    assertTrue(rotating.rotateIfOlderThan(Duration.ofHours(1), T0.plus(Duration.ofHours(2))));
    assertThrows(IllegalArgumentException.class, () -> rotating.rotateIfOlderThan(Duration.ZERO, T0));
  }

  @Test
  void theJwksHoldsPublicEd25519KeysNamedByTheirRfc7638Thumbprint() throws Exception {
    broker.issue(tree.triage.request(T0));
    broker.rotate(T0);

    assertFalse(broker.jwks().containsNonPublicKeys());
    assertThat(broker.jwks().toString()).doesNotContain("\"d\"");
    for (JWK jwk : broker.jwks().getKeys()) {
      OctetKeyPair okp = (OctetKeyPair) jwk;
      assertEquals(okp.computeThumbprint().toString(), okp.getKeyID());
      assertEquals(Map.of("kty", "OKP", "crv", "Ed25519", "x", okp.getX().toString(), "kid", okp.getKeyID(),
          "use", "sig", "alg", "EdDSA"), okp.toJSONObject());
    }
  }

  @Test
  void nothingPrintsAToken() {
    Credential credential = broker.issue(tree.contain1.request(T0));
    Presentation presentation = Presentation.withProof(credential.token(), EDR, ISOLATE, "host:corp/ws-1",
        HolderProof.create(tree.contain1.keys(), credential.token(), ISOLATE, "host:corp/ws-1", T0));
    CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
    verifier.verify(presentation, T0);

    for (String shown : List.of(broker.toString(), credential.toString(), presentation.toString(),
        verifier.toString(), broker.jwks().toString(), broker.revocations().toString())) {
      assertThat(shown).doesNotContain(credential.token()).doesNotContain(JwtFixtures.parts(credential.token())[2]);
    }
  }

  @Test
  void aSeededBrokerMintsTheSameTokens() {
    JwtCredentialBroker again = JwtFixtures.broker(11);

    assertEquals(broker.issue(tree.contain1.request(T0)).token(), again.issue(tree.contain1.request(T0)).token());
    assertEquals(broker.currentKeyId(), again.currentKeyId());
  }

  private static List<String> kids(com.nimbusds.jose.jwk.JWKSet set) {
    return set.getKeys().stream().map(JWK::getKeyID).toList();
  }

  @Test
  void theRuntimesRequestsStillWork() {
    Agent supervisorLike = Agent.root("supervisor", "supervisor", JwtFixtures.seeded(5));
    SpiffeId supervisorId = SpiffeId.parse("spiffe://corp.example/mission/m1/supervisor");
    CredentialRequest request = new CredentialRequest(supervisorLike.id(), supervisorId, MISSION,
        List.of(supervisorLike.id()), EDR, T0, T0.plus(Duration.ofMinutes(5)));

    Credential credential = broker.issue(request);

    assertEquals(new Valid(credential), broker.verify(credential.token(), EDR, supervisorId, T0));
    assertEquals(supervisorId.toString(), JwtFixtures.claims(credential.token()).get("sub"));
  }
}
