package dev.custos.identity;

import dev.custos.BadInputException;
import java.util.Objects;
import java.util.Optional;

/**
 * A workload identity as the SPIFFE ID specification defines it: {@code spiffe://<trust-domain><path>}.
 *
 * <p>The trust domain is 1 to 255 characters of {@code a-z 0-9 . - _}. The path is either empty (the ID of the trust
 * domain itself) or one or more {@code /segment}s, each segment of {@code A-Z a-z 0-9 . - _} and neither "." nor "..";
 * so there is no empty segment and no trailing '/'. There is no port, userinfo, query, fragment or percent-encoding,
 * and the whole ID is at most 2048 bytes. The constructor checks all of this, so any instance is a valid ID; two IDs
 * are the same identity exactly when they are {@code equals}.
 *
 * <p>Custos gives each agent {@code spiffe://<trust-domain>/mission/<mission-id>/agent/<delegation-path>}
 * ({@link #forAgent}).
 *
 * @param trustDomain the trust domain, such as {@code corp.example}
 * @param path {@code ""} or a path starting with '/', such as {@code /mission/m1/agent/commander}
 */
public record SpiffeId(String trustDomain, String path) {

  private static final String SCHEME = "spiffe://";
  private static final int MAX_TRUST_DOMAIN_LENGTH = 255;
  private static final int MAX_ID_BYTES = 2048;
  private static final String MISSION_PREFIX = "/mission/";
  private static final String AGENT_INFIX = "/agent/";

  /** @throws BadInputException if either part is null or breaks the rules above; the message says which and where */
  public SpiffeId {
    if (trustDomain == null) {
      throw new BadInputException("", "no trust domain (null)");
    }
    if (path == null) {
      throw new BadInputException("", "no path (null); the trust domain's own ID has the empty path");
    }
    checkTrustDomain(trustDomain, 0, trustDomain.length());
    if (!path.isEmpty()) {
      if (path.charAt(0) != '/') {
        throw new BadInputException(path, 0, "path must be empty or start with '/'");
      }
      checkSegments(path, 1, path.length());
    }
    // Every character is ASCII by now, so characters count bytes.
    if (SCHEME.length() + trustDomain.length() + path.length() > MAX_ID_BYTES) {
      throw new BadInputException(SCHEME + trustDomain + path, MAX_ID_BYTES,
          "SPIFFE ID is longer than " + MAX_ID_BYTES + " bytes");
    }
  }

  /**
   * Reads a SPIFFE ID.
   *
   * @throws BadInputException if {@code id} is null or not a SPIFFE ID; the message names the broken rule and its
   *     position in {@code id}
   */
  public static SpiffeId parse(String id) {
    if (id == null) {
      throw new BadInputException("", "no SPIFFE ID (null)");
    }
    if (id.isEmpty()) {
      throw new BadInputException(id, "SPIFFE ID is empty");
    }
    // Checked first so a huge input costs nothing more. Each character is at least one byte in UTF-8; a shorter
    // string that still has more bytes holds a non-ASCII character, which the checks below reject.
    if (id.length() > MAX_ID_BYTES) {
      throw new BadInputException(id, MAX_ID_BYTES, "SPIFFE ID is longer than " + MAX_ID_BYTES + " bytes");
    }
    checkScheme(id);
    int start = SCHEME.length();
    int slash = id.indexOf('/', start);
    int end = slash < 0 ? id.length() : slash;
    checkTrustDomain(id, start, end);
    if (slash >= 0) {
      checkSegments(id, slash + 1, id.length());
    }
    return new SpiffeId(id.substring(start, end), id.substring(end));
  }

  /**
   * The ID of an agent: {@code spiffe://<trustDomain>/mission/<mission>/agent/<agentPath>}.
   *
   * @param agentPath the delegation path from the mission's root agent, such as {@code commander/containment-2}:
   *     '/'-separated segments of {@code A-Z a-z 0-9 . - _}, none empty, "." or ".."
   * @throws BadInputException if the trust domain or the agent path is null or malformed, or the ID would be longer
   *     than 2048 bytes
   */
  public static SpiffeId forAgent(String trustDomain, MissionId mission, String agentPath) {
    Objects.requireNonNull(mission, "mission");
    if (agentPath == null) {
      throw new BadInputException("", "no agent path (null)");
    }
    if (agentPath.isEmpty()) {
      throw new BadInputException(agentPath, "agent path is empty");
    }
    if (agentPath.charAt(0) == '/') {
      throw new BadInputException(agentPath, 0, "agent path may not start with '/'");
    }
    checkSegments(agentPath, 0, agentPath.length());
    return new SpiffeId(trustDomain, MISSION_PREFIX + mission.value() + AGENT_INFIX + agentPath);
  }

  /** The mission, when this is an agent's ID as {@link #forAgent} makes them; else empty. */
  public Optional<MissionId> missionId() {
    int end = missionEnd();
    return end < 0 ? Optional.empty() : Optional.of(new MissionId(path.substring(MISSION_PREFIX.length(), end)));
  }

