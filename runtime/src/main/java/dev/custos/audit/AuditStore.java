package dev.custos.audit;

import dev.custos.identity.WorkloadKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Reading a {@link JdbcAuditLog}'s tables back: verifying the whole store, and exporting records as JSON lines. Works
 * on any connection to the store (H2 or PostgreSQL), read-only. Stateless and thread safe.
 */
public final class AuditStore {

  private static final String SELECT_ROWS = "SELECT seq, recorded_at, mission, lineage, agent, kind, policy_version, "
      + "rule_ids, credential_id, grant_json, payload, prev_hash, chain_hash FROM custos_audit WHERE seq >= ? "
      + "ORDER BY seq";
  private static final int FETCH_SIZE = 4_096;
  private static final HexFormat HEX = HexFormat.of();

  private AuditStore() {}

  /** A signed checkpoint as stored. */
  public record Checkpoint(long seq, String hash, String signedAt, String keyId, String publicKey, String signature) {}

  /** Why a store does not verify. */
  public enum Fault {
    /** A record's content, hash or a derived column was changed. */
    EDITED("edited"),
    /** A sequence number is absent, or the records after it were renumbered down over it: a record was deleted. */
    MISSING("missing"),
    /** A record appended at another sequence number sits here, intact: records were moved or swapped. */
    REORDERED("reordered"),
    /** A record that was never appended sits in the chain; those after it were renumbered. */
    INSERTED("inserted"),
    /** Records a signed checkpoint vouches for are gone from the end. */
    TRUNCATED("truncated"),
    /** A stretch of records was rewritten with recomputed hashes: a signed checkpoint no longer matches. */
    REWRITTEN("rewritten"),
    /** A checkpoint's signature does not verify with the trusted key; the checkpoint vouches for nothing. */
    FORGED_CHECKPOINT("forged checkpoint");

    private final String text;

