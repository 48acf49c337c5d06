package dev.custos.credential;

import dev.custos.identity.SpiffeId;
import java.util.Objects;

/**
 * One call's credential as a tool received it, for {@link CredentialVerifier#verify}.
 *
 * <p>{@code token} and a {@link Proof}'s text come from the presenter and may be anything, null included (the
 * verifier rejects them); the rest is the tool's own knowledge and must be given. {@link #toString()} never shows
 * the token or the proof.
 *
 * @param token the presented bearer string
 * @param audience the tool's own audience: the credential must be minted for exactly this
 * @param tool the tool's name, checked against the credential's scope ({@code actions})
 * @param resource the call's resource, checked against the credential's scope ({@code locations})
 * @param holder how the presenter shows that it is the credential's holder
 */
public record Presentation(String token, String audience, String tool, String resource, Holder holder) {

  public Presentation {
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(holder, "holder");
  }

  /** The presenter's evidence of holding the credential: exactly one of {@link Caller} or {@link Proof}. */
  public sealed interface Holder permits Caller, Proof {}

  /**
   * The caller's identity as the transport authenticated it (an mTLS peer's X.509-SVID, say): the credential's
   * {@code sub} must equal it.
   */
  public record Caller(SpiffeId identity) implements Holder {
    public Caller {
      Objects.requireNonNull(identity, "identity");
    }
  }

  /** A {@link HolderProof} the presenter sent with the token: the credential must be bound to its key. */
  public record Proof(String jws) implements Holder {
    @Override
    public String toString() {
      return jws == null ? "Proof[none]" : "Proof[" + jws.length() + " chars]";
    }
  }

  /** A presentation whose holder is the transport-authenticated {@code caller}. */
  public static Presentation byCaller(String token, String audience, String tool, String resource, SpiffeId caller) {
    return new Presentation(token, audience, tool, resource, new Caller(caller));
  }

  /** A presentation whose holder is shown by a {@link HolderProof}. */
  public static Presentation withProof(String token, String audience, String tool, String resource, String proof) {
    return new Presentation(token, audience, tool, resource, new Proof(proof));
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "Presentation[" + tool + " on " + resource + " for audience " + audience + ", " + holder + "]";
  }
}
