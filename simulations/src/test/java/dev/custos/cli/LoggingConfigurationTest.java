package dev.custos.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The shipped logback.xml: parses cleanly, logs to standard error only, quiet for libraries. */
class LoggingConfigurationTest {

  @Test
  void logsToStandardErrorAtWarnForLibrariesAndInfoForCustos() {
    LoggerContext context = assertInstanceOf(LoggerContext.class, LoggerFactory.getILoggerFactory());
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    assertEquals(List.of(), context.getStatusManager().getCopyOfStatusList().stream()
        .filter(status -> status.getEffectiveLevel() >= Status.WARN).map(Status::getMessage).toList());
    assertEquals(Level.WARN, root.getLevel());
    assertEquals(Level.INFO, context.getLogger("dev.custos").getEffectiveLevel());
    assertEquals(Level.WARN, context.getLogger("org.apache.pekko.actor").getEffectiveLevel());
    ConsoleAppender<?> appender = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDERR"));
    assertEquals("System.err", appender.getTarget());
    assertEquals(List.of("STDERR"), appenderNames(root));
  }

  private static List<String> appenderNames(Logger logger) {
    List<String> names = new java.util.ArrayList<>();
    logger.iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
    return names;
  }
}
