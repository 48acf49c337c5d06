package dev.custos.tool;

import dev.custos.agent.ToolOutcome;
import dev.custos.credential.Credential;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A tool the runtime mediates: a real connector or a simulated one. Registered with the runtime, never handed to an
 * agent; the runtime calls {@link #execute} only after capability, ledger, policy, approval, credential and a durable
 * audit record. A tool should verify the credential it is given (it is bound to the caller and to this tool's
 * audience) and refuse a bad one with {@link ToolOutcome.Failed}.
 *
 * <p>{@code execute} must not block the calling thread for long: return a stage that completes later, on the executor
 * the runtime hands tools (see {@code Custos.Builder}), so a simulation can replace it.
 */
public interface Tool {

  /** The name agents call it by ({@code host.isolate}). */
  String name();

  /** The audience its credentials are minted for; by default its name. */
  default String audience() {
    return name();
  }

  Risk risk();

  /** Budget units one call costs. */
  long cost();

  /** Runs the call. Completes with the outcome; an exceptional completion counts as {@link ToolOutcome.Failed}. */
  CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential);

  /** The call that undoes this call's effect, when it has one to undo. */
  default Optional<Compensation> compensation(ToolCall call) {
    return Optional.empty();
  }
}
