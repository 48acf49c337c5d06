package dev.custos.bench;

import static dev.custos.bench.SocCommander.expect;
import static dev.custos.bench.SocCommander.fresh;

import dev.custos.capability.Pattern;
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
 * {@link Pattern#matches} for the typical pattern shapes, each against a name it matches and one it does not, and
 * {@link Pattern#contains} for pattern-vs-pattern pairs from the cheap shortcuts to the full inclusion search.
 *
 * <p>Inputs live in non-final fields so the JIT cannot fold them; names are fresh strings, never the pattern's own text.
 * Setup checks that every {@code ...Match}/{@code ...Contained} case is true and every {@code ...Miss}/{@code
 * ...NotContained} case false, so a benchmark cannot silently measure the other branch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class PatternBench {

  private Pattern literal;
  private Pattern oneStar;
  private Pattern globstar;
  private Pattern tool;
  private Pattern multiStar;

  private String literalHit;
  private String literalMiss;
  private String oneStarHit;
  private String oneStarMiss;
  private String globstarHit;
  private String globstarMiss;
  private String toolHit;
  private String toolMiss;
  private String multiStarHit;
  private String multiStarMiss;

  private Pattern identicalOuter;
  private Pattern identicalInner;
  private Pattern literalInnerOuter;
  private Pattern literalInner;
  private Pattern wildcardOuter;
  private Pattern wildcardInner;
  private Pattern narrowOuter;
  private Pattern widerInner;

  @Setup(Level.Trial)
  public void setUp() {
    literal = Pattern.parse("host:corp/fin-ws-01");
    oneStar = Pattern.parse("host:corp/*");
    globstar = Pattern.parse("host:**");
    tool = Pattern.parse("siem.*");
    multiStar = Pattern.parse("host:*/fin-*-0*");

    literalHit = fresh("host:corp/fin-ws-01");
    literalMiss = fresh("host:corp/fin-ws-02");    // same length, differs in the last character
    oneStarHit = fresh("host:corp/fin-ws-01");
    oneStarMiss = fresh("host:core/dc-01");
    globstarHit = fresh("host:corp/fin-ws-01");
    globstarMiss = fresh("net:ip/203.0.113.7");
    toolHit = fresh("siem.query");
    toolMiss = fresh("edr.scan");
    multiStarHit = fresh("host:corp/fin-ws-01");
    multiStarMiss = fresh("host:corp/fin-ws-10");  // fails only after backtracking over "-0"

    identicalOuter = Pattern.parse(fresh("host:corp/*"));
    identicalInner = Pattern.parse(fresh("host:corp/*"));
    literalInnerOuter = Pattern.parse("host:corp/*");
    literalInner = Pattern.parse("host:corp/fin-ws-01");
    wildcardOuter = Pattern.parse("host:*/fin-*");
    wildcardInner = Pattern.parse("host:corp/fin-ws-*");
    narrowOuter = Pattern.parse("host:corp/fin-*");
    widerInner = Pattern.parse("host:*/fin-*");

    expect(literalMatch() && oneStarMatch() && globstarMatch() && toolMatch() && multiStarMatch(), "a match misses");
    expect(!literalMiss() && !oneStarMiss() && !globstarMiss() && !toolMiss() && !multiStarMiss(), "a miss matches");
    expect(containsIdentical() && containsLiteralInner() && containsWildcards(), "a contained pair is not contained");
    expect(!containsWildcardsNotContained(), "host:corp/fin-* contains host:*/fin-*");
  }

  @Benchmark
  public boolean literalMatch() {
    return literal.matches(literalHit);
  }

  @Benchmark
  public boolean literalMiss() {
    return literal.matches(literalMiss);
  }

  @Benchmark
  public boolean oneStarMatch() {
    return oneStar.matches(oneStarHit);
  }

  @Benchmark
  public boolean oneStarMiss() {
    return oneStar.matches(oneStarMiss);
  }

  @Benchmark
  public boolean globstarMatch() {
    return globstar.matches(globstarHit);
  }

  @Benchmark
  public boolean globstarMiss() {
    return globstar.matches(globstarMiss);
  }

  @Benchmark
  public boolean toolMatch() {
    return tool.matches(toolHit);
  }

  @Benchmark
  public boolean toolMiss() {
    return tool.matches(toolMiss);
  }

  @Benchmark
  public boolean multiStarMatch() {
    return multiStar.matches(multiStarHit);
  }

  @Benchmark
  public boolean multiStarMiss() {
    return multiStar.matches(multiStarMiss);
  }

  /** {@code host:corp/*} ⊇ {@code host:corp/*}, two separately parsed patterns: the text-equality shortcut. */
  @Benchmark
  public boolean containsIdentical() {
    return identicalOuter.contains(identicalInner);
  }

  /** {@code host:corp/*} ⊇ {@code host:corp/fin-ws-01}: a literal inner pattern reduces to one match. */
  @Benchmark
  public boolean containsLiteralInner() {
    return literalInnerOuter.contains(literalInner);
  }

  /** {@code host:*}{@code /fin-*} ⊇ {@code host:corp/fin-ws-*}: the full inclusion search, which finds no counterexample. */
  @Benchmark
  public boolean containsWildcards() {
    return wildcardOuter.contains(wildcardInner);
  }

  /** {@code host:corp/fin-*} ⊉ {@code host:*}{@code /fin-*}: the inclusion search stops at its first counterexample. */
  @Benchmark
  public boolean containsWildcardsNotContained() {
    return narrowOuter.contains(widerInner);
  }
}
