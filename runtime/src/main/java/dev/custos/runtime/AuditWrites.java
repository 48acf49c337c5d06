package dev.custos.runtime;

import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditLog;
import dev.custos.audit.AuditReceipt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's door to the audit log. Records an effect waits on ({@link #append}) go straight to the store: when it
 * refuses, the effect does not run. Records nothing waits on ({@link #unawaited}: denials, outcomes, halts) must not
 * be lost either: one the store refuses is kept, in order, and written as soon as the store takes records again (the
 * next record it takes, or the supervisor's periodic tick, sets off the retry). So a call denied because the store was
 * down is on the record once the store is back. At most {@value #MAX_BACKLOG} records are kept; past that they are
 * logged as lost. Thread safe.
 */
final class AuditWrites implements AuditLog {

  static final int MAX_BACKLOG = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger(AuditWrites.class);

  private final AuditLog store;
  private final ConcurrentLinkedQueue<AuditEntry> backlog = new ConcurrentLinkedQueue<>();
  private final AtomicInteger backlogSize = new AtomicInteger();
  private final AtomicBoolean flushing = new AtomicBoolean();

  AuditWrites(AuditLog store) {
    this.store = store;
  }

  /** Appends a record something waits on; once the store takes it, any kept records follow. */
  @Override
  public CompletionStage<AuditReceipt> append(AuditEntry entry) {
    CompletionStage<AuditReceipt> written = store.append(entry);
    written.thenRun(this::flush);
    return written;
  }

  /** Appends a record nothing waits on; kept for later when the store refuses it, or while older ones wait. */
  void unawaited(AuditEntry entry) {
    if (backlogSize.get() > 0) {
      keep(entry);
      flush();
      return;
    }
    CompletionStage<AuditReceipt> written;
    try {
      written = store.append(entry);
    } catch (RuntimeException e) {
      refused(entry, e);
      return;
    }
    written.whenComplete((receipt, failure) -> {
      if (failure != null) {
        refused(entry, failure);
      }
    });
  }

  /** Records kept because the store refused them, not yet written. */
  int backlog() {
    return backlogSize.get();
  }

  /** Writes kept records, oldest first, until the store refuses one or none is left. One flush runs at a time. */
  void flush() {
    if (backlogSize.get() == 0 || !flushing.compareAndSet(false, true)) {
      return;
    }
    AuditEntry next = backlog.peek();
    if (next == null) {
      flushing.set(false);
      return;
    }
    CompletionStage<AuditReceipt> written;
    try {
      written = store.append(next);
    } catch (RuntimeException e) {
      flushing.set(false);
      return;
    }
    written.whenComplete((receipt, failure) -> {
      if (failure == null) {
        backlog.poll();
        backlogSize.decrementAndGet();
      }
      flushing.set(false);
      if (failure == null) {
        flush();
      }
    });
  }

  private void refused(AuditEntry entry, Throwable failure) {
    LOG.warn("audit record {} of mission {} not written yet, kept to retry: {}", entry.kind().text(), entry.mission(),
        failure.toString());
    keep(entry);
  }

  private void keep(AuditEntry entry) {
    if (backlogSize.incrementAndGet() > MAX_BACKLOG) {
      backlogSize.decrementAndGet();
      LOG.error("audit record {} of mission {} lost: {} records already wait for the store", entry.kind().text(),
          entry.mission(), MAX_BACKLOG);
      return;
    }
    backlog.add(entry);
  }
}
