package dev.custos.bench;

import static dev.custos.bench.SocCommander.expect;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialRequest;
import dev.custos.credential.CredentialScope;
import dev.custos.credential.CredentialVerifier;
import dev.custos.credential.JwtCredentialBroker;
import dev.custos.credential.Presentation;
import dev.custos.credential.Verdict;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import dev.custos.identity.WorkloadKeys;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JWT credentials ({@link JwtCredentialBroker}, {@link CredentialVerifier}) next to bare Nimbus JOSE+JWT doing the
 * same JOSE work, in the same run:
 *
 * <ul>
 *   <li>{@code mint}: {@link JwtCredentialBroker#issue} of a realistic request: an agent at depth 2
 *       ({@code commander/triage/contain-1}) with its lineage's SPIFFE IDs (so the token carries a two-level
 *       {@code act} chain), bound to its own Ed25519 key ({@code cnf.jkt}), scoped to one tool on two resource
 *       patterns. {@code rawNimbusSign}: a {@link SignedJWT} of the same header shape and an equal
 *       {@link JWTClaimsSet} (read back from a broker token), signed and serialised.
 *   <li>{@code verifyCold}: the first verification of a token, by a {@link CredentialVerifier} that has never seen
 *       it (every invocation verifies another token of a pre-minted pool, so the cache never hits).
 *       {@code rawNimbusVerify}: {@link SignedJWT#parse}, {@link SignedJWT#verify} and
 *       {@link SignedJWT#getJWTClaimsSet} of the same kind of token.
 *   <li>{@code verifyCached}: the same token presented again to the verifier that already verified it (a cache hit).
 *   <li>{@code revokeLineage10k}: {@link JwtCredentialBroker#revokeLineage} of the root of a subtree whose 10,000
 *       agents each hold a credential. Revocation is one-way, so every iteration gets a fresh broker that mints the
 *       10,000 credentials (setup), and one revocation is timed ({@link Mode#SingleShotTime}). Teardown checks that
 *       every one of the 10,000 tokens is then rejected as {@code REVOKED}.
 * </ul>
 *
 * <p><b>The signer.</b> The broker signs EdDSA (Ed25519) with BouncyCastle ({@link WorkloadKeys#sign}) behind Nimbus'
 * {@link JWSSigner} interface. Nimbus' own {@code Ed25519Signer}/{@code Ed25519Verifier} need Google Tink, which is
 * not on the classpath, so the raw Nimbus benchmarks use the same path: a {@link JWSSigner} and a
 * {@link JWSVerifier} over {@link WorkloadKeys} (the same BouncyCastle Ed25519), with Nimbus doing all the JOSE work
 * (header and claims serialisation, base64url, parsing).
 *
 * <p>Every setup checks that its case does what the benchmark's name claims (tokens accepted, cache hit or miss,
 * tokens revoked) and fails the run if not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class CredentialBench {

  static final String TRUST_DOMAIN = "corp.example";
  static final MissionId MISSION = new MissionId("m-incident-4711");
  static final String AUDIENCE = "edr";
  static final String TOOL = "host.isolate";
  static final CredentialScope SCOPE = CredentialScope.of(TOOL, "host:corp/fin-*", "host:corp/ws-*");
  static final String RESOURCE = "host:corp/fin-ws-01";
  static final JOSEObjectType TOKEN_TYPE = new JOSEObjectType(JwtCredentialBroker.TOKEN_TYPE);

  /** Credentials minted for the cold verification: more than one 1-second iteration can verify. */
  static final int COLD_POOL = 30_000;
  /** Tokens the raw Nimbus verification cycles through (Nimbus keeps no cache, so reuse is harmless). */
  static final int RAW_POOL = 1_024;
  /** Agents of the revoked subtree, each holding one credential. */
  static final int SUBTREE_AGENTS = 10_000;

  /** The time of every request (whole seconds, as the claims are) and of every verification, one second later. */
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final Instant VERIFY_AT = NOW.plusSeconds(1);
  static final Instant DEADLINE = NOW.plusSeconds(3600);

  // ---------------------------------------------------------------------------------------------------------------
  // Fixtures

  /** An agent of the mission: its id, SPIFFE ID, lineage (root first, itself last), their SPIFFE IDs and its keys. */
  record Agent(AgentId id, SpiffeId identity, List<AgentId> lineage, List<SpiffeId> identities, WorkloadKeys keys) {

    static Agent root(String id, String role, SecureRandom random) {
      AgentId agent = new AgentId(id);
      SpiffeId identity = SpiffeId.forAgent(TRUST_DOMAIN, MISSION, role);
      return new Agent(agent, identity, List.of(agent), List.of(identity), WorkloadKeys.generate(random));
    }

    Agent child(String id, String role, SecureRandom random) {
      AgentId child = new AgentId(id);
      SpiffeId childIdentity = SpiffeId.forAgent(TRUST_DOMAIN, MISSION,
          identity.agentPath().orElseThrow() + "/" + role);
      List<AgentId> childLineage = new ArrayList<>(lineage);
      childLineage.add(child);
      List<SpiffeId> childIdentities = new ArrayList<>(identities);
      childIdentities.add(childIdentity);
      return new Agent(child, childIdentity, childLineage, childIdentities, WorkloadKeys.generate(random));
    }

    /** What the agent's host asks for before calling {@link #TOOL}: scoped, bound to its key, with its lineage. */
    CredentialRequest request() {
      return new CredentialRequest(id, identity, MISSION, lineage, AUDIENCE, NOW, DEADLINE)
          .withLineageIdentities(identities)
          .withScope(SCOPE)
          .withHolderKey(keys.publicKey());
    }

    Presentation presentation(String token) {
      return Presentation.byCaller(token, AUDIENCE, TOOL, RESOURCE, identity);
    }
  }

  /** commander (a1) / triage (a2) / contain-1 (a4): the holder is at depth 2. */
  static Agent depthTwoAgent() {
    SecureRandom random = new SecureRandom();
    return Agent.root("a1", "commander", random).child("a2", "triage", random).child("a4", "contain-1", random);
  }

  /** A verifier of {@code broker}'s credentials that remembers up to {@code cacheSize} tokens. */
  static CredentialVerifier verifier(JwtCredentialBroker broker, int cacheSize) {
    return CredentialVerifier.builder(broker::jwks, broker.revocations())
        .issuer(broker.issuer())
        .cacheSize(cacheSize)
        .build();
  }

  /** The signature checks a verifier made, read from its {@code toString} (the counter itself is package-private). */
  static long signatureChecks(CredentialVerifier verifier) {
    Matcher m = java.util.regex.Pattern.compile("signatureChecks=(\\d+)").matcher(verifier.toString());
    expect(m.find(), "the verifier's toString shows no signatureChecks");
    return Long.parseLong(m.group(1));
  }

  /** The broker's current public key, read from its JWKS as any verifier would. */
  static WorkloadKeys.PublicKey publishedKey(JwtCredentialBroker broker) {
    OctetKeyPair jwk = (OctetKeyPair) broker.jwks().getKeyByKeyId(broker.currentKeyId());
    return WorkloadKeys.PublicKey.fromBase64Url(jwk.getX().toString());
  }

  /** EdDSA by BouncyCastle ({@link WorkloadKeys#sign}) behind Nimbus' signer interface, as the broker signs. */
  static JWSSigner ed25519Signer(WorkloadKeys keys) {
    return new JWSSigner() {
      private final JCAContext jca = new JCAContext();

      @Override
      public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
          throw new JOSEException("EdDSA only");
        }
        return Base64URL.encode(keys.sign(signingInput));
      }

      @Override
      public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA);
      }

      @Override
      public JCAContext getJCAContext() {
        return jca;
      }
    };
  }

  /** EdDSA verification by BouncyCastle ({@link WorkloadKeys.PublicKey#verify}) behind Nimbus' verifier interface. */
  static JWSVerifier ed25519Verifier(WorkloadKeys.PublicKey key) {
    return new JWSVerifier() {
      private final JCAContext jca = new JCAContext();

      @Override
      public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
        return JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) && key.verify(signingInput, signature.decode());
      }

      @Override
      public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA);
      }

      @Override
      public JCAContext getJCAContext() {
        return jca;
      }
    };
  }

  static boolean accepted(Verdict verdict) {
    return verdict instanceof Verdict.Accepted;
  }

  static String payloadPart(String token) {
    return token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Mint

  /** A fresh broker every iteration (a broker keeps every credential it issued), the same request throughout. */
  @State(Scope.Thread)
  public static class MintState {
    CredentialRequest request;
    JwtCredentialBroker broker;
    Agent holder;

    @Setup(Level.Trial)
    public void setUpTrial() throws ParseException {
      holder = depthTwoAgent();
      request = holder.request();
      JwtCredentialBroker probe = JwtCredentialBroker.builder().build();
      Credential credential = probe.issue(request);
      Map<String, Object> claims = SignedJWT.parse(credential.token()).getJWTClaimsSet().getClaims();
      expect(claims.get("act") instanceof Map<?, ?> act && act.get("act") instanceof Map<?, ?>,
          "the token should carry a two-level act chain");
      expect(claims.containsKey("cnf"), "the token should be bound to the holder's key");
      expect(claims.get("custos_lineage") instanceof List<?> lineage && lineage.size() == 3,
          "the lineage should have 3 agents");
      expect(accepted(verifier(probe, 10).verify(holder.presentation(credential.token()), VERIFY_AT)),
          "a minted token should verify");
    }

    @Setup(Level.Iteration)
    public void setUpIteration() {
      broker = JwtCredentialBroker.builder().build();
    }
  }

  /** Same header shape and an equal claims set as the broker's, signed with a key of its own by the same signer. */
  @State(Scope.Thread)
  public static class RawSignState {
    JWSHeader header;
    JWTClaimsSet claims;
    JWSSigner signer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Agent holder = depthTwoAgent();
      JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
      String brokerToken = broker.issue(holder.request()).token();
      SignedJWT parsed = SignedJWT.parse(brokerToken);
      claims = parsed.getJWTClaimsSet();
      WorkloadKeys keys = WorkloadKeys.generate(new SecureRandom());
      header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(keys.publicKey().thumbprint()).type(TOKEN_TYPE)
          .build();
      signer = ed25519Signer(keys);
      String raw = sign(header, claims, signer);
      expect(raw.length() == brokerToken.length(), "the raw token should be as long as the broker's");
      expect(payloadPart(raw).equals(payloadPart(brokerToken)), "the raw token should carry the broker's payload");
      expect(SignedJWT.parse(raw).verify(ed25519Verifier(keys.publicKey())), "the raw token should verify");
    }
  }

  static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws JOSEException {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  /** The broker: claims built from the request, a new jti, signed, serialised and recorded. */
  @Benchmark
  public Credential mint(MintState state) {
    return state.broker.issue(state.request);
  }

  /** Nimbus alone: a SignedJWT of a ready claims set, signed (Ed25519, BouncyCastle) and serialised. */
  @Benchmark
  public String rawNimbusSign(RawSignState state) throws JOSEException {
    return sign(state.header, state.claims, state.signer);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Verify

  /**
   * A pool of distinct tokens minted once; every invocation presents the next one to a verifier that has not seen it.
   * The verifier is replaced every iteration and whenever the pool wraps around, and its cache holds the whole pool,
   * so it never evicts: each sample is one first verification (parse, signature, claims, revocation, times, audience,
   * holder, scope) plus the insertion into the cache.
   */
  @State(Scope.Thread)
  public static class ColdState {
    JwtCredentialBroker broker;
    Presentation[] presentations;
    CredentialVerifier verifier;
    int next;
    int verified;
    int rejected;

    @Setup(Level.Trial)
    public void setUpTrial() {
      Agent holder = depthTwoAgent();
      broker = JwtCredentialBroker.builder().build();
      CredentialRequest request = holder.request();
      presentations = new Presentation[COLD_POOL];
      for (int i = 0; i < COLD_POOL; i++) {
        presentations[i] = holder.presentation(broker.issue(request).token());
      }
      expect(!presentations[0].token().equals(presentations[1].token()), "the pool's tokens should differ");
    }

    @Setup(Level.Iteration)
    public void setUpIteration() {
      verifier = verifier(broker, COLD_POOL);
      next = 0;
      verified = 0;
      rejected = 0;
    }

    Verdict verifyNext() {
      if (next == COLD_POOL) {
        verifier = verifier(broker, COLD_POOL);
        next = 0;
      }
      Verdict verdict = verifier.verify(presentations[next++], VERIFY_AT);
      verified++;
      if (!(verdict instanceof Verdict.Accepted)) {
        rejected++;
      }
      return verdict;
    }

    @TearDown(Level.Iteration)
    public void check() {
      expect(rejected == 0, rejected + " of " + verified + " cold verifications were rejected");
      expect(verified > 0, "nothing was verified");
      if (verified <= COLD_POOL) {
        // One verifier saw them all: a signature was checked for every one, so none was a cache hit.
        expect(signatureChecks(verifier) == verified, "a cold verification hit the cache: " + verified
            + " verified, " + signatureChecks(verifier) + " signatures checked");
      }
    }
  }

  /** The broker's published key behind Nimbus' verifier interface, and a pool of the broker's tokens. */
  @State(Scope.Thread)
  public static class RawVerifyState {
    String[] tokens;
    JWSVerifier verifier;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Agent holder = depthTwoAgent();
      JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
      tokens = new String[RAW_POOL];
      for (int i = 0; i < RAW_POOL; i++) {
        tokens[i] = broker.issue(holder.request()).token();
      }
      verifier = ed25519Verifier(publishedKey(broker));
      for (String token : tokens) {
        expect(SignedJWT.parse(token).verify(verifier), "a broker token should verify with raw Nimbus");
      }
    }
  }

  /** One token, verified once in setup; every invocation presents it again. */
  @State(Scope.Thread)
  public static class CachedState {
    CredentialVerifier verifier;
    Presentation presentation;

    @Setup(Level.Trial)
    public void setUp() {
      Agent holder = depthTwoAgent();
      JwtCredentialBroker broker = JwtCredentialBroker.builder().build();
      verifier = verifier(broker, CredentialVerifier.DEFAULT_CACHE_SIZE);
      presentation = holder.presentation(broker.issue(holder.request()).token());
      expect(accepted(verifier.verify(presentation, VERIFY_AT)), "the token should verify");
      expect(signatureChecks(verifier) == 1, "the first verification should check the signature");
    }

    @TearDown(Level.Trial)
    public void check() {
      expect(accepted(verifier.verify(presentation, VERIFY_AT)), "the cached token should still verify");
      expect(signatureChecks(verifier) == 1, "a cached verification checked a signature: "
          + signatureChecks(verifier) + " checks");
    }
  }

  /** First verification of a token this verifier never saw. */
  @Benchmark
  public Verdict verifyCold(ColdState state) {
    return state.verifyNext();
  }

  /** Nimbus alone: parse the compact JWS, verify its Ed25519 signature, read its claims set. */
  @Benchmark
  public JWTClaimsSet rawNimbusVerify(RawVerifyState state) throws ParseException, JOSEException {
    String token = state.tokens[state.next];
    state.next = (state.next + 1) % RAW_POOL;
    SignedJWT jwt = SignedJWT.parse(token);
    if (!jwt.verify(state.verifier)) {
      throw new IllegalStateException("signature did not verify");
    }
    return jwt.getJWTClaimsSet();
  }

  /** A token this verifier has already verified: the cache hit. */
  @Benchmark
  public Verdict verifyCached(CachedState state) {
    return state.verifier.verify(state.presentation, VERIFY_AT);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Revocation

  /**
   * commander (root) / containment lead (subtree root) / 10,000 agents under it, each with its own key and one
   * credential. Every iteration: a fresh broker mints the 10,000 credentials, and a verifier accepts (and caches) every
   * one of them; after the timed revocation, that verifier and a fresh one must reject them as revoked.
   */
  @State(Scope.Thread)
  public static class RevokeState {
    AgentId subtreeRoot;
    List<Agent> agents;
    List<CredentialRequest> requests;
    JwtCredentialBroker broker;
    Presentation[] presentations;
    CredentialVerifier verifier;

    @Setup(Level.Trial)
    public void setUpTrial() {
      SecureRandom random = new SecureRandom();
      Agent root = Agent.root("a1", "commander", random);
      Agent lead = root.child("a2", "containment", random);
      subtreeRoot = lead.id();
      agents = new ArrayList<>(SUBTREE_AGENTS);
      requests = new ArrayList<>(SUBTREE_AGENTS);
      for (int i = 0; i < SUBTREE_AGENTS; i++) {
        Agent agent = lead.child("a" + (i + 3), "contain-" + i, random);
        agents.add(agent);
        requests.add(agent.request());
      }
    }

    @Setup(Level.Iteration)
    public void setUpIteration() {
      broker = JwtCredentialBroker.builder().build();
      verifier = verifier(broker, 2 * SUBTREE_AGENTS);
      presentations = new Presentation[SUBTREE_AGENTS];
      for (int i = 0; i < SUBTREE_AGENTS; i++) {
        presentations[i] = agents.get(i).presentation(broker.issue(requests.get(i)).token());
      }
      for (Presentation presentation : presentations) {
        expect(accepted(verifier.verify(presentation, VERIFY_AT)), "a subtree credential should verify before");
      }
      expect(broker.revocations().agentRevokedAt(subtreeRoot).isEmpty(), "the subtree should not be revoked yet");
    }

    @TearDown(Level.Iteration)
    public void check() {
      // Right after revokeLineage returned, on the same thread: the verifier that cached every token...
      for (Presentation presentation : presentations) {
        expect(revoked(verifier.verify(presentation, VERIFY_AT)), "a cached token was not rejected as revoked");
      }
      // ... and a verifier that never saw them (signature first, then the revocation list), on every 100th.
      CredentialVerifier fresh = verifier(broker, 0);
      for (int i = 0; i < SUBTREE_AGENTS; i += 100) {
        expect(revoked(fresh.verify(presentations[i], VERIFY_AT)), "a fresh verification was not rejected as revoked");
      }
      // ... and the broker's own check, which the runtime's gateway uses.
      expect(broker.activeCount(agents.get(0).id(), VERIFY_AT) == 0, "the broker still counts a credential active");
    }

    static boolean revoked(Verdict verdict) {
      return verdict instanceof Verification.Rejected rejected
          && rejected.reason() == Verification.Reason.REVOKED;
    }
  }

  /** One lineage revocation covering 10,000 live credentials, on a fresh broker: one single shot per iteration. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5)
  @Measurement(iterations = 50)
  public void revokeLineage10k(RevokeState state) {
    state.broker.revokeLineage(state.subtreeRoot, VERIFY_AT);
  }
}
