package dev.custos.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custos.agent.AgentInfo;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hash an approval is bound to, as a plain function. */
class ApprovalRequestTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final AgentInfo AGENT = new AgentInfo(new AgentId("a2"), "containment", "commander/containment",
      "responder", 1, SpiffeId.forAgent("custos.local", new MissionId("m1"), "commander/containment"));

  private static String hash(String mission, List<String> lineage, String action, String resource,
      Map<String, Object> arguments, List<String> rules) {
    return ApprovalRequest.hashOf(mission, lineage, action, resource, arguments, rules);
  }

  @Test
  void theHashIsTheSha256OfTheCanonicalJsonOfTheAction() {
    // Pinned so an approver written in another language can compute the same hash: keys sorted, no whitespace.
    // {"action":"host.isolate","arguments":{"why":"x"},"lineage":["a1","a2"],"mission":"m1","resource":"host:corp/a",
    //  "ruleIds":["r1"]}
    assertEquals("2f2450fc94aede08e83ab22d4db0e93e8451f957c241f482788d6a06e94b4c72",
        hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/a", Map.of("why", "x"), List.of("r1")));
  }

  @Test
  void everyPartOfTheActionChangesTheHashAndNothingElseDoes() {
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("mode", "full");
    arguments.put("ticket", 42L);
    String base = hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/a", arguments, List.of("r1"));
    List<String> changed = List.of(
        hash("m2", List.of("a1", "a2"), "host.isolate", "host:corp/a", arguments, List.of("r1")),
        hash("m1", List.of("a1", "a3"), "host.isolate", "host:corp/a", arguments, List.of("r1")),
        hash("m1", List.of("a1", "a2"), "host.release", "host:corp/a", arguments, List.of("r1")),
        hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/b", arguments, List.of("r1")),
        hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/a", Map.of("mode", "full", "ticket", 43L),
            List.of("r1")),
        hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/a", arguments, List.of("r2")));
    changed.forEach(h -> assertNotEquals(base, h));
    assertEquals(6, changed.stream().distinct().count());
    assertEquals(base, hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/a",
        Map.of("ticket", 42L, "mode", "full"), List.of("r1")), "argument order does not matter");

    ApprovalRequest one = ApprovalRequest.of("a2/i1#1", "m1", AGENT, List.of("a1", "a2"), "host.isolate",
        "host:corp/a", arguments, List.of("r1"), "a rule's message", T0, T0.plusSeconds(60));
    ApprovalRequest other = ApprovalRequest.of("a2/i2#2", "m1", AGENT, List.of("a1", "a2"), "host.isolate",
        "host:corp/a", arguments, List.of("r1"), "another message", T0.plusSeconds(5), T0.plusSeconds(65));
    assertEquals(List.of(base, base), List.of(one.actionHash(), other.actionHash()),
        "id, reason and times are not part of the action");
  }

  @Test
  void aRequestCannotCarryTheHashOfAnotherAction() {
    String hostB = hash("m1", List.of("a1", "a2"), "host.isolate", "host:corp/b", Map.of(), List.of());
    assertThrows(IllegalArgumentException.class, () -> new ApprovalRequest("a2/i1#1", "m1", AGENT,
        List.of("a1", "a2"), "host.isolate", "host:corp/a", Map.of(), List.of(), "r", T0, T0.plusSeconds(60), hostB));
    assertThrows(IllegalArgumentException.class, () -> ApprovalRequest.of("a2/i1#1", "m1", AGENT, List.of("a1"),
        "host.isolate", "host:corp/a", Map.of(), List.of(), "r", T0, T0.plusSeconds(60)),
        "the lineage must end with the asking agent");
  }
}
