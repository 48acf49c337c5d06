package dev.custos.runtime;

import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditLog;
import dev.custos.audit.AuditReceipt;
import dev.custos.audit.InMemoryAuditLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** An audit log whose records become durable only a while after they are appended, like a real store's commit. */
final class SlowAudit implements AuditLog {

  final InMemoryAuditLog records = new InMemoryAuditLog();
  private final Duration delay;

  SlowAudit(Duration delay) {
    this.delay = delay;
  }

  @Override
  public CompletionStage<AuditReceipt> append(AuditEntry entry) {
    CompletableFuture<AuditReceipt> appended = records.append(entry);
    return appended.thenApplyAsync(receipt -> receipt,
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
  }
}
