package dev.custos.credential;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.identity.WorkloadKeys;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A delegation tree, a broker and token surgery shared by the JWT credential tests. */
final class JwtFixtures {

  static final MissionId MISSION = new MissionId("m1");
  static final String TRUST_DOMAIN = "corp.example";
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
  static final Duration LIFETIME = Duration.ofMinutes(5);
  /** The tool audience of the EDR connector, whose tool is {@link #ISOLATE}. */
  static final String EDR = "edr";
  static final String ISOLATE = "host.isolate";
  static final String TICKETS = "tickets";
  static final CredentialScope CORP_HOSTS = CredentialScope.of(ISOLATE, "host:corp/*");

  private JwtFixtures() {}

  /** A deterministic SecureRandom: the same seed gives the same keys and ids. */
  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static JwtCredentialBroker broker(long seed) {
    return JwtCredentialBroker.builder().lifetime(LIFETIME).random(seeded(seed)).build();
  }

  /** An agent with its own keys; ids a1, a2... are given by the caller, paths follow the tree. */
  record Agent(AgentId id, SpiffeId identity, List<AgentId> lineage, List<SpiffeId> identities, WorkloadKeys keys) {

    static Agent root(String id, String role, SecureRandom random) {
      AgentId agent = new AgentId(id);
      SpiffeId identity = SpiffeId.forAgent(TRUST_DOMAIN, MISSION, role);
      return new Agent(agent, identity, List.of(agent), List.of(identity), WorkloadKeys.generate(random));
    }

    Agent child(String id, String role, SecureRandom random) {
      AgentId child = new AgentId(id);
      SpiffeId childIdentity = SpiffeId.forAgent(TRUST_DOMAIN, MISSION, identity.agentPath().orElseThrow() + "/" + role);
      List<AgentId> childLineage = new ArrayList<>(lineage);
      childLineage.add(child);
      List<SpiffeId> childIdentities = new ArrayList<>(identities);
      childIdentities.add(childIdentity);
      return new Agent(child, childIdentity, childLineage, childIdentities, WorkloadKeys.generate(random));
    }

    /** A request bound to this agent's key, for {@code audience} with {@code scope}. */
    CredentialRequest request(String audience, CredentialScope scope, Instant now, Instant notAfter) {
      return new CredentialRequest(id, identity, MISSION, lineage, audience, now, notAfter)
          .withScope(scope)
          .withHolderKey(keys.publicKey());
    }

    CredentialRequest request(Instant now) {
      return request(EDR, CORP_HOSTS, now, DEADLINE);
    }
  }

  /**
   * commander (a1)
   *   triage (a2)
   *     contain-1 (a4)
   *     contain-2 (a5)
   *   comms (a3)
   */
  static final class Tree {
    final Agent commander;
    final Agent triage;
    final Agent comms;
    final Agent contain1;
    final Agent contain2;

    Tree(SecureRandom random) {
      commander = Agent.root("a1", "commander", random);
      triage = commander.child("a2", "triage", random);
      comms = commander.child("a3", "comms", random);
      contain1 = triage.child("a4", "contain-1", random);
      contain2 = triage.child("a5", "contain-2", random);
    }
  }

  /** The three parts of a compact JWS. */
  static String[] parts(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new AssertionError("not a compact JWS");
    }
    return parts;
  }

  static Map<String, Object> json(String part) {
    try {
      return JSONObjectUtils.parse(new String(Base64URL.from(part).decode(), StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, Object> header(String token) {
    return json(parts(token)[0]);
  }

  static Map<String, Object> claims(String token) {
    return json(parts(token)[1]);
  }

  static String encode(Map<String, Object> json) {
    return Base64URL.encode(JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** {@code header.payload.} signed by {@code keys} as an attacker would: an EdDSA signature of the first two parts. */
  static String signed(Map<String, Object> header, Map<String, Object> claims, WorkloadKeys keys) {
    String input = encode(header) + "." + encode(claims);
    return input + "." + Base64URL.encode(keys.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }
}
