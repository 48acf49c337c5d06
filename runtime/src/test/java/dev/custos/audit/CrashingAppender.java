package dev.custos.audit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link AuditCrashTest} kills: it opens a {@link JdbcAuditLog}, appends from several threads as fast as
 * the log takes records, and prints {@code ACK <seq> <hash>} on stdout for every append whose stage completed
 * successfully, one write per line, before anything else happens to that receipt. It never exits by itself.
 *
 * <p>Arguments: {@code <jdbc-url> <user or -> <checkpoint-key-file> <run-id> <threads> <checkpoint-every>
 * [unsafe-skip-sync]}. Record {@code n} of a run is {@link #entry}{@code (runId, n)}. Failed appends are reported on
 * stderr and not acknowledged. Its logging goes to stderr, so stdout carries acknowledgements only.
 *
 * <p>{@code unsafe-skip-sync} opens the log with {@code Builder.unsafeSkipSync()}: the test's negative control.
 */
public final class CrashingAppender {

  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  private static final AuditKind[] KINDS = AuditKind.values();
  /** Appends waiting for their receipt, across threads: enough for full batches, few enough to keep memory flat. */
  private static final int IN_FLIGHT = 4_096;

  private CrashingAppender() {}

  /** Record {@code n} of a run: its content follows from the run id and the counter alone. */
  static AuditEntry entry(String runId, long n) {
    return new AuditEntry(EPOCH.plusMillis(n), runId, List.of("root", "agent-" + n % 8),
        KINDS[(int) (n % KINDS.length)],
        Map.of("n", n, "run", runId, "policyVersion", "sha256:crash", "rules", List.of("r" + n % 3)));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 6 || args.length > 7 || args.length == 7 && !args[6].equals("unsafe-skip-sync")) {
      System.err.println("usage: CrashingAppender <jdbc-url> <user|-> <key-file> <run-id> <threads> "
          + "<checkpoint-every> [unsafe-skip-sync]");
      System.exit(2);
    }
    // Nothing but acknowledgements may reach stdout: keep the descriptor, and send System.out to stderr.
    OutputStream acks = new FileOutputStream(FileDescriptor.out);
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));

    String url = args[0];
    String runId = args[3];
    int threads = Integer.parseInt(args[4]);
    JdbcAuditLog.Builder builder = JdbcAuditLog
        .builder(url, CheckpointKey.loadOrCreate(Path.of(args[2]), new SecureRandom()))
        .checkpointEvery(Integer.parseInt(args[5]))
        .checkpointInterval(Duration.ofMillis(500));
    if (!args[1].equals("-")) {
      builder.user(args[1]);
    }
    if (args.length == 7) {
      builder.unsafeSkipSync();
    }
    JdbcAuditLog log = builder.open();

    AtomicLong counter = new AtomicLong();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    List<Thread> appenders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread appender = new Thread(() -> {
        while (true) {
          inFlight.acquireUninterruptibly();
          log.append(entry(runId, counter.getAndIncrement())).whenComplete((receipt, failure) -> {
            inFlight.release();
            if (receipt != null) {
              acknowledge(acks, receipt);
            } else {
              System.err.println("append failed: " + failure);
            }
          });
        }
      }, "appender-" + t);
      appender.start();
      appenders.add(appender);
    }
    for (Thread appender : appenders) {
      appender.join();
    }
  }

  /** One unbuffered write per line: a line is out once the write returns, and a kill leaves whole lines only. */
  private static void acknowledge(OutputStream acks, AuditReceipt receipt) {
    byte[] line = ("ACK " + receipt.seq() + " " + receipt.hash() + "\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (acks) {
      try {
        acks.write(line);
      } catch (IOException e) {
        System.err.println("stdout is gone: " + e);
        Runtime.getRuntime().halt(3);
      }
    }
  }
}
