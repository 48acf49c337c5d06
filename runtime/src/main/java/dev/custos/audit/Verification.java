package dev.custos.audit;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of checking a sequence of audit records as one chain from its start: {@link Intact} or {@link Broken},
 * never both. Checking record at position {@code p} (1-based), in this order:
 *
 * <ol>
 *   <li>its {@code hash} is what the hash rule gives for its own {@code prevHash} and content (see {@link AuditRecord})
 *       — else {@link Fault#HASH_MISMATCH}: the record was edited after it was chained;
 *   <li>its {@code prevHash} is the {@code hash} of the record before it ({@link AuditRecord#GENESIS_HASH} at position
 *       1) — else {@link Fault#PREV_HASH_MISMATCH}: a record is missing, inserted or moved at this point;
 *   <li>its {@code seq} is {@code p} — else {@link Fault#SEQ_MISMATCH}: a record whose hash was recomputed with another
 *       number, or a gap in the numbering.
 * </ol>
 *
 * <p>The first position that fails is reported as {@link Broken#firstBadSeq()}: records {@code 1..firstBadSeq-1}
 * form a valid chain. A chain on its own cannot show that records were cut off its end, or that someone rewrote a
 * whole tail and recomputed its hashes: compare {@link #headHash()} with the hash of a receipt or a signed checkpoint
 * for that.
 */
public sealed interface Verification permits Verification.Intact, Verification.Broken {

  /** How many records were checked. */
  int records();

  /**
   * The last record's hash ({@link AuditRecord#GENESIS_HASH} when there are none); verified when {@link Intact}, only
   * as stored when {@link Broken}.
   */
  String headHash();

  /** Whether the chain verified. */
  default boolean intact() {
    return this instanceof Intact;
  }

  /** Every record checks out. */
  record Intact(int records, String headHash) implements Verification {}

  /** The chain breaks at {@code firstBadSeq}, for {@code fault}. */
  record Broken(int records, String headHash, long firstBadSeq, Fault fault) implements Verification {

    /** A sentence for an operator: where it breaks and what that means. */
    public String describe() {
      return "audit chain of " + records + " records breaks at seq " + firstBadSeq + ": " + fault.meaning;
    }
  }

  /** Why a record does not belong where it is. */
  enum Fault {
    /** Its hash does not match its own content and previous hash. */
    HASH_MISMATCH("the record was edited"),
    /** Its previous hash is not the hash of the record before it. */
    PREV_HASH_MISMATCH("a record before it is missing, inserted or out of order"),
    /** Its seq is not its position. */
    SEQ_MISMATCH("its sequence number is not its position");

    private final String meaning;

    Fault(String meaning) {
      this.meaning = meaning;
    }
  }

  /** Checks {@code records} as one chain starting at seq 1 (a whole stored log, in order). */
  static Verification of(List<AuditRecord> records) {
    String expectedPrev = AuditRecord.GENESIS_HASH;
    for (int i = 0; i < records.size(); i++) {
      AuditRecord record = Objects.requireNonNull(records.get(i), "records contains null");
      long position = i + 1L;
      Fault fault = null;
      if (!record.computeHash().equals(record.hash())) {
        fault = Fault.HASH_MISMATCH;
      } else if (!record.prevHash().equals(expectedPrev)) {
        fault = Fault.PREV_HASH_MISMATCH;
      } else if (record.seq() != position) {
        fault = Fault.SEQ_MISMATCH;
      }
      if (fault != null) {
        return new Broken(records.size(), records.get(records.size() - 1).hash(), position, fault);
      }
      expectedPrev = record.hash();
    }
    return new Intact(records.size(), expectedPrev);
  }
}
