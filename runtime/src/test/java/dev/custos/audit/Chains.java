package dev.custos.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds chains for tests and tampers with them. Hashes that a forger would recompute are computed here, from the hash
 * rule as documented, not with the code under test.
 */
final class Chains {

  static final Instant START = Instant.parse("2025-03-14T09:26:53Z");
  private static final HexFormat HEX = HexFormat.of();

  private Chains() {}

  /** A plausible entry, different for each {@code i}. */
  static AuditEntry entry(int i) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("tool", "firewall.block");
    payload.put("n", (long) i);
    payload.put("credential", "cred-" + (i % 7));
    payload.put("args", Map.of("host", "10.0.0." + (i % 250), "port", 443));
    AuditKind kind = AuditKind.values()[i % AuditKind.values().length];
    return new AuditEntry(START.plusMillis(i), "m-1", List.of("commander", "worker-" + (i % 3)), kind, payload);
  }

  /** A random entry. */
  static AuditEntry entry(SplittableRandom random) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("tool", "tool-" + random.nextInt(20));
    payload.put("n", random.nextLong());
    payload.put("ok", random.nextBoolean());
    payload.put("score", random.nextDouble());
    AuditKind kind = AuditKind.values()[random.nextInt(AuditKind.values().length)];
    List<String> lineage = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      lineage.add("a" + random.nextInt(100));
    }
    return new AuditEntry(START.plusNanos(random.nextLong(1L << 50)), "m-" + random.nextInt(5), lineage, kind, payload);
  }

  /** The records of a fresh log after appending {@code entries}. */
  static List<AuditRecord> chain(List<AuditEntry> entries) {
    InMemoryAuditLog log = new InMemoryAuditLog();
    entries.forEach(log::append);
    return log.records();
  }

  /** A chain of {@code n} records made from {@link #entry(int)}. */
  static List<AuditRecord> chain(int n) {
    List<AuditEntry> entries = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      entries.add(entry(i));
    }
    return chain(entries);
  }

  /** SHA-256 of the 32 bytes {@code prevHash} stands for, then the UTF-8 of {@code canonical}, in hex. */
  static String sha256(String prevHash, String canonical) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(HEX.parseHex(prevHash));
      sha.update(canonical.getBytes(StandardCharsets.UTF_8));
      return HEX.formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code record} with its hash recomputed, as a forger would. */
  static AuditRecord reseal(AuditRecord r) {
    return withHash(r, sha256(r.prevHash(), r.canonical()));
  }

  static AuditRecord withHash(AuditRecord r, String hash) {
    return new AuditRecord(r.seq(), r.at(), r.mission(), r.lineage(), r.kind(), r.payload(), r.prevHash(), hash);
  }

  static AuditRecord withPrevHash(AuditRecord r, String prevHash) {
    return new AuditRecord(r.seq(), r.at(), r.mission(), r.lineage(), r.kind(), r.payload(), prevHash, r.hash());
  }

  static AuditRecord withSeq(AuditRecord r, long seq) {
    return new AuditRecord(seq, r.at(), r.mission(), r.lineage(), r.kind(), r.payload(), r.prevHash(), r.hash());
  }

  /** {@code record} with one payload field set, its stored hash kept. */
  static AuditRecord withPayloadField(AuditRecord r, String key, Object value) {
    Map<String, Object> payload = new LinkedHashMap<>(r.payload());
    payload.put(key, value);
    return new AuditRecord(r.seq(), r.at(), r.mission(), r.lineage(), r.kind(), payload, r.prevHash(), r.hash());
  }

  /** A hash that {@code avoid} is not. */
  static String randomHash(SplittableRandom random, String avoid) {
    String hash;
    do {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      hash = HEX.formatHex(bytes);
    } while (hash.equals(avoid));
    return hash;
  }

  static String head(List<AuditRecord> records) {
    return records.isEmpty() ? AuditRecord.GENESIS_HASH : records.get(records.size() - 1).hash();
  }
}
