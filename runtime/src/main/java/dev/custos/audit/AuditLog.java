package dev.custos.audit;

import java.util.concurrent.CompletionStage;

/**
 * The append-only, hash-chained audit log: {@code hash_n = SHA-256(hash_{n-1} || canonical(record_n))}. Thread safe.
 * The runtime's gateway appends the record of an allowed effect and waits for its receipt before the effect runs, so a
 * log that cannot write stops every effect (fail closed).
 */
public interface AuditLog {

  /**
   * Appends a record. The stage completes with the receipt once the record is durable, or exceptionally when the
   * store cannot take it; then nothing that waited on it may run.
   */
  CompletionStage<AuditReceipt> append(AuditEntry entry);
}
