package dev.custos.runtime;

import dev.custos.credential.Credential;
import dev.custos.credential.CredentialBroker;
import dev.custos.credential.CredentialRequest;
import dev.custos.credential.Verification;
import dev.custos.identity.AgentId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.List;

/** A broker that hands every call to another; a test overrides the one it wants to change. */
class ForwardingBroker implements CredentialBroker {

  private final CredentialBroker inner;

  ForwardingBroker(CredentialBroker inner) {
    this.inner = inner;
  }

  @Override
  public Credential issue(CredentialRequest request) {
    return inner.issue(request);
  }

  @Override
  public Verification verify(String token, String audience, SpiffeId presenter, Instant now) {
    return inner.verify(token, audience, presenter, now);
  }

  @Override
  public void revokeLineage(AgentId agent, Instant at) {
    inner.revokeLineage(agent, at);
  }

  @Override
  public boolean containsCredential(String text) {
    return inner.containsCredential(text);
  }

  @Override
  public List<String> credentialIdsIn(String text) {
    return inner.credentialIdsIn(text);
  }

  @Override
  public int activeCount(AgentId holder, Instant now) {
    return inner.activeCount(holder, now);
  }

  @Override
  public void maintain(Instant now) {
    inner.maintain(now);
  }
}
