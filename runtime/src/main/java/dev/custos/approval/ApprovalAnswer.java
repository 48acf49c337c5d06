package dev.custos.approval;

/** A person's answer to an {@link ApprovalRequest}. */
public record ApprovalAnswer(boolean approved, String by, String note) {}
