package dev.custos.bench;

import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Rate;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/**
 * The root grant of a SOC incident commander, shared by the benchmarks: 20 distinct capabilities with one to three
 * resources each, some with call limits, some needing approval. Indices matter: {@link GrantBench} relies on
 * {@code siem.query} being first and {@code host.restore} last, and only {@code host.restore} covering its calls.
 */
final class SocCommander {

  /** The start of the mission's (virtual) clock; deadlines are counted from it. */
  static final long EPOCH = 1_700_000_000L;

  static final int HOST_ISOLATE = 4;
  static final int ACCOUNT_DISABLE = 6;
  static final int FIREWALL_BLOCK = 8;

  private SocCommander() {}

  static GrantRequest rootRequest() {
    List<Capability> capabilities = List.of(
        unlimited("siem.query", "siem:index/*", "siem:saved/*"),              // 0
        unlimited("siem.*", "siem:index/soc-*"),                              // 1
        unlimited("edr.scan", "host:corp/*", "host:dmz/*"),                   // 2
        limited("edr.*", 200, "host:corp/**"),                                // 3
        limited("host.isolate", 50, "host:corp/*"),                           // 4 HOST_ISOLATE
        limited("host.release", 50, "host:corp/*"),                           // 5
        limited("account.disable", 20, "account:*"),                          // 6 ACCOUNT_DISABLE
        limited("account.reset", 20, "account:svc-*", "account:corp/*"),      // 7
        limited("firewall.block", 100, "net:**"),                             // 8 FIREWALL_BLOCK
        approval("firewall.unblock", OptionalInt.empty(), "net:**"),          // 9
        limited("forensics.snapshot", 30, "host:corp/*", "host:dmz/*"),       // 10
        unlimited("forensics.memdump", "host:corp/fin-*", "host:corp/hr-*"),  // 11
        unlimited("ticket.update", "ticket:*"),                               // 12
        unlimited("ticket.create", "ticket:soc/*"),                           // 13
        unlimited("threatintel.lookup", "ioc:**"),                            // 14
        limited("email.quarantine", 100, "mailbox:corp/*"),                   // 15
        approval("dns.sinkhole", OptionalInt.of(10), "domain:*"),             // 16
        unlimited("user.notify", "account:corp/*"),                           // 17
        unlimited("vuln.scan", "host:corp/*", "host:dmz/*", "host:lab/**"),   // 18
        approval("host.restore", OptionalInt.of(10), "host:corp/*"));         // 19
    Bounds bounds = new Bounds(
        10_000, Instant.ofEpochSecond(EPOCH + 3_600), 3, 8, 32, Rate.parse("30/1m"), 5);
    return new GrantRequest(capabilities, bounds);
  }

  static Capability unlimited(String tool, String... resources) {
    return Capability.of(tool, resources);
  }

  static Capability limited(String tool, int maxCalls, String... resources) {
    return Capability.of(tool, List.of(resources), OptionalInt.of(maxCalls), false);
  }

  static Capability approval(String tool, OptionalInt maxCalls, String... resources) {
    return Capability.of(tool, List.of(resources), maxCalls, true);
  }

  /**
   * A copy of {@code s} that shares neither the object nor its backing array, as a name parsed from an agent's action
   * would: otherwise {@link String#equals} could succeed on identity and flatter literal matches.
   */
  static String fresh(String s) {
    return new String(s.toCharArray());
  }

  /** Fails the trial at setup when a fixture does not have the outcome the benchmark's name claims. */
  static void expect(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark fixture is wrong: " + what);
    }
  }
}
