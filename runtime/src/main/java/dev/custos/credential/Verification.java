package dev.custos.credential;

/** The outcome of checking a presented credential: exactly one of {@link Valid} or {@link Rejected}. */
public sealed interface Verification {

  record Valid(Credential credential) implements Verification {}

  /** Why a presented credential is refused; {@code credentialId} is null when the token is not one this broker made. */
  record Rejected(Reason reason, String credentialId, String detail) implements Verification {}

  /** Each check a verifier makes has its own reason. */
  enum Reason {
    UNKNOWN,
    EXPIRED,
    NOT_YET_VALID,
    REVOKED,
    WRONG_AUDIENCE,
    WRONG_HOLDER
  }
}
