package dev.custos.credential;

/**
 * What a {@link CredentialVerifier} says about a presentation: exactly one of {@link Accepted}, carrying the verified
 * claims (never the token), or {@link Verification.Rejected}, the same rejection a {@link CredentialBroker} gives.
 *
 * <p>Separate from {@link Verification} because a tool holds no {@link Credential} object: it only has the bearer
 * string, and what it learns from it is the signed claims.
 */
public sealed interface Verdict permits Verdict.Accepted, Verification.Rejected {

  record Accepted(VerifiedCredential credential) implements Verdict {}
}
