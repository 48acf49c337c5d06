package dev.custos.runtime;

import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditLog;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit records nothing waits on: decisions, denials, outcomes, halts. (Effects and delegations wait for theirs, in
 * the actors.) A record the store refuses is logged here, from whichever thread learns it, so a failing store is seen
 * even where the runtime goes on, as a halt must.
 */
final class AuditWrites {

  private static final Logger LOG = LoggerFactory.getLogger(AuditWrites.class);

  private AuditWrites() {}

  static void unawaited(AuditLog audit, AuditEntry entry) {
    CompletionStage<?> written;
    try {
      written = audit.append(entry);
    } catch (RuntimeException e) {
      LOG.error("audit record {} of mission {} not written: {}", entry.kind().text(), entry.mission(), e.toString());
      return;
    }
    written.whenComplete((receipt, failure) -> {
      if (failure != null) {
        LOG.error("audit record {} of mission {} not written: {}", entry.kind().text(), entry.mission(),
            failure.toString());
      }
    });
  }
}
