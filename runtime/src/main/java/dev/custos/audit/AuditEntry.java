package dev.custos.audit;

import dev.custos.JsonValues;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One audited decision or effect, before it is sequenced and chained.
 *
 * @param at the runtime's time
 * @param mission the mission id
 * @param lineage agent ids from the root to the agent concerned (empty for the supervisor's own records)
 * @param kind what happened, one of {@link AuditKind}
 * @param payload JSON-like details: grant, policy version and rules, credential id, reasons (deep-copied)
 */
public record AuditEntry(Instant at, String mission, List<String> lineage, AuditKind kind, Map<String, Object> payload) {

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(mission, "mission");
    Objects.requireNonNull(kind, "kind");
    lineage = List.copyOf(lineage);
    payload = JsonValues.copyMap(payload);
  }
}
