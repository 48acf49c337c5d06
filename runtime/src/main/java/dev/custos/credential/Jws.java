package dev.custos.credential;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.custos.BadInputException;
import dev.custos.identity.WorkloadKeys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The JOSE pieces shared by the broker, the verifier and holder proofs: Ed25519 signing through BouncyCastle behind
 * Nimbus' {@link JWSSigner} interface, Ed25519 public JWKs, and a strict reader of compact JWS strings.
 *
 * <p>Why not Nimbus' own {@code Ed25519Signer}: it needs Google Tink ({@code com.google.crypto.tink}), an optional
 * dependency of Nimbus that is not among the project's dependencies. {@link WorkloadKeys} already signs with
 * BouncyCastle's Ed25519, which is what this wraps. The algorithm choice itself is argued in
 * {@link JwtCredentialBroker}.
 */
final class Jws {

  /** The only algorithm Custos signs or accepts: Ed25519 under its JOSE name (RFC 8037). */
  static final JWSAlgorithm ALG = JWSAlgorithm.EdDSA;

  /** An Ed25519 signature is 64 bytes: 86 characters of unpadded base64url. */
  static final int SIGNATURE_CHARS = 86;

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

  private Jws() {}

  /** A Nimbus signer over {@code keys}; the private key stays inside {@link WorkloadKeys}. Thread safe. */
  static JWSSigner signer(WorkloadKeys keys) {
    return new JWSSigner() {
      private final JCAContext jca = new JCAContext();

      @Override
      public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        if (!ALG.equals(header.getAlgorithm())) {
          throw new JOSEException("this signer makes " + ALG + " signatures only, not " + header.getAlgorithm());
        }
        return Base64URL.encode(keys.sign(signingInput));
      }

      @Override
      public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(ALG);
      }

      @Override
      public JCAContext getJCAContext() {
        return jca;
      }
    };
  }

  /** The public JWK of an Ed25519 key: {@code kty} OKP, {@code crv} Ed25519, {@code x}; with {@code kid} if given. */
  static OctetKeyPair publicJwk(WorkloadKeys.PublicKey key, String kid) {
    OctetKeyPair.Builder builder = new OctetKeyPair.Builder(Curve.Ed25519, new Base64URL(key.base64Url()));
    if (kid != null) {
      builder.keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(ALG);
    }
    return builder.build();
  }

  /**
   * Whether a JWK can be a Custos signing key: an OKP key on Ed25519, declaring no other use than signing and no other
   * algorithm than EdDSA. Whether its {@code x} is a valid point is for {@link #publicKeyFromX} to say.
   */
  static boolean isEd25519SigningKey(JWK jwk) {
    if (!(jwk instanceof OctetKeyPair okp) || !Curve.Ed25519.equals(okp.getCurve())) {
      return false;
    }
    if (okp.getKeyUse() != null && !KeyUse.SIGNATURE.equals(okp.getKeyUse())) {
      return false;
    }
    return okp.getAlgorithm() == null || ALG.getName().equals(okp.getAlgorithm().getName());
  }

  static Optional<WorkloadKeys.PublicKey> publicKeyFromX(String x) {
    try {
      return Optional.of(WorkloadKeys.PublicKey.fromBase64Url(x));
    } catch (BadInputException e) {
      return Optional.empty();
    }
  }

  /** Unpadded base64url of the SHA-256 of the string's ASCII bytes: a proof's {@code ath}. */
  static String sha256Base64Url(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    SHA256Digest sha256 = new SHA256Digest();
    sha256.update(bytes, 0, bytes.length);
    byte[] digest = new byte[sha256.getDigestSize()];
    sha256.doFinal(digest, 0);
    return BASE64URL.encodeToString(digest);
  }

  /** A compact JWS that {@link #parse} found well formed. Its payload is decoded but not yet read as JSON. */
  static final class Compact {
    final String headerPart;
    final String payloadPart;
    final Map<String, Object> header;
    final String payloadJson;
    final byte[] signature;

    private Compact(String headerPart, String payloadPart, Map<String, Object> header, String payloadJson,
        byte[] signature) {
      this.headerPart = headerPart;
      this.payloadPart = payloadPart;
      this.header = header;
      this.payloadJson = payloadJson;
      this.signature = signature;
    }

    /** What the signature covers: the first two parts as written, joined by '.'. */
    byte[] signingInput() {
      return (headerPart + '.' + payloadPart).getBytes(StandardCharsets.US_ASCII);
    }

    /** The header member as a string; empty when absent or not a string. */
    Optional<String> headerString(String name) {
      Object value = header.get(name);
      return value instanceof String s ? Optional.of(s) : Optional.empty();
    }
  }

  /** Why {@link #parse} refused a string; the message never quotes the string. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Reads a compact JWS strictly: at most {@code maxChars} characters, exactly three parts, each canonical unpadded
   * base64url (so no two spellings of one signature exist), a header that is a JSON object, a payload that is UTF-8.
   * Only the signature may be empty; its length is for the signature check to judge.
   */
  static Compact parse(String text, int maxChars) throws MalformedException {
    if (text == null || text.isEmpty()) {
      throw new MalformedException("no token");
    }
    if (text.length() > maxChars) {
      throw new MalformedException("longer than " + maxChars + " characters");
    }
    int first = text.indexOf('.');
    int second = first < 0 ? -1 : text.indexOf('.', first + 1);
    if (first < 0 || second < 0 || text.indexOf('.', second + 1) >= 0) {
      throw new MalformedException("not three '.'-separated parts");
    }
    String headerPart = text.substring(0, first);
    String payloadPart = text.substring(first + 1, second);
    String signaturePart = text.substring(second + 1);
    byte[] headerBytes = decode(headerPart, "header");
    byte[] payloadBytes = decode(payloadPart, "payload");
    // Empty or of any length: checked against the key later, so an "alg":"none" token ("h.p.") is refused for its alg.
    byte[] signature = signaturePart.isEmpty() ? new byte[0] : decode(signaturePart, "signature");
    Map<String, Object> header;
    try {
      header = JSONObjectUtils.parse(utf8(headerBytes, "header"));
    } catch (ParseException e) {
      throw new MalformedException("the header is not a JSON object");
    }
    return new Compact(headerPart, payloadPart, header, utf8(payloadBytes, "payload"), signature);
  }

  private static byte[] decode(String part, String name) throws MalformedException {
    if (part.isEmpty()) {
      throw new MalformedException("the " + name + " is empty");
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean base64Url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
          || c == '_';
      if (!base64Url) {
        throw new MalformedException("the " + name + " is not unpadded base64url (at " + i + ")");
      }
    }
    if (part.length() % 4 == 1) {
      throw new MalformedException("the " + name + " has an impossible base64url length");
    }
    byte[] bytes = BASE64URL_DECODER.decode(part);
    if (!BASE64URL.encodeToString(bytes).equals(part)) {
      throw new MalformedException("the " + name + " is not canonical base64url (unused bits set)");
    }
    return bytes;
  }

  private static String utf8(byte[] bytes, String name) throws MalformedException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedException("the " + name + " is not UTF-8");
    }
  }
}
