package dev.custos.credential;

import static dev.custos.credential.InProcessCredentialBrokerTest.COMMANDER;
import static dev.custos.credential.InProcessCredentialBrokerTest.CONTAIN_1;
import static dev.custos.credential.InProcessCredentialBrokerTest.DEADLINE;
import static dev.custos.credential.InProcessCredentialBrokerTest.EDR;
import static dev.custos.credential.InProcessCredentialBrokerTest.T0;
import static dev.custos.credential.InProcessCredentialBrokerTest.TRIAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.credential.InProcessCredentialBrokerTest.Agent;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import dev.custos.credential.Verification.Valid;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InProcessCredentialBrokerConcurrencyTest {

  private static final int VERIFIERS = 8;
  private static final int WARM_UP = 200;
  private static final int AFTER_REVOCATION = 3_000;

  /** One verification: which credential, whether it started after revokeLineage returned, and what it said. */
  private record Observation(Credential credential, boolean startedAfterRevocation, Verification result) {}

  @Test
  void noVerificationStartedAfterRevokeLineageReturnsIsValid() throws Exception {
    InProcessCredentialBroker broker = new InProcessCredentialBroker(Duration.ofHours(1), new SplittableRandom(7));
    Credential commander = broker.issue(Agent.request(COMMANDER, EDR, T0, DEADLINE));
    Credential triage = broker.issue(Agent.request(TRIAGE, EDR, T0, DEADLINE));
    Credential contain = broker.issue(Agent.request(CONTAIN_1, EDR, T0, DEADLINE));
    List<Agent> holders = List.of(COMMANDER, TRIAGE, CONTAIN_1);
    List<Credential> credentials = List.of(commander, triage, contain);
    Instant now = T0.plusSeconds(1);
    Instant revokedAt = T0.plusSeconds(2);

    AtomicBoolean revocationReturned = new AtomicBoolean();
    CountDownLatch warmedUp = new CountDownLatch(VERIFIERS);
    ExecutorService pool = Executors.newFixedThreadPool(VERIFIERS + 1);
    try {
      List<Future<List<Observation>>> verifiers = new ArrayList<>();
      for (int v = 0; v < VERIFIERS; v++) {
        int offset = v;
        verifiers.add(pool.submit(() -> {
          List<Observation> observations = new ArrayList<>();
          int before = 0;
          int after = 0;
          for (int i = offset; after < AFTER_REVOCATION && !Thread.currentThread().isInterrupted(); i++) {
            int which = i % credentials.size();
            Credential credential = credentials.get(which);
            boolean started = revocationReturned.get();
            Verification result = broker.verify(credential.token(), EDR, holders.get(which).identity(), now);
            observations.add(new Observation(credential, started, result));
            if (started) {
              after++;
            } else if (++before == WARM_UP) {
              warmedUp.countDown();
            }
          }
          return observations;
        }));
      }
      Future<?> revoker = pool.submit(() -> {
        assertTrue(warmedUp.await(30, TimeUnit.SECONDS), "verifiers warmed up");
        broker.revokeLineage(TRIAGE.id(), revokedAt);
        revocationReturned.set(true);
        return null;
      });
      revoker.get(60, TimeUnit.SECONDS);

      List<Observation> all = new ArrayList<>();
      for (Future<List<Observation>> verifier : verifiers) {
        all.addAll(verifier.get(60, TimeUnit.SECONDS));
      }

      Rejected triageRevoked = new Rejected(Reason.REVOKED, triage.id(), "revoked at " + revokedAt);
      Rejected containRevoked = new Rejected(Reason.REVOKED, contain.id(), "revoked at " + revokedAt);
      List<Observation> afterRevocation = all.stream().filter(Observation::startedAfterRevocation).toList();
      assertEquals(VERIFIERS * AFTER_REVOCATION, afterRevocation.size());
      assertThat(afterRevocation).allSatisfy(observation -> {
        if (observation.credential() == commander) {
          assertEquals(new Valid(commander), observation.result());
        } else {
          assertEquals(observation.credential() == triage ? triageRevoked : containRevoked, observation.result());
        }
      });
      // Before the flag a verification may see either state, but nothing else.
      assertThat(all).allSatisfy(observation -> assertThat(observation.result()).isIn(new Valid(commander),
          new Valid(triage), new Valid(contain), triageRevoked, containRevoked));
      assertThat(all).filteredOn(observation -> !observation.startedAfterRevocation()).hasSizeGreaterThanOrEqualTo(
          VERIFIERS * WARM_UP);
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }
  }
}
