package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.audit.Verification.Broken;
import dev.custos.audit.Verification.Fault;
import dev.custos.audit.Verification.Intact;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class InMemoryAuditLogTest {

  private static final int N = 10;

  @Test
  void anEmptyLogVerifies() {
    InMemoryAuditLog log = new InMemoryAuditLog();

    assertEquals(new Intact(0, AuditRecord.GENESIS_HASH), log.verify());
    assertEquals(Optional.empty(), log.head());
    assertEquals(0, log.size());
    assertEquals(List.of(), log.records());
  }

  @Test
  void appendsAreNumberedChainedAndReceipted() {
    InMemoryAuditLog log = new InMemoryAuditLog();

    AuditReceipt r1 = log.append(Chains.entry(1)).join();
    AuditReceipt r2 = log.append(Chains.entry(2)).join();
    AuditReceipt r3 = log.append(Chains.entry(3)).join();

    List<AuditRecord> records = log.records();
    assertEquals(
        List.of(
            AuditRecord.chain(1, Chains.entry(1), AuditRecord.GENESIS_HASH),
            AuditRecord.chain(2, Chains.entry(2), r1.hash()),
            AuditRecord.chain(3, Chains.entry(3), r2.hash())),
        records);
    assertEquals(List.of(r1, r2, r3), records.stream().map(r -> new AuditReceipt(r.seq(), r.hash())).toList());
    assertEquals(Optional.of(records.get(2)), log.head());
    assertEquals(3, log.size());
    assertEquals(new Intact(3, r3.hash()), log.verify());
  }

  @Test
  void theFutureIsAlreadyComplete() {
    CompletableFuture<AuditReceipt> future = new InMemoryAuditLog().append(Chains.entry(1));

    assertTrue(future.isDone());
    assertEquals(1, future.getNow(null).seq());
  }

  @Test
  void recordsIsASnapshot() {
    InMemoryAuditLog log = new InMemoryAuditLog();
    log.append(Chains.entry(1));
    List<AuditRecord> snapshot = log.records();
    log.append(Chains.entry(2));

    assertEquals(1, snapshot.size());
    assertThrows(UnsupportedOperationException.class, () -> snapshot.add(snapshot.get(0)));
  }

  @Test
  void appendsFromManyThreadsFormOneContiguousChain() throws Exception {
    int threads = 8;
    int perThread = 125;
    InMemoryAuditLog log = new InMemoryAuditLog();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<AuditReceipt>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  List<AuditReceipt> receipts = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    receipts.add(log.append(Chains.entry(thread * 1000 + i)).join());
                  }
                  return receipts;
                }));
      }
      start.countDown();
      List<AuditReceipt> receipts = new ArrayList<>();
      for (Future<List<AuditReceipt>> result : results) {
        List<AuditReceipt> ofOneThread = result.get(30, TimeUnit.SECONDS);
        // One thread's appends land in the order it made them.
        assertThat(ofOneThread).extracting(AuditReceipt::seq).isSorted();
        receipts.addAll(ofOneThread);
      }

      List<AuditRecord> records = log.records();
      assertEquals(
          LongStream.rangeClosed(1, 1000).boxed().toList(),
          receipts.stream().map(AuditReceipt::seq).sorted().toList());
      assertEquals(
          receipts.stream().collect(Collectors.toMap(AuditReceipt::seq, AuditReceipt::hash)),
          records.stream().collect(Collectors.toMap(AuditRecord::seq, AuditRecord::hash)));
      assertEquals(LongStream.rangeClosed(1, 1000).boxed().toList(), records.stream().map(AuditRecord::seq).toList());
      assertEquals(new Intact(1000, records.get(999).hash()), log.verify());
      assertEquals(1000, records.stream().map(AuditRecord::entry).distinct().count());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anUnavailableLogFailsTheFutureAndRecordsNothing() {
    InMemoryAuditLog log = new InMemoryAuditLog();
    AuditReceipt first = log.append(Chains.entry(1)).join();

    log.setAvailable(false);
    CompletableFuture<AuditReceipt> refused = log.append(Chains.entry(2));

    assertTrue(refused.isCompletedExceptionally());
    CompletionException thrown = assertThrows(CompletionException.class, refused::join);
    assertThat(thrown).hasCauseInstanceOf(AuditUnavailableException.class);
    assertEquals(1, log.size());
    assertEquals(new Intact(1, first.hash()), log.verify());

    log.setAvailable(true);
    AuditReceipt next = log.append(Chains.entry(3)).join();

    assertEquals(new AuditReceipt(2, AuditRecord.chain(2, Chains.entry(3), first.hash()).hash()), next);
    assertEquals(new Intact(2, next.hash()), log.verify());
  }

  @Test
  void aFullLogFailsClosed() {
    InMemoryAuditLog log = new InMemoryAuditLog(2);
    log.append(Chains.entry(1)).join();
    log.append(Chains.entry(2)).join();

    CompletionException thrown = assertThrows(CompletionException.class, log.append(Chains.entry(3))::join);

    assertThat(thrown).hasCauseInstanceOf(AuditUnavailableException.class);
    assertEquals(2, log.size());
    assertThrows(IllegalArgumentException.class, () -> new InMemoryAuditLog(0));
  }

  @Test
  void aNullEntryIsAProgrammingError() {
    assertThrows(NullPointerException.class, () -> new InMemoryAuditLog().append(null));
  }

  // Tampering with a stored copy of a log of N records. Positions are seqs: record k is records.get(k - 1).

  @Test
  void editingAPayloadFieldOfRecordKReportsKAsEdited() {
    for (int k = 1; k <= N; k++) {
      List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
      records.set(k - 1, Chains.withPayloadField(records.get(k - 1), "credential", "cred-forged"));

      assertEquals(broken(records, k, Fault.HASH_MISMATCH), InMemoryAuditLog.verify(records), "k=" + k);
    }
  }

  @Test
  void editingAndResealingRecordKBreaksTheLinkOfKPlusOne() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    records.set(3, Chains.reseal(Chains.withPayloadField(records.get(3), "credential", "cred-forged")));

    assertEquals(broken(records, 5, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(records));
  }

  @Test
  void deletingRecordKBreaksTheChainAtK() {
    for (int k = 1; k < N; k++) {
      List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
      records.remove(k - 1);

      assertEquals(broken(records, k, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(records), "k=" + k);
    }
  }

  /** What a chain alone cannot show; a receipt or a checkpoint of the head can. */
  @Test
  void deletingTheLastRecordIsOnlySeenAgainstAKnownHead() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    String knownHead = records.get(N - 1).hash();
    records.remove(N - 1);

    Verification verification = InMemoryAuditLog.verify(records);

    assertEquals(new Intact(N - 1, records.get(N - 2).hash()), verification);
    assertThat(verification.headHash()).isNotEqualTo(knownHead);
  }

  @Test
  void swappingTwoRecordsBreaksTheChainAtTheFirst() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    Collections.swap(records, 3, 7);

    assertEquals(broken(records, 4, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(records));

    List<AuditRecord> adjacent = new ArrayList<>(Chains.chain(N));
    Collections.swap(adjacent, 0, 1);

    assertEquals(broken(adjacent, 1, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(adjacent));
  }

  @Test
  void insertingAWellFormedRecordBreaksTheChainRightAfterIt() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    // A forger's record for seq 5, linked to record 4 and correctly hashed: it passes, its successor does not.
    AuditRecord forged = AuditRecord.chain(5, Chains.entry(99), records.get(3).hash());
    records.add(4, forged);

    assertEquals(broken(records, 6, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(records));
  }

  @Test
  void insertingACopyOfAnEarlierRecordBreaksTheChainWhereItIs() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    records.add(6, records.get(2));

    assertEquals(broken(records, 7, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(records));
  }

  @Test
  void renumberingAndResealingRecordKReportsASeqMismatchAtK() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    records.set(5, Chains.reseal(Chains.withSeq(records.get(5), 60)));

    assertEquals(broken(records, 6, Fault.SEQ_MISMATCH), InMemoryAuditLog.verify(records));
  }

  @Test
  void renumberingWithoutResealingIsAnEdit() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    records.set(5, Chains.withSeq(records.get(5), 60));

    assertEquals(broken(records, 6, Fault.HASH_MISMATCH), InMemoryAuditLog.verify(records));
  }

  @Test
  void aBrokenChainDescribesItself() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    records.set(1, Chains.withPayloadField(records.get(1), "n", 0L));

    Broken broken = (Broken) InMemoryAuditLog.verify(records);

    assertEquals("audit chain of 10 records breaks at seq 2: the record was edited", broken.describe());
    assertThat(broken.intact()).isFalse();
  }

  @Test
  void theFirstRecordMustLinkToGenesis() {
    List<AuditRecord> records = new ArrayList<>(Chains.chain(N));
    AuditRecord first = records.get(0);
    records.set(0, Chains.reseal(Chains.withPrevHash(first, "1".repeat(64))));

    assertEquals(broken(records, 1, Fault.PREV_HASH_MISMATCH), InMemoryAuditLog.verify(records));
  }

  @Test
  void aStoredCopyOfTheLogVerifiesLikeTheLog() {
    InMemoryAuditLog log = new InMemoryAuditLog();
    for (int i = 0; i < N; i++) {
      log.append(Chains.entry(i));
    }
    List<AuditRecord> stored =
        log.records().stream()
            .map(r -> new AuditRecord(r.seq(), r.at(), r.mission(), r.lineage(), r.kind(),
                Map.copyOf(r.payload()), r.prevHash(), r.hash()))
            .toList();

    assertEquals(log.verify(), InMemoryAuditLog.verify(stored));
  }

  private static Broken broken(List<AuditRecord> records, long firstBadSeq, Fault fault) {
    return new Broken(records.size(), Chains.head(records), firstBadSeq, fault);
  }
}
