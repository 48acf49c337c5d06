package dev.custos.approval;

import dev.custos.JsonValues;
import dev.custos.agent.AgentInfo;
import dev.custos.audit.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An action waiting for a person: the canonical action (never the agent's own prose), the rules that asked, when it
 * was asked and when it expires, and {@code actionHash}, the hash of that canonical action (see {@link #hashOf}).
 *
 * <p>An approval is bound to {@code actionHash}: the runtime runs the waiting action only when the answer names that
 * same hash, and each request is answered at most once, so approving "isolate host A" never lets an agent isolate host
 * B, nor A a second time (a second identical call is a new request with a new id).
 *
 * <p>The constructor checks that {@code actionHash} is the hash of the request's own action, so a request can never
 * show one action and carry the hash of another; {@link #of} computes it. Immutable, so thread safe.
 *
 * @param id unique in the runtime
 * @param mission the mission's id
 * @param agent who asks: for a delegation, the delegating agent
 * @param lineage agent ids from the mission's root to {@code agent}, at least one; its last is {@code agent}'s id
 * @param action the tool, or {@code delegate:<role>}
 * @param resource the resource, or the child's agent type
 * @param arguments deep-copied
 * @param ruleIds the policy rules that decided (asked for approval, or permitted a call whose capability asks)
 * @param reason why a person is asked: the rule's message, or the runtime's own fixed text; never the agent's text
 * @param requestedAt the runtime's time of the request
 * @param expiresAt when the runtime denies it if nobody answered
 * @param actionHash {@link #hashOf} of this request's canonical action, 64 lowercase hex digits
 */
public record ApprovalRequest(String id, String mission, AgentInfo agent, List<String> lineage, String action,
    String resource, Map<String, Object> arguments, List<String> ruleIds, String reason, Instant requestedAt,
    Instant expiresAt, String actionHash) {

  private static final HexFormat HEX = HexFormat.of();

  /** @throws IllegalArgumentException when a field is missing or {@code actionHash} is not the action's hash */
  public ApprovalRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(mission, "mission");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(actionHash, "actionHash");
    lineage = List.copyOf(lineage);
    arguments = JsonValues.copyMap(arguments);
    ruleIds = List.copyOf(ruleIds);
    if (lineage.isEmpty() || !lineage.get(lineage.size() - 1).equals(agent.id().value())) {
      throw new IllegalArgumentException("the lineage " + lineage + " does not end with the asking agent "
          + agent.id());
    }
    if (expiresAt.isBefore(requestedAt)) {
      throw new IllegalArgumentException("expires at " + expiresAt + ", before it was requested at " + requestedAt);
    }
    if (!actionHash.equals(hashOf(mission, lineage, action, resource, arguments, ruleIds))) {
      throw new IllegalArgumentException("actionHash is not the hash of the request's action");
    }
  }

  /** A request whose {@code actionHash} is computed from its action. */
  public static ApprovalRequest of(String id, String mission, AgentInfo agent, List<String> lineage, String action,
      String resource, Map<String, Object> arguments, List<String> ruleIds, String reason, Instant requestedAt,
      Instant expiresAt) {
    return new ApprovalRequest(id, mission, agent, lineage, action, resource, arguments, ruleIds, reason, requestedAt,
        expiresAt, hashOf(mission, lineage, action, resource, arguments, ruleIds));
  }

  /**
   * The hash an approval is bound to: lowercase hex SHA-256 of the UTF-8 {@link CanonicalJson} text of the object
   * {@code {mission, lineage, action, resource, arguments, ruleIds}}. Two actions share a hash only when all six are
   * equal; the request's id, times and reason are not part of it. The one place this hash is computed: the runtime
   * and anyone checking an approval (an HTTP approver, a test) call this.
   *
   * @throws IllegalArgumentException when {@code arguments} is not JSON-like
   */
  public static String hashOf(String mission, List<String> lineage, String action, String resource,
      Map<String, Object> arguments, List<String> ruleIds) {
    Map<String, Object> canonical = new LinkedHashMap<>();
    canonical.put("mission", Objects.requireNonNull(mission, "mission"));
    canonical.put("lineage", List.copyOf(lineage));
    canonical.put("action", Objects.requireNonNull(action, "action"));
    canonical.put("resource", Objects.requireNonNull(resource, "resource"));
    canonical.put("arguments", JsonValues.copyMap(arguments));
    canonical.put("ruleIds", List.copyOf(ruleIds));
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    return HEX.formatHex(sha256.digest(CanonicalJson.write(canonical).getBytes(StandardCharsets.UTF_8)));
  }
}
