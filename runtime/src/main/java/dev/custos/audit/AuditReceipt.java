package dev.custos.audit;

/** Proof that a record is durable: its sequence number and its chain hash (hex). */
public record AuditReceipt(long seq, String hash) {}
