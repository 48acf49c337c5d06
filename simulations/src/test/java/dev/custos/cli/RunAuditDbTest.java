package dev.custos.cli;

import static dev.custos.cli.CliRun.custos;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custos.audit.AuditEntry;
import dev.custos.audit.AuditKind;
import dev.custos.audit.CheckpointKey;
import dev.custos.audit.InMemoryAuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custos run --audit-db URL}: the run's audit trail lands in a durable store that {@code custos audit verify}
 * and {@code export} read; the run and its report do not change; a second run continues the store's chain; unusable
 * stores and wrong keys are bad input before the run. On an H2 file and on the real PostgreSQL.
 */
class RunAuditDbTest {

  private static final String RANSOMWARE = "scenarios/ransomware-outbreak.yaml";
  private static final String CLOUD_KEY_LEAK = "scenarios/cloud-key-leak.yaml";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String h2(Path dir) {
    return "jdbc:h2:file:" + dir.resolve("audit");
  }

  /** The report's {@code audit} member: records, headHash, verified. */
  private static JsonNode audit(Path report) throws Exception {
    return JSON.readTree(report.toFile()).get("audit");
  }

  private static String thumbprint(Path publicKey) throws Exception {
    return CheckpointKey.readPublicKey(publicKey).thumbprint();
  }

  private static String storeLine(CliRun run) {
    List<String> lines = run.out().stream().filter(l -> l.startsWith("audit-db: ")).toList();
    assertThat(lines).as(run.toString()).hasSize(1);
    return lines.get(0);
  }

  /** The head hash a store line names. */
  private static String headOf(String line) {
    int at = line.indexOf(", head ") + ", head ".length();
    return line.substring(at, at + 64);
  }

  /** The summary without the lines naming the store and the output files, which differ by design. */
  private static List<String> summary(CliRun run) {
    return run.out().stream()
        .filter(l -> !l.startsWith("audit-db: ") && !l.startsWith("report: ") && !l.startsWith("html: ")).toList();
  }

  private static String[] args(String... args) {
    return args;
  }

  @Test
  void aFreshStoreHoldsTheRunsChainAndTheReportIsTheSameBytes(@TempDir Path dir) throws Exception {
    String url = h2(dir.resolve("store"));
    CliRun with = custos("run", RANSOMWARE, "--report", dir.resolve("with.json").toString(),
        "--html", dir.resolve("with.html").toString(), "--audit-db", url);
    CliRun without = custos("run", RANSOMWARE, "--report", dir.resolve("without.json").toString(),
        "--html", dir.resolve("without.html").toString());

    assertEquals(0, with.exitCode(), with.toString());
    assertEquals(List.of(), with.err());
    assertEquals(Files.readString(dir.resolve("without.json")), Files.readString(dir.resolve("with.json")));
    assertEquals(Files.readString(dir.resolve("without.html")), Files.readString(dir.resolve("with.html")));
    assertEquals(summary(without), summary(with));

    JsonNode audit = audit(dir.resolve("with.json"));
    long records = audit.get("records").asLong();
    String head = audit.get("headHash").asText();
    assertThat(records).isGreaterThan(50);
    String key = thumbprint(dir.resolve("store").resolve("checkpoint-key.pub"));
    String verifies = records + " records, head " + head + ", 1 checkpoint (last at seq " + records + "), "
        + "signed by key " + key;
    assertEquals("audit-db: wrote " + records + " records as seq 1.." + records + "; the store verifies: " + verifies,
        storeLine(with));

    assertEquals(new CliRun(0, List.of("OK: " + verifies), List.of()), custos("audit", "verify", "--db", url));
    CliRun export = custos("audit", "export", "--db", url);
    assertEquals(0, export.exitCode(), export.toString());
    assertEquals(records, export.out().size());
    assertThat(export.out().get(0)).contains("\"prevHash\":\"" + "0".repeat(64) + "\"").endsWith(",\"seq\":1}");
    assertThat(export.out().get((int) records - 1)).contains("\"hash\":\"" + head + "\"")
        .endsWith(",\"seq\":" + records + "}");
  }

