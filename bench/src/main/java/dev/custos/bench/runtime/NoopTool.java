package dev.custos.bench.runtime;

import dev.custos.agent.ToolOutcome;
import dev.custos.credential.Credential;
import dev.custos.tool.Risk;
import dev.custos.tool.Tool;
import dev.custos.tool.ToolCall;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A tool that does nothing and answers with an already completed future, so a benchmark measures the gateway around a
 * call rather than any tool. A read costing one budget unit, so the ledger charges every call.
 */
final class NoopTool implements Tool {

  static final String NAME = "bench.noop";

  private static final ToolOutcome DONE = new ToolOutcome.Done(Map.of());

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Risk risk() {
    return Risk.READ;
  }

  @Override
  public long cost() {
    return 1;
  }

  @Override
  public CompletionStage<ToolOutcome> execute(ToolCall call, Credential credential) {
    return CompletableFuture.completedFuture(DONE);
  }
}
