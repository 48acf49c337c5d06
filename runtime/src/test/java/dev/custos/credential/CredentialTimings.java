package dev.custos.credential;

import static dev.custos.credential.JwtFixtures.EDR;
import static dev.custos.credential.JwtFixtures.ISOLATE;
import static dev.custos.credential.JwtFixtures.T0;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.custos.credential.JwtFixtures.Tree;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Mint and verify timings of the candidate algorithms, behind the choice argued in {@link JwtCredentialBroker}. Not
 * a test and not a benchmark (no JMH): a rough, warmed-up per-operation mean, to run by hand:
 * {@code java -cp runtime/target/classes:runtime/target/test-classes:<deps> dev.custos.credential.CredentialTimings}.
 */
public final class CredentialTimings {

  private static final int N = 5_000;
  private static final int ROUNDS = 4;

  private CredentialTimings() {}

  public static void main(String[] args) throws Exception {
    System.out.printf("%d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"));
    Tree tree = new Tree(JwtFixtures.seeded(1));
    JwtCredentialBroker broker = JwtFixtures.broker(2);
    CredentialVerifier uncached = CredentialVerifier.builder(broker::jwks, broker.revocations()).cacheSize(0).build();
    CredentialVerifier cached = CredentialVerifier.forBroker(broker);
    CredentialRequest request = tree.contain1.request(T0);
    String[] tokens = new String[N];
    for (int round = 1; round <= ROUNDS; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < N; i++) {
        tokens[i] = broker.issue(request).token();
      }
      long t1 = System.nanoTime();
      int accepted = 0;
      for (int i = 0; i < N; i++) {
        accepted += accept(uncached.verify(call(tokens[i], tree), T0));
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < N; i++) {
        accepted += accept(cached.verify(call(tokens[i % 100], tree), T0));
      }
      long t3 = System.nanoTime();
      String[] proofs = new String[N];
      for (int i = 0; i < N; i++) {
        proofs[i] = HolderProof.create(tree.contain1.keys(), tokens[i % 100], ISOLATE, "host:corp/ws-1", T0);
      }
      long t4 = System.nanoTime();
      for (int i = 0; i < N; i++) {
        accepted += accept(cached.verify(Presentation.withProof(tokens[i % 100], EDR, ISOLATE, "host:corp/ws-1",
            proofs[i]), T0));
      }
      long t5 = System.nanoTime();
      print("EdDSA/BC (chosen)", round, t1 - t0, t2 - t1, tokens[0].length(), accepted == 3 * N);
      System.out.printf(Locale.ROOT, "    cached verify %.1f us, proof create %.1f us, cached verify with proof %.1f us%n",
          micros(t3 - t2), micros(t4 - t3), micros(t5 - t4));
    }

    JWTClaimsSet claims = SignedJWT.parse(tokens[0]).getJWTClaimsSet();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    ECDSASigner jdkSigner = new ECDSASigner((ECPrivateKey) pair.getPrivate());
    ECDSAVerifier jdkVerifier = new ECDSAVerifier((ECPublicKey) pair.getPublic());
    es256("ES256/JDK", claims, jdkSigner, jdkVerifier);
    ECDSASigner bcSigner = new ECDSASigner((ECPrivateKey) pair.getPrivate());
    bcSigner.getJCAContext().setProvider(new BouncyCastleProvider());
    ECDSAVerifier bcVerifier = new ECDSAVerifier((ECPublicKey) pair.getPublic());
    bcVerifier.getJCAContext().setProvider(new BouncyCastleProvider());
    es256("ES256/BC", claims, bcSigner, bcVerifier);
  }

  private static void es256(String name, JWTClaimsSet claims, JWSSigner signer, JWSVerifier verifier)
      throws Exception {
    JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1")
        .type(new JOSEObjectType(JwtCredentialBroker.TOKEN_TYPE)).build();
    String[] tokens = new String[N];
    for (int round = 1; round <= ROUNDS; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < N; i++) {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        tokens[i] = jwt.serialize();
      }
      long t1 = System.nanoTime();
      int accepted = 0;
      for (int i = 0; i < N; i++) {
        SignedJWT jwt = SignedJWT.parse(tokens[i]);
        if (jwt.verify(verifier) && jwt.getJWTClaimsSet().getJWTID() != null) {
          accepted++;
        }
      }
      long t2 = System.nanoTime();
      print(name, round, t1 - t0, t2 - t1, tokens[0].length(), accepted == N);
    }
  }

  private static Presentation call(String token, Tree tree) {
    return Presentation.byCaller(token, EDR, ISOLATE, "host:corp/ws-1", tree.contain1.identity());
  }

  private static int accept(Verdict verdict) {
    return verdict instanceof Verdict.Accepted ? 1 : 0;
  }

  private static void print(String name, int round, long mint, long verify, int length, boolean allAccepted) {
    System.out.printf(Locale.ROOT, "%-18s round %d: mint %6.1f us, verify (uncached) %6.1f us, %d chars%s%n", name,
        round, micros(mint), micros(verify), length, allAccepted ? "" : "  NOT ALL ACCEPTED");
  }

  private static double micros(long nanos) {
    return nanos / 1e3 / N;
  }
}
