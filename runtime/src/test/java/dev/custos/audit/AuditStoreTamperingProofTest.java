package dev.custos.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.Seeds;
import dev.custos.audit.AuditStore.Checkpoint;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random tampering with a durable store, on H2 and on a real PostgreSQL server. A few hundred varied records are
 * written through {@link JdbcAuditLog}, with a signed checkpoint every {@value #CHECKPOINT_EVERY} and one at the head.
 * Each mutation then changes the tables with SQL inside a transaction that is rolled back after verification, so every
 * one starts from the store as written. Each mutation knows, from what it did alone, which fault the verifier must name
 * and the first sequence it cannot trust; the verifier, given the trusted key, must say exactly that. A failure prints
 * the seed, the mutation and the verifier's answer.
 *
 * <p>Hashes an attacker recomputes are computed here from the documented hash rule ({@link Chains#sha256}), not with
 * the code under test.
 */
class AuditStoreTamperingProofTest {

  private static final CheckpointKey KEY = CheckpointKey.generate(new SecureRandom());
  /** An attacker's own key: well-formed signatures, but not by the trusted key. */
  private static final CheckpointKey ROGUE = CheckpointKey.generate(new SecureRandom());
  private static final int CHECKPOINT_EVERY = 25;
  private static final Map<Database, Integer> MUTATIONS = Map.of(Database.H2, 1_050, Database.POSTGRES, 700);
  private static final HexFormat HEX = HexFormat.of();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final List<String> COLUMNS = List.of("recorded_at", "mission", "lineage", "agent", "kind",
      "policy_version", "rule_ids", "credential_id", "grant_json", "payload", "prev_hash", "chain_hash");

  private enum Tamper {
    EDIT,
    DELETE,
    SWAP,
    INSERT,
    TRUNCATE,
    REHASH_SUFFIX,
    FORGE_CHECKPOINT
  }

  /** What verification says, as far as this test judges it: the fault and the first sequence it cannot trust. */
  private record Outcome(Optional<Fault> fault, long firstBadSeq) {

    static Outcome of(Result result) {
      return new Outcome(result.fault(), result.firstBadSeq());
    }

    static Outcome at(Fault fault, long seq) {
      return new Outcome(Optional.of(fault), seq);
    }
  }

  /** One mutation, in words, and what verification must say of it. */
  private record Case(Tamper tamper, String what, Outcome expected) {}

  @ParameterizedTest(name = "{0}")
  @EnumSource(Database.class)
  void everyTamperingIsFoundAtTheFirstSeqItBreaks(Database database, @TempDir Path dir) throws Exception {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    String where = database + ", " + Seeds.describe(seed);
    try (Store store = Stores.fresh(database, dir)) {
      int n = 250 + random.nextInt(101);
      List<AuditEntry> entries = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        entries.add(Entries.realistic(i, random));
      }
      List<AuditReceipt> receipts = write(store, entries);
      try (Connection connection = store.connect()) {
        connection.setAutoCommit(false);
        List<AuditRow> rows = AuditStore.rows(connection, 1);
        TreeMap<Long, Checkpoint> checkpoints = AuditStore.checkpoints(connection);
        connection.rollback();
        assertEquals(forgeChain(entries, 1, AuditRecord.GENESIS_HASH), rows,
            where + ": the stored rows are not the appended entries chained by the hash rule");
        assertEquals(receipts.get(n - 1).hash(), rows.get(n - 1).hash(), where);
        TreeSet<Long> expectedCheckpoints = new TreeSet<>();
        for (long seq = CHECKPOINT_EVERY; seq <= n; seq += CHECKPOINT_EVERY) {
          expectedCheckpoints.add(seq);
        }
        expectedCheckpoints.add((long) n);
        assertEquals(expectedCheckpoints, checkpoints.navigableKeySet(), where + ": checkpoints");
        Result intact = new Result(n, rows.get(n - 1).hash(), checkpoints.size(), n, Optional.empty(), 0, "");

        Tampering tampering = new Tampering(entries, rows, checkpoints, random);
        Map<String, Integer> tally = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        long started = System.nanoTime();
        int mutations = MUTATIONS.get(database);
        for (int m = 0; m < mutations; m++) {
          if (m % 100 == 0) {
            assertEquals(intact, AuditStore.verify(connection, KEY.publicKey(), null), where + ": untouched store");
            connection.rollback();
          }
          Tamper tamper = Tamper.values()[m % Tamper.values().length];
          Case tampered;
          Result result;
          try {
            tampered = tampering.apply(tamper, connection);
            result = AuditStore.verify(connection, KEY.publicKey(), null);
          } finally {
            connection.rollback();
          }
          if (!tampered.expected().equals(Outcome.of(result))) {
            wrong.add("mutation " + m + ": " + tampered.what() + "\n    expected " + tampered.expected()
                + "\n    the verifier said " + result);
          }
          tally.merge(tamper + "->" + tampered.expected().fault().orElseThrow(), 1, Integer::sum);
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(wrong.size(), 20)),
            where + ": " + wrong.size() + " of " + mutations + " mutations misjudged (the first 20 are shown)");
        assertEquals(intact, AuditStore.verify(connection, KEY.publicKey(), null), where + ": untouched store at the end");
        System.out.printf("%s: %d records, %d checkpoints, %d mutations in %d ms: %s%n", where, n, checkpoints.size(),
            mutations, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), tally);
      }
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

  /** Makes one mutation of the store as written, with SQL, and says what verification must find. */
  private static final class Tampering {

    private final List<AuditEntry> entries;
    private final List<AuditRow> rows;
    private final TreeMap<Long, Checkpoint> checkpoints;
    private final List<Long> checkpointSeqs;
    private final SplittableRandom random;
    private final int n;
    // Counters that cycle each kind's variants, so every variant runs on every database in every run.
    private int edits;
    private int deletions;
    private int swaps;
    private int insertions;
    private int rewrites;
    private int forgeries;

    Tampering(List<AuditEntry> entries, List<AuditRow> rows, TreeMap<Long, Checkpoint> checkpoints,
        SplittableRandom random) {
      this.entries = entries;
      this.rows = rows;
      this.checkpoints = checkpoints;
      this.checkpointSeqs = List.copyOf(checkpoints.keySet());
      this.random = random;
      this.n = rows.size();
    }

    Case apply(Tamper tamper, Connection c) throws SQLException {
      return switch (tamper) {
        case EDIT -> edit(c);
        case DELETE -> delete(c);
        case SWAP -> swap(c);
        case INSERT -> insert(c);
        case TRUNCATE -> truncate(c);
        case REHASH_SUFFIX -> rehashSuffix(c);
        case FORGE_CHECKPOINT -> forgeCheckpoint(c);
      };
    }

    /** One column of one row set to another text, nothing recomputed: that row is the first bad one. */
    private Case edit(Connection c) throws SQLException {
      int s = position(1, n);
      String column = COLUMNS.get(edits % COLUMNS.size());
      String value = editedValue(column, row(s), edits / COLUMNS.size() % 4);
      edits++;
      try (PreparedStatement update = c.prepareStatement("UPDATE custos_audit SET " + column + " = ? WHERE seq = ?")) {
        update.setString(1, value);
        update.setLong(2, s);
        assertEquals(1, update.executeUpdate());
      }
      return new Case(Tamper.EDIT, column + " of " + s + " set to " + quoted(value), Outcome.at(Fault.EDITED, s));
    }

    private Case delete(Connection c) throws SQLException {
      switch (deletions++ % 4) {
        case 0 -> {
          execute(c, "DELETE FROM custos_audit WHERE seq = ?", n);
          return new Case(Tamper.DELETE, "the last record, " + n + ", deleted", Outcome.at(Fault.TRUNCATED, n));
        }
        case 1 -> {
          int s = position(1, n - 1);
          execute(c, "DELETE FROM custos_audit WHERE seq = ?", s);
          return new Case(Tamper.DELETE, s + " deleted", Outcome.at(Fault.MISSING, s));
        }
        case 2 -> {
          int s = position(1, n - 1);
          int last = s + random.nextInt(Math.min(5, n - s));
          execute(c, "DELETE FROM custos_audit WHERE seq >= ? AND seq <= ?", s, last);
          return new Case(Tamper.DELETE, s + ".." + last + " deleted", Outcome.at(Fault.MISSING, s));
        }
        default -> {
          // Hiding the gap: the records after it renumbered down, their texts and hashes kept.
          int s = position(1, n - 1);
          execute(c, "DELETE FROM custos_audit WHERE seq = ?", s);
          shift(c, s + 1, -1);
          return new Case(Tamper.DELETE, s + " deleted and " + (s + 1) + ".." + n + " renumbered down",
              Outcome.at(Fault.MISSING, s));
        }
      }
    }

    /** Every column but seq exchanged between a and b: a holds what belongs elsewhere. */
    private Case swap(Connection c) throws SQLException {
      int a = position(1, n - 1);
      int b = swaps++ % 3 == 0 ? a + 1 : position(a + 1, n);
      put(c, a, row(b));
      put(c, b, row(a));
      return new Case(Tamper.SWAP, a + " and " + b + " swapped", Outcome.at(Fault.REORDERED, a));
    }

    /**
     * A clever insertion at p: the records from p on renumbered up with their texts kept, and a fabricated record at
     * p that follows p - 1 and whose hash is right for its own content.
     */
    private Case insert(Connection c) throws SQLException {
      int p = insertions++ % 4 == 0 ? (int) (long) checkpointSeqs.get(random.nextInt(checkpointSeqs.size()))
          : position(1, n);
      shift(c, p, +1);
      AuditEntry fabricated = Entries.realistic(10_000 + p, random);
      insertRow(c, forge(p, fabricated, prevHash(p)));
      return new Case(Tamper.INSERT, "a fabricated record inserted at " + p + ", " + p + ".." + n + " renumbered up",
          Outcome.at(Fault.INSERTED, p));
    }

    private Case truncate(Connection c) throws SQLException {
      int s = position(1, n);
      execute(c, "DELETE FROM custos_audit WHERE seq >= ?", s);
      return new Case(Tamper.TRUNCATE, "records " + s + ".." + n + " deleted", Outcome.at(Fault.TRUNCATED, s));
    }

    /**
     * Record s edited and every hash from s on recomputed: the chain holds together, and only the first checkpoint at
     * or after s disagrees. Nothing after the last checkpoint before s can be trusted.
     */
    private Case rehashSuffix(Connection c) throws SQLException {
      int s = position(1, n);
      String change = rewrite(c, s);
      Long lastBefore = checkpoints.lowerKey((long) s);
      long firstBad = lastBefore == null ? 1 : lastBefore + 1;
      return new Case(Tamper.REHASH_SUFFIX, change, Outcome.at(Fault.REWRITTEN, firstBad));
    }

    private Case forgeCheckpoint(Connection c) throws SQLException {
      long cp = checkpointSeqs.get(random.nextInt(checkpointSeqs.size()));
      Checkpoint genuine = checkpoints.get(cp);
      switch (forgeries++ % 6) {
        case 0 -> {
          String hash = random.nextBoolean() ? randomHash() : row((int) (1 + random.nextInt(n))).hash();
          if (hash.equals(genuine.hash())) {
            hash = randomHash();
          }
          execute(c, "UPDATE custos_audit_checkpoint SET chain_hash = ? WHERE seq = ?", hash, cp);
          return new Case(Tamper.FORGE_CHECKPOINT, "the checkpoint at " + cp + " given hash " + hash,
              Outcome.at(Fault.FORGED_CHECKPOINT, cp));
        }
        case 1 -> {
          long moved;
          do {
            moved = 1 + random.nextInt(n + 5);
          } while (checkpoints.containsKey(moved));
          execute(c, "UPDATE custos_audit_checkpoint SET seq = ? WHERE seq = ?", moved, cp);
          return new Case(Tamper.FORGE_CHECKPOINT, "the checkpoint at " + cp + " moved to " + moved,
              Outcome.at(Fault.FORGED_CHECKPOINT, moved));
        }
        case 2 -> {
          signWithRogue(c, cp, genuine.hash(), true);
          return new Case(Tamper.FORGE_CHECKPOINT, "the checkpoint at " + cp + " re-signed with another key",
              Outcome.at(Fault.FORGED_CHECKPOINT, cp));
        }
        case 3 -> {
          signWithRogue(c, cp, genuine.hash(), false);
          return new Case(Tamper.FORGE_CHECKPOINT, "the checkpoint at " + cp
              + " re-signed with another key, the trusted key's id and public key kept",
              Outcome.at(Fault.FORGED_CHECKPOINT, cp));
        }
        case 4 -> {
          String signature = damaged(genuine.signature());
          execute(c, "UPDATE custos_audit_checkpoint SET signature = ? WHERE seq = ?", signature, cp);
          return new Case(Tamper.FORGE_CHECKPOINT, "the checkpoint at " + cp + " given signature " + signature,
              Outcome.at(Fault.FORGED_CHECKPOINT, cp));
        }
        default -> {
          // The attacker's whole story: a rewritten suffix, and its checkpoints re-signed with the attacker's key.
          int s = position(1, n);
          String change = rewrite(c, s);
          long first = checkpoints.ceilingKey((long) s);
          for (long seq : checkpoints.tailMap((long) s, true).keySet()) {
            String hash = hashAt(c, seq);
            signWithRogue(c, seq, hash, true);
          }
          return new Case(Tamper.FORGE_CHECKPOINT, change + ", and the checkpoints from " + first
              + " on re-signed with another key", Outcome.at(Fault.FORGED_CHECKPOINT, first));
        }
      }
    }

    /** Record s's content changed consistently (derived columns too) and the chain from s on recomputed. */
    private String rewrite(Connection c, int s) throws SQLException {
      AuditEntry e = entries.get(s - 1);
      String change;
      AuditEntry edited;
      switch (rewrites++ % 5) {
        case 0 -> {
          change = "mission";
          edited = new AuditEntry(e.at(), e.mission() + "·forged", e.lineage(), e.kind(), e.payload());
        }
        case 1 -> {
          change = "time";
          edited = new AuditEntry(e.at().minusSeconds(3600), e.mission(), e.lineage(), e.kind(), e.payload());
        }
        case 2 -> {
          change = "kind";
          AuditKind other = AuditKind.values()[(e.kind().ordinal() + 1) % AuditKind.values().length];
          edited = new AuditEntry(e.at(), e.mission(), e.lineage(), other, e.payload());
        }
        case 3 -> {
          change = "lineage";
          List<String> lineage = new ArrayList<>(e.lineage());
          lineage.add("sleeper-agent");
          edited = new AuditEntry(e.at(), e.mission(), lineage, e.kind(), e.payload());
        }
        default -> {
          change = "payload (rules, credential, grant)";
          Map<String, Object> payload = new LinkedHashMap<>(e.payload());
          payload.put("rules", List.of("allow-all"));
          payload.put("credential", "cred-forged");
          payload.put("grant", Map.of("tools", List.of("*"), "budget", Map.of("usd", 1_000_000L)));
          edited = new AuditEntry(e.at(), e.mission(), e.lineage(), e.kind(), payload);
        }
      }
      List<AuditEntry> suffix = new ArrayList<>(entries.subList(s - 1, n));
      suffix.set(0, edited);
      List<AuditRow> rewritten = forgeChain(suffix, s, prevHash(s));
      try (PreparedStatement update = c.prepareStatement(UPDATE_ALL)) {
        for (AuditRow row : rewritten) {
          bindAll(update, row.seq(), row);
          update.addBatch();
        }
        update.executeBatch();
      }
      return change + " of " + s + " edited and the hashes of " + s + ".." + n + " recomputed";
    }

    /** A text for {@code column} other than the row's, in one of four styles. */
    private String editedValue(String column, AuditRow r, int variant) {
      String old = switch (column) {
        case "recorded_at" -> r.at();
        case "mission" -> r.mission();
        case "lineage" -> r.lineage();
        case "agent" -> r.agent();
        case "kind" -> r.kind();
        case "policy_version" -> r.policyVersion();
        case "rule_ids" -> r.ruleIds();
        case "credential_id" -> r.credentialId();
        case "grant_json" -> r.grant();
        case "payload" -> r.payload();
        case "prev_hash" -> r.prevHash();
        case "chain_hash" -> r.hash();
        default -> throw new AssertionError(column);
      };
      String value = switch (column) {
        case "recorded_at" -> variant < 2
            ? Instant.parse(old).plusMillis(1 + random.nextInt(100_000)).toString()
            : old.replace("Z", "+00:00"); // the same instant, written otherwise
        case "prev_hash", "chain_hash" -> switch (variant) {
          case 0 -> randomHash();
          case 1 -> row(1 + random.nextInt(n)).hash(); // another record's hash
          case 2 -> old.toUpperCase(Locale.ROOT); // the same 32 bytes, written otherwise
          default -> oneDigitChanged(old);
        };
        case "kind" -> AuditKind.values()[random.nextInt(AuditKind.values().length)].text();
        case "lineage", "rule_ids", "grant_json", "payload" -> switch (variant) {
          case 0 -> old.isEmpty() ? "[]" : " " + old; // the same JSON value, not canonical
          case 1 -> old.replace(",", ", ");
          case 2 -> old.startsWith("{") && old.length() > 2 ? "{\"injected\":true," + old.substring(1)
              : old.startsWith("[") && old.length() > 2 ? "[\"injected\"," + old.substring(1) : "";
          default -> column.equals("lineage") || column.equals("rule_ids") ? "[\"allow-all\"]" : "{\"tools\":[\"*\"]}";
        };
        default -> switch (variant) { // mission, agent, policy_version, credential_id
          case 0 -> old + "x";
          case 1 -> old.isEmpty() ? "x" : "";
          case 2 -> old.toUpperCase(Locale.ROOT);
          default -> old.replace('a', 'а'); // a Cyrillic look-alike
        };
      };
      if (value.equals(old)) {
        value = column.endsWith("hash") ? randomHash() : old + "!";
      }
      return value;
    }

    private void signWithRogue(Connection c, long seq, String hash, boolean rogueKeyNamed) throws SQLException {
      String signature = BASE64URL.encodeToString(ROGUE.sign(seq, hash));
      if (rogueKeyNamed) {
        execute(c, "UPDATE custos_audit_checkpoint SET chain_hash = ?, key_id = ?, public_key = ?, signature = ? "
            + "WHERE seq = ?", hash, ROGUE.publicKey().thumbprint(), ROGUE.publicKey().base64Url(), signature, seq);
      } else {
        execute(c, "UPDATE custos_audit_checkpoint SET chain_hash = ?, signature = ? WHERE seq = ?", hash, signature,
            seq);
      }
    }

    /** Another checkpoint's signature, one character changed, or text that is not base64url. */
    private String damaged(String signature) {
      return switch (random.nextInt(3)) {
        case 0 -> {
          long other = checkpointSeqs.get(random.nextInt(checkpointSeqs.size()));
          String theirs = checkpoints.get(other).signature();
          yield theirs.equals(signature) ? damaged(signature) : theirs;
        }
        case 1 -> {
          int i = random.nextInt(signature.length() - 1); // not the last: its low bits may be ignored
          char changed = signature.charAt(i) == 'A' ? 'B' : 'A';
          yield signature.substring(0, i) + changed + signature.substring(i + 1);
        }
        default -> signature.substring(0, 10) + "*" + signature.substring(11);
      };
    }

    /** A seq in [lo, hi]; a third of them at or next to a checkpoint, where the verifier's logic changes. */
    private int position(int lo, int hi) {
      if (random.nextInt(3) == 0) {
        long near = checkpointSeqs.get(random.nextInt(checkpointSeqs.size())) + random.nextInt(3) - 1;
        return (int) Math.max(lo, Math.min(hi, near));
      }
      return lo + random.nextInt(hi - lo + 1);
    }

    private AuditRow row(int seq) {
      return rows.get(seq - 1);
    }

    private String prevHash(int seq) {
      return seq == 1 ? AuditRecord.GENESIS_HASH : row(seq - 1).hash();
    }

    private String randomHash() {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      return HEX.formatHex(bytes);
    }

    private String oneDigitChanged(String hash) {
      int i = random.nextInt(hash.length());
      char c = hash.charAt(i);
      char other = "0123456789abcdef".charAt((Character.digit(c, 16) + 1 + random.nextInt(15)) % 16);
      return hash.substring(0, i) + other + hash.substring(i + 1);
    }
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

  private static String hashAt(Connection c, long seq) throws SQLException {
    try (PreparedStatement query = c.prepareStatement("SELECT chain_hash FROM custos_audit WHERE seq = ?")) {
      query.setLong(1, seq);
      try (var result = query.executeQuery()) {
        result.next();
        return result.getString(1);
      }
    }
  }

  private static void execute(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.executeUpdate();
    }
  }

  private static String quoted(String text) {
    return "'" + (text.length() > 80 ? text.substring(0, 80) + "…" : text) + "'";
  }
}
