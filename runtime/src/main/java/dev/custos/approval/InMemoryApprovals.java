package dev.custos.approval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default approval queue: requests wait in memory until {@link #approve} or {@link #deny}; when nobody answers,
 * the runtime's timeout denies them. Each request is answered at most once: the first answer (or a withdrawal) takes it
 * off the queue, and every later approve or deny of its id returns false. An approval always carries the hash of the
 * waiting request's action, so the runtime's binding check passes only for that action. Thread safe: concurrent
 * answers to one request race, and exactly one of them wins.
 */
public final class InMemoryApprovals implements ApprovalService {

  private record Waiting(ApprovalRequest request, CompletableFuture<ApprovalAnswer> answer) {}

  private final Map<String, Waiting> pending = new ConcurrentHashMap<>();

  /** @throws IllegalStateException when a request of the same id is already waiting */
  @Override
  public CompletionStage<ApprovalAnswer> request(ApprovalRequest request) {
    CompletableFuture<ApprovalAnswer> answer = new CompletableFuture<>();
    if (pending.putIfAbsent(request.id(), new Waiting(request, answer)) != null) {
      throw new IllegalStateException("approval request " + request.id() + " is already waiting");
    }
    return answer;
  }

  @Override
  public void withdraw(String requestId) {
    pending.remove(requestId);
  }

  /** The requests waiting, oldest first. */
  public List<ApprovalRequest> pending() {
    List<ApprovalRequest> out = new ArrayList<>();
    pending.values().forEach(w -> out.add(w.request()));
    out.sort(Comparator.comparing(ApprovalRequest::requestedAt).thenComparing(ApprovalRequest::id));
    return out;
  }

  /** The waiting request of that id, if it is waiting. */
  public Optional<ApprovalRequest> pending(String requestId) {
    Waiting waiting = pending.get(requestId);
    return waiting == null ? Optional.empty() : Optional.of(waiting.request());
  }

  /**
   * Approves a waiting request, bound to the hash of its action as queued; false when it is not waiting (answered,
   * withdrawn, unknown).
   */
  public boolean approve(String requestId, String by) {
    Waiting waiting = pending.get(requestId);
    return waiting != null && answer(waiting, ApprovalAnswer.approve(waiting.request().actionHash(), by));
  }

  /**
   * Approves a waiting request only if its action's hash is {@code expectedHash}, the hash of the action the person was
   * shown: what an approver that displays the action (a web page, an HTTP client) calls, so a person never approves an
   * action other than the one shown. False, and the request stays waiting, when the hash differs; false when the
   * request is not waiting.
   */
  public boolean approve(String requestId, String by, String expectedHash) {
    Objects.requireNonNull(expectedHash, "expectedHash");
    Waiting waiting = pending.get(requestId);
    return waiting != null && waiting.request().actionHash().equals(expectedHash)
        && answer(waiting, ApprovalAnswer.approve(expectedHash, by));
  }

  /** Denies a waiting request; false when it is not waiting. */
  public boolean deny(String requestId, String by, String note) {
    Waiting waiting = pending.get(requestId);
    return waiting != null && answer(waiting, ApprovalAnswer.deny(by, note));
  }

  /** Takes the request off the queue and answers it, unless another answer or a withdrawal took it first. */
  private boolean answer(Waiting waiting, ApprovalAnswer answer) {
    return pending.remove(waiting.request().id(), waiting) && waiting.answer().complete(answer);
  }
}
