package dev.custos.credential;

import static dev.custos.credential.JwtFixtures.EDR;
import static dev.custos.credential.JwtFixtures.ISOLATE;
import static dev.custos.credential.JwtFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.credential.JwtFixtures.Agent;
import dev.custos.credential.JwtFixtures.Tree;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A lineage revocation lands while 1,000 threads verify in a loop: every verification that started after
 * {@code revokeLineage} returned refuses the subtree's credentials as REVOKED, and the rest of the tree is untouched.
 */
class CredentialRevocationRaceTest {

  private static final int THREADS = 1_000;

  @Test
  void everyVerificationStartedAfterTheRevocationReturnedSeesIt() throws InterruptedException {
    Tree tree = new Tree(JwtFixtures.seeded(41));
    JwtCredentialBroker broker = JwtFixtures.broker(42);
    CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
    // Under triage (revoked) and beside it (not revoked): a revocation must neither miss nor overreach.
    List<Agent> holders = List.of(tree.contain1, tree.contain2, tree.triage, tree.comms);
    List<Presentation> calls = new ArrayList<>();
    for (Agent holder : holders) {
      Credential credential = broker.issue(holder.request(T0));
      calls.add(Presentation.byCaller(credential.token(), EDR, ISOLATE, "host:corp/ws-1", holder.identity()));
    }

    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(THREADS);
    CountDownLatch sawAfter = new CountDownLatch(THREADS);
    Flag revoked = new Flag();
    Flag stop = new Flag();
    Queue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicLong afterRevocation = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int index = t % calls.size();
      Presentation call = calls.get(index);
      boolean inRevokedSubtree = index < 3;
      Thread thread = new Thread(null, () -> {
        boolean countedRunning = false;
        boolean countedAfter = false;
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        while (!stop.isSet()) {
          boolean startedAfter = revoked.isSet();
          Verdict verdict = verifier.verify(call, T0.plusSeconds(1));
          boolean isRevoked = verdict instanceof Rejected rejected && rejected.reason() == Reason.REVOKED;
          if (startedAfter) {
            afterRevocation.incrementAndGet();
            if (inRevokedSubtree != isRevoked) {
              violations.add(holders.get(index).id() + " after the revocation: " + verdict);
            }
            if (!countedAfter) {
              countedAfter = true;
              sawAfter.countDown();
            }
          } else {
            // In flight while the revocation lands: either answer, but nothing else.
            if (!(verdict instanceof Verdict.Accepted) && !(inRevokedSubtree && isRevoked)) {
              violations.add(holders.get(index).id() + " around the revocation: " + verdict);
            }
            if (!countedRunning) {
              countedRunning = true;
              running.countDown();
            }
          }
          // 1,000 threads on a few cores: let the others, and the revoking thread, run.
          Thread.yield();
        }
      }, "verifier-" + t, 256 * 1024);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }

    try {
      go.countDown();
      assertTrue(running.await(120, TimeUnit.SECONDS), "every thread verified before the revocation");
      broker.revokeLineage(tree.triage.id(), T0.plusSeconds(1));
      revoked.set();
      assertTrue(sawAfter.await(120, TimeUnit.SECONDS), "every thread verified after the revocation");
    } finally {
      stop.set();
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      }
    }

    List<String> all = List.copyOf(violations);
    assertEquals(0, all.size(), () -> all.size() + " violations, the first: " + all.subList(0, Math.min(3, all.size())));
    assertThat(afterRevocation.get()).isGreaterThanOrEqualTo(THREADS);
    for (Thread thread : threads) {
      assertThat(thread.isAlive()).isFalse();
    }
  }

  /** A volatile flag: set once, read by many. */
  private static final class Flag {
    private volatile boolean set;

    void set() {
      set = true;
    }

    boolean isSet() {
      return set;
    }
  }
}
