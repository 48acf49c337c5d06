package dev.custos.audit;

import dev.custos.JsonValues;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One sequenced, hash-chained audit record: an {@link AuditEntry} with its place in the log.
 *
 * <p><b>Canonical form</b> ({@link #canonical()}, the text that is hashed): the {@link CanonicalJson} text of an object
 * with exactly these six members, which canonical ordering (UTF-16 code units) puts in this order:
 *
 * <pre>
 * at       Instant.toString(): ISO-8601 in UTC, fraction only when non-zero, in 3, 6 or 9 digits
 * kind     AuditKind.text(): "tool-executed"
 * lineage  array of agent ids, root first
 * mission  the mission id
 * payload  the JSON-like details, keys sorted at every level
 * seq      integer, from 1
 * </pre>
 *
 * For example {@code
 * {"at":"2025-01-01T00:00:00Z","kind":"decision","lineage":["a1"],"mission":"m-1","payload":{"allow":true},"seq":1}}.
 * {@code prevHash} and {@code hash} are not members: the previous hash enters through the hash rule.
 *
 * <p><b>Hash rule:</b> {@code hash = hex(SHA-256(raw(prevHash) || UTF-8(canonical())))}, where {@code raw(prevHash)} is
 * the 32 bytes the 64 hex digits of {@code prevHash} stand for, and the first record's {@code prevHash} is {@link
 * #GENESIS_HASH} (so 32 zero bytes). Hashes are written as 64 lowercase hex digits.
 *
 * <p>A record is a plain value anyone may construct (a store reads them back, a test tampers with them); whether it
 * belongs to a chain is what {@link Verification#of} decides. The constructor only checks shape: {@code seq >= 1}, no
 * null fields other than a null payload, hashes of 64 lowercase hex digits; it copies {@code lineage} and deep-copies
 * {@code payload}.
 *
 * @param seq position in the log, from 1
 * @param at the runtime's time of the entry
 * @param mission the mission id
 * @param lineage agent ids from the root to the agent concerned
 * @param kind what happened
 * @param payload JSON-like details
 * @param prevHash the previous record's hash, {@link #GENESIS_HASH} for the first
 * @param hash this record's chain hash
 */
public record AuditRecord(
    long seq,
    Instant at,
    String mission,
    List<String> lineage,
    AuditKind kind,
    Map<String, Object> payload,
    String prevHash,
    String hash) {

  /** The previous hash of the first record: 64 zeros, standing for 32 zero bytes. */
  public static final String GENESIS_HASH = "0".repeat(64);

  private static final HexFormat HEX = HexFormat.of();

  public AuditRecord {
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be at least 1, got " + seq);
    }
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(mission, "mission");
    Objects.requireNonNull(kind, "kind");
    lineage = List.copyOf(lineage);
    payload = JsonValues.copyMap(payload);
    requireHexHash(prevHash, "prevHash");
    requireHexHash(hash, "hash");
  }

  /** The record that follows {@code prevHash} at {@code seq}, with its hash computed by the hash rule. */
  public static AuditRecord chain(long seq, AuditEntry entry, String prevHash) {
    requireHexHash(prevHash, "prevHash");
    String canonical = canonical(seq, entry.at(), entry.mission(), entry.lineage(), entry.kind(), entry.payload());
    return new AuditRecord(seq, entry.at(), entry.mission(), entry.lineage(), entry.kind(), entry.payload(), prevHash,
        chainHash(prevHash, canonical));
  }

  /** The canonical JSON of the content fields (see the class comment): the text that is hashed. */
  public String canonical() {
    return canonical(seq, at, mission, lineage, kind, payload);
  }

  /** The six members in their canonical order, assembled where a stored row is assembled too. */
  private static String canonical(long seq, Instant at, String mission, List<String> lineage, AuditKind kind,
      Map<String, Object> payload) {
    return AuditRow.canonicalUpToSeq(at.toString(), kind.text(), CanonicalJson.write(lineage), mission,
        CanonicalJson.write(payload)).append(seq).append('}').toString();
  }

  /**
   * The hash the hash rule gives for this record's {@code prevHash} and content; it equals {@link #hash()} unless the
   * record was altered after it was chained.
   */
  public String computeHash() {
    return chainHash(prevHash, canonical());
  }

  /** The entry this record was made from. */
  public AuditEntry entry() {
    return new AuditEntry(at, mission, lineage, kind, payload);
  }

  /**
   * {@code hex(SHA-256(raw(prevHash) || UTF-8(canonical)))}. A fresh {@link MessageDigest} per call: creating one costs
   * far less than the write it guards, is safe from any thread, and leaves nothing behind in pooled threads the way a
   * {@code ThreadLocal} would.
   */
  static String chainHash(String prevHash, String canonical) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
    return chainHash(sha256, prevHash, canonical);
  }

  /** {@link #chainHash(String, String)} with a digest the caller owns and uses from one thread (it is reset). */
  static String chainHash(MessageDigest sha256, String prevHash, String canonical) {
    sha256.reset();
    sha256.update(HEX.parseHex(prevHash));
    sha256.update(canonical.getBytes(StandardCharsets.UTF_8));
    return HEX.formatHex(sha256.digest());
  }

  private static void requireHexHash(String value, String name) {
    Objects.requireNonNull(value, name);
    if (!isHexHash(value)) {
      throw new IllegalArgumentException(name + " must be 64 lowercase hex digits, got '" + value + "'");
    }
  }

  /** 64 lowercase hex digits; a loop rather than a regex, since every append checks two. */
  static boolean isHexHash(String value) {
    if (value.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = value.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
