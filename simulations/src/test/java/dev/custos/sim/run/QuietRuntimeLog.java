package dev.custos.sim.run;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * {@code @ExtendWith(QuietRuntimeLog.class)}: the runtime logs errors only while the test class runs (it logs every
 * mission at INFO, which buries a failure's message), and its level is put back after.
 */
final class QuietRuntimeLog implements BeforeAllCallback, AfterAllCallback {

  private static final Logger RUNTIME_LOG = (Logger) LoggerFactory.getLogger("dev.custos.runtime");
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QuietRuntimeLog.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    // The saved level may be null (inherited), which the store cannot hold: keep it in a one-element array.
    context.getStore(NAMESPACE).put("level", new Level[] {RUNTIME_LOG.getLevel()});
    RUNTIME_LOG.setLevel(Level.ERROR);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Level[] saved = context.getStore(NAMESPACE).remove("level", Level[].class);
    RUNTIME_LOG.setLevel(saved == null ? null : saved[0]);
  }
}
