package dev.custos.identity;

import dev.custos.BadInputException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * One agent's Ed25519 key pair. The agent's host makes it with {@link #generate} and keeps it: the private key has no
 * getter, is not serialisable and never prints ({@link #toString} shows the public key's thumbprint), so it cannot be
 * handed to a child or leak into a log. Only {@link #publicKey()} leaves.
 *
 * <p>Uses BouncyCastle's lightweight Ed25519 classes rather than the JCA provider, which is several times slower.
 *
 * <p>Thread safety: immutable and safe to share. {@link #sign} may be called from any number of threads at once:
 * each call uses its own {@link Ed25519Signer}, which buffers the message and is not thread-safe itself; the shared
 * {@link Ed25519PrivateKeyParameters} is safe to sign with concurrently.
 */
public final class WorkloadKeys {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

  private final Ed25519PrivateKeyParameters privateKey;
  private final PublicKey publicKey;

  private WorkloadKeys(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = new PublicKey(privateKey.generatePublicKey());
  }

  /**
   * Generates a key pair from 32 bytes of {@code random}. The same seeded random gives the same keys, which the
   * deterministic simulator relies on; everywhere else pass a {@code new SecureRandom()}.
   */
  public static WorkloadKeys generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    return new WorkloadKeys(new Ed25519PrivateKeyParameters(random));
  }

  /** The 64-byte Ed25519 signature (RFC 8032, deterministic) of {@code message}. Thread-safe. */
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** Names the pair by its public key's thumbprint; never shows the private key. */
  @Override
  public String toString() {
    return "WorkloadKeys[jkt=" + publicKey.thumbprint() + "]";
  }

  /**
   * An Ed25519 public key: 32 bytes, immutable, equal to another exactly when the bytes are. Safe to share between
   * threads. Made by {@link WorkloadKeys#publicKey()} or read with {@link #fromBase64Url}.
   */
  public static final class PublicKey {

    /** ceil(32 bytes * 8 / 6 bits). */
    private static final int BASE64URL_KEY_LENGTH = 43;

    private final byte[] raw;
    private final Ed25519PublicKeyParameters parameters;
    private final String base64Url;
    private final String thumbprint;

    private PublicKey(Ed25519PublicKeyParameters parameters) {
      this.parameters = parameters;
      this.raw = parameters.getEncoded(); // a fresh copy, ours alone
      this.base64Url = BASE64URL.encodeToString(raw);
      this.thumbprint = jwkThumbprint(base64Url);
    }

    /**
     * Reads a public key written as a JWK {@code x} value: 43 characters of unpadded base64url encoding 32 bytes,
     * which must be a valid Ed25519 point encoding.
     *
     * @throws BadInputException if {@code x} is null, not canonical unpadded base64url of 32 bytes, or not an
     *     Ed25519 public key
     */
    public static PublicKey fromBase64Url(String x) {
      if (x == null) {
        throw new BadInputException("", "no public key (null)");
      }
      for (int i = 0; i < x.length(); i++) {
        char c = x.charAt(i);
        boolean base64Url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_';
        if (!base64Url) {
          throw new BadInputException(x, i, IdSyntax.describe(c)
              + " is not allowed in unpadded base64url (only A-Z, a-z, 0-9, '-', '_')");
        }
      }
      int expected = BASE64URL_KEY_LENGTH;
      if (x.length() != expected) {
        throw new BadInputException(x, "an Ed25519 public key is " + expected + " base64url characters, not "
            + x.length());
      }
      byte[] raw = BASE64URL_DECODER.decode(x);
      // The last character carries 2 unused bits; other spellings of the same bytes would be other key ids.
      if (!BASE64URL.encodeToString(raw).equals(x)) {
        throw new BadInputException(x, expected - 1, "unused bits of the last character must be zero");
      }
      try {
        return new PublicKey(new Ed25519PublicKeyParameters(raw));
      } catch (IllegalArgumentException e) {
        throw new BadInputException(x, "not an Ed25519 public key (no point on the curve has this encoding)");
      }
    }

    /**
     * Whether {@code signature} is this key's Ed25519 signature of {@code message}; false for a signature of the
     * wrong length. Thread-safe.
     */
    public boolean verify(byte[] message, byte[] signature) {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(signature, "signature");
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, parameters);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    }

    /** The 32 bytes in unpadded base64url: the {@code x} member of the key's JWK. */
    public String base64Url() {
      return base64Url;
    }

    /**
     * The RFC 7638 JWK thumbprint: unpadded base64url of the SHA-256 of
     * {@code {"crv":"Ed25519","kty":"OKP","x":"<base64Url()>"}}. It names the key in a credential's {@code cnf.jkt}.
     */
    public String thumbprint() {
      return thumbprint;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof PublicKey && Arrays.equals(raw, ((PublicKey) other).raw);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
      return "PublicKey[jkt=" + thumbprint + "]";
    }

    private static String jwkThumbprint(String x) {
      // RFC 7638 section 3: the required members only, in lexicographic order, no whitespace.
      byte[] jwk = ("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}").getBytes(StandardCharsets.US_ASCII);
      SHA256Digest sha256 = new SHA256Digest();
      sha256.update(jwk, 0, jwk.length);
      byte[] digest = new byte[sha256.getDigestSize()];
      sha256.doFinal(digest, 0);
      return BASE64URL.encodeToString(digest);
    }
  }
}
