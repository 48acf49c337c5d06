package dev.custos.bench.runtime;

import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditKind;
import dev.custos.audit.AuditReceipt;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.AuditRow;
import dev.custos.audit.AuditStore;
import dev.custos.audit.CheckpointKey;
import dev.custos.audit.JdbcAuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The durable audit store under load: group-committed appends per second from many threads, the latency of a lone
 * append, verification speed, and, at the same batch size, raw {@link FileChannel} writes each followed by
 * {@code force} — the floor any durable store pays. Every round writes a fresh store (a new H2 file in a temporary
 * directory, or a new PostgreSQL schema). Records are sized like the gateway's {@code tool-executed} record.
 */
public final class AuditStoreThroughput {

  private AuditStoreThroughput() {}

  public static void main(String[] argv) throws Exception {
    Args args = new Args("AuditStoreThroughput", "Durable audit appends per second (group commit), lone-append "
        + "latency and verification speed, next to raw FileChannel write+force at the same batch size.")
        .option("store", "h2", "h2: the embedded file store; postgres: a fresh schema in --pg-url")
        .option("pg-url", "jdbc:postgresql://127.0.0.1:5432/test", "PostgreSQL database for --store postgres")
        .option("pg-user", "postgres", "PostgreSQL user")
        .option("records", "300000", "records appended per throughput round")
        .option("threads", "16", "appending threads")
        .option("in-flight", "256", "appends each thread keeps waiting for their receipt")
        .option("rounds", "3", "measured throughput rounds")
        .option("warmup", "1", "warm-up rounds, not reported")
        .option("latency-samples", "2000", "lone appends timed, one at a time, after 500 untimed")
        .parse(argv);
    String store = args.choice("store", "h2", "postgres");
    int records = args.integer("records", 1000);
    int threads = args.integer("threads", 1);
    int inFlight = args.integer("in-flight", 1);
    int rounds = args.integer("rounds", 1);
    int warmup = args.integer("warmup", 0);
    int samples = args.integer("latency-samples", 10);
    System.out.println("AuditStoreThroughput " + args.settings());
    System.out.println(Fixtures.environment());
    Path scratch = Files.createTempDirectory("custos-audit-bench");
    CheckpointKey key = CheckpointKey.generate(new SecureRandom());
    try {
      double[] rates = new double[rounds];
      double[] batchSizes = new double[rounds];
      Target last = null;
      for (int round = -warmup; round < rounds; round++) {
        Target target = Target.fresh(store, args, scratch, "r" + (round + warmup));
        Fixtures.usedHeapAfterGc();
        Appended appended = appendAll(target, key, records, threads, inFlight);
        String label = round < 0 ? "warm-up " + (round + warmup + 1) + "/" + warmup : "round " + (round + 1) + "/"
            + rounds;
        System.out.printf(Locale.ROOT, "%s: %,.0f records/s, %,d batches, %.0f records per batch%n", label,
            appended.rate(), appended.batches, appended.recordsPerBatch());
        if (round >= 0) {
          rates[round] = appended.rate();
          batchSizes[round] = appended.recordsPerBatch();
          if (last != null) {
            last.drop();
          }
          last = target;
        } else {
          target.drop();
        }
      }
      double[] latencies = loneAppends(last, key, samples);
      double[] verifyRates = new double[3];
      long verified = 0;
      for (int i = 0; i < verifyRates.length; i++) {
        try (Connection connection = last.connect()) {
          long started = System.nanoTime();
          AuditStore.Result result = AuditStore.verify(connection, key.publicKey(), null);
          long took = System.nanoTime() - started;
          if (!result.intact()) {
            throw new IllegalStateException("the store did not verify: " + result);
          }
          verified = result.records();
          verifyRates[i] = result.records() / (took / 1e9);
          System.out.printf(Locale.ROOT, "verify %d/%d: %,d records, %,.0f records/s%n", i + 1, verifyRates.length,
              result.records(), verifyRates[i]);
        }
      }
      double read = bareRead(last);
      last.drop();
      int batch = (int) Math.max(1, Math.round(Table.median(batchSizes)));
      Target bare = Target.fresh(store, args, scratch, "bare");
      double database = bareInserts(bare, key, batch, records);
      bare.drop();
      int rowBytes = rowBytes();
      double raw = rawWriteForce(scratch.resolve("raw.bin"), batch, rowBytes, Math.min(records, batch * 400));
      double rate = Table.median(rates);
      System.out.println();
      System.out.printf(Locale.ROOT, "Audit store (%s): %d threads x %d in flight, %,d records per round, %d rounds"
          + "%n", store, threads, inFlight, records, rounds);
      System.out.printf(Locale.ROOT, "  durable appends      %,12.0f records/s (median; rounds %s), %.0f per batch"
          + "   target >= 100,000   %s%n", rate, list(rates), Table.median(batchSizes), rate >= 100_000 ? "met" : "MISSED");
      System.out.printf(Locale.ROOT, "  lone append          p50 %.3f ms, p99 %.3f ms, max %.3f ms"
          + "   target p50 <= 2 ms   %s%n", latencies[0], latencies[1], latencies[2],
          latencies[0] <= 2.0 ? "met" : "MISSED");
      double verifyRate = Table.median(verifyRates);
      System.out.printf(Locale.ROOT, "  verify               %,12.0f records/s (median of %d over %,d records)"
          + "   target >= 500,000   %s%n", verifyRate, verifyRates.length, verified,
          verifyRate >= 500_000 ? "met" : "MISSED");
      System.out.printf(Locale.ROOT, "  bare database read   %,12.0f records/s (every column of every row, streamed, no "
          + "checks)%n", read);
      System.out.printf(Locale.ROOT, "  bare database insert %,12.0f records/s (the same rows, %d per transaction, one "
          + "connection, no Custos code)%n", database, batch);
      System.out.printf(Locale.ROOT, "  ratio store/bare     %12.2f%n", rate / database);
      System.out.printf(Locale.ROOT, "  raw write+force      %,12.0f records/s (%d records of %d bytes per force)%n",
          raw, batch, rowBytes);
      System.out.printf(Locale.ROOT, "  ratio store/raw      %12.2f%n", rate / raw);
    } finally {
      try (Stream<Path> files = Files.walk(scratch)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** Where a round's store lives. */
  private record Target(String url, Properties properties, String schema, String adminUrl) {

    static Target fresh(String store, Args args, Path scratch, String name) throws SQLException {
      if (store.equals("h2")) {
        return new Target(JdbcAuditLog.embeddedUrl(scratch.resolve(name)), new Properties(), null, null);
      }
      Properties properties = new Properties();
      properties.setProperty("user", args.string("pg-user"));
      String schema = "custos_bench_" + Long.toHexString(System.nanoTime());
      String admin = args.string("pg-url");
      try (Connection connection = DriverManager.getConnection(admin, properties);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      }
      return new Target(admin + (admin.contains("?") ? "&" : "?") + "currentSchema=" + schema, properties, schema,
          admin);
    }

    Connection connect() throws SQLException {
      return DriverManager.getConnection(url, properties);
    }

    JdbcAuditLog open(CheckpointKey key) throws SQLException {
      JdbcAuditLog.Builder builder = JdbcAuditLog.builder(url, key);
      if (properties.getProperty("user") != null) {
        builder.user(properties.getProperty("user"));
      }
      return builder.open();
    }

    void drop() throws SQLException {
      if (schema == null) {
        return;
      }
      try (Connection connection = DriverManager.getConnection(adminUrl, properties);
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private record Appended(long records, long nanos, long batches) {
    double rate() {
      return records / (nanos / 1e9);
    }

    double recordsPerBatch() {
      return batches == 0 ? 0 : (double) records / batches;
    }
  }

  /** Every thread appends its share, keeping {@code inFlight} waiting; the clock stops at the last receipt. */
  private static Appended appendAll(Target target, CheckpointKey key, int records, int threads, int inFlight)
      throws Exception {
    try (JdbcAuditLog log = target.open(key)) {
      CountDownLatch start = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(records);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> workers = new ArrayList<>();
      int perThread = records / threads;
      for (int t = 0; t < threads; t++) {
        int thread = t;
        int share = t == threads - 1 ? records - perThread * (threads - 1) : perThread;
        Thread worker = new Thread(() -> {
          Semaphore window = new Semaphore(inFlight);
          try {
            start.await();
            for (int i = 0; i < share; i++) {
              window.acquire();
              log.append(entry(thread, i)).whenComplete((receipt, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
                window.release();
                done.countDown();
              });
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "appender-" + t);
        workers.add(worker);
        worker.start();
      }
      long batchesBefore = log.batchesWritten();
      long started = System.nanoTime();
      start.countDown();
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("appends did not finish in 10 minutes");
      }
      long took = System.nanoTime() - started;
      for (Thread worker : workers) {
        worker.join();
      }
      if (failure.get() != null) {
        throw new IllegalStateException("an append failed", failure.get());
      }
      return new Appended(records, took, log.batchesWritten() - batchesBefore);
    }
  }

  /** Rows per second read back with every column, streamed as verify streams them, and nothing checked. */
  private static double bareRead(Target target) throws SQLException {
    try (Connection connection = target.connect()) {
      connection.setAutoCommit(false);
      if (target.schema() == null) {
        try (Statement lazy = connection.createStatement()) {
          lazy.execute("SET LAZY_QUERY_EXECUTION TRUE");
        }
      }
      long rows = 0;
      long characters = 0;
      long started = System.nanoTime();
      try (java.sql.PreparedStatement query = connection.prepareStatement("SELECT seq, recorded_at, mission, "
          + "lineage, agent, kind, policy_version, rule_ids, credential_id, grant_json, payload, prev_hash, chain_hash "
          + "FROM custos_audit WHERE seq >= ? ORDER BY seq")) {
        query.setFetchSize(4_096);
        query.setLong(1, 1);
        try (java.sql.ResultSet result = query.executeQuery()) {
          while (result.next()) {
            rows++;
            for (int c = 2; c <= 13; c++) {
              characters += result.getString(c).length();
            }
          }
        }
      }
      double rate = rows / ((System.nanoTime() - started) / 1e9);
      connection.rollback();
      return characters > 0 ? rate : 0;
    }
  }

  /**
   * The database's own cost: the rows the store would write (made before the clock starts), inserted through the
   * store's schema on one connection, {@code batch} per transaction, each commit made durable as the store makes it.
   */
  private static double bareInserts(Target target, CheckpointKey key, int batch, int records) throws Exception {
    target.open(key).close(); // creates the schema
    List<AuditRow> rows = new ArrayList<>(records);
    String prev = AuditRecord.GENESIS_HASH;
    for (int i = 0; i < records; i++) {
      AuditRecord record = AuditRecord.chain(i + 1, entry(i % 4, i), prev);
      rows.add(AuditRow.of(record));
      prev = record.hash();
    }
    String insert = "INSERT INTO custos_audit (seq, recorded_at, mission, lineage, agent, kind, policy_version, "
        + "rule_ids, credential_id, grant_json, payload, prev_hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        + "?, ?, ?)";
    boolean h2 = target.schema() == null;
    try (Connection connection = target.connect()) {
      connection.setAutoCommit(false);
      long started = System.nanoTime();
      for (int from = 0; from < records; from += batch) {
        try (java.sql.PreparedStatement statement = connection.prepareStatement(insert)) {
          for (AuditRow row : rows.subList(from, Math.min(records, from + batch))) {
            String[] texts = {row.at(), row.mission(), row.lineage(), row.agent(), row.kind(), row.policyVersion(),
                row.ruleIds(), row.credentialId(), row.grant(), row.payload(), row.prevHash(), row.hash()};
            statement.setLong(1, row.seq());
            for (int c = 0; c < texts.length; c++) {
              statement.setString(c + 2, texts[c]);
            }
            statement.addBatch();
          }
          statement.executeBatch();
        }
        connection.commit();
        if (h2) {
          try (Statement sync = connection.createStatement()) {
            sync.execute("CHECKPOINT SYNC");
          }
        }
      }
      return records / ((System.nanoTime() - started) / 1e9);
    }
  }

  /** p50, p99 and max in milliseconds of appends made one at a time, each waiting for its receipt. */
  private static double[] loneAppends(Target target, CheckpointKey key, int samples) throws Exception {
    try (JdbcAuditLog log = target.open(key)) {
      for (int i = 0; i < 500; i++) {
        log.append(entry(99, i)).toCompletableFuture().get();
      }
      double[] millis = new double[samples];
      for (int i = 0; i < samples; i++) {
        long started = System.nanoTime();
        CompletableFuture<AuditReceipt> receipt = log.append(entry(98, i)).toCompletableFuture();
        receipt.get();
        millis[i] = (System.nanoTime() - started) / 1e6;
      }
      Arrays.sort(millis);
      return new double[] {Table.percentile(millis, 50), Table.percentile(millis, 99), millis[samples - 1]};
    }
  }

  /** Records per second when {@code batch} records of {@code rowBytes} are written and forced per transaction. */
  private static double rawWriteForce(Path file, int batch, int rowBytes, int records) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(batch * rowBytes);
    byte[] row = new byte[rowBytes];
    Arrays.fill(row, (byte) 'x');
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      int batches = Math.max(1, records / batch);
      long started = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        buffer.clear();
        for (int r = 0; r < batch; r++) {
          buffer.put(row);
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(false);
      }
      long took = System.nanoTime() - started;
      return (double) batches * batch / (took / 1e9);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes one stored row takes as text: every column of the row. */
  private static int rowBytes() {
    AuditRow row = AuditRow.of(AuditRecord.chain(1, entry(0, 0), AuditRecord.GENESIS_HASH));
    return (row.at() + row.mission() + row.lineage() + row.agent() + row.kind() + row.policyVersion() + row.ruleIds()
        + row.credentialId() + row.grant() + row.payload() + row.prevHash() + row.hash())
        .getBytes(StandardCharsets.UTF_8).length + 8;
  }

  /** A record like the gateway's record of an allowed call. */
  private static AuditEntry entry(int thread, int i) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("call", "c" + i);
    payload.put("tool", "host.isolate");
    payload.put("resource", "host:corp/fin-ws-" + (i % 100));
    payload.put("decision", "allow");
    payload.put("capability", 2);
    payload.put("grant", "host.isolate on [host:corp/*] x10");
    payload.put("credential", "jti-" + thread + "-" + i);
    payload.put("policyVersion", "sha256:1cf5aee398784b58");
    payload.put("rules", List.of("defence-tools"));
    return new AuditEntry(Instant.parse("2026-11-29T00:00:00Z").plus(Duration.ofMillis(i)), "m-" + thread,
        List.of("a1", "a" + (thread + 2)), AuditKind.TOOL_EXECUTED, payload);
  }

  private static String list(double[] values) {
    StringBuilder out = new StringBuilder();
    for (double value : values) {
      out.append(out.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", value));
    }
    return out.toString();
  }
}
