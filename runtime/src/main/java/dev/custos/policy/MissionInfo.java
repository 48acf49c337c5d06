package dev.custos.policy;

import dev.custos.identity.MissionId;
import java.util.Objects;

/**
 * The mission a request belongs to, as policies see it.
 *
 * @param id the mission's id
 * @param name its human name ({@code contain-ransomware})
 * @param severity the incident's severity as the mission states it ({@code low}, {@code high}...), empty when unstated
 */
public record MissionInfo(MissionId id, String name, String severity) {

  public MissionInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(severity, "severity");
  }
}
