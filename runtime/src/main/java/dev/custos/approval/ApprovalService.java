package dev.custos.approval;

import java.util.concurrent.CompletionStage;

/**
 * Where actions wait for a person. The runtime applies the timeout itself (with its own timers, so virtual time drives
 * it): when it expires first, the action is denied and {@link #withdraw} is called. The runtime runs an action only on
 * an approving answer whose {@link ApprovalAnswer#actionHash} is the request's {@link ApprovalRequest#actionHash}, and
 * only once per request; any other answer, a failed stage, or no answer denies. Implementations are thread safe.
 */
public interface ApprovalService {

  /**
   * Queues a request; the stage completes when a person answers. May throw, or fail the stage, when the request cannot
   * be queued: the runtime then denies the action.
   */
  CompletionStage<ApprovalAnswer> request(ApprovalRequest request);

  /** The request timed out or its agent was halted: it leaves the queue, a later answer changes nothing. */
  void withdraw(String requestId);
}
