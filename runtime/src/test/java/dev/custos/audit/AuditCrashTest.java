package dev.custos.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.custos.Seeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability across a crash. A child JVM ({@link CrashingAppender}) appends from several threads and prints every
 * receipt it was given; the test kills it with SIGKILL at a seeded random moment, reopens the store, and checks that
 * every acknowledged record is there with the acknowledged hash and that the whole store verifies. Several rounds per
 * store, each continuing the chain the crashes left, for the embedded H2 file and for a real PostgreSQL server.
 *
 * <p>A negative control runs the same check against an H2 store configured the way H2 is by default ({@code
 * WRITE_DELAY=500}) with the log's sync switched off: killed right after a burst of receipts, it loses acknowledged
 * records, so the check can tell a durable configuration from one that is not.
 *
 * <p>What a kill cannot show: SIGKILL ends the process but leaves the operating system's page cache, so these tests
 * prove that a receipt waits until its record has reached the operating system. For H2 either half of the shipped
 * configuration survives a kill on its own ({@code WRITE_DELAY=0}, or {@code CHECKPOINT SYNC} after each commit);
 * what the sync adds, surviving a crash of the machine, needs a power cut no test here makes.
 *
 * <p>PostgreSQL: {@code 127.0.0.1:5432}, database {@code test}, user {@code postgres}, trust auth; each test works in a
 * schema of its own and drops it. {@code -Dcustos.postgres=off} skips the PostgreSQL test.
 */
class AuditCrashTest {

  private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String POSTGRES_USER = "postgres";
  private static final int ROUNDS = 6;
  private static final int CONTROL_TRIES = 5;
  private static final int APPENDER_THREADS = 4;
  private static final int CHECKPOINT_EVERY = 1_000;
  private static final Pattern ACK = Pattern.compile("ACK (\\d+) ([0-9a-f]{64})");
  /** What Java reports for a process killed by signal 9 on Linux: 128 + 9. */
  private static final int KILLED_BY_SIGKILL = 137;

  private final SecureRandom keys = new SecureRandom();

  @Test
  void embeddedH2KeepsEveryAcknowledgedRecordThroughSigkills(@TempDir Path dir) throws Exception {
    long seed = Seeds.seed();
    Store store = new Store("h2", JdbcAuditLog.embeddedUrl(dir.resolve("store")), null, null);
    crashRounds(store, dir, seed);
  }

