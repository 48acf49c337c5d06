package dev.custos.cli;

import dev.custos.audit.AuditReceipt;
import dev.custos.audit.AuditRecord;
import dev.custos.audit.AuditStore;
import dev.custos.audit.CheckpointKey;
import dev.custos.audit.JdbcAuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The durable copy of a simulated run's audit trail, for {@code custos run --audit-db URL}: once the run is over, its
 * records are appended, in order, to a {@link JdbcAuditLog} at the URL, the store is verified, and {@link Written}
 * says what happened.
 *
 * <p><b>Why after the run, not as the run's log.</b> A durable store completes each append on its own writer thread,
 * and the runtime waits for that receipt before an effect runs; under simulation its continuation would then run off
 * the simulation's thread, at a moment the simulation does not control, and the run would stop being a function of
 * its file and seed. So the run keeps its in-memory log as its own (its report is the same bytes with or without a
 * store), and the store is written and awaited here, outside the simulated world.
 *
 * <p><b>The same chain.</b> The store numbers and hashes records by the same rule as the run's log. A fresh store
 * therefore holds the run's chain exactly: seq 1 to n, and its head hash is the report's {@code audit.headHash}. A
 * store that already holds records continues its own chain: the run's records follow its head and are numbered on
 * from it, so their content is the run's but their seqs and hashes are the store's.
 *
 * <p><b>All or nothing.</b> The run's records go to the store as one batch, one transaction: a store that fails takes
 * none of them, rather than some with a gap.
 *
 * <p><b>The checkpoint key</b> is the file given, by default {@code checkpoint-key} beside an H2 file store (as the
 * runtime's data directory keeps it), made on first use with its public half beside it. A store whose checkpoints
 * another key signed is refused before anything is written: the checkpoints of one store are signed by one key.
 *
 * <p>Used from one thread. Holds the database password in memory and never prints it.
 */
final class DurableAudit {

  /** How long the store may take to commit the run's records before the command gives up on it. */
  static final Duration WRITE_LIMIT = Duration.ofMinutes(2);

  /**
   * How long the store's writer waits for the rest of the run's records once it has the first: they are all appended
   * at once, so it never waits this long, but they must reach it as one batch.
   */
  private static final Duration GATHER = Duration.ofSeconds(10);

  private final String url;
  private final Properties login; // user and password
  private final CheckpointKey key;

  private DurableAudit(String url, Properties login, CheckpointKey key) {
    this.url = url;
    this.login = login;
    this.key = key;
  }

  /** The store cannot be used, or did not take the run: {@link #getMessage()} is a sentence for the user. */
  static final class Unusable extends Exception {

    private static final long serialVersionUID = 1L;

    Unusable(String message) {
      super(message);
    }
  }

  /**
   * What the store took and how it verified afterwards.
   *
   * @param records how many of the run's records were written
   * @param firstSeq the store's seq of the first of them (0 when none)
   * @param lastSeq the store's seq of the last of them (0 when none)
   * @param store the verification of the whole store after writing
   * @param key the thumbprint of the checkpoint key the store was verified against
   */
  record Written(long records, long firstSeq, long lastSeq, AuditStore.Result store, String key) {

    boolean verified() {
      return store.intact();
    }

    /** One line: what was written, then OK with the store's count, head and checkpoints, or its first fault. */
    String line() {
      String written = "audit-db: wrote " + records + (records == 1 ? " record" : " records")
          + (records == 0 ? "" : " as seq " + firstSeq + ".." + lastSeq);
      if (!store.intact()) {
        return written + "; the store does NOT verify: " + store.fault().get().text() + " at seq "
            + store.firstBadSeq() + ": " + store.detail();
      }
      return written + "; the store verifies: " + store.records() + " records, head " + store.headHash() + ", "
          + store.checkpoints() + (store.checkpoints() == 1 ? " checkpoint" : " checkpoints")
          + (store.checkpoints() == 0 ? "" : " (last at seq " + store.lastCheckpoint() + ")")
          + ", signed by key " + key
          + (store.unsigned() == 0 ? "" : ", " + store.unsigned() + " records not yet signed");
    }
  }

  /**
   * Checks that the store at {@code url} can be reached and written with the checkpoint key, before anything runs:
   * reads the key (or makes it, for a store no key has signed yet), connects, and compares the key with the one that
   * signed the store's last checkpoint. Writes no record.
   *
   * @param keyFile the checkpoint key's file; null for the default beside an H2 file store
   * @throws Unusable when the URL is not a durable store, cannot be reached, or the key is missing or not the store's
   */
  static DurableAudit open(String url, DatabaseLogin login, Path keyFile) throws Unusable {
    Objects.requireNonNull(url, "url");
    if (url.startsWith("jdbc:h2:mem:")) {
      throw new Unusable(url + " is an in-memory database, gone when the run ends; give a durable store: "
          + "jdbc:h2:file:DIR/audit or jdbc:postgresql://HOST:5432/DB");
    }
    Path keyPath = keyFile != null ? keyFile : AuditConnection.checkpointKeyBeside(url).orElseThrow(() ->
        new Unusable("--checkpoint-key FILE is needed for a store that is not an H2 file: the key that signs the "
            + "store's checkpoints (made there if the file does not exist; keep it with the store)"));
    Properties properties;
    try {
      properties = login.properties();
    } catch (IllegalArgumentException e) {
      throw new Unusable(e.getMessage());
    }
    Optional<CheckpointKey> existing = Optional.empty();
    if (Files.exists(keyPath)) {
      try {
        existing = Optional.of(CheckpointKey.load(keyPath));
      } catch (IOException e) {
        throw new Unusable("cannot read the checkpoint key: " + e.getMessage());
      }
    }
    Optional<AuditStore.Checkpoint> signer;
    try (Connection connection = DriverManager.getConnection(url, properties)) {
      signer = lastSigner(connection);
    } catch (SQLException e) {
      throw new Unusable("cannot open the audit store at " + url + ": " + e.getMessage());
    }
    CheckpointKey key;
    if (existing.isPresent()) {
      key = existing.get();
      if (signer.isPresent() && !signer.get().publicKey().equals(key.publicKey().base64Url())) {
        throw new Unusable("the store's checkpoints are signed by key " + signer.get().keyId() + ", not by the key in "
            + keyPath + " (" + key.publicKey().thumbprint() + "); give the store's own key with --checkpoint-key");
      }
    } else if (signer.isPresent()) {
      throw new Unusable("the store's checkpoints are signed by key " + signer.get().keyId() + " and there is no key "
          + "at " + keyPath + "; give the store's own key with --checkpoint-key");
    } else {
      try {
        key = CheckpointKey.loadOrCreate(keyPath, new SecureRandom());
      } catch (IOException e) {
        throw new Unusable("cannot make the checkpoint key " + keyPath + ": " + e.getMessage());
      }
    }
    return new DurableAudit(url, properties, key);
  }

  /**
   * Appends {@code records}' entries to the store in order as one transaction, signs a checkpoint at its head, and
   * verifies the whole store against the checkpoint key.
   *
   * @throws Unusable when the store did not take the records, or cannot be read back
   */
  Written write(List<AuditRecord> records) throws Unusable {
    JdbcAuditLog log;
    try {
      log = JdbcAuditLog.builder(url, key)
          .user(login.getProperty("user"))
          .password(login.getProperty("password"))
          .maxBatch(Math.max(1, records.size())).linger(GATHER).open();
    } catch (SQLException e) {
      throw new Unusable("cannot open the audit store at " + url + ": " + e.getMessage());
    }
    List<CompletableFuture<AuditReceipt>> receipts = new ArrayList<>(records.size());
    String failure = null;
    try {
      for (AuditRecord record : records) {
        receipts.add(log.append(record.entry()).toCompletableFuture());
      }
      CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new))
          .get(WRITE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause();
      failure = "the audit store did not take the run's records: " + cause.getMessage();
    } catch (TimeoutException e) {
      failure = "the audit store did not commit the run's records within " + WRITE_LIMIT.toMinutes() + " minutes";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted while writing the run's records to the audit store";
    } finally {
      log.close(); // writes what it took, and signs a checkpoint at the head so that is vouched for
    }
    List<AuditReceipt> taken = receipts.stream()
        .filter(r -> r.isDone() && !r.isCompletedExceptionally()).map(CompletableFuture::join).toList();
    if (failure != null) {
      // One batch is one transaction, so the store holds all of the run's records or none; say which, whatever.
      throw new Unusable(failure + (taken.isEmpty() ? "; it holds none of the run's " + records.size() + " records"
          : "; it holds " + taken.size() + " of the run's " + records.size() + " records, as seq "
              + taken.get(0).seq() + ".." + taken.get(taken.size() - 1).seq()));
    }
    long first = taken.isEmpty() ? 0 : taken.get(0).seq();
    long last = taken.isEmpty() ? 0 : taken.get(taken.size() - 1).seq();
    try (Connection connection = DriverManager.getConnection(url, login)) {
      connection.setReadOnly(true);
      AuditStore.Result verified = AuditStore.verify(connection, key.publicKey(), null);
      return new Written(taken.size(), first, last, verified, key.publicKey().thumbprint());
    } catch (SQLException e) {
      throw new Unusable("wrote the run's records to the audit store, then could not read it back to verify it: "
          + e.getMessage());
    }
  }

  /**
   * The store's last checkpoint, which names the key that signed it; empty when it has none, or no tables yet (a new
   * store).
   */
  private static Optional<AuditStore.Checkpoint> lastSigner(Connection connection) throws SQLException {
    // Looked up rather than queried and caught: a failed query on an H2 store leaves a trace file beside it.
    DatabaseMetaData meta = connection.getMetaData();
    String table = meta.storesUpperCaseIdentifiers() ? "CUSTOS_AUDIT_CHECKPOINT" : "custos_audit_checkpoint";
    String escape = meta.getSearchStringEscape();
    try (ResultSet tables = meta.getTables(connection.getCatalog(), connection.getSchema(),
        table.replace("_", escape + "_"), null)) {
      if (!tables.next()) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(AuditStore.checkpoints(connection).lastEntry()).map(Map.Entry::getValue);
  }
}
