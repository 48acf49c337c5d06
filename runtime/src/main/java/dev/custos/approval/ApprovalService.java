package dev.custos.approval;

import java.util.concurrent.CompletionStage;

/**
 * Where actions wait for a person. The runtime applies the timeout itself (with its own timers, so virtual time drives
 * it): when it expires first, the action is denied and {@link #withdraw} is called. Thread safe.
 */
public interface ApprovalService {

  /** Queues a request; the stage completes when a person answers. */
  CompletionStage<ApprovalAnswer> request(ApprovalRequest request);

  /** The request timed out or its agent was halted: it leaves the queue, a later answer changes nothing. */
  void withdraw(String requestId);
}