  /** The delegation path ({@code commander/containment-2}), when this is an agent's ID; else empty. */
  public Optional<String> agentPath() {
    int end = missionEnd();
    return end < 0 ? Optional.empty() : Optional.of(path.substring(end + AGENT_INFIX.length()));
  }

  /** Whether this ID belongs to {@code trustDomain} (compared exactly; trust domains are lowercase). */
  public boolean isMemberOf(String trustDomain) {
    return this.trustDomain.equals(trustDomain);
  }

  /** The ID as a URI string, which {@link #parse} reads back to an equal value. */
  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }

  /** Where the mission segment ends in an agent-shaped path, or -1 when the path has another shape. */
  private int missionEnd() {
    if (!path.startsWith(MISSION_PREFIX)) {
      return -1;
    }
    int end = path.indexOf('/', MISSION_PREFIX.length());
    // The path has no empty segments and no trailing '/', so after "/agent/" at least one segment follows.
    if (end < 0 || !path.startsWith(AGENT_INFIX, end)) {
      return -1;
    }
    // A valid segment is a valid mission id except for its length.
    return end - MISSION_PREFIX.length() <= IdSyntax.MAX_NAME_LENGTH ? end : -1;
  }

  private static void checkScheme(String id) {
    if (id.startsWith(SCHEME)) {
      return;
    }
    if (id.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new BadInputException(id, 0, "scheme must be 'spiffe://' in lowercase");
    }
    if (id.regionMatches(true, 0, "spiffe:", 0, "spiffe:".length())) {
      throw new BadInputException(id, "spiffe:".length(), "expected '//' after 'spiffe:'");
    }
    throw new BadInputException(id, 0, "SPIFFE ID must start with 'spiffe://'");
  }

  /** Checks the trust domain at {@code input[start, end)}; positions in messages are indexes into {@code input}. */
  private static void checkTrustDomain(String input, int start, int end) {
    if (start == end) {
      throw new BadInputException(input, start, "trust domain is empty");
    }
    for (int i = start; i < end; i++) {
      char c = input.charAt(i);
      if (!IdSyntax.isTrustDomainChar(c)) {
        throw new BadInputException(input, i, trustDomainProblem(input, i, end));
      }
    }
    if (end - start > MAX_TRUST_DOMAIN_LENGTH) {
      throw new BadInputException(input, start + MAX_TRUST_DOMAIN_LENGTH,
          "trust domain is longer than " + MAX_TRUST_DOMAIN_LENGTH + " characters");
    }
  }

  private static String trustDomainProblem(String input, int i, int end) {
    char c = input.charAt(i);
    if (c >= 'A' && c <= 'Z') {
      return "trust domain must be lowercase";
    }
    // In "u:p@td" the ':' belongs to userinfo, not to a port: name what the URI means.
    if (c == '@' || (c == ':' && hasUserinfoMark(input, i, end))) {
      return "SPIFFE ID may not have userinfo ('user@')";
    }
    if (c == ':') {
      return "SPIFFE ID may not have a port";
    }
    String uriProblem = uriProblem(c);
    if (uriProblem != null) {
      return uriProblem;
    }
    return IdSyntax.describe(c) + " is not allowed in a trust domain (only a-z, 0-9, '.', '-', '_')";
  }

  /** Whether an '@' follows in the URI authority, which ends at '/', '?' or '#'. */
  private static boolean hasUserinfoMark(String input, int from, int end) {
    for (int i = from; i < end; i++) {
      char c = input.charAt(i);
      if (c == '@') {
        return true;
      }
      if (c == '?' || c == '#') {
        return false;
      }
    }
    return false;
  }

  /**
   * Checks '/'-separated segments at {@code input[start, end)}, {@code start} being where the first segment begins;
   * positions in messages are indexes into {@code input}.
   */
  private static void checkSegments(String input, int start, int end) {
    int segmentStart = start;
    for (int i = start; i <= end; i++) {
      if (i < end && input.charAt(i) != '/') {
        char c = input.charAt(i);
        if (!IdSyntax.isSegmentChar(c)) {
          String uriProblem = uriProblem(c);
          throw new BadInputException(input, i, uriProblem != null ? uriProblem
              : IdSyntax.describe(c) + " is not allowed in a path segment (only " + IdSyntax.SEGMENT_CHARS + ")");
        }
        continue;
      }
      // A segment ends at i.
      if (i == segmentStart) {
        if (i == end) {
          throw new BadInputException(input, i - 1, "path may not end with '/'");
        }
        throw new BadInputException(input, i, "path may not have an empty segment ('//')");
      }
      if (IdSyntax.isDotSegment(input, segmentStart, i)) {
        throw new BadInputException(input, segmentStart, "path segment may not be '.' or '..'");
      }
      segmentStart = i + 1;
    }
  }

  /** The URI parts a SPIFFE ID may not have, recognised by the character that starts them; else null. */
  private static String uriProblem(char c) {
    switch (c) {
      case '%':
        return "SPIFFE ID may not be percent-encoded";
      case '?':
        return "SPIFFE ID may not have a query";
      case '#':
        return "SPIFFE ID may not have a fragment";
      default:
        return null;
    }
  }
}
