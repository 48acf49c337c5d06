package dev.custos.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.BadInputException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

  private static final String TD_CHARS = "only a-z, 0-9, '.', '-', '_'";
  private static final String SEGMENT_CHARS = "only A-Z, a-z, 0-9, '.', '-', '_'";

  /** 255 characters: the longest trust domain. */
  private static final String LONGEST_TRUST_DOMAIN = "t".repeat(255);

  /** 2048 characters, all ASCII: the longest ID. */
  private static final String LONGEST_ID = "spiffe://td/" + "p".repeat(2048 - "spiffe://td/".length());

  @ParameterizedTest(name = "{0}")
  @MethodSource("validIds")
  void parsesValidIdsIntoTheirParts(String text, SpiffeId expected) {
    SpiffeId parsed = SpiffeId.parse(text);

    assertEquals(expected, parsed);
    assertEquals(text, parsed.toString());
    assertEquals(parsed, SpiffeId.parse(parsed.toString()));
  }

  static Stream<Arguments> validIds() {
    return Stream.of(
        Arguments.of("spiffe://example.org", new SpiffeId("example.org", "")),
        Arguments.of("spiffe://example.org/workload", new SpiffeId("example.org", "/workload")),
        Arguments.of("spiffe://corp.example/mission/m1/agent/commander",
            new SpiffeId("corp.example", "/mission/m1/agent/commander")),
        Arguments.of("spiffe://a-b_c.9/A/z/0/x.y-z_W", new SpiffeId("a-b_c.9", "/A/z/0/x.y-z_W")),
        Arguments.of("spiffe://td/.../.a/a./..b", new SpiffeId("td", "/.../.a/a./..b")),
        Arguments.of("spiffe://" + LONGEST_TRUST_DOMAIN, new SpiffeId(LONGEST_TRUST_DOMAIN, "")),
        Arguments.of(LONGEST_ID, new SpiffeId("td", LONGEST_ID.substring("spiffe://td".length()))));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("hostileIds")
  void rejectsHostileIdsSayingWhichRuleAndWhere(String text, int position, String problem) {
    Rejection expected = new Rejection(text == null ? "" : text, position, problem);

    assertEquals(expected, Rejection.of(() -> SpiffeId.parse(text)));
  }

  static Stream<Arguments> hostileIds() {
    String tooLongTrustDomain = "spiffe://" + "t".repeat(256);
    String tooLongId = LONGEST_ID + "p";
    // 12 + 1020 * 2 = 2052 bytes in UTF-8, but only 1032 characters.
    String tooManyBytes = "spiffe://td/" + "\u00e9".repeat(1020);
    return Stream.of(
        Arguments.of(null, -1, "no SPIFFE ID (null)"),
        Arguments.of("", -1, "SPIFFE ID is empty"),
        // scheme
        Arguments.of("SPIFFE://td/x", 0, "scheme must be 'spiffe://' in lowercase"),
        Arguments.of("Spiffe://td", 0, "scheme must be 'spiffe://' in lowercase"),
        Arguments.of("spiffe:/x", 7, "expected '//' after 'spiffe:'"),
        Arguments.of("spiffe:td/x", 7, "expected '//' after 'spiffe:'"),
        Arguments.of("http://td/x", 0, "SPIFFE ID must start with 'spiffe://'"),
        Arguments.of("td/x", 0, "SPIFFE ID must start with 'spiffe://'"),
        Arguments.of(" spiffe://td", 0, "SPIFFE ID must start with 'spiffe://'"),
        // trust domain
        Arguments.of("spiffe://", 9, "trust domain is empty"),
        Arguments.of("spiffe:///x", 9, "trust domain is empty"),
        Arguments.of("spiffe://TD", 9, "trust domain must be lowercase"),
        Arguments.of("spiffe://exAmple.org/x", 11, "trust domain must be lowercase"),
        Arguments.of("spiffe://td:8080", 11, "SPIFFE ID may not have a port"),
        Arguments.of("spiffe://td:8080/x", 11, "SPIFFE ID may not have a port"),
        Arguments.of("spiffe://u@td/x", 10, "SPIFFE ID may not have userinfo ('user@')"),
        Arguments.of("spiffe://u:p@td/x", 10, "SPIFFE ID may not have userinfo ('user@')"),
        Arguments.of("spiffe://t%64/x", 10, "SPIFFE ID may not be percent-encoded"),
        Arguments.of("spiffe://td?a", 11, "SPIFFE ID may not have a query"),
        Arguments.of("spiffe://td#a", 11, "SPIFFE ID may not have a fragment"),
        Arguments.of("spiffe://[::1]/x", 9, "'[' is not allowed in a trust domain (" + TD_CHARS + ")"),
        Arguments.of("spiffe://t\u00e9/x", 10, "non-ASCII character U+00E9 is not allowed in a trust domain ("
            + TD_CHARS + ")"),
        Arguments.of("spiffe://t d", 10, "a space is not allowed in a trust domain (" + TD_CHARS + ")"),
        Arguments.of("spiffe://td\t/x", 11, "control character U+0009 is not allowed in a trust domain ("
            + TD_CHARS + ")"),
        Arguments.of(tooLongTrustDomain, 264, "trust domain is longer than 255 characters"),
        // path
        Arguments.of("spiffe://td/%2e%2e", 12, "SPIFFE ID may not be percent-encoded"),
        Arguments.of("spiffe://td/a%2Fb", 13, "SPIFFE ID may not be percent-encoded"),
        Arguments.of("spiffe://td/.", 12, "path segment may not be '.' or '..'"),
        Arguments.of("spiffe://td/..", 12, "path segment may not be '.' or '..'"),
        Arguments.of("spiffe://td/a/./b", 14, "path segment may not be '.' or '..'"),
        Arguments.of("spiffe://td/a/../b", 14, "path segment may not be '.' or '..'"),
        Arguments.of("spiffe://td//a", 12, "path may not have an empty segment ('//')"),
        Arguments.of("spiffe://td/a//b", 14, "path may not have an empty segment ('//')"),
        Arguments.of("spiffe://td/", 11, "path may not end with '/'"),
        Arguments.of("spiffe://td/a/b/", 15, "path may not end with '/'"),
        Arguments.of("spiffe://td/a?b", 13, "SPIFFE ID may not have a query"),
        Arguments.of("spiffe://td/a?", 13, "SPIFFE ID may not have a query"),
        Arguments.of("spiffe://td/a#b", 13, "SPIFFE ID may not have a fragment"),
        Arguments.of("spiffe://td/caf\u00e9", 15, "non-ASCII character U+00E9 is not allowed in a path segment ("
            + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a\u202eb", 13, "non-ASCII character U+202E is not allowed in a path segment ("
            + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a\u0000b", 13, "control character U+0000 is not allowed in a path segment ("
            + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a\nb", 13, "control character U+000A is not allowed in a path segment ("
            + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a b", 13, "a space is not allowed in a path segment (" + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a ", 13, "a space is not allowed in a path segment (" + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a\\b", 13, "'\\' is not allowed in a path segment (" + SEGMENT_CHARS + ")"),
        Arguments.of("spiffe://td/a:b", 13, "':' is not allowed in a path segment (" + SEGMENT_CHARS + ")"),
        // length
        Arguments.of(tooLongId, 2048, "SPIFFE ID is longer than 2048 bytes"),
        Arguments.of(tooManyBytes, 12, "non-ASCII character U+00E9 is not allowed in a path segment ("
            + SEGMENT_CHARS + ")"));
  }

  @Test
  void theMessageQuotesTheInputAndSaysWhatAndWhere() {
    BadInputException e = assertThrows(BadInputException.class, () -> SpiffeId.parse("SPIFFE://td/x"));

    assertEquals("\"SPIFFE://td/x\": scheme must be 'spiffe://' in lowercase (at 0)", e.getMessage());
  }

  @Test
  void theMessageEscapesControlCharactersOfTheInput() {
    BadInputException e = assertThrows(BadInputException.class, () -> SpiffeId.parse("spiffe://td/a\nb"));

    assertEquals("\"spiffe://td/a\\u000ab\": control character U+000A is not allowed in a path segment ("
        + SEGMENT_CHARS + ") (at 13)", e.getMessage());
  }

  @Test
  void theConstructorChecksEachPart() {
    assertEquals(new Rejection("TD", 0, "trust domain must be lowercase"),
        Rejection.of(() -> new SpiffeId("TD", "")));
    assertEquals(new Rejection("x", 0, "path must be empty or start with '/'"),
        Rejection.of(() -> new SpiffeId("td", "x")));
    assertEquals(new Rejection("/a/", 2, "path may not end with '/'"),
        Rejection.of(() -> new SpiffeId("td", "/a/")));
    assertEquals(new Rejection("", -1, "no trust domain (null)"),
        Rejection.of(() -> new SpiffeId(null, "")));
    assertEquals(new Rejection("", -1, "no path (null); the trust domain's own ID has the empty path"),
        Rejection.of(() -> new SpiffeId("td", null)));
    String tooLongPath = "/" + "p".repeat(2048 - "spiffe://td".length());
    assertEquals(new Rejection("spiffe://td" + tooLongPath, 2048, "SPIFFE ID is longer than 2048 bytes"),
        Rejection.of(() -> new SpiffeId("td", tooLongPath)));
  }

  @Test
  void forAgentNamesTheMissionAndTheDelegationPath() {
    SpiffeId id = SpiffeId.forAgent("corp.example", MissionId.parse("m-42"), "commander/containment-2");

    assertEquals("spiffe://corp.example/mission/m-42/agent/commander/containment-2", id.toString());
    assertEquals(new SpiffeId("corp.example", "/mission/m-42/agent/commander/containment-2"), id);
    assertEquals(Optional.of(MissionId.parse("m-42")), id.missionId());
    assertEquals(Optional.of("commander/containment-2"), id.agentPath());
  }

  @Test
  void aParsedAgentIdHasTheSameMissionAndPath() {
    SpiffeId id = SpiffeId.parse("spiffe://td/mission/m1/agent/commander/agent/x");

    assertEquals(SpiffeId.forAgent("td", MissionId.parse("m1"), "commander/agent/x"), id);
    assertEquals(Optional.of(MissionId.parse("m1")), id.missionId());
    assertEquals(Optional.of("commander/agent/x"), id.agentPath());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "spiffe://td",
      "spiffe://td/mission",
      "spiffe://td/mission/m1",
      "spiffe://td/mission/m1/agent",
      "spiffe://td/mission/m1/agents/a",
      "spiffe://td/missions/m1/agent/a",
      "spiffe://td/x/mission/m1/agent/a",
      "spiffe://td/Mission/m1/agent/a",
  })
  void otherPathsHaveNoMissionOrAgentPath(String text) {
    SpiffeId id = SpiffeId.parse(text);

    assertEquals(Optional.empty(), id.missionId());
    assertEquals(Optional.empty(), id.agentPath());
  }

  @Test
  void aMissionSegmentTooLongForAMissionIdIsNotAnAgentId() {
    SpiffeId id = SpiffeId.parse("spiffe://td/mission/" + "m".repeat(65) + "/agent/a");

    assertEquals(Optional.empty(), id.missionId());
    assertEquals(Optional.empty(), id.agentPath());
  }

  @Test
  void forAgentRejectsMalformedAgentPaths() {
    MissionId m = MissionId.parse("m1");

    assertEquals(new Rejection("", -1, "no agent path (null)"), Rejection.of(() -> SpiffeId.forAgent("td", m, null)));
    assertEquals(new Rejection("", -1, "agent path is empty"), Rejection.of(() -> SpiffeId.forAgent("td", m, "")));
    assertEquals(new Rejection("/a", 0, "agent path may not start with '/'"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, "/a")));
    assertEquals(new Rejection("a/", 1, "path may not end with '/'"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, "a/")));
    assertEquals(new Rejection("a//b", 2, "path may not have an empty segment ('//')"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, "a//b")));
    assertEquals(new Rejection("a/../b", 2, "path segment may not be '.' or '..'"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, "a/../b")));
    assertEquals(new Rejection("a?b", 1, "SPIFFE ID may not have a query"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, "a?b")));
    assertEquals(new Rejection("a b", 1, "a space is not allowed in a path segment (" + SEGMENT_CHARS + ")"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, "a b")));
  }

  @Test
  void forAgentRejectsABadTrustDomainAndATooLongResult() {
    MissionId m = MissionId.parse("m1");
    String longPath = "a/".repeat(1020) + "a";

    assertEquals(new Rejection("Corp", 0, "trust domain must be lowercase"),
        Rejection.of(() -> SpiffeId.forAgent("Corp", m, "a")));
    assertEquals(new Rejection("spiffe://td/mission/m1/agent/" + longPath, 2048, "SPIFFE ID is longer than 2048 bytes"),
        Rejection.of(() -> SpiffeId.forAgent("td", m, longPath)));
  }

  @Test
  void isMemberOfComparesTheTrustDomainExactly() {
    SpiffeId id = SpiffeId.parse("spiffe://corp.example/mission/m1/agent/a");

    assertTrue(id.isMemberOf("corp.example"));
    assertFalse(id.isMemberOf("corp.example.evil"));
    assertFalse(id.isMemberOf("example"));
    assertFalse(id.isMemberOf("CORP.EXAMPLE"));
    assertFalse(id.isMemberOf(null));
  }
}
