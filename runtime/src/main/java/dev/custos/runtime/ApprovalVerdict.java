package dev.custos.runtime;

import dev.custos.approval.ApprovalAnswer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an answer from the approval service means for the action waiting on it, read the same way for calls and
 * delegations: approved only when a person approved and named the waiting action's own hash; a denial, a failed or
 * empty answer, or an approval of another action all deny. Immutable.
 *
 * @param approved the action may go on (to the policy's second decision)
 * @param status the audit status: {@code approved}, {@code denied} or {@code mismatched}
 * @param by who answered; empty when nobody did
 * @param detail for the audit and the agent
 * @param approvedHash the hash the answer named, when it was not the action's
 */
record ApprovalVerdict(boolean approved, String status, String by, String detail, String approvedHash) {

  static final String DIFFERENT_ACTION = "the approval was given for a different action";

  static ApprovalVerdict of(ApprovalAnswer answer, Throwable failure, String actionHash) {
    if (failure != null) {
      return new ApprovalVerdict(false, "denied", "", "the approval service failed: " + failure.getMessage(), null);
    }
    if (answer == null) {
      return new ApprovalVerdict(false, "denied", "", "the approval service gave no answer", null);
    }
    if (!answer.approved()) {
      String note = answer.note().isEmpty() ? "" : ": " + answer.note();
      return new ApprovalVerdict(false, "denied", answer.by(), "denied by " + answer.by() + note, null);
    }
    if (!actionHash.equals(answer.actionHash())) {
      // An approval of another action (or of none named) never carries over to this one.
      return new ApprovalVerdict(false, "mismatched", answer.by(), DIFFERENT_ACTION, answer.actionHash());
    }
    return new ApprovalVerdict(true, "approved", answer.by(), "approved by " + answer.by(), null);
  }

  /** The audit fields of the answer, after {@code first} (which names the call or the approval). */
  Map<String, Object> record(Map<String, Object> first, String actionHash) {
    Map<String, Object> record = new LinkedHashMap<>(first);
    record.put("status", status);
    record.put("by", by);
    record.put("detail", detail);
    if (approvedHash != null) {
      record.put("actionHash", actionHash);
      record.put("approvedHash", approvedHash);
    }
    return record;
  }
}
