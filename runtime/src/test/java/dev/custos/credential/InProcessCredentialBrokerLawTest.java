package dev.custos.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.Seeds;
import dev.custos.credential.InProcessCredentialBrokerTest.Agent;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.credential.Verification.Valid;
import dev.custos.identity.AgentId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random agent trees, issues and revocations, interleaved, checked against a brute-force model: a credential is
 * revoked exactly when it or an ancestor-or-self of its holder was revoked, at the earliest such time; it is valid on
 * {@code [now, min(notAfter, now + lifetime))}; a holder's active credentials are its unexpired, unrevoked ones.
 */
class InProcessCredentialBrokerLawTest {

  private static final int CASES = 300;
  private static final Duration LIFETIME = Duration.ofMinutes(5);
  private static final Instant T0 = InProcessCredentialBrokerTest.T0;
  private static final List<String> AUDIENCES = List.of("tool:edr", "tool:tickets");

  @Test
  void revocationExpiryAndActivityMatchAReferenceModel() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < CASES; round++) {
      checkOneCase(random, Seeds.describe(seed) + ", case " + round);
    }
  }

  private static void checkOneCase(SplittableRandom random, String where) {
    // A random tree: agent i's parent is one of the agents before it.
    int size = 1 + random.nextInt(12);
    List<Agent> agents = new ArrayList<>();
    int[] parent = new int[size];
    agents.add(Agent.root("a0"));
    parent[0] = -1;
    for (int i = 1; i < size; i++) {
      parent[i] = random.nextInt(i);
      agents.add(agents.get(parent[i]).child("a" + i));
    }

    InProcessCredentialBroker broker = new InProcessCredentialBroker(LIFETIME, new SplittableRandom(random.nextLong()));
    List<Credential> credentials = new ArrayList<>();
    List<Integer> holderOf = new ArrayList<>();
    List<Instant> expectedExpiry = new ArrayList<>();
    Map<Integer, Instant> agentRevokedAt = new HashMap<>();
    Map<Integer, Instant> credentialRevokedAt = new HashMap<>();

    int steps = random.nextInt(30);
    for (int step = 0; step < steps; step++) {
      int kind = random.nextInt(10);
      Instant at = T0.plusSeconds(random.nextInt(600));
      if (kind < 6) {
        int holder = random.nextInt(size);
        Instant notAfter = at.plusSeconds(1 + random.nextInt(600));
        Credential credential = broker.issue(Agent.request(agents.get(holder),
            AUDIENCES.get(random.nextInt(AUDIENCES.size())), at, notAfter));
        credentials.add(credential);
        holderOf.add(holder);
        Instant capped = at.plus(LIFETIME);
        expectedExpiry.add(notAfter.isBefore(capped) ? notAfter : capped);
      } else if (kind < 9) {
        int agent = random.nextInt(size);
        broker.revokeLineage(agents.get(agent).id(), at);
        agentRevokedAt.merge(agent, at, InProcessCredentialBrokerLawTest::earlier);
      } else if (!credentials.isEmpty()) {
        int index = random.nextInt(credentials.size());
        broker.revoke(credentials.get(index).id(), at);
        credentialRevokedAt.merge(index, at, InProcessCredentialBrokerLawTest::earlier);
      }
    }

    assertEquals(credentials, broker.issued(), where);
    for (int c = 0; c < credentials.size(); c++) {
      Credential credential = credentials.get(c);
      Agent holder = agents.get(holderOf.get(c));
      String about = where + ", " + credential.id();
      assertEquals("jti-" + (c + 1), credential.id(), about);
      assertEquals(expectedExpiry.get(c), credential.expiresAt(), about);

      Optional<Instant> revokedAt = referenceRevokedAt(c, holderOf.get(c), parent, agentRevokedAt, credentialRevokedAt);
      assertEquals(revokedAt, broker.revokedAt(credential.id()), about);

      for (int probe = 0; probe < 4; probe++) {
        Instant now = T0.plusSeconds(random.nextInt(-10, 1300));
        Verification expected;
        if (revokedAt.isPresent()) {
          expected = new Rejected(Reason.REVOKED, credential.id(), "revoked at " + revokedAt.get());
        } else if (now.isBefore(credential.issuedAt())) {
          expected = new Rejected(Reason.NOT_YET_VALID, credential.id(), "not valid before " + credential.issuedAt());
        } else if (!now.isBefore(expectedExpiry.get(c))) {
          expected = new Rejected(Reason.EXPIRED, credential.id(), "expired at " + expectedExpiry.get(c));
        } else {
          expected = new Valid(credential);
        }
        assertEquals(expected, broker.verify(credential.token(), credential.audience(), holder.identity(), now),
            about + " at " + now);
      }
    }

    for (int probe = 0; probe < 4; probe++) {
      Instant now = T0.plusSeconds(random.nextInt(0, 1300));
      for (int a = 0; a < size; a++) {
        int expected = 0;
        for (int c = 0; c < credentials.size(); c++) {
          boolean active = holderOf.get(c) == a && now.isBefore(expectedExpiry.get(c))
              && referenceRevokedAt(c, a, parent, agentRevokedAt, credentialRevokedAt).isEmpty();
          expected += active ? 1 : 0;
        }
        AgentId agent = agents.get(a).id();
        assertEquals(expected, broker.activeCount(agent, now), where + ", active credentials of " + agent + " at " + now);
      }
    }
  }

  /** Walks from the holder up the parent links, not through the credential's lineage. */
  private static Optional<Instant> referenceRevokedAt(int credential, int holder, int[] parent,
      Map<Integer, Instant> agentRevokedAt, Map<Integer, Instant> credentialRevokedAt) {
    Instant earliest = credentialRevokedAt.get(credential);
    for (int agent = holder; agent >= 0; agent = parent[agent]) {
      Instant at = agentRevokedAt.get(agent);
      if (at != null) {
        earliest = earliest == null ? at : earlier(earliest, at);
      }
    }
    return Optional.ofNullable(earliest);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isAfter(b) ? b : a;
  }
}
