package dev.custos.credential;

/**
 * The outcome of a {@link CredentialBroker} checking a presented credential: exactly one of {@link Valid} or
 * {@link Rejected}. A {@link CredentialVerifier} answers with a {@link Verdict}, which shares {@link Rejected}.
 */
public sealed interface Verification {

  record Valid(Credential credential) implements Verification {}

  /**
   * Why a presented credential is refused; {@code credentialId} is null when the token is not one this broker made
   * (or could not be read far enough to say). The detail never quotes the presented token.
   */
  record Rejected(Reason reason, String credentialId, String detail) implements Verification, Verdict {}

  /** Each check a verifier makes has its own reason. */
  enum Reason {
    /** Not a credential this broker issued. */
    UNKNOWN,
    EXPIRED,
    NOT_YET_VALID,
    REVOKED,
    WRONG_AUDIENCE,
    WRONG_HOLDER,
    /** Not a compact JWS of the expected shape, or its claims are missing or of the wrong type. */
    MALFORMED,
    /** The header names another algorithm than the issuer's ({@code none}, {@code HS256}, ...). */
    ALG_NOT_ALLOWED,
    /** No usable key with the header's {@code kid} is published. */
    UNKNOWN_KID,
    BAD_SIGNATURE,
    /** {@code iat} is later than now plus the allowed clock skew. */
    ISSUED_IN_FUTURE,
    WRONG_ISSUER,
    /** A holder proof was offered for a credential bound to no key ({@code cnf} absent). */
    MISSING_BINDING,
    /** A holder proof that was already used. */
    PROOF_REPLAYED,
    /** The credential's {@code authorization_details} do not cover the called tool and resource. */
    OUT_OF_SCOPE
  }
}
