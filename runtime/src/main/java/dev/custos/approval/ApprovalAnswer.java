package dev.custos.approval;

import java.util.Objects;

/**
 * A person's answer to an {@link ApprovalRequest}. An approval names the {@link ApprovalRequest#actionHash} of the
 * action the person saw; the runtime runs the waiting action only when that hash is the action's own, so an approval
 * cannot be moved onto another action. A denial needs no hash (it may carry one, which the runtime ignores).
 * Immutable, so thread safe.
 *
 * @param approved whether the person approved
 * @param by who answered
 * @param note the person's note, empty when none
 * @param actionHash for an approval, the hash of the action approved; empty when none was given
 */
public record ApprovalAnswer(boolean approved, String by, String note, String actionHash) {

  public ApprovalAnswer {
    Objects.requireNonNull(by, "by");
    note = note == null ? "" : note;
    actionHash = actionHash == null ? "" : actionHash;
  }

  /** An approval of the action whose hash is {@code actionHash}. */
  public static ApprovalAnswer approve(String actionHash, String by) {
    return new ApprovalAnswer(true, by, "", Objects.requireNonNull(actionHash, "actionHash"));
  }

  /** An approval of the action whose hash is {@code actionHash}, with a note. */
  public static ApprovalAnswer approve(String actionHash, String by, String note) {
    return new ApprovalAnswer(true, by, note, Objects.requireNonNull(actionHash, "actionHash"));
  }

  /** A denial. */
  public static ApprovalAnswer deny(String by, String note) {
    return new ApprovalAnswer(false, by, note, "");
  }
}
