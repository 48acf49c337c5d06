package dev.custos.sim.run;

import dev.custos.approval.ApprovalAnswer;
import dev.custos.approval.ApprovalRequest;
import dev.custos.approval.ApprovalService;
import dev.custos.scenario.Approvals;
import dev.custos.sim.SimulationRun;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The scenario's approver: answers every request as its {@code approvals} block says, after its {@code delay} of
 * virtual time; {@code none} never answers, so the request times out in the runtime. An approval names the request's
 * own action hash, so it approves that exact call and nothing else. Used on the simulation thread only.
 */
final class SimulatedApprover implements ApprovalService {

  /** Who answers, as the audit log and the report show it. */
  static final String BY = "simulated-approver";

  private final Approvals approvals;
  private final SimulationRun run;

  SimulatedApprover(Approvals approvals, SimulationRun run) {
    this.approvals = Objects.requireNonNull(approvals, "approvals");
    this.run = Objects.requireNonNull(run, "run");
  }

  @Override
  public CompletionStage<ApprovalAnswer> request(ApprovalRequest request) {
    return switch (approvals.decision()) {
      case APPROVE -> run.after(approvals.delay(), () -> ApprovalAnswer.approve(request.actionHash(), BY));
      case DENY -> run.after(approvals.delay(), () -> ApprovalAnswer.deny(BY, "the scenario's approver denies"));
      // Never completed: the runtime's approval timeout decides.
      case NONE -> new CompletableFuture<>();
    };
  }

  @Override
  public void withdraw(String requestId) {
    // A late answer to a withdrawn request is ignored by the runtime; nothing to cancel here.
  }
}
