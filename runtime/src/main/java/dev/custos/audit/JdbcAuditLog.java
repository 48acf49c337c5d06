package dev.custos.audit;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable audit log: records in a relational store through JDBC — an H2 file as the embedded default, PostgreSQL
 * for production — hash-chained as {@link AuditRecord} says, with an Ed25519-signed checkpoint {@code (seq, hash)}
 * every {@code checkpointEvery} records or {@code checkpointInterval}, whichever comes first, and one at close.
 *
 * <p><b>Group commit.</b> One writer thread takes every append waiting (up to {@code maxBatch}; after the first it
 * waits at most {@code linger} for more), numbers and chains them, inserts them in one transaction and commits; an H2
 * store is then forced to disk ({@code CHECKPOINT SYNC}: H2 itself writes a commit to the file but does not fsync it);
 * PostgreSQL's commit is durable by itself. Only then does each append's stage complete with its receipt. So a stage
 * that completed names a record that survives a crash of this process and of the machine.
 *
 * <p><b>Fail closed.</b> When the store cannot take a batch (down, full, a constraint), every append of the batch fails
 * with {@link AuditUnavailableException}, nothing is acknowledged, and the writer reconnects for the next batch,
 * reading the chain's head back from the store; so work resumes when the store does. Appends beyond
 * {@code queueCapacity} waiting fail at once.
 *
 * <p>One writer per store: two logs appending to the same tables would break the chain (the second fails on the
 * primary key). Thread safe; {@link #close} drains what was appended before it, signs a last checkpoint and stops.
 */
public final class JdbcAuditLog implements AuditLog, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcAuditLog.class);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String INSERT = "INSERT INTO custos_audit (seq, recorded_at, mission, lineage, agent, kind, "
      + "policy_version, rule_ids, credential_id, grant_json, payload, prev_hash, chain_hash) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_CHECKPOINT = "INSERT INTO custos_audit_checkpoint (seq, chain_hash, signed_at, "
      + "key_id, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)";

  /** An append waiting for the writer, its texts made on the appending thread. */
  private record Pending(AuditRow.Unplaced texts, CompletableFuture<AuditReceipt> receipt) {}

  /** Wakes a waiting writer at close. Never interrupt it: H2 closes its file when its thread is interrupted. */
  private static final Pending WAKE_UP = new Pending(null, null);

  private final String url;
  private final Properties connectionProperties;
  private final boolean syncAfterCommit;
  private final CheckpointKey checkpointKey;
  private final int checkpointEvery;
  private final long checkpointIntervalNanos;
  private final int maxBatch;
  private final long lingerNanos;
  private final Clock clock;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private final Object lifecycle = new Object();
  private volatile boolean closing;
  private volatile long batchesWritten;
  private volatile long recordsWritten;

  // Owned by the writer thread.
  private final MessageDigest sha256 = sha256();
  private Connection connection;
  private long headSeq;
  private String headHash = AuditRecord.GENESIS_HASH;
  private long checkpointSeq;
  private long lastCheckpointNanos = System.nanoTime();

  private JdbcAuditLog(Builder builder) throws SQLException {
    this.url = builder.url;
    this.connectionProperties = new Properties();
    if (builder.user != null) {
      connectionProperties.setProperty("user", builder.user);
    }
    if (builder.password != null) {
      connectionProperties.setProperty("password", builder.password);
    }
    this.syncAfterCommit = url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:") && !builder.unsafeSkipSync;
    this.checkpointKey = builder.checkpointKey;
    this.checkpointEvery = builder.checkpointEvery;
    this.checkpointIntervalNanos = builder.checkpointInterval.toNanos();
    this.maxBatch = builder.maxBatch;
    this.lingerNanos = builder.linger.toNanos();
    this.clock = builder.clock;
    this.queue = new ArrayBlockingQueue<>(builder.queueCapacity);
    connect(); // fails fast on a wrong URL, credentials or schema, before anything is acknowledged
    this.writer = new Thread(this::writeLoop, "custos-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** A store at a JDBC URL ({@code jdbc:postgresql://127.0.0.1:5432/custos}, {@code jdbc:h2:file:/var/custos/audit}). */
  public static Builder builder(String url, CheckpointKey checkpointKey) {
    return new Builder(url, checkpointKey);
  }

  /**
   * The embedded default: an H2 file {@code audit} in {@code dataDirectory}, durable as the class comment says.
   */
  public static Builder embedded(Path dataDirectory, CheckpointKey checkpointKey) {
    return new Builder(embeddedUrl(dataDirectory), checkpointKey);
  }

  /** The JDBC URL of the embedded store in {@code dataDirectory}. */
  public static String embeddedUrl(Path dataDirectory) {
    return "jdbc:h2:file:" + dataDirectory.toAbsolutePath().resolve("audit") + ";WRITE_DELAY=0";
  }

  /**
   * Queues {@code entry}; the stage completes once the batch holding it is committed and durable, or fails with
   * {@link AuditUnavailableException} when the store did not take it or the log is closed.
   */
  @Override
  public CompletionStage<AuditReceipt> append(AuditEntry entry) {
    Objects.requireNonNull(entry, "entry");
    CompletableFuture<AuditReceipt> receipt = new CompletableFuture<>();
    AuditRow.Unplaced texts;
    try {
      texts = AuditRow.unplaced(entry);
    } catch (IllegalArgumentException notJson) { // cannot happen for an AuditEntry's copied payload; fail it alone
      receipt.completeExceptionally(new AuditUnavailableException("the record cannot be written: "
          + notJson.getMessage(), notJson));
      return receipt;
    }
    synchronized (lifecycle) {
      if (closing) {
        receipt.completeExceptionally(new AuditUnavailableException("the audit log is closed"));
      } else if (!queue.offer(new Pending(texts, receipt))) {
        receipt.completeExceptionally(new AuditUnavailableException(
            "the audit log is behind: " + queue.size() + " records are waiting to be written"));
      }
    }
    return receipt;
  }

  /** Transactions of records committed since this log opened: records per batch is the group commit's yield. */
  public long batchesWritten() {
    return batchesWritten;
  }

  /** Records committed since this log opened. */
  public long recordsWritten() {
    return recordsWritten;
  }

  /** Stops taking appends, writes those already taken, signs a checkpoint at the head, and closes the connection. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closing) {
        return;
      }
      closing = true;
      queue.offer(WAKE_UP); // when the queue is full the writer is busy, and sees closing once it has drained it
    }
    try {
      writer.join(TimeUnit.MINUTES.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------- the writer

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (true) {
      batch.clear();
      try {
        Pending first = closing ? queue.poll() : queue.poll(untilCheckpointDue(), TimeUnit.NANOSECONDS);
        if (first == null) {
          if (closing) {
            break;
          }
          checkpointIfDue(false);
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        linger(batch);
      } catch (InterruptedException e) {
        LOG.warn("the audit writer was interrupted; it finishes what was appended and stops");
        closing = true;
      }
      batch.removeIf(pending -> pending == WAKE_UP);
      if (!batch.isEmpty()) {
        write(batch);
      }
    }
    checkpointIfDue(true);
    disconnect();
  }

  private long untilCheckpointDue() {
    long due = lastCheckpointNanos + checkpointIntervalNanos - System.nanoTime();
    return headSeq > checkpointSeq ? Math.max(due, 0) : checkpointIntervalNanos;
  }

  private void linger(List<Pending> batch) throws InterruptedException {
    if (lingerNanos <= 0 || closing) {
      return;
    }
    long deadline = System.nanoTime() + lingerNanos;
    while (batch.size() < maxBatch) {
      long left = deadline - System.nanoTime();
      Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
      if (next == null) {
        return;
      }
      batch.add(next);
      queue.drainTo(batch, maxBatch - batch.size());
    }
  }

  private void write(List<Pending> batch) {
    List<AuditRow> rows = new ArrayList<>(batch.size());
    try {
      ensureConnected();
      long seq = headSeq;
      String prev = headHash;
      for (Pending pending : batch) {
        AuditRow row = pending.texts().place(++seq, prev, sha256);
        rows.add(row);
        prev = row.hash();
      }
      try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
        for (AuditRow row : rows) {
          bind(insert, row);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      // Every checkpointEvery records exactly, even inside a large batch; and at the batch's end when it is time.
      long signedUpTo = checkpointSeq;
      for (AuditRow row : rows) {
        if (row.seq() - signedUpTo >= checkpointEvery) {
          insertCheckpoint(row.seq(), row.hash());
          signedUpTo = row.seq();
        }
      }
      if (signedUpTo < seq && System.nanoTime() - lastCheckpointNanos >= checkpointIntervalNanos) {
        insertCheckpoint(seq, prev);
        signedUpTo = seq;
      }
      commit();
      headSeq = seq;
      headHash = prev;
      batchesWritten++; // only the writer thread writes these two
      recordsWritten += rows.size();
      if (signedUpTo != checkpointSeq) {
        checkpointSeq = signedUpTo;
        lastCheckpointNanos = System.nanoTime();
      }
    } catch (SQLException | RuntimeException e) {
      fail(batch, e);
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      AuditRow row = rows.get(i);
      batch.get(i).receipt().complete(new AuditReceipt(row.seq(), row.hash()));
    }
  }

  private void checkpointIfDue(boolean atClose) {
    if (headSeq <= checkpointSeq) {
      return;
    }
    if (!atClose && System.nanoTime() - lastCheckpointNanos < checkpointIntervalNanos) {
      return;
    }
    try {
      ensureConnected();
      insertCheckpoint(headSeq, headHash);
      commit();
      checkpointSeq = headSeq;
      lastCheckpointNanos = System.nanoTime();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("audit checkpoint at seq {} not written: {}", headSeq, e.toString());
      disconnect();
    }
  }

  private void insertCheckpoint(long seq, String hash) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT_CHECKPOINT)) {
      insert.setLong(1, seq);
      insert.setString(2, hash);
      insert.setString(3, clock.instant().toString());
      insert.setString(4, checkpointKey.publicKey().thumbprint());
      insert.setString(5, checkpointKey.publicKey().base64Url());
      insert.setString(6, BASE64URL.encodeToString(checkpointKey.sign(seq, hash)));
      insert.executeUpdate();
    }
  }

  private void commit() throws SQLException {
    connection.commit();
    if (syncAfterCommit) {
      try (Statement sync = connection.createStatement()) {
        sync.execute("CHECKPOINT SYNC");
      }
    }
  }

  private void fail(List<Pending> batch, Exception cause) {
    LOG.error("audit store did not take {} records: {}", batch.size(), cause.toString());
    disconnect(); // the next batch reconnects and reads the head back: a commit that did go through is not lost
    AuditUnavailableException failure =
        new AuditUnavailableException("the audit store did not take the record: " + cause.getMessage(), cause);
    for (Pending pending : batch) {
      pending.receipt().completeExceptionally(failure);
    }
  }

  private static void bind(PreparedStatement insert, AuditRow row) throws SQLException {
    insert.setLong(1, row.seq());
    insert.setString(2, row.at());
    insert.setString(3, row.mission());
    insert.setString(4, row.lineage());
    insert.setString(5, row.agent());
    insert.setString(6, row.kind());
    insert.setString(7, row.policyVersion());
    insert.setString(8, row.ruleIds());
    insert.setString(9, row.credentialId());
    insert.setString(10, row.grant());
    insert.setString(11, row.payload());
    insert.setString(12, row.prevHash());
    insert.setString(13, row.hash());
  }

  // ---------------------------------------------------------------------------------------------- the connection

  private void ensureConnected() throws SQLException {
    if (connection == null) {
      connect();
    }
  }

  /** Opens the connection, migrates the schema, and reads the chain's head and last checkpoint back. */
  private void connect() throws SQLException {
    Connection opened = DriverManager.getConnection(url, connectionProperties);
    try {
      AuditSchema.migrate(opened);
      opened.setAutoCommit(false);
      long seq = 0;
      String hash = AuditRecord.GENESIS_HASH;
      try (Statement query = opened.createStatement();
          ResultSet head = query.executeQuery(
              "SELECT seq, chain_hash FROM custos_audit WHERE seq = (SELECT MAX(seq) FROM custos_audit)")) {
        if (head.next()) {
          seq = head.getLong(1);
          hash = head.getString(2);
        }
      }
      long checkpoint = 0;
      try (Statement query = opened.createStatement();
          ResultSet last = query.executeQuery("SELECT MAX(seq) FROM custos_audit_checkpoint")) {
        if (last.next()) {
          checkpoint = last.getLong(1);
        }
      }
      opened.commit();
      connection = opened;
      headSeq = seq;
      headHash = hash;
      checkpointSeq = checkpoint;
    } catch (SQLException | RuntimeException e) {
      try {
        opened.close();
      } catch (SQLException ignored) {
        // the original failure is the one to report
      }
      throw e;
    }
  }

  private void disconnect() {
    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is being dropped anyway
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing the audit connection: {}", e.toString());
    }
    connection = null;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  /** Settings of a {@link JdbcAuditLog}; every one has a working default. Not thread safe. */
  public static final class Builder {

    private final String url;
    private final CheckpointKey checkpointKey;
    private String user;
    private String password;
    private int checkpointEvery = 10_000;
    private Duration checkpointInterval = Duration.ofSeconds(10);
    private int maxBatch = 2_048;
    private Duration linger = Duration.ZERO;
    private int queueCapacity = 1_000_000;
    private Clock clock = Clock.systemUTC();
    private boolean unsafeSkipSync;

    private Builder(String url, CheckpointKey checkpointKey) {
      this.url = Objects.requireNonNull(url, "url");
      this.checkpointKey = Objects.requireNonNull(checkpointKey, "checkpointKey");
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** A checkpoint after at most this many records (default 10,000). */
    public Builder checkpointEvery(int records) {
      if (records < 1) {
        throw new IllegalArgumentException("checkpointEvery must be at least 1, got " + records);
      }
      this.checkpointEvery = records;
      return this;
    }

    /** A checkpoint at most this long after the last, when records came since (default 10 s). */
    public Builder checkpointInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("checkpointInterval must be positive, got " + interval);
      }
      this.checkpointInterval = interval;
      return this;
    }

    /** The most records in one transaction (default 2,048). */
    public Builder maxBatch(int records) {
      if (records < 1) {
        throw new IllegalArgumentException("maxBatch must be at least 1, got " + records);
      }
      this.maxBatch = records;
      return this;
    }

    /**
     * How long the writer waits for more appends once it has one, to fill a batch (default zero: it takes what is
     * waiting, so batches grow with load and a lone append is not delayed).
     */
    public Builder linger(Duration linger) {
      if (linger.isNegative()) {
        throw new IllegalArgumentException("linger must not be negative, got " + linger);
      }
      this.linger = linger;
      return this;
    }

    /** The most appends waiting to be written; more fail at once (default 1,000,000). */
    public Builder queueCapacity(int appends) {
      if (appends < 1) {
        throw new IllegalArgumentException("queueCapacity must be at least 1, got " + appends);
      }
      this.queueCapacity = appends;
      return this;
    }

    /** The clock of checkpoint times (records carry their own). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Breaks durability on purpose: an H2 store is not forced to disk after a commit ({@code CHECKPOINT SYNC} is
     * skipped), so a crash of the machine, or of this process under H2's default {@code WRITE_DELAY}, can lose a
     * record whose receipt was given. Only for the negative control in {@code AuditCrashTest}; package-private so
     * nothing outside the audit package can reach it.
     */
    Builder unsafeSkipSync() {
      this.unsafeSkipSync = true;
      return this;
    }

    /**
     * Connects, creates or migrates the schema, reads the chain's head, and starts the writer.
     *
     * @throws SQLException when the store cannot be reached or its schema is newer than this Custos
     */
    public JdbcAuditLog open() throws SQLException {
      return new JdbcAuditLog(this);
    }
  }
}