  @Test
  void postgresKeepsEveryAcknowledgedRecordThroughSigkills(@TempDir Path dir) throws Exception {
    long seed = Seeds.seed();
    String schema = "custos_crash_" + Long.toHexString(new Random(seed).nextLong() & Long.MAX_VALUE);
    try (Connection admin = postgresOrSkip(); Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
      try {
        crashRounds(new Store("postgres", POSTGRES + "?currentSchema=" + schema, POSTGRES_USER, schema), dir, seed);
      } finally {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /**
   * The control: H2's default write delay, and no {@code CHECKPOINT SYNC} after commit. A kill right after a burst of
   * receipts finds acknowledged records gone, while what is left still verifies — only the receipts show the loss.
   * H2 writes its commits out within the delay, so a try can lose nothing; after {@value #CONTROL_TRIES} such tries
   * the control reports itself inconclusive (skipped) rather than claiming anything.
   */
  @Test
  void h2WithWriteDelayAndNoSyncLosesAcknowledgedRecords(@TempDir Path dir) throws Exception {
    long seed = Seeds.seed();
    Random random = new Random(seed);
    List<String> tries = new ArrayList<>();
    for (int attempt = 1; attempt <= CONTROL_TRIES; attempt++) {
      Path attemptDir = Files.createDirectories(dir.resolve("try-" + attempt));
      Store store = new Store("h2-unsafe", "jdbc:h2:file:" + attemptDir.resolve("audit") + ";WRITE_DELAY=500", null,
          null);
      Path keyFile = attemptDir.resolve("checkpoint.key");
      CheckpointKey key = CheckpointKey.loadOrCreate(keyFile, keys);
      try (JdbcAuditLog created = JdbcAuditLog.builder(store.url(), key).open()) {
        // the tables, written out when H2 closes: so what a crash can lose is records, not the schema
      }
      Moment moment = new Moment("after a burst", 2_000 + random.nextInt(6_000), 0);
      String context = Seeds.describe(seed) + ", control try " + attempt + ", killed " + moment;
      SortedMap<Long, String> acks = runAndKill(store, keyFile, "control-" + attempt, moment, attemptDir, true,
          context);
      Readback readback = readBack(store, key);
      SortedMap<Long, String> lost = lost(acks, readback.hashes());
      tries.add(acks.size() + " acknowledged, " + readback.result().records() + " stored, " + lost.size()
          + " lost");
      if (!lost.isEmpty()) {
        assertTrue(readback.result().intact(), context + ": " + readback.result());
        assertTrue(lost.firstKey() > readback.result().records(),
            context + ": the lost records are the acknowledged tail, not holes: lost " + lost.size() + " from seq "
                + lost.firstKey() + " in a store of " + readback.result().records());
        report("control", "lost acknowledged records on try " + attempt + ": " + tries);
        return;
      }
    }
    report("control", "lost nothing: " + tries);
    Assumptions.abort(Seeds.describe(seed) + ": the unsafe H2 configuration lost no acknowledged record in "
        + CONTROL_TRIES + " tries " + tries + "; the control is inconclusive this run");
  }

  // ---------------------------------------------------------------------------------------------- the rounds

  /** Kill moments: one of each kind, then seeded random kinds, in a seeded order. */
  private static List<Moment> moments(Random random) {
    List<Moment> moments = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      int kind = i < 3 ? i : random.nextInt(3);
      moments.add(switch (kind) {
        case 0 -> new Moment("right after start", 1 + random.nextInt(5), 0);
        case 1 -> new Moment("mid-run", 20 + random.nextInt(980), random.nextInt(20_000));
        default -> new Moment("after thousands", 2_000 + random.nextInt(6_000), random.nextInt(5_000));
      });
    }
    Collections.shuffle(moments, random);
    return moments;
  }

  private void crashRounds(Store store, Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    Path keyFile = dir.resolve("checkpoint.key");
    TreeMap<Long, String> acknowledged = new TreeMap<>();
    long head = 0;
    String headHash = AuditRecord.GENESIS_HASH;
    long started = System.nanoTime();
    List<Moment> moments = moments(random);
    for (int round = 1; round <= ROUNDS; round++) {
      Moment moment = moments.get(round - 1);
      String runId = store.name() + "-" + seed + "-" + round;
      String context = Seeds.describe(seed) + ", " + store.name() + " round " + round + ", killed " + moment;
      SortedMap<Long, String> acks = runAndKill(store, keyFile, runId, moment, dir, false, context);
      acknowledged.putAll(acks);

      Readback readback = readBack(store, CheckpointKey.load(keyFile));
      AuditStore.Result result = readback.result();
      assertTrue(result.intact(), context + ": " + result);
      // Every receipt of every round so far names a stored record with that hash: none lost, none rewritten.
      SortedMap<Long, String> lost = lost(acknowledged, readback.hashes());
      assertTrue(lost.isEmpty(), () -> context + ": " + lost.size() + " acknowledged records lost or changed, seq "
          + lost.firstKey() + " to " + lost.lastKey() + ", of a store of " + result.records() + " records");
      // This round continued the chain from the head the last crash left, and everything after it is this round's.
      assertTrue(acks.firstKey() > head, context + ": acknowledged " + acks.firstKey()
          + " at or below the head " + head + " the round started from");
      List<AuditRow> rows = readback.rows();
      assertEquals(result.records(), rows.size(), context);
      assertEquals(headHash, head == 0 ? AuditRecord.GENESIS_HASH : rows.get((int) head - 1).hash(), context);
      assertEquals(headHash, rows.get((int) head).prevHash(), context + ": the round's first record");
      for (AuditRow row : rows.subList((int) head, rows.size())) {
        assertEquals(runId, row.mission(), context + ": record " + row.seq());
      }
      report(store.name(), "round " + round + " killed " + moment + ": " + acks.size() + " acknowledged ("
          + acks.firstKey() + ".." + acks.lastKey() + "), " + (result.records() - head)
          + " stored, " + result.records() + " in the store, last checkpoint " + result.lastCheckpoint());
      head = result.records();
      headHash = result.headHash();
    }
    report(store.name(), ROUNDS + " rounds, " + acknowledged.size() + " acknowledged records verified, " + head
        + " in the store, " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
  }

  // ---------------------------------------------------------------------------------------------- the child

  /** When to kill: once {@code acks} receipts were read, and {@code delayMicros} later. */
  private record Moment(String kind, int acks, int delayMicros) {
    @Override
    public String toString() {
      return kind + " (after " + acks + " receipts + " + delayMicros + " µs)";
    }
  }

  /** Runs the appender until {@code moment}, kills it with SIGKILL, and returns the receipts it printed, by seq. */
  private SortedMap<Long, String> runAndKill(Store store, Path keyFile, String runId, Moment moment, Path dir,
      boolean unsafeSkipSync, String context) throws Exception {
    Path stderr = Files.createTempFile(dir, "appender-", ".err");
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        CrashingAppender.class.getName(), store.childUrl(), store.user() == null ? "-" : store.user(),
        keyFile.toString(), runId, String.valueOf(APPENDER_THREADS), String.valueOf(CHECKPOINT_EVERY)));
    if (unsafeSkipSync) {
      command.add("unsafe-skip-sync");
    }
    // Receipts go to a file, not a pipe: every line the child wrote before it died is there to read afterwards.
    Path receipts = Files.createTempFile(dir, "appender-", ".acks");
    Process child = new ProcessBuilder(command).redirectOutput(receipts.toFile()).redirectError(stderr.toFile())
        .start();
    child.getOutputStream().close();
    awaitReceipts(child, receipts, moment.acks(), context, stderr);
    if (moment.delayMicros() > 0) {
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(moment.delayMicros()));
    }
    child.destroyForcibly(); // SIGKILL on Linux, checked below
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), context + ": the appender outlived SIGKILL");
    assertEquals(KILLED_BY_SIGKILL, child.exitValue(),
        context + ": the appender did not die of SIGKILL; its stderr:\n" + tail(stderr));
    store.awaitChildSessionsGone();

    String text = Files.readString(receipts, StandardCharsets.US_ASCII);
    assertTrue(text.isEmpty() || text.endsWith("\n"), context + ": a receipt line was cut short");
    TreeMap<Long, String> acks = new TreeMap<>();
    for (String line : text.lines().toList()) {
      Matcher ack = ACK.matcher(line);
      assertTrue(ack.matches(), context + ": not a receipt: " + line);
      assertEquals(null, acks.put(Long.parseLong(ack.group(1)), ack.group(2)), context + ": repeated: " + line);
    }
    return acks;
  }

  /** Waits until the child has written {@code count} receipt lines; fails if it dies or takes a minute. */
  private static void awaitReceipts(Process child, Path receipts, int count, String context, Path stderr)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    long lines = 0;
    try (FileChannel file = FileChannel.open(receipts, StandardOpenOption.READ)) {
      while (lines < count) {
        buffer.clear();
        int read = file.read(buffer);
        for (int i = 0; i < read; i++) {
          if (buffer.get(i) == '\n') {
            lines++;
          }
        }
        if (read > 0) {
          continue;
        }
        if (!child.isAlive() || System.nanoTime() > deadline) {
          child.destroyForcibly();
          fail(context + ": the appender acknowledged " + lines + " of " + count + " records"
              + (child.isAlive() ? " in a minute" : " and exited") + "; its stderr:\n" + tail(stderr));
        }
        LockSupport.parkNanos(200_000);
      }
    }
  }

  private static String tail(Path file) throws IOException {
    String text = Files.readString(file);
    return text.length() <= 4_000 ? text : text.substring(text.length() - 4_000);
  }

  // ---------------------------------------------------------------------------------------------- the stores

  /**
   * Where the child writes and the test reads back; {@code user} null for H2's default. {@code session} names the
   * child's PostgreSQL sessions (null for H2): a killed client's session ends only once the server sees its socket
   * close, and until then a commit it sent may still land, so the test waits for it before reading.
   */
  private record Store(String name, String url, String user, String session) {

    Connection connect() throws SQLException {
      return DriverManager.getConnection(url, user, null);
    }

    String childUrl() {
      return session == null ? url : url + "&ApplicationName=" + session;
    }

    void awaitChildSessionsGone() throws Exception {
      if (session == null) {
        return;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      try (Connection connection = connect(); PreparedStatement sessions = connection.prepareStatement(
          "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
        sessions.setString(1, session);
        while (true) {
          try (ResultSet count = sessions.executeQuery()) {
            count.next();
            if (count.getLong(1) == 0) {
              return;
            }
          }
          if (System.nanoTime() > deadline) {
            fail("the killed appender's PostgreSQL session " + session + " is still open after 20 s");
          }
          Thread.sleep(10);
        }
      }
    }
  }

  /** What a reopened store holds, and how it verifies with the trusted key. */
  private record Readback(AuditStore.Result result, List<AuditRow> rows) {
    Map<Long, String> hashes() {
      Map<Long, String> hashes = new TreeMap<>();
      rows.forEach(row -> hashes.put(row.seq(), row.hash()));
      return hashes;
    }
  }

  private static Readback readBack(Store store, CheckpointKey key) throws SQLException {
    try (Connection connection = store.connect()) {
      return new Readback(AuditStore.verify(connection, key.publicKey(), null), AuditStore.rows(connection, 1));
    }
  }

  /** The receipts whose record is not stored with the acknowledged hash. */
  private static SortedMap<Long, String> lost(Map<Long, String> acks, Map<Long, String> stored) {
    SortedMap<Long, String> lost = new TreeMap<>();
    acks.forEach((seq, hash) -> {
      if (!hash.equals(stored.get(seq))) {
        lost.put(seq, hash);
      }
    });
    return lost;
  }

  private static Connection postgresOrSkip() {
    boolean off = "off".equals(System.getProperty("custos.postgres"));
    Assumptions.assumeFalse(off, "PostgreSQL tests are off (-Dcustos.postgres=off)");
    try {
      return DriverManager.getConnection(POSTGRES + "?connectTimeout=5", POSTGRES_USER, null);
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL is not reachable at " + POSTGRES + " as " + POSTGRES_USER + " ("
          + e.getMessage() + "). .ci/run starts it; -Dcustos.postgres=off skips this test", e);
    }
  }

  private static void report(String store, String line) {
    System.out.println("[audit-crash " + store + "] " + line);
  }
}
