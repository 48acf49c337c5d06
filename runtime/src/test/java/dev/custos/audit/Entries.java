package dev.custos.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Audit entries that look like a runtime's: every kind, policy versions and rule lists, credentials, grants with
 * budgets, tool arguments, text in many scripts (and quotes, backslashes, control characters, a lone surrogate), and
 * numbers of every shape canonical JSON writes. Text that a store keeps in a column of its own (mission, agent ids)
 * stays free of NUL and lone surrogates, which a PostgreSQL text column cannot hold.
 */
final class Entries {

  private static final Instant START = Instant.parse("2026-02-03T04:05:06Z");
  private static final String[] MISSIONS = {"m-7f3a9c", "incident \"2026-17\" / eu-west-1", "mission «Nordlicht»",
      "调查-42", "🚀 launch-checklist", "مهمة-٣", "patch\\rollout\ttab", "Ωmega line\nbreak"};
  private static final String[] AGENTS = {"planner", "worker-1", "worker-2", "écrivain", "スキャナー", "agent/ü-7",
      "reviewer \"strict\""};
  private static final String[] TOOLS = {"firewall.block", "s3.put_object", "k8s.rollout_restart", "jira.comment",
      "db.query", "mail.send"};
  private static final String[] RULES = {"deny-egress", "allow-read-only", "require-approval/large-spend",
      "règle-ünïcode", "forbid:prod-delete", "rate-limit"};
  private static final String[] NOTES = {"ok", "Grüße aus Köln", "naïve café", "ℌ𝔢𝔩𝔩𝔬 𝕎𝕠𝕣𝕝𝕕", "quote \" and \\ backslash",
      "line\nbreak\r\nand\ttab", "bell\u0007 and nul\u0000", "lone \ud800 surrogate", "עברית ו-English", "😀👍🏽"};

  private Entries() {}

  /** A plausible entry; {@code i} spreads the times. */
  static AuditEntry realistic(int i, SplittableRandom random) {
    AuditKind kind = AuditKind.values()[random.nextInt(AuditKind.values().length)];
    Instant at = switch (random.nextInt(3)) {
      case 0 -> START.plusSeconds(i); // no fraction
      case 1 -> START.plusMillis(1_000L * i + 1 + random.nextInt(999));
      default -> START.plusNanos(1_000_000_000L * i + 1 + random.nextInt(999_999_999));
    };
    List<String> lineage = new ArrayList<>();
    if (kind != AuditKind.POLICY_RELOAD) { // the supervisor's own records name no agent
      lineage.add("commander");
      for (int k = random.nextInt(4); k > 0; k--) {
        lineage.add(pick(random, AGENTS));
      }
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    switch (kind) {
      case DECISION, APPROVAL -> {
        payload.put("policyVersion", "sha256:" + hex(random, 12));
        payload.put("rules", rules(random));
        payload.put("effect", random.nextBoolean() ? "allow" : "deny");
        payload.put("tool", pick(random, TOOLS));
        payload.put("reasons", List.of(pick(random, NOTES)));
      }
      case DELEGATION -> payload.put("grant", grant(random));
      case CREDENTIAL_ISSUED, CREDENTIAL_REVOKED, CREDENTIAL_REJECTED -> {
        payload.put("credential", "cred-" + hex(random, 16));
        payload.put("audience", "spiffe://custos.test/tool/" + pick(random, TOOLS));
        payload.put("ttlSeconds", 60 + random.nextInt(3_600));
        if (random.nextBoolean()) {
          payload.put("grant", grant(random));
        }
      }
      case TOOL_EXECUTED, TOOL_OUTCOME -> {
        payload.put("tool", pick(random, TOOLS));
        payload.put("credential", "cred-" + hex(random, 16));
        payload.put("args", Map.of("host", "10.0." + random.nextInt(256) + "." + random.nextInt(256),
            "port", 1 + random.nextInt(65_535), "note", pick(random, NOTES)));
        payload.put("durationMs", number(random));
        payload.put("bytes", random.nextLong(Long.MAX_VALUE));
        payload.put("ok", random.nextBoolean());
      }
      case POLICY_RELOAD -> {
        payload.put("policyVersion", "sha256:" + hex(random, 64));
        payload.put("rules", rules(random));
        payload.put("previous", random.nextBoolean() ? null : "sha256:" + hex(random, 64));
      }
      default -> {
        payload.put("note", pick(random, NOTES));
        payload.put("count", random.nextInt(1_000) - 500);
        payload.put("score", number(random));
      }
    }
    return new AuditEntry(at, pick(random, MISSIONS), lineage, kind, payload);
  }

  private static Map<String, Object> grant(SplittableRandom random) {
    Map<String, Object> grant = new LinkedHashMap<>();
    List<String> tools = new ArrayList<>();
    for (int k = 1 + random.nextInt(3); k > 0; k--) {
      tools.add(pick(random, TOOLS));
    }
    grant.put("tools", tools);
    grant.put("budget", Map.of("calls", 1 + random.nextInt(50), "usd", random.nextInt(10_000) / 100.0));
    grant.put("expires", START.plusSeconds(random.nextInt(86_400)).toString());
    grant.put("depth", random.nextInt(4));
    if (random.nextBoolean()) {
      grant.put("paths", List.of("/srv/" + pick(random, AGENTS) + "/**", "/tmp/ø"));
    }
    return grant;
  }

  private static List<String> rules(SplittableRandom random) {
    List<String> rules = new ArrayList<>();
    for (int k = random.nextInt(4); k > 0; k--) {
      rules.add(pick(random, RULES));
    }
    return rules;
  }

  /** Numbers canonical JSON writes in each of its forms. */
  private static Object number(SplittableRandom random) {
    return switch (random.nextInt(8)) {
      case 0 -> random.nextDouble() * 1_000;
      case 1 -> 1e21 * (1 + random.nextInt(9));
      case 2 -> 1e-7 * (1 + random.nextInt(9));
      case 3 -> -random.nextDouble();
      case 4 -> Long.MIN_VALUE + random.nextInt(10);
      case 5 -> 12.5;
      case 6 -> (double) random.nextInt(100);
      default -> random.nextLong();
    };
  }

  private static String pick(SplittableRandom random, String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String hex(SplittableRandom random, int digits) {
    StringBuilder out = new StringBuilder(digits);
    for (int k = 0; k < digits; k++) {
      out.append(Character.forDigit(random.nextInt(16), 16));
    }
    return out.toString();
  }
}
