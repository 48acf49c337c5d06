package dev.custos.runtime;

import dev.custos.agent.ToolOutcome;
import dev.custos.credential.Credential;
import dev.custos.tool.Compensation;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tool for tests: records every execution (with the credential it was given), answers at once or, when held, only
 * when the test releases the call; optionally names an undo tool, and can be told to fail.
 */
final class FakeTool implements Tool {

  record Execution(ToolCall call, Credential credential) {}

  final List<Execution> executions = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<ToolOutcome>> held = new CopyOnWriteArrayList<>();
  private final String name;
  private final long cost;
  private final String undo;
  private volatile boolean hold;
  private volatile int failuresLeft;

  FakeTool(String name, long cost, String undo) {
    this.name = name;
    this.cost = cost;
    this.undo = undo;
  }

  FakeTool(String name) {
    this(name, 1, null);
  }

  FakeTool holding() {
    this.hold = true;
    return this;
  }

  FakeTool failingFirst(int times) {
    this.failuresLeft = times;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Risk risk() {
    return undo == null ? Risk.READ : Risk.HIGH;
  }

  @Override
  public long cost() {
    return cost;
  }

  @Override
  public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
    executions.add(new Execution(call, credential));
    if (failuresLeft > 0) {
      failuresLeft--;
      return CompletableFuture.completedFuture(new ToolOutcome.Failed("told to fail"));
    }
    ToolOutcome done = new ToolOutcome.Done(Map.of("tool", name, "resource", call.resource()));
    if (hold) {
      CompletableFuture<ToolOutcome> later = new CompletableFuture<>();
      held.add(later);
      return later;
    }
    return CompletableFuture.completedFuture(done);
  }

  /** Completes every held call. */
  void release() {
    held.forEach(f -> f.complete(new ToolOutcome.Done(Map.of("tool", name))));
  }

  @Override
  public Optional<Compensation> compensation(ToolCall call) {
    return undo == null ? Optional.empty() : Optional.of(new Compensation(undo, call.resource()));
  }

  List<String> resources() {
    return executions.stream().map(e -> e.call().resource()).toList();
  }
}
