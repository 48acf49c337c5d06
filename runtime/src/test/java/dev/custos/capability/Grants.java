package dev.custos.capability;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/** Small builders for tests. */
final class Grants {

  static final Instant START = Instant.EPOCH;

  private Grants() {}

  static Capability cap(String tool, String... resources) {
    return Capability.of(tool, resources);
  }

  static Capability limited(int maxCalls, String tool, String... resources) {
    return Capability.of(tool, List.of(resources), OptionalInt.of(maxCalls), false);
  }

  static Capability approved(String tool, String... resources) {
    return Capability.of(tool, List.of(resources), OptionalInt.empty(), true);
  }

  static Bounds bounds(long budget, int maxDepth) {
    return new Bounds(budget, START.plusSeconds(1200), maxDepth, 4, 30, Rate.parse("30/1m"), 3);
  }

  static GrantRequest request(Bounds bounds, Capability... capabilities) {
    return new GrantRequest(List.of(capabilities), bounds);
  }

  /** The scenario spec's commander grant. */
  static Grant commander() {
    return Grant.root(request(bounds(200, 3),
        cap("siem.query", "siem:alerts"),
        cap("edr.scan", "host:**"),
        limited(10, "host.isolate", "host:corp/*"),
        limited(5, "account.disable", "account:*"),
        approved("host.restore", "host:**")));
  }
}
