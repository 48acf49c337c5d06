package dev.custos.bench;

import static dev.custos.bench.SocCommander.EPOCH;
import static dev.custos.bench.SocCommander.approval;
import static dev.custos.bench.SocCommander.expect;
import static dev.custos.bench.SocCommander.limited;
import static dev.custos.bench.SocCommander.unlimited;

import dev.custos.capability.Attenuation;
import dev.custos.capability.Bounds;
import dev.custos.capability.Capability;
import dev.custos.capability.ChargeResult;
import dev.custos.capability.DelegationResult;
import dev.custos.capability.Grant;
import dev.custos.capability.GrantRequest;
import dev.custos.capability.Ledger;
import dev.custos.capability.Rate;
import dev.custos.capability.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Attenuation#decide} of a 20-capability child request against the 20-capability {@link SocCommander} parent,
 * whose ledger has already spent some budget and calls: the check made on every delegation.
 *
 * <ul>
 *   <li>{@link #grantNarrowing}: a containment child asks for literal hosts, narrower patterns, some of the parent's own
 *       patterns, call limits within what is left and keeps approval; it is granted.
 *   <li>{@link #refuseWidening}: the same request with six capabilities and two bounds widened, one of every kind of
 *       capability failure (tool not covered, resource not covered twice, calls above what is left, unlimited calls
 *       under a limit, approval dropped); it is refused with all eight reasons, so the refusal path,
 *       example resources included, is measured.
 * </ul>
 *
 * <p>{@code decide} is pure, so the ledger and requests are built once per trial and every invocation sees the same
 * state. Setup checks each outcome.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class AttenuationBench {

  private Ledger parent;
  private GrantRequest narrowing;
  private GrantRequest widening;

  @Setup(Level.Trial)
  public void setUp() {
    parent = new Ledger(Grant.root(SocCommander.rootRequest()));
    // The commander has been at work: isolated two hosts, disabled two accounts, blocked five addresses.
    spend(SocCommander.HOST_ISOLATE, 2, 10);
    spend(SocCommander.ACCOUNT_DISABLE, 2, 5);
    spend(SocCommander.FIREWALL_BLOCK, 5, 1);

    narrowing = new GrantRequest(narrowCapabilities(), childBounds(EPOCH + 1_800, 2));
    widening = new GrantRequest(widenedCapabilities(), childBounds(EPOCH + 7_200, 3));

    expect(narrowing.capabilities().size() == 20 && widening.capabilities().size() == 20, "requests need 20 capabilities");
    DelegationResult granted = grantNarrowing();
    expect(granted instanceof DelegationResult.Granted, "the narrowing request is refused: " + granted);
    DelegationResult refused = refuseWidening();
    expect(refused instanceof DelegationResult.Refused, "the widening request is granted");
    List<Reason> reasons = ((DelegationResult.Refused) refused).reasons();
    expect(reasons.size() == 8, "the widening request should fail eight checks, got " + reasons);
  }

  @Benchmark
  public DelegationResult grantNarrowing() {
    return Attenuation.decide(parent, narrowing);
  }

  @Benchmark
  public DelegationResult refuseWidening() {
    return Attenuation.decide(parent, widening);
  }

  private void spend(int capability, int calls, long costEach) {
    for (int i = 0; i < calls; i++) {
      expect(parent.consume(capability, costEach) instanceof ChargeResult.Charged, "the parent cannot spend");
    }
  }

  private static Bounds childBounds(long deadline, int maxDepth) {
    return new Bounds(2_000, Instant.ofEpochSecond(deadline), maxDepth, 4, 8, Rate.parse("10/1m"), 3);
  }

  /** One child capability per parent capability, in the parent's order, each within it. */
  private static List<Capability> narrowCapabilities() {
    return List.of(
        unlimited("siem.query", "siem:index/soc-alerts"),                        // literal resource
        unlimited("siem.search", "siem:index/soc-*"),                            // literal tool under siem.*, same pattern
        unlimited("edr.scan", "host:corp/fin-*", "host:dmz/web-01"),             // narrower pattern and a literal
        limited("edr.*", 50, "host:corp/fin-**"),                                // narrower globstar, 50 of 200 calls
        limited("host.isolate", 5, "host:corp/fin-ws-01", "host:corp/fin-ws-02"),
        limited("host.release", 5, "host:corp/fin-*"),
        limited("account.disable", 3, "account:jdoe"),
        limited("account.reset", 2, "account:svc-backup"),
        limited("firewall.block", 20, "net:ip/203.0.113.*"),
        approval("firewall.unblock", OptionalInt.empty(), "net:ip/203.0.113.7"), // approval kept
        limited("forensics.snapshot", 5, "host:corp/fin-ws-01"),
        unlimited("forensics.memdump", "host:corp/fin-*"),                       // the parent's own pattern
        unlimited("ticket.update", "ticket:*"),                                  // the parent's own pattern
        unlimited("ticket.create", "ticket:soc/inc-4711"),
        unlimited("threatintel.lookup", "ioc:sha256/*", "ioc:domain/*"),
        limited("email.quarantine", 10, "mailbox:corp/jdoe"),
        approval("dns.sinkhole", OptionalInt.of(2), "domain:evil-*.example"),
        unlimited("user.notify", "account:corp/jdoe"),
        unlimited("vuln.scan", "host:corp/fin-*", "host:dmz/*"),
        approval("host.restore", OptionalInt.of(2), "host:corp/fin-ws-01"));
  }

  /** The narrowing request with six capabilities widened, each in its own way. */
  private static List<Capability> widenedCapabilities() {
    List<Capability> capabilities = new ArrayList<>(narrowCapabilities());
    capabilities.set(3, limited("edr.*", 50, "host:**"));                                      // resource not covered
    capabilities.set(4, limited("host.isolate", 5, "host:*/fin-*"));                           // resource not covered
    capabilities.set(6, limited("account.disable", 50, "account:jdoe"));                       // 50 calls, 18 left
    capabilities.set(8, unlimited("firewall.block", "net:ip/203.0.113.*"));                    // unlimited under 100
    capabilities.set(17, unlimited("shell.exec", "host:corp/fin-ws-01"));                      // tool not covered
    capabilities.set(19, limited("host.restore", 2, "host:corp/fin-ws-01"));                   // approval dropped
    return capabilities;
  }
}