  @Test
  void aSecondRunContinuesTheStoresChain(@TempDir Path dir) throws Exception {
    String url = h2(dir.resolve("store"));
    CliRun first = custos("run", RANSOMWARE, "--report", dir.resolve("first.json").toString(), "--audit-db", url);
    assertEquals(0, first.exitCode(), first.toString());
    long before = audit(dir.resolve("first.json")).get("records").asLong();

    CliRun second = custos("run", CLOUD_KEY_LEAK, "--report", dir.resolve("second.json").toString(),
        "--audit-db", url);
    CliRun alone = custos("run", CLOUD_KEY_LEAK, "--report", dir.resolve("alone.json").toString());

    assertEquals(0, second.exitCode(), second.toString());
    assertEquals(Files.readString(dir.resolve("alone.json")), Files.readString(dir.resolve("second.json")));
    JsonNode audit = audit(dir.resolve("second.json"));
    long added = audit.get("records").asLong();
    long total = before + added;
    String line = storeLine(second);
    String head = headOf(line);
    String verifies = total + " records, head " + head + ", 2 checkpoints (last at seq " + total + "), signed by key "
        + thumbprint(dir.resolve("store").resolve("checkpoint-key.pub"));
    assertEquals("audit-db: wrote " + added + " records as seq " + (before + 1) + ".." + total
        + "; the store verifies: " + verifies, line);
    // The records are the run's, but numbered on from the store's head, so the store's hashes are its own.
    assertNotEquals(audit.get("headHash").asText(), head);

    assertEquals(new CliRun(0, List.of("OK: " + verifies), List.of()), custos("audit", "verify", "--db", url));
    CliRun export = custos("audit", "export", "--db", url, "--from", Long.toString(before + 1));
    assertEquals(added, export.out().size(), export.err().toString());
    assertThat(export.out().get(0)).endsWith(",\"seq\":" + (before + 1) + "}");
  }

  @Test
  void onPostgresqlTheStoreHoldsTheRunsAndVerifies(@TempDir Path dir) throws Exception {
    try (PostgresSchema schema = PostgresSchema.fresh()) {
      String url = schema.url();
      Path key = dir.resolve("keys").resolve("checkpoint-key");
      String[] store = args("--audit-db", url, "--user", PostgresSchema.USER, "--checkpoint-key", key.toString());

      CliRun first = custos(concat(args("run", RANSOMWARE, "--report", dir.resolve("first.json").toString()), store));
      CliRun alone = custos("run", RANSOMWARE, "--report", dir.resolve("alone.json").toString());
      assertEquals(0, first.exitCode(), first.toString());
      assertEquals(Files.readString(dir.resolve("alone.json")), Files.readString(dir.resolve("first.json")));
      JsonNode audit = audit(dir.resolve("first.json"));
      long records = audit.get("records").asLong();
      String thumbprint = thumbprint(CheckpointKey.publicKeyFile(key));
      assertEquals("audit-db: wrote " + records + " records as seq 1.." + records + "; the store verifies: " + records
          + " records, head " + audit.get("headHash").asText() + ", 1 checkpoint (last at seq " + records
          + "), signed by key " + thumbprint, storeLine(first));

      CliRun second = custos(concat(args("run", CLOUD_KEY_LEAK, "--report", dir.resolve("second.json").toString()),
          store));
      assertEquals(0, second.exitCode(), second.toString());
      long added = audit(dir.resolve("second.json")).get("records").asLong();
      long total = records + added;
      String line = storeLine(second);
      assertThat(line).startsWith("audit-db: wrote " + added + " records as seq " + (records + 1) + ".." + total
          + "; the store verifies: " + total + " records, head ");

      String[] login = args("--db", url, "--user", PostgresSchema.USER);
      CliRun verify = custos(concat(args("audit", "verify", "--public-key", CheckpointKey.publicKeyFile(key)
          .toString()), login));
      assertEquals(new CliRun(0, List.of("OK: " + total + " records, head " + headOf(line) + ", 2 checkpoints (last at "
          + "seq " + total + "), signed by key " + thumbprint), List.of()), verify);
      CliRun export = custos(concat(args("audit", "export"), login));
      assertEquals(total, export.out().size(), export.err().toString());
    }
  }

  @Test
  void aStoreThatCannotBeUsedIsBadInputBeforeTheRun(@TempDir Path dir) {
    Path key = dir.resolve("checkpoint-key");
    String unset = "CUSTOS_TEST_UNSET_" + UUID.randomUUID().toString().replace("-", "_");
    assertNull(System.getenv(unset));
    List<List<String>> cases = List.of(
        List.of("--audit-db", "jdbc:nonsense:somewhere", "--checkpoint-key", key.toString()),
        List.of("--audit-db", "jdbc:postgresql://127.0.0.1:1/test", "--checkpoint-key", key.toString()),
        List.of("--audit-db", "jdbc:h2:mem:audit"),
        List.of("--audit-db", "jdbc:postgresql://127.0.0.1:5432/test"),
        List.of("--audit-db", h2(dir), "--password-env", unset),
        List.of("--user", "custos"));
    List<String> messages = List.of(
        "custos run: --audit-db: cannot open the audit store at jdbc:nonsense:somewhere: No suitable driver",
        "custos run: --audit-db: cannot open the audit store at jdbc:postgresql://127.0.0.1:1/test: Connection to "
            + "127.0.0.1:1 refused",
        "custos run: --audit-db: jdbc:h2:mem:audit is an in-memory database, gone when the run ends",
        "custos run: --audit-db: --checkpoint-key FILE is needed for a store that is not an H2 file",
        "custos run: --audit-db: the environment variable " + unset + " is not set",
        "--user, --password-env and --checkpoint-key go with --audit-db");
    for (int i = 0; i < cases.size(); i++) {
      List<String> arguments = new ArrayList<>(List.of("run", RANSOMWARE));
      arguments.addAll(cases.get(i));
      CliRun run = custos(arguments.toArray(String[]::new));
      assertEquals(2, run.exitCode(), run.toString());
      assertEquals(List.of(), run.out(), "nothing ran: " + run);
      assertThat(run.err()).singleElement().asString().startsWith(messages.get(i));
    }
    assertFalse(Files.exists(key), "no key is made for a store that cannot be reached");
    assertFalse(Files.exists(dir.resolve("audit.mv.db")), "no store is made when the password is missing");
  }

