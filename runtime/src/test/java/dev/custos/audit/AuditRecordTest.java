package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditRecordTest {

  /**
   * The canonical text and the hashes below were worked out by hand from the documented form and rule, and checked
   * with another SHA-256 implementation. If one of these tests fails, the format of stored records changed: every
   * chain already written would stop verifying.
   */
  static final String FIRST_CANONICAL =
      "{\"at\":\"2025-03-14T09:26:53.589Z\",\"kind\":\"tool-executed\",\"lineage\":[\"commander\",\"containment-2\"],"
          + "\"mission\":\"m-7\",\"payload\":{\"approved\":true,\"args\":{\"host\":\"10.0.0.5\",\"port\":443},"
          + "\"credential\":\"cred-42\",\"note\":\"naïve \\\"quoted\\\"\\n\",\"policy\":{\"rules\":[\"allow-block\"],"
          + "\"version\":\"v3\"},\"reason\":null,\"score\":0.25,\"tool\":\"firewall.block\"},\"seq\":1}";

  static final String FIRST_HASH = "1ddba7e86ef330e07e2b30065f912880ee7060646a4f54b31e9262a65b1c3ffa";
  static final String SECOND_HASH = "44390391955b0e27f5b86a1aaac869cf9388e0a69c28bd5f0156a51787cf0860";

  static AuditEntry firstEntry() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("tool", "firewall.block");
    payload.put("args", Map.of("port", 443, "host", "10.0.0.5"));
    payload.put("credential", "cred-42");
    payload.put("policy", Map.of("version", "v3", "rules", List.of("allow-block")));
    payload.put("score", 0.25);
    payload.put("note", "naïve \"quoted\"\n");
    payload.put("approved", true);
    payload.put("reason", null);
    return new AuditEntry(
        Instant.parse("2025-03-14T09:26:53.589Z"),
        "m-7",
        List.of("commander", "containment-2"),
        AuditKind.TOOL_EXECUTED,
        payload);
  }

  static AuditEntry secondEntry() {
    return new AuditEntry(Instant.parse("2025-03-14T09:26:54Z"), "m-7", List.of(), AuditKind.HALT, Map.of());
  }

  @Test
  void canonicalFormOfAFixedRecordIsPinned() {
    AuditRecord first = AuditRecord.chain(1, firstEntry(), AuditRecord.GENESIS_HASH);

    assertEquals(FIRST_CANONICAL, first.canonical());
  }

  @Test
  void hashOfAFixedFirstRecordIsPinned() {
    AuditRecord first = AuditRecord.chain(1, firstEntry(), AuditRecord.GENESIS_HASH);

    assertEquals(
        new AuditRecord(
            1,
            Instant.parse("2025-03-14T09:26:53.589Z"),
            "m-7",
            List.of("commander", "containment-2"),
            AuditKind.TOOL_EXECUTED,
            firstEntry().payload(),
            "0".repeat(64),
            FIRST_HASH),
        first);
    assertEquals(FIRST_HASH, Chains.sha256("0".repeat(64), FIRST_CANONICAL));
  }

  @Test
  void theNextRecordHashesTheRawBytesOfThePreviousHash() {
    AuditRecord second = AuditRecord.chain(2, secondEntry(), FIRST_HASH);

    assertEquals(
        "{\"at\":\"2025-03-14T09:26:54Z\",\"kind\":\"halt\",\"lineage\":[],\"mission\":\"m-7\","
            + "\"payload\":{},\"seq\":2}",
        second.canonical());
    assertEquals(SECOND_HASH, second.hash());
    assertEquals(SECOND_HASH, second.computeHash());
  }

  @Test
  void theLogProducesThePinnedChain() {
    InMemoryAuditLog log = new InMemoryAuditLog();

    assertEquals(new AuditReceipt(1, FIRST_HASH), log.append(firstEntry()).join());
    assertEquals(new AuditReceipt(2, SECOND_HASH), log.append(secondEntry()).join());
  }

  @Test
  void instantsKeepTheirFractionInTheCanonicalForm() {
    AuditEntry entry =
        new AuditEntry(Instant.parse("2025-03-14T09:26:53.000000001Z"), "m", List.of("a1"), AuditKind.DECISION,
            Map.of("allow", true));

    assertEquals(
        "{\"at\":\"2025-03-14T09:26:53.000000001Z\",\"kind\":\"decision\",\"lineage\":[\"a1\"],\"mission\":\"m\","
            + "\"payload\":{\"allow\":true},\"seq\":3}",
        AuditRecord.chain(3, entry, FIRST_HASH).canonical());
  }

  @Test
  void everyKindHasItsOwnText() {
    assertThat(List.of(AuditKind.values()).stream().map(AuditKind::text).distinct().count())
        .isEqualTo(AuditKind.values().length);
    assertEquals("late-result-discarded", AuditKind.LATE_RESULT_DISCARDED.text());
  }

  @Test
  void aRecordGivesBackItsEntry() {
    AuditRecord first = AuditRecord.chain(1, firstEntry(), AuditRecord.GENESIS_HASH);

    assertEquals(firstEntry(), first.entry());
  }

  @Test
  void aRecordIsACopyOfWhatItWasGiven() {
    Map<String, Object> payload = new LinkedHashMap<>(Map.of("k", "before"));
    List<String> lineage = new ArrayList<>(List.of("a1"));
    AuditRecord record =
        new AuditRecord(1, Chains.START, "m", lineage, AuditKind.DECISION, payload, FIRST_HASH, SECOND_HASH);
    payload.put("k", "after");
    lineage.add("a2");

    assertEquals(Map.of("k", "before"), record.payload());
    assertEquals(List.of("a1"), record.lineage());
    assertThrows(UnsupportedOperationException.class, () -> record.payload().put("k", "x"));
  }

  @Test
  void shapeIsChecked() {
    Map<String, Object> p = Map.of();
    String ok = FIRST_HASH;

    assertThrows(IllegalArgumentException.class,
        () -> new AuditRecord(0, Chains.START, "m", List.of(), AuditKind.HALT, p, ok, ok));
    assertThrows(IllegalArgumentException.class,
        () -> new AuditRecord(1, Chains.START, "m", List.of(), AuditKind.HALT, p, ok.toUpperCase(), ok));
    assertThrows(IllegalArgumentException.class,
        () -> new AuditRecord(1, Chains.START, "m", List.of(), AuditKind.HALT, p, ok, ok.substring(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new AuditRecord(1, Chains.START, "m", List.of(), AuditKind.HALT, p, ok, ok + "0"));
    assertThrows(NullPointerException.class,
        () -> new AuditRecord(1, Chains.START, null, List.of(), AuditKind.HALT, p, ok, ok));
    assertThrows(NullPointerException.class,
        () -> new AuditRecord(1, Chains.START, "m", List.of(), AuditKind.HALT, p, ok, null));
    assertThrows(IllegalArgumentException.class, () -> AuditRecord.chain(1, secondEntry(), "not a hash"));
  }
}
