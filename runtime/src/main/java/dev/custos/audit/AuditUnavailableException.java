package dev.custos.audit;

/**
 * The audit store cannot take a record now, so nothing that waits on it may run (fail closed). It completes the stage
 * {@link AuditLog#append} returned; it is not thrown at the caller.
 */
public final class AuditUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public AuditUnavailableException(String message) {
    super(message);
  }

  public AuditUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
