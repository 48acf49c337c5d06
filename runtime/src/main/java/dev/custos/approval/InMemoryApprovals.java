package dev.custos.approval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default approval queue: requests wait in memory until {@link #approve} or {@link #deny}; when nobody answers,
 * the runtime's timeout denies them. Thread safe.
 */
public final class InMemoryApprovals implements ApprovalService {

  private record Waiting(ApprovalRequest request, CompletableFuture<ApprovalAnswer> answer) {}

  private final Map<String, Waiting> pending = new ConcurrentHashMap<>();

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

  /** Approves a waiting request; false when it is not waiting (answered, withdrawn, unknown). */
  public boolean approve(String requestId, String by) {
    return answer(requestId, new ApprovalAnswer(true, by, ""));
  }

  /** Denies a waiting request; false when it is not waiting. */
  public boolean deny(String requestId, String by, String note) {
    return answer(requestId, new ApprovalAnswer(false, by, note));
  }

  private boolean answer(String requestId, ApprovalAnswer answer) {
    Waiting waiting = pending.remove(requestId);
    return waiting != null && waiting.answer().complete(answer);
  }
}
