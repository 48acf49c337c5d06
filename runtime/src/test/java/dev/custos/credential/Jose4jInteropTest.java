package dev.custos.credential;

import static dev.custos.credential.JwtFixtures.EDR;
import static dev.custos.credential.JwtFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.credential.JwtFixtures.Tree;
import java.util.List;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.Test;

/** A second JOSE stack (jose4j, on the JDK's Ed25519) verifies the broker's credentials from its published JWKS. */
class Jose4jInteropTest {

  private final Tree tree = new Tree(JwtFixtures.seeded(31));
  private final JwtCredentialBroker broker = JwtFixtures.broker(32);

  @Test
  void jose4jVerifiesTheSignatureWithTheKeyTheJwksNames() throws Exception {
    Credential credential = broker.issue(tree.contain1.request(T0));
    JsonWebKeySet jwks = new JsonWebKeySet(broker.jwks().toString());

    JsonWebSignature jws = new JsonWebSignature();
    jws.setAlgorithmConstraints(
        new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "EdDSA"));
    jws.setCompactSerialization(credential.token());
    JsonWebKey key = jwks.getJsonWebKeys().stream()
        .filter(k -> k.getKeyId().equals(jws.getKeyIdHeaderValue()))
        .findFirst().orElseThrow();
    jws.setKey(key.getKey());

    assertEquals("OKP", key.getKeyType());
    assertTrue(jws.verifySignature());
    JwtClaims claims = JwtClaims.parse(jws.getPayload());
    assertEquals("https://custos.local", claims.getIssuer());
    assertEquals(tree.contain1.identity().toString(), claims.getSubject());
    assertEquals(List.of(EDR), claims.getAudience());
    assertEquals(credential.id(), claims.getJwtId());
    assertEquals(T0.getEpochSecond(), claims.getIssuedAt().getValue());
    assertEquals(credential.expiresAt().getEpochSecond(), claims.getExpirationTime().getValue());
    assertEquals("m1", claims.getStringClaimValue("mission"));
    assertEquals(List.of("a1", "a2", "a4"), claims.getStringListClaimValue("custos_lineage"));
    assertEquals(Map.of("jkt", tree.contain1.keys().publicKey().thumbprint()), claims.getClaimValue("cnf"));
    assertEquals(List.of(Map.of("type", "custos_tool", "actions", List.of("host.isolate"),
        "locations", List.of("host:corp/*"))), claims.getClaimValue("authorization_details"));
  }

  @Test
  void jose4jsConsumerAcceptsItAndRefusesATamperedOne() throws Exception {
    Credential credential = broker.issue(tree.triage.request(T0));
    broker.rotate(T0);
    JsonWebKeySet jwks = new JsonWebKeySet(broker.jwks().toString());
    JwtConsumer consumer = new JwtConsumerBuilder()
        .setJwsAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "EdDSA"))
        .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
        .setExpectedIssuer("https://custos.local")
        .setExpectedAudience(EDR)
        .setExpectedType(true, "custos-cred+jwt")
        .setRequireJwtId()
        .setRequireExpirationTime()
        .setRequireSubject()
        .setEvaluationTime(NumericDate.fromSeconds(T0.getEpochSecond() + 60))
        .build();

    JwtClaims claims = consumer.processToClaims(credential.token());
    assertEquals(tree.triage.identity().toString(), claims.getSubject());
    assertEquals(Map.of("sub", tree.commander.identity().toString()), claims.getClaimValue("act"));

    String[] parts = JwtFixtures.parts(credential.token());
    Map<String, Object> widened = new java.util.LinkedHashMap<>(JwtFixtures.claims(credential.token()));
    widened.put("authorization_details", List.of(Map.of("type", "custos_tool", "actions", List.of("host.isolate"),
        "locations", List.of("**"))));
    String tampered = parts[0] + "." + JwtFixtures.encode(widened) + "." + parts[2];
    assertThrows(InvalidJwtException.class, () -> consumer.processToClaims(tampered));
    JwtConsumer otherTool = new JwtConsumerBuilder()
        .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
        .setExpectedAudience("tickets")
        .setEvaluationTime(NumericDate.fromSeconds(T0.getEpochSecond() + 60))
        .build();
    assertThrows(InvalidJwtException.class, () -> otherTool.processToClaims(credential.token()));
    assertFalse(broker.jwks().toString().contains("\"d\""));
  }
}