  @Test
  void aStoreSignedByAnotherKeyIsRefusedAndLeftAsItWas(@TempDir Path dir) throws Exception {
    String url = h2(dir.resolve("store"));
    assertEquals(0, custos("run", RANSOMWARE, "--report", dir.resolve("first.json").toString(), "--audit-db", url)
        .exitCode());
    long records = audit(dir.resolve("first.json")).get("records").asLong();
    String storeKey = thumbprint(dir.resolve("store").resolve("checkpoint-key.pub"));
    Path other = dir.resolve("other-key");
    CheckpointKey.loadOrCreate(other, new SecureRandom());

    CliRun wrongKey = custos("run", RANSOMWARE, "--audit-db", url, "--checkpoint-key", other.toString());
    assertEquals(2, wrongKey.exitCode(), wrongKey.toString());
    assertThat(wrongKey.err()).singleElement().asString().startsWith("custos run: --audit-db: the store's "
        + "checkpoints are signed by key " + storeKey + ", not by the key in " + other);

    Files.move(dir.resolve("store").resolve("checkpoint-key"), dir.resolve("moved-away"));
    CliRun noKey = custos("run", RANSOMWARE, "--audit-db", url);
    assertEquals(2, noKey.exitCode(), noKey.toString());
    assertThat(noKey.err()).singleElement().asString().startsWith("custos run: --audit-db: the store's checkpoints "
        + "are signed by key " + storeKey + " and there is no key at ");
    assertFalse(Files.exists(dir.resolve("store").resolve("checkpoint-key")), "no new key was made");

    CliRun verify = custos("audit", "verify", "--db", url);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertThat(verify.out().get(0)).startsWith("OK: " + records + " records, ");
  }

  @Test
  void aRunIntoAStoreThatWasTamperedWithSaysSoAndExitsOne(@TempDir Path dir) throws Exception {
    String url = h2(dir.resolve("store"));
    assertEquals(0, custos("run", RANSOMWARE, "--report", dir.resolve("first.json").toString(), "--audit-db", url)
        .exitCode());
    long records = audit(dir.resolve("first.json")).get("records").asLong();
    try (Connection connection = DriverManager.getConnection(url); Statement edit = connection.createStatement()) {
      assertEquals(1, edit.executeUpdate("UPDATE custos_audit SET mission = 'elsewhere' WHERE seq = 5"));
    }

    CliRun run = custos("run", RANSOMWARE, "--report", dir.resolve("second.json").toString(), "--audit-db", url);

    assertEquals(1, run.exitCode(), run.toString());
    assertThat(run.out()).contains("expect contained: ok");
    assertEquals("audit-db: wrote " + records + " records as seq " + (records + 1) + ".." + (2 * records)
        + "; the store does NOT verify: edited at seq 5: record 5 was edited: its hash does not match its content",
        storeLine(run));
    assertEquals(Files.readString(dir.resolve("first.json")), Files.readString(dir.resolve("second.json")));
  }

  @Test
  void aStoreThatRefusesTheRecordsHoldsNoneOfThem(@TempDir Path dir) throws Exception {
    String url = h2(dir);
    InMemoryAuditLog log = new InMemoryAuditLog();
    for (int i = 1; i <= 40; i++) {
      log.append(new AuditEntry(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(i), "m1", List.of("a1"),
          AuditKind.DECISION, Map.of("n", i)));
    }
    DurableAudit.Written first = DurableAudit.open(url, new DatabaseLogin(), null).write(log.records());
    assertEquals(List.of(40L, 1L, 40L, true), List.of(first.records(), first.firstSeq(), first.lastSeq(),
        first.verified()));
    assertEquals(log.head().orElseThrow().hash(), first.store().headHash(), "a fresh store holds the same chain");
    try (Connection connection = DriverManager.getConnection(url); Statement cap = connection.createStatement()) {
      cap.execute("ALTER TABLE custos_audit ADD CONSTRAINT at_most_60 CHECK (seq <= 60)");
    }

    DurableAudit store = DurableAudit.open(url, new DatabaseLogin(), null);
    DurableAudit.Unusable refused = assertThrows(DurableAudit.Unusable.class, () -> store.write(log.records()));

    assertThat(refused.getMessage()).startsWith("the audit store did not take the run's records: ")
        .contains("AT_MOST_60").endsWith("; it holds none of the run's 40 records");
    CliRun verify = custos("audit", "verify", "--db", url);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertThat(verify.out().get(0)).startsWith("OK: 40 records, head " + first.store().headHash());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
