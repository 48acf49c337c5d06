package dev.custos.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkloadKeysTest {

  // RFC 8037 appendix A: the Ed25519 key of A.1, its thumbprint (A.3) and a signature with it (A.4).
  private static final String RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
  private static final String RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
  private static final String RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
  private static final byte[] RFC8037_SIGNING_INPUT =
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".getBytes(StandardCharsets.US_ASCII);
  private static final String RFC8037_SIGNATURE =
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
  private static final byte[] MESSAGE = "isolate host:corp/fin-ws-01".getBytes(StandardCharsets.UTF_8);

  @Test
  void aSignatureVerifiesWithThePublicKey() {
    WorkloadKeys keys = WorkloadKeys.generate(new SecureRandom());

    byte[] signature = keys.sign(MESSAGE);

    assertEquals(64, signature.length);
    assertTrue(keys.publicKey().verify(MESSAGE, signature));
  }

  @Test
  void anyFlippedBitOfTheMessageFailsVerification() {
    WorkloadKeys keys = WorkloadKeys.generate(new SecureRandom());
    byte[] signature = keys.sign(MESSAGE);

    for (int bit = 0; bit < MESSAGE.length * 8; bit++) {
      assertFalse(keys.publicKey().verify(flip(MESSAGE, bit), signature), "bit " + bit + " of the message");
    }
  }

  @Test
  void anyFlippedBitOfTheSignatureFailsVerification() {
    WorkloadKeys keys = WorkloadKeys.generate(new SecureRandom());
    byte[] signature = keys.sign(MESSAGE);

    for (int bit = 0; bit < signature.length * 8; bit++) {
      assertFalse(keys.publicKey().verify(MESSAGE, flip(signature, bit)), "bit " + bit + " of the signature");
    }
  }

  @Test
  void aSignatureOfTheWrongLengthOrByAnotherKeyFails() {
    WorkloadKeys keys = WorkloadKeys.generate(new SecureRandom());
    WorkloadKeys other = WorkloadKeys.generate(new SecureRandom());
    byte[] signature = keys.sign(MESSAGE);

    assertFalse(other.publicKey().verify(MESSAGE, signature));
    assertFalse(keys.publicKey().verify(MESSAGE, Arrays.copyOf(signature, 63)));
    assertFalse(keys.publicKey().verify(MESSAGE, Arrays.copyOf(signature, 65)));
    assertFalse(keys.publicKey().verify(MESSAGE, new byte[0]));
  }

  @Test
  void twoGeneratedKeyPairsDiffer() {
    WorkloadKeys first = WorkloadKeys.generate(new SecureRandom());
    WorkloadKeys second = WorkloadKeys.generate(new SecureRandom());

    assertNotEquals(first.publicKey(), second.publicKey());
    assertNotEquals(first.publicKey().thumbprint(), second.publicKey().thumbprint());
  }

  @Test
  void theSameSeedGivesTheSameKeysAndSignatures() throws Exception {
    WorkloadKeys first = WorkloadKeys.generate(seeded("custos-seed-1"));
    WorkloadKeys second = WorkloadKeys.generate(seeded("custos-seed-1"));
    WorkloadKeys otherSeed = WorkloadKeys.generate(seeded("custos-seed-2"));

    assertEquals(first.publicKey(), second.publicKey());
    assertEquals(first.publicKey().hashCode(), second.publicKey().hashCode());
    assertEquals(first.publicKey().base64Url(), second.publicKey().base64Url());
    assertArrayEquals(first.sign(MESSAGE), second.sign(MESSAGE));
    assertNotEquals(first.publicKey(), otherSeed.publicKey());
  }

  @Test
  void signsAndVerifiesTheRfc8037Example() {
    WorkloadKeys keys = WorkloadKeys.generate(fixedBytes(BASE64URL.decode(RFC8037_D)));

    assertEquals(WorkloadKeys.PublicKey.fromBase64Url(RFC8037_X), keys.publicKey());
    assertArrayEquals(BASE64URL.decode(RFC8037_SIGNATURE), keys.sign(RFC8037_SIGNING_INPUT));
    assertTrue(WorkloadKeys.PublicKey.fromBase64Url(RFC8037_X)
        .verify(RFC8037_SIGNING_INPUT, BASE64URL.decode(RFC8037_SIGNATURE)));
  }

  @Test
  void theThumbprintIsTheRfc8037Example() {
    WorkloadKeys.PublicKey key = WorkloadKeys.PublicKey.fromBase64Url(RFC8037_X);

    assertEquals(RFC8037_X, key.base64Url());
    assertEquals(RFC8037_THUMBPRINT, key.thumbprint());
  }

  @Test
  void theThumbprintIsTheSha256OfTheCanonicalJwk() throws Exception {
    WorkloadKeys.PublicKey key = WorkloadKeys.generate(seeded("thumbprint")).publicKey();
    String jwk = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + key.base64Url() + "\"}";
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(jwk.getBytes(StandardCharsets.US_ASCII));

    assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(sha256), key.thumbprint());
  }

  @Test
  void toStringShowsTheThumbprintAndNoPrivateKeyBytes() throws Exception {
    // The private key is the first 32 bytes the random gives; a twin of the random shows what they are.
    byte[] privateKey = new byte[32];
    seeded("secret").nextBytes(privateKey);
    WorkloadKeys keys = WorkloadKeys.generate(seeded("secret"));
    assertEquals(WorkloadKeys.generate(fixedBytes(privateKey)).publicKey(), keys.publicKey());

    String text = keys.toString();

    assertEquals("WorkloadKeys[jkt=" + keys.publicKey().thumbprint() + "]", text);
    assertThat(text)
        .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(privateKey).substring(0, 8))
        .doesNotContain(Base64.getEncoder().encodeToString(privateKey).substring(0, 8))
        .doesNotContain(HexFormat.of().formatHex(privateKey).substring(0, 8))
        .doesNotContain(HexFormat.of().withUpperCase().formatHex(privateKey).substring(0, 8));
    assertEquals("PublicKey[jkt=" + keys.publicKey().thumbprint() + "]", keys.publicKey().toString());
  }

  @Test
  void aPublicKeyReadBackEqualsTheOriginal() {
    WorkloadKeys keys = WorkloadKeys.generate(new SecureRandom());
    WorkloadKeys.PublicKey readBack = WorkloadKeys.PublicKey.fromBase64Url(keys.publicKey().base64Url());

    assertEquals(keys.publicKey(), readBack);
    assertEquals(keys.publicKey().hashCode(), readBack.hashCode());
    assertTrue(readBack.verify(MESSAGE, keys.sign(MESSAGE)));
  }

  @Test
  void fromBase64UrlRejectsWhatIsNotAnEd25519Key() {
    String allOnes = Base64.getUrlEncoder().withoutPadding().encodeToString(notACanonicalPoint());
    String nonZeroUnusedBits = RFC8037_X.substring(0, 42) + "p"; // 'o' and 'p' differ only in the unused bits

    assertEquals(new Rejection("", -1, "no public key (null)"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url(null)));
    assertEquals(new Rejection("", -1, "an Ed25519 public key is 43 base64url characters, not 0"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url("")));
    assertEquals(new Rejection(RFC8037_X.substring(1), -1, "an Ed25519 public key is 43 base64url characters, not 42"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url(RFC8037_X.substring(1))));
    assertEquals(new Rejection(RFC8037_X + "=", 43,
            "'=' is not allowed in unpadded base64url (only A-Z, a-z, 0-9, '-', '_')"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url(RFC8037_X + "=")));
    String standardBase64 = RFC8037_X.replace('_', '/');
    assertEquals(new Rejection(standardBase64, 13,
            "'/' is not allowed in unpadded base64url (only A-Z, a-z, 0-9, '-', '_')"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url(standardBase64)));
    assertEquals(new Rejection(nonZeroUnusedBits, 42, "unused bits of the last character must be zero"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url(nonZeroUnusedBits)));
    assertEquals(new Rejection(allOnes, -1, "not an Ed25519 public key (no point on the curve has this encoding)"),
        Rejection.of(() -> WorkloadKeys.PublicKey.fromBase64Url(allOnes)));
  }

  @Test
  void signingFromManyThreadsAtOnceGivesTheSameSignaturesAsOneThread() throws Exception {
    WorkloadKeys keys = WorkloadKeys.generate(seeded("threads"));
    List<byte[]> messages = new ArrayList<>();
    List<byte[]> expected = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      byte[] message = ("message " + i + " " + "x".repeat(i)).getBytes(StandardCharsets.UTF_8);
      messages.add(message);
      expected.add(keys.sign(message));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<byte[]>> tasks = new ArrayList<>();
      for (byte[] message : messages) {
        tasks.add(() -> keys.sign(message));
      }
      List<Future<byte[]>> results = pool.invokeAll(tasks);
      for (int i = 0; i < results.size(); i++) {
        assertArrayEquals(expected.get(i), results.get(i).get(), "message " + i);
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  /** Deterministic: SHA1PRNG seeded before its first use draws only from the seed. */
  private static SecureRandom seeded(String seed) throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(seed.getBytes(StandardCharsets.UTF_8));
    return random;
  }

  /** A "random" source that hands out the given bytes, to make a key pair from a known private key. */
  @SuppressWarnings("serial")
  private static SecureRandom fixedBytes(byte[] bytes) {
    return new SecureRandom() {
      @Override
      public void nextBytes(byte[] out) {
        assertEquals(bytes.length, out.length);
        System.arraycopy(bytes, 0, out, 0, out.length);
      }
    };
  }

  /** y = 2^255 - 19 + 18: at least the field prime, so no canonical point encoding. */
  private static byte[] notACanonicalPoint() {
    byte[] encoded = new byte[32];
    Arrays.fill(encoded, (byte) 0xff);
    encoded[31] = 0x7f;
    return encoded;
  }

  private static byte[] flip(byte[] bytes, int bit) {
    byte[] flipped = bytes.clone();
    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
    return flipped;
  }
}
