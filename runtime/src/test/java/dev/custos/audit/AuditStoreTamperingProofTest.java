package dev.custos.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.audit.AuditStore.Fault;
import dev.custos.audit.AuditStore.Result;
import dev.custos.audit.Stores.Database;
import dev.custos.audit.Stores.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tampering with a durable store, on H2 and on a real PostgreSQL server: records written through {@link JdbcAuditLog},
 * with a signed checkpoint every {@value #CHECKPOINT_EVERY} and one at the head, then changed with SQL inside a
 * transaction that is rolled back after verification. The verifier, given the trusted key, must name the fault and the
 * first sequence it cannot trust.
 *
 * <p>Hashes an attacker recomputes are computed here from the documented hash rule ({@link Chains#sha256}), not with
 * the code under test.
 */
class AuditStoreTamperingProofTest {

  private static final CheckpointKey KEY = CheckpointKey.generate(new SecureRandom());
  private static final int CHECKPOINT_EVERY = 25;

  /** What verification says, as far as this test judges it: the fault and the first sequence it cannot trust. */
  private record Outcome(Optional<Fault> fault, long firstBadSeq) {

    static Outcome of(Result result) {
      return new Outcome(result.fault(), result.firstBadSeq());
    }

    static Outcome at(Fault fault, long seq) {
      return new Outcome(Optional.of(fault), seq);
    }
  }

  /** A change made with SQL. */
  private interface Sql {
    void apply(Connection c) throws SQLException;
  }

  /**
   * The cases where what the verifier should say needed deciding, each once, by name. On 60 records with checkpoints
   * at 25, 50 and 60.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Database.class)
  void decidedCases(Database database, @TempDir Path dir) throws Exception {
    SplittableRandom random = new SplittableRandom(60);
    List<AuditEntry> entries = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      entries.add(Entries.realistic(i, random));
    }
    try (Store store = Stores.fresh(database, dir)) {
      write(store, entries);
      try (Connection connection = store.connect()) {
        connection.setAutoCommit(false);
        List<AuditRow> rows = AuditStore.rows(connection, 1);
        assertEquals(List.of(25L, 50L, 60L), List.copyOf(AuditStore.checkpoints(connection).keySet()));
        connection.rollback();
        Map<String, Sql> cases = new LinkedHashMap<>();
        Map<String, Outcome> expected = new LinkedHashMap<>();
        // A checkpoint whose signature fails vouches for nothing, so it cannot make the records before it suspect,
        // nor the records after the genuine head checkpoint look truncated.
        cases.put("a checkpoint given another record's hash is forged, not a rewrite of 26..50",
            c -> execute(c, "UPDATE custos_audit_checkpoint SET chain_hash = ? WHERE seq = 50", rows.get(48).hash()));
        expected.put("a checkpoint given another record's hash is forged, not a rewrite of 26..50",
            Outcome.at(Fault.FORGED_CHECKPOINT, 50));
        cases.put("a checkpoint moved past the head is forged, not a truncation",
            c -> execute(c, "UPDATE custos_audit_checkpoint SET seq = 70 WHERE seq = 60"));
        expected.put("a checkpoint moved past the head is forged, not a truncation",
            Outcome.at(Fault.FORGED_CHECKPOINT, 70));
        // The checkpoint at 25 vouches for the record now at 26, which follows 24: 1..24 verify.
        cases.put("a record inserted at a checkpoint's seq is an insertion there, not a rewrite of 1..25", c -> {
          shift(c, 25, +1);
          insertRow(c, forge(25, Entries.realistic(99, random), rows.get(23).hash()));
        });
        expected.put("a record inserted at a checkpoint's seq is an insertion there, not a rewrite of 1..25",
            Outcome.at(Fault.INSERTED, 25));
        cases.put("a deletion hidden by renumbering the rest down is missing, not an edit", c -> {
          execute(c, "DELETE FROM custos_audit WHERE seq = 30");
          shift(c, 31, -1);
        });
        expected.put("a deletion hidden by renumbering the rest down is missing, not an edit",
            Outcome.at(Fault.MISSING, 30));
        // Hashes are stored as lowercase hex: the same bytes in capitals are an edit of this record, not of 39.
        cases.put("prev_hash rewritten in capitals is an edit of that record",
            c -> execute(c, "UPDATE custos_audit SET prev_hash = ? WHERE seq = 40",
                rows.get(39).prevHash().toUpperCase(Locale.ROOT)));
        expected.put("prev_hash rewritten in capitals is an edit of that record", Outcome.at(Fault.EDITED, 40));
        // Only a record that is intact apart from its place has been moved; naming another predecessor is an edit.
        cases.put("prev_hash set to another record's hash is an edit, not a reorder",
            c -> execute(c, "UPDATE custos_audit SET prev_hash = ? WHERE seq = 40", rows.get(9).hash()));
        expected.put("prev_hash set to another record's hash is an edit, not a reorder", Outcome.at(Fault.EDITED, 40));
        cases.put("the last two records swapped is a reorder", c -> {
          put(c, 59, rows.get(59));
          put(c, 60, rows.get(58));
        });
        expected.put("the last two records swapped is a reorder", Outcome.at(Fault.REORDERED, 59));
        cases.put("a checkpoint's own record rewritten with the rest is a rewrite from the checkpoint before",
            c -> {
              List<AuditEntry> suffix = new ArrayList<>(entries.subList(49, 60));
              AuditEntry e = suffix.get(0);
              suffix.set(0, new AuditEntry(e.at(), e.mission() + "·forged", e.lineage(), e.kind(), e.payload()));
              for (AuditRow row : forgeChain(suffix, 50, rows.get(48).hash())) {
                put(c, row.seq(), row);
              }
            });
        expected.put("a checkpoint's own record rewritten with the rest is a rewrite from the checkpoint before",
            Outcome.at(Fault.REWRITTEN, 26));

        Map<String, Outcome> said = new LinkedHashMap<>();
        for (Map.Entry<String, Sql> c : cases.entrySet()) {
          try {
            c.getValue().apply(connection);
            said.put(c.getKey(), Outcome.of(AuditStore.verify(connection, KEY.publicKey(), null)));
          } finally {
            connection.rollback();
          }
        }
        assertEquals(expected, said, database.toString());
      }
    }
  }

  private static List<AuditReceipt> write(Store store, List<AuditEntry> entries) throws Exception {
    List<CompletableFuture<AuditReceipt>> receipts = new ArrayList<>();
    try (JdbcAuditLog log = store.log(KEY).checkpointEvery(CHECKPOINT_EVERY).checkpointInterval(Duration.ofHours(1))
        .open()) {
      for (AuditEntry entry : entries) {
        receipts.add(log.append(entry).toCompletableFuture());
      }
      CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    return receipts.stream().map(CompletableFuture::join).toList();
  }

  /**
   * The rows a forger without the key writes for {@code entries} from {@code fromSeq} on, following {@code prevHash}:
   * derived columns as a store writes them, hashes by the hash rule.
   */
  static List<AuditRow> forgeChain(List<AuditEntry> entries, long fromSeq, String prevHash) {
    List<AuditRow> rows = new ArrayList<>();
    String prev = prevHash;
    for (int i = 0; i < entries.size(); i++) {
      AuditRow row = forge(fromSeq + i, entries.get(i), prev);
      rows.add(row);
      prev = row.hash();
    }
    return rows;
  }

  static AuditRow forge(long seq, AuditEntry e, String prevHash) {
    AuditRow unsealed = AuditRow.of(new AuditRecord(seq, e.at(), e.mission(), e.lineage(), e.kind(), e.payload(),
        prevHash, AuditRecord.GENESIS_HASH));
    return withHash(unsealed, Chains.sha256(prevHash, unsealed.canonical()));
  }

  static AuditRow withHash(AuditRow r, String hash) {
    return new AuditRow(r.seq(), r.at(), r.mission(), r.lineage(), r.agent(), r.kind(), r.policyVersion(),
        r.ruleIds(), r.credentialId(), r.grant(), r.payload(), r.prevHash(), hash);
  }

  // ---------------------------------------------------------------------------------------------- SQL

  private static final String UPDATE_ALL = "UPDATE custos_audit SET recorded_at = ?, mission = ?, lineage = ?, "
      + "agent = ?, kind = ?, policy_version = ?, rule_ids = ?, credential_id = ?, grant_json = ?, payload = ?, "
      + "prev_hash = ?, chain_hash = ? WHERE seq = ?";

  /** Every column of the row at {@code seq} set to {@code row}'s texts; seq stays. */
  private static void put(Connection c, long seq, AuditRow row) throws SQLException {
    try (PreparedStatement update = c.prepareStatement(UPDATE_ALL)) {
      bindAll(update, seq, row);
      assertEquals(1, update.executeUpdate());
    }
  }

  private static void bindAll(PreparedStatement update, long seq, AuditRow row) throws SQLException {
    String[] texts = {row.at(), row.mission(), row.lineage(), row.agent(), row.kind(), row.policyVersion(),
        row.ruleIds(), row.credentialId(), row.grant(), row.payload(), row.prevHash(), row.hash()};
    for (int i = 0; i < texts.length; i++) {
      update.setString(i + 1, texts[i]);
    }
    update.setLong(texts.length + 1, seq);
  }

  private static void insertRow(Connection c, AuditRow row) throws SQLException {
    execute(c, "INSERT INTO custos_audit (seq, recorded_at, mission, lineage, agent, kind, policy_version, rule_ids, "
        + "credential_id, grant_json, payload, prev_hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        row.seq(), row.at(), row.mission(), row.lineage(), row.agent(), row.kind(), row.policyVersion(), row.ruleIds(),
        row.credentialId(), row.grant(), row.payload(), row.prevHash(), row.hash());
  }

  /**
   * Renumbers the records from {@code fromSeq} on by {@code delta}, texts kept. Through negative numbers, since both
   * databases check the primary key row by row.
   */
  private static void shift(Connection c, long fromSeq, int delta) throws SQLException {
    execute(c, "UPDATE custos_audit SET seq = -seq WHERE seq >= ?", fromSeq);
    execute(c, "UPDATE custos_audit SET seq = -seq + ? WHERE seq < 0", delta);
  }

  private static void execute(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.executeUpdate();
    }
  }
}
