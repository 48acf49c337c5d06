package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store: group commit, receipts in order, reopening continues the chain, a checkpoint at close. */
class JdbcAuditLogTest {

  private static final CheckpointKey KEY = CheckpointKey.generate(new SecureRandom());

  static AuditEntry entry(int i) {
    return new AuditEntry(Instant.parse("2026-01-01T00:00:00Z").plusMillis(i), "m1", List.of("a1", "a" + (i % 7)),
        AuditKind.DECISION, Map.of("i", i, "policyVersion", "sha256:x", "rules", List.of("r" + (i % 3)),
            "credential", "c" + i, "grant", Map.of("budget", 5)));
  }

  @Test
  void appendsFromManyThreadsFormOneVerifiedChain(@TempDir Path dir) throws Exception {
    String url = JdbcAuditLog.embeddedUrl(dir);
    List<CompletableFuture<AuditReceipt>> receipts = new ArrayList<>();
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, KEY).checkpointEvery(500).open()) {
      ExecutorService threads = Executors.newFixedThreadPool(8);
      List<java.util.concurrent.Future<List<CompletableFuture<AuditReceipt>>>> sent = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        sent.add(threads.submit(() -> {
          List<CompletableFuture<AuditReceipt>> mine = new ArrayList<>();
          for (int i = 0; i < 500; i++) {
            mine.add(log.append(entry(thread * 1000 + i)).toCompletableFuture());
          }
          return mine;
        }));
      }
      for (var future : sent) {
        receipts.addAll(future.get());
      }
      threads.shutdown();
      CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    assertThat(receipts.stream().map(r -> r.join().seq()).distinct().count()).isEqualTo(4000);
    try (Connection connection = DriverManager.getConnection(url)) {
      AuditStore.Result result = AuditStore.verify(connection, KEY.publicKey(), null);
      assertEquals(new AuditStore.Result(4000, result.headHash(), result.checkpoints(), 4000, Optional.empty(), 0, ""),
          result);
      assertThat(result.checkpoints()).isGreaterThanOrEqualTo(8);
      long highest = receipts.stream().mapToLong(r -> r.join().seq()).max().orElseThrow();
      String headHash = receipts.stream().map(CompletableFuture::join).filter(r -> r.seq() == highest)
          .findFirst().orElseThrow().hash();
      assertEquals(headHash, result.headHash());
    }
  }

  @Test
  void reopeningContinuesTheChain(@TempDir Path dir) throws Exception {
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, KEY).open()) {
      assertEquals(1, log.append(entry(1)).toCompletableFuture().get().seq());
      assertEquals(2, log.append(entry(2)).toCompletableFuture().get().seq());
    }
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, KEY).open()) {
      assertEquals(3, log.append(entry(3)).toCompletableFuture().get().seq());
    }
    try (Connection connection = DriverManager.getConnection(JdbcAuditLog.embeddedUrl(dir))) {
      AuditStore.Result result = AuditStore.verify(connection, KEY.publicKey(), null);
      assertTrue(result.intact(), result.toString());
      assertEquals(3, result.records());
      assertEquals(3, result.lastCheckpoint());
      List<AuditRow> rows = AuditStore.rows(connection, 1);
      assertEquals(AuditRow.of(AuditRecord.chain(1, entry(1), AuditRecord.GENESIS_HASH)), rows.get(0));
      assertTrue(rows.get(0).derivedColumnsMatch());
      assertEquals("a1", rows.get(0).agent());
    }
  }

  @Test
  void anEditedRecordIsFound(@TempDir Path dir) throws Exception {
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, KEY).open()) {
      for (int i = 1; i <= 20; i++) {
        log.append(entry(i));
      }
    }
    try (Connection connection = DriverManager.getConnection(JdbcAuditLog.embeddedUrl(dir));
        Statement edit = connection.createStatement()) {
      edit.executeUpdate("UPDATE custos_audit SET mission = 'm2' WHERE seq = 7");
      AuditStore.Result result = AuditStore.verify(connection, KEY.publicKey(), null);
      assertEquals(Optional.of(AuditStore.Fault.EDITED), result.fault());
      assertEquals(7, result.firstBadSeq());
      assertEquals(20, result.records());
    }
  }

  @Test
  void faultsAreFoundPastTheFirstChunkOfRows(@TempDir Path dir) throws Exception {
    List<CompletableFuture<AuditReceipt>> receipts = new ArrayList<>();
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, KEY).checkpointEvery(1000).open()) {
      for (int i = 1; i <= 10_000; i++) {
        receipts.add(log.append(entry(i)).toCompletableFuture());
      }
      CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    try (Connection connection = DriverManager.getConnection(JdbcAuditLog.embeddedUrl(dir));
        Statement edit = connection.createStatement()) {
      connection.setAutoCommit(false);
      AuditStore.Result intact = AuditStore.verify(connection, KEY.publicKey(), null);
      assertTrue(intact.intact(), intact.toString());
      assertEquals(10_000, intact.records());
      edit.executeUpdate("UPDATE custos_audit SET kind = 'halt' WHERE seq = 9001");
      AuditStore.Result edited = AuditStore.verify(connection, KEY.publicKey(), null);
      assertEquals(List.of(Optional.of(AuditStore.Fault.EDITED), 9001L, 10_000L),
          List.of(edited.fault(), edited.firstBadSeq(), edited.records()));
      connection.rollback();
      edit.executeUpdate("DELETE FROM custos_audit WHERE seq = 4097");
      AuditStore.Result missing = AuditStore.verify(connection, KEY.publicKey(), null);
      assertEquals(List.of(Optional.of(AuditStore.Fault.MISSING), 4097L, 9_999L),
          List.of(missing.fault(), missing.firstBadSeq(), missing.records()));
      connection.rollback();
    }
  }

  @Test
  void aStoreThatIsDownFailsAppendsAndWorkAfterItComesBack(@TempDir Path dir) throws Exception {
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, KEY).open()) {
      assertEquals(1, log.append(entry(1)).toCompletableFuture().get().seq());
      // Another session drops the table: the store can no longer take records.
      try (Connection admin = DriverManager.getConnection(JdbcAuditLog.embeddedUrl(dir));
          Statement statement = admin.createStatement()) {
        statement.execute("ALTER TABLE custos_audit RENAME TO custos_audit_away");
      }
      CompletableFuture<AuditReceipt> refused = log.append(entry(2)).toCompletableFuture();
      assertThat(refused).failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(AuditUnavailableException.class);
      try (Connection admin = DriverManager.getConnection(JdbcAuditLog.embeddedUrl(dir));
          Statement statement = admin.createStatement()) {
        statement.execute("ALTER TABLE custos_audit_away RENAME TO custos_audit");
      }
      assertEquals(2, log.append(entry(3)).toCompletableFuture().get(10, TimeUnit.SECONDS).seq());
    }
  }
}
