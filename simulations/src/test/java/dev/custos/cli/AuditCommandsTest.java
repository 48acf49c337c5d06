package dev.custos.cli;

import static dev.custos.cli.CliRun.custos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditReceipt;
import dev.custos.audit.CheckpointKey;
import dev.custos.audit.JdbcAuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandsTest {

  /** A store of {@code count} records in {@code dir}, its key beside it; returns the head receipt. */
  private static AuditReceipt store(Path dir, int count) throws Exception {
    CheckpointKey key = CheckpointKey.loadOrCreate(dir.resolve("checkpoint-key"), new SecureRandom());
    AuditReceipt last = null;
    try (JdbcAuditLog log = JdbcAuditLog.embedded(dir, key).checkpointEvery(10).open()) {
      for (int i = 1; i <= count; i++) {
        last = log.append(new AuditEntry(Instant.EPOCH.plusSeconds(i), "m1", List.of("a1", "a2"), AuditKind.DECISION,
            Map.of("n", i, "note", "récord " + i))).toCompletableFuture().get();
      }
    }
    return last;
  }

  private static String url(Path dir) {
    return "jdbc:h2:file:" + dir.resolve("audit");
  }

  @Test
  void anIntactStoreVerifiesWithTheKeyBesideIt(@TempDir Path dir) throws Exception {
    AuditReceipt head = store(dir, 25);
    String thumbprint = CheckpointKey.readPublicKey(dir.resolve("checkpoint-key.pub")).thumbprint();
    assertEquals(new CliRun(0, List.of("OK: 25 records, head " + head.hash() + ", 3 checkpoints (last at seq 25), "
        + "signed by key " + thumbprint), List.of()), custos("audit", "verify", "--db", url(dir)));
  }

  @Test
  void anEditIsReportedWithTheFirstBadSequence(@TempDir Path dir) throws Exception {
    AuditReceipt head = store(dir, 25);
    try (Connection connection = DriverManager.getConnection(url(dir));
        Statement edit = connection.createStatement()) {
      edit.executeUpdate("UPDATE custos_audit SET payload = REPLACE(payload, '\"n\":12', '\"n\":13') WHERE seq = 12");
    }
    CliRun run = custos("audit", "verify", "--db", url(dir));
    assertEquals(new CliRun(1, List.of(
        "FAULT: edited at seq 12: record 12 was edited: its hash does not match its content",
        "  25 records, stored head " + head.hash() + ", 3 checkpoints (last at seq 25); records before seq 12 verify"),
        List.of()), run);
  }

  @Test
  void aTruncatedTailIsReported(@TempDir Path dir) throws Exception {
    store(dir, 25);
    try (Connection connection = DriverManager.getConnection(url(dir));
        Statement cut = connection.createStatement()) {
      cut.executeUpdate("DELETE FROM custos_audit WHERE seq > 20");
    }
    CliRun run = custos("audit", "verify", "--db", url(dir));
    assertEquals(1, run.exitCode());
    assertEquals("FAULT: truncated at seq 21: records after seq 20 are gone: the checkpoint signed at seq 25 vouches "
        + "for them", run.out().get(0));
  }

  @Test
  void checkpointsSignedByAnotherKeyAreForged(@TempDir Path dir, @TempDir Path other) throws Exception {
    store(dir, 5);
    CheckpointKey.loadOrCreate(other.resolve("k"), new SecureRandom());
    CliRun run = custos("audit", "verify", "--db", url(dir), "--public-key", other.resolve("k.pub").toString());
    assertEquals(1, run.exitCode());
    assertThat(run.out().get(0)).startsWith("FAULT: forged checkpoint at seq 5: the checkpoint at seq 5 is signed by");
  }

  @Test
  void withoutAKeyTheStoredOnesAreUsedAndSaidSo(@TempDir Path dir) throws Exception {
    store(dir, 3);
    Files.delete(dir.resolve("checkpoint-key.pub"));
    CliRun run = custos("audit", "verify", "--db", url(dir));
    assertEquals(0, run.exitCode());
    assertThat(run.err()).singleElement().asString().startsWith("note: no public key given");
  }

  @Test
  void exportWritesJsonLinesFromASequence(@TempDir Path dir) throws Exception {
    AuditReceipt head = store(dir, 4);
    CliRun run = custos("audit", "export", "--db", url(dir), "--from", "4");
    assertEquals(0, run.exitCode());
    assertThat(run.out()).singleElement().asString()
        .startsWith("{\"at\":\"1970-01-01T00:00:04Z\",\"hash\":\"" + head.hash() + "\",\"kind\":\"decision\"")
        .endsWith(",\"seq\":4}")
        .contains("\"payload\":{\"n\":4,\"note\":\"récord 4\"}");
    assertEquals(List.of("exported 1 records from seq 4"), run.err());
  }

  @Test
  void aStoreThatIsNotThereIsBadInput(@TempDir Path dir) {
    CliRun run = custos("audit", "verify", "--db", url(dir.resolve("nowhere")));
    assertEquals(2, run.exitCode());
    assertThat(run.err()).singleElement().asString().contains("no H2 database at");
    assertEquals(0, Files.exists(dir.resolve("nowhere")) ? 1 : 0, "verify must not create a store");
  }
}