    Fault(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * The outcome of {@link #verify}.
   *
   * @param records how many records the store holds
   * @param headHash the last record's stored hash ({@link AuditRecord#GENESIS_HASH} when empty)
   * @param checkpoints how many checkpoints were checked
   * @param lastCheckpoint the highest seq a checkpoint whose signature verifies covers, 0 when none
   * @param fault empty when every check passed
   * @param firstBadSeq the first sequence that cannot be trusted (records before it verify); 0 when intact
   * @param detail a sentence for an operator, empty when intact
   */
  public record Result(long records, String headHash, int checkpoints, long lastCheckpoint, Optional<Fault> fault,
      long firstBadSeq, String detail) {

    public boolean intact() {
      return fault.isEmpty();
    }

    /** Records after the last checkpoint: chained, but not yet vouched for by a signature. */
    public long unsigned() {
      return Math.max(0, records - lastCheckpoint);
    }
  }

  /**
   * Checks the whole store: every record's hash against its stored texts, the links between records, the numbering,
   * the derived columns, every checkpoint's signature, and that each checkpoint's hash is the hash of the record at its
   * seq. Reports the first sequence that cannot be trusted and why; when several faults are found, the one that
   * starts earliest.
   *
   * <p>A rewritten stretch (edited records whose hashes were all recomputed) is found by the first checkpoint after
   * it; records between the last checkpoint that still matches and that one cannot be told apart, so {@code
   * firstBadSeq} is the first record after the last matching checkpoint. A checkpoint whose signature does not verify
   * is reported at its own seq ({@link Fault#FORGED_CHECKPOINT}) and vouches for nothing: it is neither compared with
   * the records nor counted for truncation.
   *
   * <p>A record whose hash does not match its texts is {@link Fault#INSERTED}, {@link Fault#REORDERED} or {@link
   * Fault#MISSING} (renumbered down) only when its texts hash to its stored hash at some other seq, that is when it is
   * an intact record that was appended elsewhere; otherwise it was {@link Fault#EDITED}.
   *
   * @param trustedKey the checkpoint key's public half; null trusts the key stored with each checkpoint (which only
   *     shows the checkpoints were not edited alone)
   * @param progress told the seq of each record checked, every few thousand; may be null
   */
  public static Result verify(Connection connection, WorkloadKeys.PublicKey trustedKey, LongConsumer progress)
      throws SQLException {
    try (Streaming streaming = Streaming.on(connection)) {
      return check(connection, trustedKey, progress);
    }
  }

  private static Result check(Connection connection, WorkloadKeys.PublicKey trustedKey, LongConsumer progress)
      throws SQLException {
    TreeMap<Long, Checkpoint> checkpoints = checkpoints(connection);
    TreeMap<Long, Checkpoint> signed = new TreeMap<>();
    Candidate fault = new Candidate();
    for (Checkpoint checkpoint : checkpoints.values()) {
      Optional<String> bad = signatureProblem(checkpoint, trustedKey);
      if (bad.isPresent()) {
        fault.offer(checkpoint.seq(), Fault.FORGED_CHECKPOINT, "the checkpoint at seq " + checkpoint.seq() + " "
            + bad.get());
      } else {
        signed.put(checkpoint.seq(), checkpoint);
      }
    }
    long position = 0;
    String previousHash = AuditRecord.GENESIS_HASH;
    long lastMatchingCheckpoint = 0;
    Checkpoint mismatched = null; // the first signed checkpoint that does not match the record at its seq
    Candidate rewritten = null; // what that mismatch means, unless the next record shows an insertion instead
    boolean chainBroken = false;
    try (PreparedStatement query = connection.prepareStatement(SELECT_ROWS)) {
      query.setFetchSize(FETCH_SIZE);
      query.setLong(1, 1);
      try (ResultSet rows = query.executeQuery()) {
        // Rows are read in chunks; a chunk's hashes and query columns are checked on all cores while the next chunk
        // is read, and the links between records are then walked in order, one record at a time.
        CompletableFuture<Chunk> next = read(rows).check();
        walk:
        while (true) {
          Chunk chunk = next.join();
          if (chunk.rows.isEmpty()) {
            break;
          }
          next = read(rows).check();
          for (int i = 0; i < chunk.rows.size(); i++) {
            AuditRow row = chunk.rows.get(i);
            position++;
            if (progress != null && position % FETCH_SIZE == 0) {
              progress.accept(position);
            }
            boolean intact = chunk.intact[i] && row.seq() == position && row.prevHash().equals(previousHash);
            Optional<Candidate> broken = intact ? Optional.empty()
                : checkLink(connection, checkpoints, row, position, previousHash);
            if (broken.isPresent()) {
              Candidate link = broken.get();
              // A record inserted at a checkpoint's seq pushes the record the checkpoint vouches for one further on:
              // the records before it still verify, so it is an insertion there, not a rewrite of the stretch before.
              boolean insertionExplainsMismatch = mismatched != null && link.fault == Fault.INSERTED
                  && link.seq == mismatched.seq() && row.hash().equals(mismatched.hash());
              if (rewritten != null && !insertionExplainsMismatch) {
                fault.offer(rewritten.seq, rewritten.fault, rewritten.detail);
              }
              rewritten = null;
              // Records after a broken link are not checked: a fault found there could not start earlier.
              fault.offer(link.seq, link.fault, link.detail);
              chainBroken = true;
              next.join();
              position += countFrom(connection, row.seq() + 1);
              previousHash = headHash(connection).orElse(row.hash());
              break walk;
            }
            Checkpoint checkpoint = signed.get(row.seq());
            if (checkpoint != null && mismatched == null) {
              if (checkpoint.hash().equals(row.hash())) {
                lastMatchingCheckpoint = row.seq();
              } else {
                mismatched = checkpoint;
                rewritten = new Candidate(lastMatchingCheckpoint + 1, Fault.REWRITTEN, "records "
                    + (lastMatchingCheckpoint + 1) + " to " + row.seq() + " were rewritten: the checkpoint signed at "
                    + "seq " + row.seq() + " no longer matches the record there");
              }
            }
            previousHash = row.hash();
          }
        }
      }
    }
    if (rewritten != null) {
      fault.offer(rewritten.seq, rewritten.fault, rewritten.detail);
    }
    long records = position;
    long lastCheckpoint = signed.isEmpty() ? 0 : signed.lastKey();
    if (lastCheckpoint > records && !chainBroken) {
      fault.offer(records + 1, Fault.TRUNCATED, "records after seq " + records + " are gone: the checkpoint signed at"
          + " seq " + lastCheckpoint + " vouches for them");
    }
    return new Result(records, previousHash, checkpoints.size(), lastCheckpoint, Optional.ofNullable(fault.fault),
        fault.fault == null ? 0 : fault.seq, fault.fault == null ? "" : fault.detail);
  }

  /** Up to {@link #FETCH_SIZE} rows read in order, and per row whether its own hash and query columns check out. */
  private static final class Chunk {
    final List<AuditRow> rows;
    final boolean[] intact;

    Chunk(List<AuditRow> rows) {
      this.rows = rows;
      this.intact = new boolean[rows.size()];
    }

    /** Checks each row's hash and query columns, on the common pool: the part of verifying that needs no order. */
    CompletableFuture<Chunk> check() {
      if (rows.isEmpty()) {
        return CompletableFuture.completedFuture(this);
      }
      return CompletableFuture.supplyAsync(() -> {
        IntStream.range(0, rows.size()).parallel().forEach(i -> {
          AuditRow row = rows.get(i);
          intact[i] = row.computeHash().equals(row.hash()) && row.derivedColumnsMatch();
        });
        return this;
      });
    }
  }

  private static Chunk read(ResultSet rows) throws SQLException {
    List<AuditRow> chunk = new ArrayList<>(FETCH_SIZE);
    while (chunk.size() < FETCH_SIZE && rows.next()) {
      chunk.add(row(rows));
    }
    return new Chunk(chunk);
  }

  /** The first fault of a record at {@code position}, given the hash of the record before it. */
  private static Optional<Candidate> checkLink(Connection connection, TreeMap<Long, Checkpoint> checkpoints,
      AuditRow row, long position, String previousHash) throws SQLException {
    if (row.seq() != position) {
      return Optional.of(new Candidate(position, Fault.MISSING, "record " + position + " is missing"
          + (row.seq() > position + 1 ? " (and those up to " + (row.seq() - 1) + ")" : "")));
    }
    if (!row.computeHash().equals(row.hash())) {
      Optional<Long> predecessor = AuditRecord.isHexHash(row.prevHash())
          ? recordWithHash(connection, row.prevHash()) : Optional.empty();
      OptionalLong appendedAs = appendedAs(connection, checkpoints, row, predecessor);
      if (appendedAs.isPresent()) {
        long seq = appendedAs.getAsLong();
        if (seq == position - 1) {
          return Optional.of(new Candidate(position - 1, Fault.INSERTED, "record " + (position - 1) + " was"
              + " inserted: the record after it is one that was appended as " + (position - 1)));
        }
        if (seq > position && predecessor.isEmpty()) {
          return Optional.of(new Candidate(position, Fault.MISSING, "record " + position + " is missing"
              + (seq > position + 1 ? " (and those up to " + (seq - 1) + ")" : "") + ": the records after it were"
              + " renumbered down over the gap, record " + position + " is the one appended as " + seq));
        }
        return Optional.of(new Candidate(position, Fault.REORDERED, "record " + position + " holds the record that"
            + " was appended as " + seq));
      }
      return Optional.of(new Candidate(position, Fault.EDITED, "record " + position + " was edited: its hash does not"
          + " match its content"));
    }
    if (!row.prevHash().equals(previousHash)) {
      return Optional.of(new Candidate(position - 1, Fault.EDITED, "record " + (position - 1) + " was edited and its"
          + " hash recomputed: record " + position + " no longer follows it"));
    }
    if (!row.derivedColumnsMatch()) {
      return Optional.of(new Candidate(position, Fault.EDITED, "record " + position + " was edited: a query column"
          + " (agent, policy version, rules, credential or grant) does not match its payload"));
    }
    return Optional.empty();
  }

  /**
   * The seq, other than the row's own, at which the row's texts hash to its stored hash: where this intact record was
   * appended. Empty for an edited record. Tries the likely places first (just before: moved up by an insertion; just
   * after the record it follows), then every seq the store has held, so a move anywhere is recognised; that search
   * only runs for the first faulty record, and costs one short hash per seq.
   */
  private static OptionalLong appendedAs(Connection connection, TreeMap<Long, Checkpoint> checkpoints, AuditRow row,
      Optional<Long> predecessor) throws SQLException {
    if (!AuditRecord.isHexHash(row.prevHash()) || !AuditRecord.isHexHash(row.hash())) {
      return OptionalLong.empty();
    }
    SeqHasher hasher = new SeqHasher(row);
    List<Long> likely = new ArrayList<>(List.of(row.seq() - 1));
    predecessor.ifPresent(seq -> likely.add(seq + 1));
    for (long seq : likely) {
      if (seq >= 1 && seq != row.seq() && hasher.matchesAt(seq)) {
        return OptionalLong.of(seq);
      }
    }
    long highest = Math.max(maxSeq(connection), checkpoints.isEmpty() ? 0 : checkpoints.lastKey()) + 1;
    for (long seq = 1; seq <= highest; seq++) {
      if (seq != row.seq() && hasher.matchesAt(seq)) {
        return OptionalLong.of(seq);
      }
    }
    return OptionalLong.empty();
  }

  /** Hashes a row's texts as if appended at other seqs: the part before the seq's digits is hashed once. */
  private static final class SeqHasher {

    private final MessageDigest prefix;
    private final byte[] storedHash;

    SeqHasher(AuditRow row) {
      prefix = sha256();
      prefix.update(HEX.parseHex(row.prevHash()));
      prefix.update(row.canonicalUpToSeq().toString().getBytes(StandardCharsets.UTF_8));
      storedHash = HEX.parseHex(row.hash());
    }

    boolean matchesAt(long seq) {
      MessageDigest digest;
      try {
        digest = (MessageDigest) prefix.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("this platform's SHA-256 cannot be cloned", e);
      }
      digest.update((seq + "}").getBytes(StandardCharsets.US_ASCII));
      return MessageDigest.isEqual(digest.digest(), storedHash);
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform must provide SHA-256", e);
      }
    }
  }

  private static long maxSeq(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT MAX(seq) FROM custos_audit");
        ResultSet rows = query.executeQuery()) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  private static Optional<Long> recordWithHash(Connection connection, String hash) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT seq FROM custos_audit WHERE chain_hash = ? ORDER BY seq")) {
      query.setString(1, hash);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
      }
    }
  }

  private static long countFrom(Connection connection, long seq) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM custos_audit WHERE seq >= ?")) {
      query.setLong(1, seq);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private static Optional<String> headHash(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT chain_hash FROM custos_audit WHERE seq = (SELECT MAX(seq) FROM custos_audit)");
        ResultSet rows = query.executeQuery()) {
      return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
    }
  }

  private static Optional<String> signatureProblem(Checkpoint checkpoint, WorkloadKeys.PublicKey trustedKey) {
    WorkloadKeys.PublicKey key;
    if (trustedKey != null) {
      if (!trustedKey.base64Url().equals(checkpoint.publicKey())) {
        return Optional.of("is signed by key " + checkpoint.keyId() + ", not the trusted key " + trustedKey.thumbprint());
      }
      key = trustedKey;
    } else {
      try {
        key = WorkloadKeys.PublicKey.fromBase64Url(checkpoint.publicKey());
      } catch (IllegalArgumentException e) {
        return Optional.of("names no valid public key");
      }
    }
    byte[] signature;
    try {
      signature = Base64.getUrlDecoder().decode(checkpoint.signature());
    } catch (IllegalArgumentException e) {
      return Optional.of("has a signature that is not base64url");
    }
    return key.verify(CheckpointKey.message(checkpoint.seq(), checkpoint.hash()), signature)
        ? Optional.empty() : Optional.of("has a signature that does not verify");
  }

  /** Every checkpoint, by seq. */
  public static TreeMap<Long, Checkpoint> checkpoints(Connection connection) throws SQLException {
    TreeMap<Long, Checkpoint> checkpoints = new TreeMap<>();
    try (PreparedStatement query = connection.prepareStatement("SELECT seq, chain_hash, signed_at, key_id, public_key,"
        + " signature FROM custos_audit_checkpoint ORDER BY seq");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        checkpoints.put(rows.getLong(1), new Checkpoint(rows.getLong(1), rows.getString(2), rows.getString(3),
            rows.getString(4), rows.getString(5), rows.getString(6)));
      }
    }
    return checkpoints;
  }

  /**
   * Writes every record from {@code fromSeq} on as one JSON object per line ({@link AuditRow#jsonLine()}), in order.
   *
   * @return how many records were written
   */
  public static long export(Connection connection, long fromSeq, Writer out) throws SQLException {
    long written = 0;
    try (Streaming streaming = Streaming.on(connection);
        PreparedStatement query = connection.prepareStatement(SELECT_ROWS)) {
      query.setFetchSize(FETCH_SIZE);
      query.setLong(1, Math.max(1, fromSeq));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          out.write(row(rows).jsonLine());
          out.write('\n');
          written++;
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return written;
  }

  /** Every stored row from {@code fromSeq} on, in order: for tests and tools that hold a small store in memory. */
  public static List<AuditRow> rows(Connection connection, long fromSeq) throws SQLException {
    List<AuditRow> rows = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(SELECT_ROWS)) {
      query.setLong(1, Math.max(1, fromSeq));
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          rows.add(row(result));
        }
      }
    }
    return rows;
  }

  private static AuditRow row(ResultSet rows) throws SQLException {
    return new AuditRow(rows.getLong(1), text(rows, 2), text(rows, 3), text(rows, 4), text(rows, 5), text(rows, 6),
        text(rows, 7), text(rows, 8), text(rows, 9), text(rows, 10), text(rows, 11), text(rows, 12), text(rows, 13));
  }

  private static String text(ResultSet rows, int column) throws SQLException {
    return Objects.requireNonNullElse(rows.getString(column), "");
  }

  /**
   * Reads a large result a chunk at a time rather than all at once: PostgreSQL's driver uses a cursor (and so honours
   * the fetch size) only inside a transaction, and H2 builds a whole result first (spilling it to a temporary file)
   * unless told to run the query lazily. Restores the connection as it found it.
   */
  private static final class Streaming implements AutoCloseable {
    private final Connection connection;
    private final boolean autoCommit;
    private final boolean h2;

    private Streaming(Connection connection) throws SQLException {
      this.connection = connection;
      this.autoCommit = connection.getAutoCommit();
      this.h2 = "H2".equals(connection.getMetaData().getDatabaseProductName());
      if (autoCommit) {
        connection.setAutoCommit(false);
      }
      if (h2) {
        try (Statement lazy = connection.createStatement()) {
          lazy.execute("SET LAZY_QUERY_EXECUTION TRUE");
        }
      }
    }

    static Streaming on(Connection connection) throws SQLException {
      return new Streaming(connection);
    }

    @Override
    public void close() throws SQLException {
      if (h2) {
        try (Statement eager = connection.createStatement()) {
          eager.execute("SET LAZY_QUERY_EXECUTION FALSE");
        }
      }
      if (autoCommit) {
        connection.rollback(); // it only read
        connection.setAutoCommit(true);
      }
    }
  }

  /** The earliest fault found so far. */
  private static final class Candidate {
    long seq = Long.MAX_VALUE;
    Fault fault;
    String detail = "";

    Candidate() {}

    Candidate(long seq, Fault fault, String detail) {
      this.seq = seq;
      this.fault = fault;
      this.detail = detail;
    }

    void offer(long seq, Fault fault, String detail) {
      if (seq < this.seq) {
        this.seq = seq;
        this.fault = fault;
        this.detail = detail;
      }
    }
  }
}
