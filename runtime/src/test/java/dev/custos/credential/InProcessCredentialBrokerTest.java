package dev.custos.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.credential.Verification.Valid;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InProcessCredentialBrokerTest {

  static final MissionId MISSION = new MissionId("m1");
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Instant DEADLINE = T0.plus(Duration.ofHours(1));
  static final Duration LIFETIME = Duration.ofMinutes(5);
  static final String EDR = "tool:edr";
  static final String TICKETS = "tool:tickets";

  //            commander
  //           /         \
  //       triage        comms
  //       /     \
  //  contain-1  contain-2
  //      |
  //    scan
  static final Agent COMMANDER = Agent.root("commander");
  static final Agent TRIAGE = COMMANDER.child("triage");
  static final Agent COMMS = COMMANDER.child("comms");
  static final Agent CONTAIN_1 = TRIAGE.child("contain-1");
  static final Agent CONTAIN_2 = TRIAGE.child("contain-2");
  static final Agent SCAN = CONTAIN_1.child("scan");

  private final InProcessCredentialBroker broker = new InProcessCredentialBroker(LIFETIME, new SplittableRandom(1));

  @Test
  void anIssuedCredentialVerifiesForItsHolderAndAudience() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));

    assertEquals(new Valid(credential), broker.verify(credential.token(), EDR, TRIAGE.identity(), T0));
    assertEquals(new Valid(credential),
        broker.verify(credential.token(), EDR, TRIAGE.identity(), T0.plus(LIFETIME).minusNanos(1)));
    assertEquals(
        new CredentialView("jti-1", TRIAGE.id(), TRIAGE.identity(), MISSION, TRIAGE.lineage(), EDR, T0,
            T0.plus(LIFETIME)),
        CredentialView.of(credential));
    assertThat(credential.token()).matches("cst_[A-Za-z0-9_-]{43}");
    assertEquals(List.of(credential), broker.issued());
    assertEquals(Optional.of(credential), broker.byId("jti-1"));
    assertEquals(Optional.empty(), broker.byId("jti-2"));
  }

  @Test
  void aCredentialIsExpiredAtExactlyItsExpiryAndNotYetValidBeforeItsIssue() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    Instant expiresAt = T0.plus(LIFETIME);

    assertEquals(new Rejected(Reason.EXPIRED, "jti-1", "expired at 2030-01-01T00:05:00Z"),
        broker.verify(credential.token(), EDR, TRIAGE.identity(), expiresAt));
    assertEquals(new Rejected(Reason.EXPIRED, "jti-1", "expired at 2030-01-01T00:05:00Z"),
        broker.verify(credential.token(), EDR, TRIAGE.identity(), expiresAt.plusSeconds(3600)));
    assertEquals(new Rejected(Reason.NOT_YET_VALID, "jti-1", "not valid before 2030-01-01T00:00:00Z"),
        broker.verify(credential.token(), EDR, TRIAGE.identity(), T0.minusNanos(1)));
  }

  @Test
  void theLifetimeIsCappedByTheHoldersDeadline() {
    Instant soon = T0.plusSeconds(90);
    Credential capped = broker.issue(Agent.request(TRIAGE, EDR, T0, soon));
    Credential full = broker.issue(Agent.request(TRIAGE, EDR, T0, T0.plus(LIFETIME)));
    Credential farDeadline = broker.issue(Agent.request(TRIAGE, EDR, T0, Instant.MAX));

    assertEquals(soon, capped.expiresAt());
    assertEquals(T0.plus(LIFETIME), full.expiresAt());
    assertEquals(T0.plus(LIFETIME), farDeadline.expiresAt());
    assertEquals(new Rejected(Reason.EXPIRED, capped.id(), "expired at 2030-01-01T00:01:30Z"),
        broker.verify(capped.token(), EDR, TRIAGE.identity(), soon));
  }

  @Test
  void theConvenienceConstructorsMintFiveMinuteCredentials() {
    assertEquals(Duration.ofMinutes(5), InProcessCredentialBroker.DEFAULT_LIFETIME);
    assertEquals(Duration.ofMinutes(5), new InProcessCredentialBroker().lifetime());

    Credential credential = new InProcessCredentialBroker().issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));

    assertEquals(T0.plus(Duration.ofMinutes(5)), credential.expiresAt());
    assertThat(credential.token()).matches("cst_[A-Za-z0-9_-]{43}");
  }

  @Test
  void aLifetimeMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new InProcessCredentialBroker(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> new InProcessCredentialBroker(Duration.ofSeconds(-1), new SplittableRandom(1)));
  }

  @Test
  void nothingIsMintedAtOrPastTheHoldersDeadline() {
    IllegalArgumentException atDeadline = assertThrows(IllegalArgumentException.class,
        () -> broker.issue(Agent.request(TRIAGE, EDR, T0, T0)));
    assertThrows(IllegalArgumentException.class,
        () -> broker.issue(Agent.request(TRIAGE, EDR, T0, T0.minusSeconds(1))));

    assertEquals("no credential for triage past its deadline: notAfter 2030-01-01T00:00:00Z is not after now "
        + "2030-01-01T00:00:00Z", atDeadline.getMessage());
    assertEquals(List.of(), broker.issued());
    // A refused request uses up no id.
    assertEquals("jti-1", broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE)).id());
  }

  @Test
  void aCredentialPresentedToAnotherAudienceIsRejected() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));

    assertEquals(
        new Rejected(Reason.WRONG_AUDIENCE, "jti-1", "minted for audience tool:edr, presented to tool:tickets"),
        broker.verify(credential.token(), TICKETS, TRIAGE.identity(), T0));
    assertEquals(new Rejected(Reason.WRONG_AUDIENCE, "jti-1", "minted for audience tool:edr, presented to null"),
        broker.verify(credential.token(), null, TRIAGE.identity(), T0));
  }

  @Test
  void aCredentialPresentedByASiblingOrParentIsRejected() {
    Credential credential = broker.issue(Agent.request(CONTAIN_1, EDR, T0, DEADLINE));

    assertEquals(new Rejected(Reason.WRONG_HOLDER, "jti-1",
            "held by spiffe://corp.example/mission/m1/agent/commander/triage/contain-1, "
                + "presented by spiffe://corp.example/mission/m1/agent/commander/triage/contain-2"),
        broker.verify(credential.token(), EDR, CONTAIN_2.identity(), T0));
    assertEquals(new Rejected(Reason.WRONG_HOLDER, "jti-1",
            "held by spiffe://corp.example/mission/m1/agent/commander/triage/contain-1, "
                + "presented by spiffe://corp.example/mission/m1/agent/commander/triage"),
        broker.verify(credential.token(), EDR, TRIAGE.identity(), T0));
  }

  @Test
  void aTokenThisBrokerDidNotIssueIsUnknown() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    InProcessCredentialBroker other = new InProcessCredentialBroker(LIFETIME, new SplittableRandom(2));
    Rejected unknown = new Rejected(Reason.UNKNOWN, null, "not a credential this broker issued");

    assertEquals(unknown, other.verify(credential.token(), EDR, TRIAGE.identity(), T0));
    assertEquals(unknown, broker.verify(null, EDR, TRIAGE.identity(), T0));
    assertEquals(unknown, broker.verify("", EDR, TRIAGE.identity(), T0));
    assertEquals(unknown, broker.verify(credential.token() + " ", EDR, TRIAGE.identity(), T0));
    assertEquals(unknown, broker.verify(credential.token().substring(0, 46), EDR, TRIAGE.identity(), T0));
    assertEquals(unknown, broker.verify("jti-1", EDR, TRIAGE.identity(), T0));
  }

  @Test
  void checksComeInTheDocumentedOrder() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    String token = credential.token();
    Instant expired = T0.plus(LIFETIME);

    // Wrong audience and wrong holder: the audience is reported.
    assertEquals(Reason.WRONG_AUDIENCE, reason(broker.verify(token, TICKETS, COMMS.identity(), T0)));
    // Expired (or not yet valid), wrong audience and wrong holder: time is reported.
    assertEquals(Reason.EXPIRED, reason(broker.verify(token, TICKETS, COMMS.identity(), expired)));
    assertEquals(Reason.NOT_YET_VALID, reason(broker.verify(token, TICKETS, COMMS.identity(), T0.minusNanos(1))));
    // Revoked too: revocation is reported.
    broker.revokeLineage(TRIAGE.id(), T0);
    assertEquals(Reason.REVOKED, reason(broker.verify(token, TICKETS, COMMS.identity(), expired)));
    assertEquals(Reason.REVOKED, reason(broker.verify(token, TICKETS, COMMS.identity(), T0.minusNanos(1))));
  }

  @Test
  void revokingAMiddleAgentRevokesItsSubtreeButNotItsParentOrSibling() {
    Instant revokedAt = T0.plusSeconds(30);
    Instant later = T0.plusSeconds(60);
    Credential commander = broker.issue(Agent.request(COMMANDER, EDR, T0, DEADLINE));
    Credential triage = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    Credential comms = broker.issue(Agent.request(COMMS, EDR, T0, DEADLINE));
    Credential contain1 = broker.issue(Agent.request(CONTAIN_1, EDR, T0, DEADLINE));
    Credential contain2 = broker.issue(Agent.request(CONTAIN_2, TICKETS, T0, DEADLINE));
    Credential scan = broker.issue(Agent.request(SCAN, EDR, T0, DEADLINE));

    broker.revokeLineage(TRIAGE.id(), revokedAt);

    assertEquals(new Valid(commander), broker.verify(commander.token(), EDR, COMMANDER.identity(), later));
    assertEquals(new Valid(comms), broker.verify(comms.token(), EDR, COMMS.identity(), later));
    assertEquals(new Rejected(Reason.REVOKED, triage.id(), "revoked at 2030-01-01T00:00:30Z"),
        broker.verify(triage.token(), EDR, TRIAGE.identity(), later));
    assertEquals(new Rejected(Reason.REVOKED, contain1.id(), "revoked at 2030-01-01T00:00:30Z"),
        broker.verify(contain1.token(), EDR, CONTAIN_1.identity(), later));
    assertEquals(new Rejected(Reason.REVOKED, contain2.id(), "revoked at 2030-01-01T00:00:30Z"),
        broker.verify(contain2.token(), TICKETS, CONTAIN_2.identity(), later));
    assertEquals(new Rejected(Reason.REVOKED, scan.id(), "revoked at 2030-01-01T00:00:30Z"),
        broker.verify(scan.token(), EDR, SCAN.identity(), later));

    List<Optional<Instant>> reported = new ArrayList<>();
    for (Credential credential : broker.issued()) {
      reported.add(broker.revokedAt(credential.id()));
    }
    assertEquals(List.of(Optional.empty(), Optional.of(revokedAt), Optional.empty(), Optional.of(revokedAt),
        Optional.of(revokedAt), Optional.of(revokedAt)), reported);
    assertEquals(Optional.empty(), broker.revokedAt("jti-99"));
  }

  @Test
  void revocationTakesEffectAtOnceWhateverTheTimeGiven() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));

    broker.revokeLineage(COMMANDER.id(), T0.plusSeconds(120));

    assertEquals(new Rejected(Reason.REVOKED, "jti-1", "revoked at 2030-01-01T00:02:00Z"),
        broker.verify(credential.token(), EDR, TRIAGE.identity(), T0));
  }

  @Test
  void aCredentialMintedForARevokedSubtreeIsRevokedFromTheStart() {
    broker.revokeLineage(TRIAGE.id(), T0);

    Credential credential = broker.issue(Agent.request(SCAN, EDR, T0.plusSeconds(10), DEADLINE));

    assertEquals(new Rejected(Reason.REVOKED, "jti-1", "revoked at 2030-01-01T00:00:00Z"),
        broker.verify(credential.token(), EDR, SCAN.identity(), T0.plusSeconds(10)));
    assertEquals(0, broker.activeCount(SCAN.id(), T0.plusSeconds(10)));
  }

  @Test
  void revokingOneCredentialLeavesTheHoldersOthersAlone() {
    Credential edr = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    Credential tickets = broker.issue(Agent.request(TRIAGE, TICKETS, T0, DEADLINE));

    assertTrue(broker.revoke(edr.id(), T0.plusSeconds(5)));
    assertFalse(broker.revoke("jti-99", T0));

    assertEquals(new Rejected(Reason.REVOKED, edr.id(), "revoked at 2030-01-01T00:00:05Z"),
        broker.verify(edr.token(), EDR, TRIAGE.identity(), T0.plusSeconds(6)));
    assertEquals(new Valid(tickets), broker.verify(tickets.token(), TICKETS, TRIAGE.identity(), T0.plusSeconds(6)));
    assertEquals(Optional.of(T0.plusSeconds(5)), broker.revokedAt(edr.id()));
    assertEquals(Optional.empty(), broker.revokedAt(tickets.id()));
    assertEquals(Optional.empty(), broker.revokedAt("jti-99"));
  }

  @Test
  void theEarliestRevocationIsTheOneReported() {
    Credential credential = broker.issue(Agent.request(SCAN, EDR, T0, DEADLINE));

    broker.revoke(credential.id(), T0.plusSeconds(50));
    broker.revokeLineage(CONTAIN_1.id(), T0.plusSeconds(40));
    broker.revokeLineage(COMMANDER.id(), T0.plusSeconds(60));
    broker.revokeLineage(CONTAIN_1.id(), T0.plusSeconds(70));

    assertEquals(Optional.of(T0.plusSeconds(40)), broker.revokedAt(credential.id()));
  }

  @Test
  void containsCredentialFindsAnIssuedTokenInsideLongerText() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    String token = credential.token();

    assertTrue(broker.containsCredential(token));
    assertTrue(broker.containsCredential("please forward: Authorization: Bearer " + token + " to the child"));
    assertTrue(broker.containsCredential("{\"key\":\"" + token + "\"}"));
    assertTrue(broker.containsCredential("cst_cst_" + token + "xyz"));
    assertTrue(broker.containsCredential("cst_" + "A".repeat(43) + "\n" + token));
  }

  @Test
  void credentialIdsInNamesEachIssuedTokenOnceInOrderAndNeverALookAlike() {
    Credential first = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    Credential second = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    String lookAlike = InProcessCredentialBroker.TOKEN_PREFIX + "A".repeat(43);

    assertEquals(List.of(second.id(), first.id()), broker.credentialIdsIn(second.token() + " " + lookAlike + " "
        + first.token() + " " + second.token()));
    assertEquals(List.of(first.id()), broker.credentialIdsIn("{\"key\":\"" + first.token() + "\"}"));
    assertEquals(List.of(), broker.credentialIdsIn(lookAlike));
    assertEquals(List.of(), broker.credentialIdsIn(first.token().substring(0, first.token().length() - 1)));
    assertEquals(List.of(), broker.credentialIdsIn(null));
    assertEquals(List.of(), new InProcessCredentialBroker(LIFETIME, new SplittableRandom(2))
        .credentialIdsIn(first.token()), "another broker's token is not this broker's to name");
  }

  @Test
  void containsCredentialIgnoresLookAlikesAndFragments() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    String token = credential.token();
    String lookAlike = "cst_" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

    assertFalse(broker.containsCredential(lookAlike));
    assertFalse(broker.containsCredential("text with " + lookAlike + " inside"));
    assertFalse(broker.containsCredential(token.substring(0, token.length() - 1)));
    assertFalse(broker.containsCredential(token.substring(4)));
    assertFalse(broker.containsCredential("cst_"));
    assertFalse(broker.containsCredential(""));
    assertFalse(broker.containsCredential(null));
    assertFalse(broker.containsCredential(credential.toString()));
    assertFalse(new InProcessCredentialBroker(LIFETIME, new SplittableRandom(2)).containsCredential(token));
  }

  @Test
  void activeCountLeavesOutExpiredAndRevokedCredentialsAndOtherHolders() {
    Instant now = T0.plusSeconds(120);
    broker.issue(Agent.request(TRIAGE, EDR, T0, T0.plusSeconds(60))); // expired at now
    broker.issue(Agent.request(TRIAGE, EDR, T0, T0.plusSeconds(120))); // expires exactly at now
    Credential revoked = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    broker.issue(Agent.request(TRIAGE, TICKETS, T0, DEADLINE));
    broker.issue(Agent.request(CONTAIN_1, EDR, T0, DEADLINE));
    broker.revoke(revoked.id(), T0);

    assertEquals(2, broker.activeCount(TRIAGE.id(), now));
    assertEquals(4, broker.activeCount(TRIAGE.id(), T0));
    assertEquals(1, broker.activeCount(CONTAIN_1.id(), now));
    assertEquals(0, broker.activeCount(COMMS.id(), now));

    broker.revokeLineage(COMMANDER.id(), now);

    assertEquals(0, broker.activeCount(TRIAGE.id(), now));
    assertEquals(0, broker.activeCount(CONTAIN_1.id(), now));
  }

  @Test
  void brokersWithTheSameSeedMintTheSameIdsAndTokens() {
    InProcessCredentialBroker first = new InProcessCredentialBroker(LIFETIME, new SplittableRandom(42));
    InProcessCredentialBroker second = new InProcessCredentialBroker(LIFETIME, new SplittableRandom(42));
    InProcessCredentialBroker otherSeed = new InProcessCredentialBroker(LIFETIME, new SplittableRandom(43));
    List<CredentialRequest> requests = List.of(Agent.request(COMMANDER, EDR, T0, DEADLINE),
        Agent.request(TRIAGE, TICKETS, T0, DEADLINE), Agent.request(SCAN, EDR, T0.plusSeconds(1), DEADLINE));

    List<List<String>> fromFirst = idsAndTokens(first, requests);
    List<List<String>> fromSecond = idsAndTokens(second, requests);
    List<List<String>> fromOtherSeed = idsAndTokens(otherSeed, requests);

    assertEquals(fromFirst, fromSecond);
    assertEquals(List.of("jti-1", "jti-2", "jti-3"), fromFirst.stream().map(pair -> pair.get(0)).toList());
    byte[] firstBytes = new byte[32];
    new SplittableRandom(42).nextBytes(firstBytes);
    assertEquals("cst_" + Base64.getUrlEncoder().withoutPadding().encodeToString(firstBytes), fromFirst.get(0).get(1));
    for (int i = 0; i < requests.size(); i++) {
      assertEquals(fromFirst.get(i).get(0), fromOtherSeed.get(i).get(0));
      assertThat(fromOtherSeed.get(i).get(1)).isNotEqualTo(fromFirst.get(i).get(1));
    }
    assertEquals(3, fromFirst.stream().map(pair -> pair.get(1)).distinct().count());
  }

  @Test
  void noStringTheBrokerMakesShowsAToken() {
    Credential credential = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    String token = credential.token();
    String body = token.substring(4);
    broker.revokeLineage(SCAN.id(), T0);

    List<String> shown = List.of(
        credential.toString(),
        broker.toString(),
        broker.issued().toString(),
        broker.byId(credential.id()).toString(),
        broker.verify(token, EDR, TRIAGE.identity(), T0).toString(),
        broker.verify(token, TICKETS, TRIAGE.identity(), T0).toString(),
        broker.verify(token, EDR, COMMS.identity(), T0).toString(),
        broker.verify(token, EDR, TRIAGE.identity(), DEADLINE).toString(),
        broker.verify(token + "x", EDR, TRIAGE.identity(), T0).toString());

    assertEquals("Credential[jti-1 of triage for tool:edr]", credential.toString());
    assertThat(shown).allSatisfy(text -> assertThat(text).doesNotContain(body));
    assertThat(shown).noneMatch(broker::containsCredential);
  }

  private static Reason reason(Verification verification) {
    return ((Rejected) verification).reason();
  }

  private static List<List<String>> idsAndTokens(InProcessCredentialBroker broker, List<CredentialRequest> requests) {
    List<List<String>> minted = new ArrayList<>();
    for (CredentialRequest request : requests) {
      Credential credential = broker.issue(request);
      minted.add(List.of(credential.id(), credential.token()));
    }
    return minted;
  }

  /** Everything a credential says but its secret, comparable as a whole. */
  record CredentialView(String id, AgentId holder, SpiffeId holderIdentity, MissionId mission, List<AgentId> lineage,
      String audience, Instant issuedAt, Instant expiresAt) {

    static CredentialView of(Credential credential) {
      return new CredentialView(credential.id(), credential.holder(), credential.holderIdentity(),
          credential.mission(), credential.lineage(), credential.audience(), credential.issuedAt(),
          credential.expiresAt());
    }
  }

  /** An agent of mission m1 in trust domain corp.example, its SPIFFE path following its lineage. */
  record Agent(AgentId id, SpiffeId identity, List<AgentId> lineage) {

    static Agent root(String name) {
      AgentId id = new AgentId(name);
      return new Agent(id, SpiffeId.forAgent("corp.example", MISSION, name), List.of(id));
    }

    Agent child(String name) {
      AgentId child = new AgentId(name);
      List<AgentId> childLineage = new ArrayList<>(lineage);
      childLineage.add(child);
      return new Agent(child,
          SpiffeId.forAgent("corp.example", MISSION, identity.agentPath().orElseThrow() + "/" + name),
          childLineage);
    }

    static CredentialRequest request(Agent holder, String audience, Instant now, Instant notAfter) {
      return new CredentialRequest(holder.id(), holder.identity(), MISSION, holder.lineage(), audience, now,
          notAfter);
    }
  }
}
