package dev.custos.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.agent.AgentInfo;
import dev.custos.identity.AgentId;
import dev.custos.identity.MissionId;
import dev.custos.identity.SpiffeId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The default approval queue: answers bound to the request's hash, each request answered at most once. */
class InMemoryApprovalsTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final AgentInfo AGENT = new AgentInfo(new AgentId("a1"), "commander", "commander", "responder", 0,
      SpiffeId.forAgent("custos.local", new MissionId("m1"), "commander"));

  private static ApprovalRequest request(String id, String resource) {
    return ApprovalRequest.of(id, "m1", AGENT, List.of("a1"), "host.isolate", resource, Map.of(), List.of("r1"),
        "a rule's message", T0, T0.plusSeconds(60));
  }

  @Test
  void anApprovalCarriesTheRequestsHashAndAWrongHashLeavesTheRequestWaiting() throws Exception {
    InMemoryApprovals approvals = new InMemoryApprovals();
    ApprovalRequest a = request("r-a", "host:corp/a");
    CompletableFuture<ApprovalAnswer> answer = approvals.request(a).toCompletableFuture();

    assertFalse(approvals.approve("r-a", "alice", request("r-b", "host:corp/b").actionHash()));
    assertEquals(Optional.of(a), approvals.pending("r-a"));
    assertFalse(answer.isDone());

    assertTrue(approvals.approve("r-a", "alice", a.actionHash()));
    assertEquals(ApprovalAnswer.approve(a.actionHash(), "alice"), answer.getNow(null));
    assertEquals(List.of(), approvals.pending());
    assertFalse(approvals.approve("r-a", "alice"), "answered once");
    assertFalse(approvals.deny("r-a", "bob", "no"), "answered once");
  }

  @Test
  void aWithdrawnRequestTakesNoAnswer() {
    InMemoryApprovals approvals = new InMemoryApprovals();
    CompletableFuture<ApprovalAnswer> answer = approvals.request(request("r-a", "host:corp/a")).toCompletableFuture();

    approvals.withdraw("r-a");

    assertFalse(approvals.approve("r-a", "alice"));
    assertFalse(approvals.deny("r-a", "alice", ""));
    assertFalse(answer.isDone());
  }

  @Test
  void ofManyConcurrentAnswersToOneRequestExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        InMemoryApprovals approvals = new InMemoryApprovals();
        ApprovalRequest a = request("r-" + round, "host:corp/a");
        CompletableFuture<ApprovalAnswer> answer = approvals.request(a).toCompletableFuture();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> tries = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          int n = i;
          tries.add(pool.submit(() -> {
            go.await();
            return n % 2 == 0 ? approvals.approve(a.id(), "p" + n) : approvals.deny(a.id(), "p" + n, "");
          }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> t : tries) {
          won += t.get(5, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertEquals(1, won, "round " + round);
        assertTrue(answer.isDone());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
