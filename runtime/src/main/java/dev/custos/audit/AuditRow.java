package dev.custos.audit;

import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A record as a store keeps it: the text of every column. The chain is checked from these texts directly ({@link
 * #canonical()} assembles the same characters {@link AuditRecord#canonical()} gives), so no parsing can hide an edit.
 * The derived columns ({@code agent}, {@code policyVersion}, {@code ruleIds}, {@code credentialId}, {@code grant}) are
 * copies of parts of the lineage and payload, kept for queries; {@link #derivedColumnsMatch()} checks them.
 *
 * @param at {@code Instant.toString()} of the record's time
 * @param lineage canonical JSON array
 * @param kind {@link AuditKind#text()}
 * @param payload canonical JSON object
 */
public record AuditRow(long seq, String at, String mission, String lineage, String agent, String kind,
    String policyVersion, String ruleIds, String credentialId, String grant, String payload, String prevHash,
    String hash) {

  public AuditRow {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(mission, "mission");
    Objects.requireNonNull(lineage, "lineage");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(policyVersion, "policyVersion");
    Objects.requireNonNull(ruleIds, "ruleIds");
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(hash, "hash");
  }

  /** The row a store writes for {@code record}. */
  public static AuditRow of(AuditRecord record) {
    return unplaced(record.entry()).at(record.seq(), record.prevHash(), record.hash());
  }

  /**
   * The texts of a record whose place in the chain is not known yet. A store makes them on the appending thread, so
   * that its one writer only numbers, hashes and writes.
   */
  static Unplaced unplaced(AuditEntry entry) {
    Derived derived = derive(entry.lineage(), entry.payload());
    return new Unplaced(entry.at().toString(), entry.mission(), CanonicalJson.write(entry.lineage()), derived.agent,
        entry.kind().text(), derived.policyVersion, derived.ruleIds, derived.credentialId, derived.grant,
        CanonicalJson.write(entry.payload()));
  }

  /** A row's texts but its seq and hashes; see {@link #unplaced}. */
  record Unplaced(String at, String mission, String lineage, String agent, String kind, String policyVersion,
      String ruleIds, String credentialId, String grant, String payload) {

    /** The row at {@code seq} after {@code prevHash}, its hash computed by the hash rule with {@code sha256}. */
    AuditRow place(long seq, String prevHash, MessageDigest sha256) {
      AuditRow unhashed = at(seq, prevHash, AuditRecord.GENESIS_HASH);
      String canonical = unhashed.canonicalUpToSeq().append(seq).append('}').toString();
      return at(seq, prevHash, AuditRecord.chainHash(sha256, prevHash, canonical));
    }

    AuditRow at(long seq, String prevHash, String hash) {
      return new AuditRow(seq, at, mission, lineage, agent, kind, policyVersion, ruleIds, credentialId, grant, payload,
          prevHash, hash);
    }
  }

  /** The record's canonical text, assembled from the stored texts. */
  public String canonical() {
    return canonicalUpToSeq().append(seq).append('}').toString();
  }

  /** The canonical text up to the value of {@code seq}, which comes last: {@code {"at":...,"seq":}. */
  StringBuilder canonicalUpToSeq() {
    return canonicalUpToSeq(at, kind, lineage, mission, payload);
  }

  /**
   * The one place the canonical form is assembled (see {@link AuditRecord}): from the time and kind as text, the
   * lineage and payload as canonical JSON, and the mission; the caller appends the seq and the closing brace.
   */
  static StringBuilder canonicalUpToSeq(String at, String kind, String lineage, String mission, String payload) {
    StringBuilder out = new StringBuilder(64 + lineage.length() + payload.length() + mission.length());
    out.append("{\"at\":");
    CanonicalJson.write(at, out);
    out.append(",\"kind\":");
    CanonicalJson.write(kind, out);
    out.append(",\"lineage\":").append(lineage).append(",\"mission\":");
    CanonicalJson.write(mission, out);
    out.append(",\"payload\":").append(payload).append(",\"seq\":");
    return out;
  }

  /**
   * What the hash rule gives for the stored previous hash and texts; equals {@link #hash()} unless edited. Empty when
   * the stored previous hash is not 64 lowercase hex digits: the same bytes written otherwise are an edit too.
   */
  public String computeHash() {
    if (!AuditRecord.isHexHash(prevHash)) {
      return "";
    }
    return AuditRecord.chainHash(prevHash, canonical());
  }

  /** Whether the derived columns are what the stored lineage and payload give. */
  public boolean derivedColumnsMatch() {
    // Most rows are as written: their columns are the exact texts in the payload. Anything else is parsed and compared
    // by value, so that only what differs in meaning counts as a mismatch.
    return textsMatch() || valuesMatch();
  }

  /** Whether each derived column is the exact text of its member in the payload (a string column: its JSON). */
  private boolean textsMatch() {
    Map<String, String> members = TopLevelMembers.of(payload, DERIVED_MEMBERS);
    if (members == null || !lineage.endsWith("]")) {
      return false;
    }
    return matchesText(members.get("policyVersion"), policyVersion, true)
        && matchesText(members.get("credential"), credentialId, true)
        && matchesText(members.get("rules"), ruleIds, false)
        && matchesText(members.get("grant"), grant, false)
        && lastLineageText().equals(agent.isEmpty() ? "" : CanonicalJson.write(agent));
  }

  private static final List<String> DERIVED_MEMBERS = List.of("credential", "grant", "policyVersion", "rules");

  /** A member's raw text against its column: absent means an empty column; strings compare as their JSON text. */
  private static boolean matchesText(String member, String column, boolean stringColumn) {
    if (member == null) {
      return column.isEmpty();
    }
    return stringColumn ? member.startsWith("\"") && member.equals(CanonicalJson.write(column)) : member.equals(column);
  }

  /** The raw text of the lineage's last element, empty for an empty array. */
  private String lastLineageText() {
    if (lineage.equals("[]")) {
      return "";
    }
    int start = lineage.lastIndexOf(",\"");
    String last = start < 0 ? lineage.substring(1, lineage.length() - 1) : lineage.substring(start + 1,
        lineage.length() - 1);
    return last.startsWith("\"") && last.endsWith("\"") && last.indexOf('"', 1) == last.length() - 1 ? last : "\u0000";
  }

  private boolean valuesMatch() {
    try {
      Object lineageValue = JsonText.parse(lineage);
      Object payloadValue = JsonText.parse(payload);
      if (!(lineageValue instanceof List<?> ids) || !(payloadValue instanceof Map<?, ?> fields)) {
        return false;
      }
      Derived derived = derive(ids, fields);
      return derived.agent.equals(agent) && derived.policyVersion.equals(policyVersion)
          && derived.ruleIds.equals(ruleIds) && derived.credentialId.equals(credentialId) && derived.grant.equals(grant);
    } catch (IllegalArgumentException notJson) {
      return false;
    }
  }

  /** One line of JSON for a SIEM: every content member, {@code prevHash} and {@code hash}; keys sorted. */
  public String jsonLine() {
    StringBuilder out = new StringBuilder(128 + lineage.length() + payload.length());
    out.append("{\"at\":");
    CanonicalJson.write(at, out);
    out.append(",\"hash\":");
    CanonicalJson.write(hash, out);
    out.append(",\"kind\":");
    CanonicalJson.write(kind, out);
    out.append(",\"lineage\":").append(lineage).append(",\"mission\":");
    CanonicalJson.write(mission, out);
    out.append(",\"payload\":").append(payload).append(",\"prevHash\":");
    CanonicalJson.write(prevHash, out);
    out.append(",\"seq\":").append(seq).append('}');
    return out.toString();
  }

  private record Derived(String agent, String policyVersion, String ruleIds, String credentialId, String grant) {}

  private static Derived derive(List<?> lineage, Map<?, ?> payload) {
    String agent = lineage.isEmpty() ? "" : String.valueOf(lineage.get(lineage.size() - 1));
    String policyVersion = payload.get("policyVersion") instanceof String s ? s : "";
    String ruleIds = payload.get("rules") instanceof List<?> rules ? CanonicalJson.write(rules) : "";
    String credentialId = payload.get("credential") instanceof String s ? s : "";
    String grant = payload.containsKey("grant") ? CanonicalJson.write(payload.get("grant")) : "";
    return new Derived(agent, policyVersion, ruleIds, credentialId, grant);
  }
}
