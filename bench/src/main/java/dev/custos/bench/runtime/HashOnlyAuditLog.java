package dev.custos.bench.runtime;

import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditLog;
import dev.custos.audit.AuditReceipt;
import dev.custos.audit.AuditRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An audit log that builds and hash-chains every record exactly as {@link dev.custos.audit.InMemoryAuditLog} does,
 * under one lock, but keeps only the last hash. It stands for a store outside the heap (a database): the runtime pays
 * the canonical JSON and SHA-256 of each record, and the heap does not grow with the trail. For benchmarks only: it
 * forgets what it was told.
 */
final class HashOnlyAuditLog implements AuditLog {

  private final Object lock = new Object();
  private long seq; // guarded by lock
  private String head = AuditRecord.GENESIS_HASH; // guarded by lock

  @Override
  public CompletionStage<AuditReceipt> append(AuditEntry entry) {
    synchronized (lock) {
      AuditRecord record = AuditRecord.chain(seq + 1, entry, head);
      seq = record.seq();
      head = record.hash();
      return CompletableFuture.completedFuture(new AuditReceipt(seq, head));
    }
  }

  /** How many records were appended. */
  long size() {
    synchronized (lock) {
      return seq;
    }
  }
}
