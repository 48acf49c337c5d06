package dev.custos.bench;

import static dev.custos.bench.SocCommander.expect;
import static dev.custos.bench.SocCommander.fresh;

import dev.custos.capability.Grant;
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
 * {@link Grant#covers} on the 20-capability {@link SocCommander} grant: the capability check the tool gateway makes on
 * every call. Coverage scans the capabilities in order, so the cost grows with the index of the first covering one:
 * a call the first capability covers, one only the last covers, and one none covers (all 20 checked, the worst case).
 *
 * <p>Setup checks that each call is covered by exactly the capability its benchmark names.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class GrantBench {

  private Grant grant;

  private String firstTool;
  private String firstResource;
  private String lastTool;
  private String lastResource;
  private String uncoveredTool;
  private String uncoveredResource;

  @Setup(Level.Trial)
  public void setUp() {
    grant = Grant.root(SocCommander.rootRequest());
    expect(grant.capabilities().size() == 20, "the commander grant should have 20 capabilities");

    firstTool = fresh("siem.query");
    firstResource = fresh("siem:index/soc-alerts");
    lastTool = fresh("host.restore");
    lastResource = fresh("host:corp/fin-ws-01");
    // edr.scan matches the tool patterns of capabilities 2 (edr.scan) and 3 (edr.*), so their resources are tried too.
    uncoveredTool = fresh("edr.scan");
    uncoveredResource = fresh("host:guest/kiosk-07");

    expect(grant.capabilities().get(0).covers(firstTool, firstResource), "capability 0 should cover the first call");
    for (int i = 0; i < 19; i++) {
      expect(!grant.capabilities().get(i).covers(lastTool, lastResource), "capability " + i + " covers the last call");
    }
    expect(grant.capabilities().get(19).covers(lastTool, lastResource), "capability 19 should cover the last call");
    expect(!grant.covers(uncoveredTool, uncoveredResource), "the uncovered call is covered");
  }

  /** Covered by capability 0: one tool match and one resource match. */
  @Benchmark
  public boolean coveredByFirst() {
    return grant.covers(firstTool, firstResource);
  }

  /** Covered only by capability 19: 19 capabilities rejected on their tool pattern first. */
  @Benchmark
  public boolean coveredByLast() {
    return grant.covers(lastTool, lastResource);
  }

  /** Covered by none: all 20 capabilities checked, two of them down to their resources. */
  @Benchmark
  public boolean notCovered() {
    return grant.covers(uncoveredTool, uncoveredResource);
  }
}
