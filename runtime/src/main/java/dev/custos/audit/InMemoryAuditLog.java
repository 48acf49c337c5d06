package dev.custos.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link AuditLog} held in memory, for tests and simulations: "durable" means appended to this list. Records are
 * numbered from 1 and chained by the hash rule of {@link AuditRecord}.
 *
 * <p>Thread safe: appends from any number of threads are serialised by one lock, so seqs are contiguous and each
 * record's {@code prevHash} is the hash of the record before it. {@link #append} does its work on the calling thread
 * and returns an already-completed future.
 *
 * <p>Fails closed like a real store: while {@linkplain #setAvailable unavailable}, or once it holds {@link #capacity()}
 * records, {@link #append} records nothing and its future fails with {@link AuditUnavailableException}.
 */
public final class InMemoryAuditLog implements AuditLog {

  /** Records kept unless told otherwise: a bound on memory, well above any simulated mission. */
  public static final int DEFAULT_CAPACITY = 1_000_000;

  private final int capacity;
  private final Object lock = new Object();
  private final List<AuditRecord> records = new ArrayList<>(); // guarded by lock
  private boolean available = true; // guarded by lock

  /** A log of at most {@link #DEFAULT_CAPACITY} records. */
  public InMemoryAuditLog() {
    this(DEFAULT_CAPACITY);
  }

  /** A log of at most {@code capacity} records; one more fails like an unavailable store. */
  public InMemoryAuditLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Appends {@code entry} as the next record and returns its receipt; or, when unavailable or full, records nothing and
   * returns a future failed with {@link AuditUnavailableException}.
   *
   * @throws NullPointerException if {@code entry} is null
   */
  @Override
  public CompletableFuture<AuditReceipt> append(AuditEntry entry) {
    Objects.requireNonNull(entry, "entry");
    synchronized (lock) {
      if (!available) {
        return CompletableFuture.failedFuture(new AuditUnavailableException("the audit log is unavailable"));
      }
      if (records.size() >= capacity) {
        return CompletableFuture.failedFuture(
            new AuditUnavailableException("the audit log is full (" + capacity + " records)"));
      }
      String prevHash = records.isEmpty() ? AuditRecord.GENESIS_HASH : records.get(records.size() - 1).hash();
      AuditRecord record = AuditRecord.chain(records.size() + 1L, entry, prevHash);
      records.add(record);
      return CompletableFuture.completedFuture(new AuditReceipt(record.seq(), record.hash()));
    }
  }

  /**
   * Makes the log behave as a store that is down ({@code false}) or back ({@code true}), to test fail-closed paths.
   * Records already held are kept.
   */
  public void setAvailable(boolean available) {
    synchronized (lock) {
      this.available = available;
    }
  }

  /** The most records this log takes. */
  public int capacity() {
    return capacity;
  }

  /** A copy of every record, in seq order. */
  public List<AuditRecord> records() {
    synchronized (lock) {
      return List.copyOf(records);
    }
  }

  /** How many records the log holds. */
  public int size() {
    synchronized (lock) {
      return records.size();
    }
  }

  /** The last record, if any. */
  public Optional<AuditRecord> head() {
    synchronized (lock) {
      return records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
    }
  }

  /** Checks the whole log as one chain (see {@link Verification}). */
  public Verification verify() {
    return Verification.of(records());
  }

  /** Checks a stored copy of a log, from seq 1, in order; the same as {@link Verification#of}. */
  public static Verification verify(List<AuditRecord> records) {
    return Verification.of(records);
  }
}
