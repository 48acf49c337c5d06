package dev.custos.runtime;

import dev.custos.agent.ToolOutcome;
import dev.custos.audit.InMemoryAuditLog;
import dev.custos.credential.Credential;
import dev.custos.credential.CredentialVerifier;
import dev.custos.credential.Presentation;
import dev.custos.credential.Verdict;
import dev.custos.credential.Verification;
import dev.custos.credential.VerifiedCredential;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tool for tests that checks what it is given the way a real tool does, with the verifier library (signature,
 * revocation, time, audience, holder, scope of this very call), and records what it accepted and refused.
 */
final class VerifyingTool implements Tool {

  /**
   * An accepted call. {@code auditSize} is the audit log's size read before the check: a record already in the log
   * then was written before the check started.
   */
  record Accepted(ToolCall call, Credential credential, VerifiedCredential verified, long auditSize) {}

  final List<Accepted> accepted = new CopyOnWriteArrayList<>();
  final List<Verification.Rejected> refused = new CopyOnWriteArrayList<>();
  private final String name;
  private final long cost;
  private final CredentialVerifier verifier;
  private final InMemoryAuditLog audit;

  /** @param audit the log to stamp accepted calls with, or null */
  VerifyingTool(String name, long cost, CredentialVerifier verifier, InMemoryAuditLog audit) {
    this.name = name;
    this.cost = cost;
    this.verifier = verifier;
    this.audit = audit;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Risk risk() {
    return Risk.LOW;
  }

  @Override
  public long cost() {
    return cost;
  }

  @Override
  public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
    long auditSize = audit == null ? -1 : audit.size();
    Verdict verdict = verifier.verify(Presentation.byCaller(credential.token(), name, name, call.resource(),
        call.caller()));
    if (verdict instanceof Verification.Rejected rejected) {
      refused.add(rejected);
      return CompletableFuture.completedFuture(new ToolOutcome.Failed("credential " + rejected.reason()));
    }
    accepted.add(new Accepted(call, credential, ((Verdict.Accepted) verdict).credential(), auditSize));
    return CompletableFuture.completedFuture(new ToolOutcome.Done(Map.of()));
  }
}
