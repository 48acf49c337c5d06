package dev.custos.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.custos.BadInputException;
import dev.custos.Seeds;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Differential proof of {@link Pattern#matches} and {@link Pattern#contains} against {@link PatternReference}.
 *
 * <p>Exhaustive part: every valid pattern of up to {@value #SMALL} characters over {@code a b / *}, against the finite
 * universe of every name of up to {@value #UNIVERSE_LENGTH} characters over {@code a b / x} ({@code x} stands for every
 * character no pattern writes). For each pair, "contained" by the universe (no name matched by the inner pattern and not
 * by the outer) must equal {@code contains}, in both directions; and every counterexample must really be one.
 *
 * <p>Random part: seeded pairs of longer patterns; a "not contained" answer must come with a counterexample the reference
 * confirms; a "contained" answer must survive names sampled from the inner pattern.
 */
class PatternProofTest {

  private static final int SMALL = 4;
  private static final int UNIVERSE_LENGTH = 7;
  private static final int RANDOM_CASES = 100_000;

  @Test
  void containmentIsExactOnEverySmallPatternPair() {
    List<String> patterns = validPatterns("ab/*", SMALL);
    List<String> universe = names("ab/x", UNIVERSE_LENGTH);
    List<BitSet> matched = new ArrayList<>();
    List<Pattern> parsed = new ArrayList<>();
    for (String p : patterns) {
      PatternReference reference = new PatternReference(p);
      Pattern pattern = Pattern.parse(p);
      BitSet bits = new BitSet(universe.size());
      for (int i = 0; i < universe.size(); i++) {
        boolean expected = reference.matches(universe.get(i));
        if (pattern.matches(universe.get(i)) != expected) {
          fail("'" + p + "' matches '" + universe.get(i) + "': expected " + expected);
        }
        bits.set(i, expected);
      }
      matched.add(bits);
      parsed.add(pattern);
    }
    long pairs = 0;
    for (int o = 0; o < parsed.size(); o++) {
      for (int i = 0; i < parsed.size(); i++) {
        BitSet escaping = (BitSet) matched.get(i).clone();
        escaping.andNot(matched.get(o));
        boolean containedInUniverse = escaping.isEmpty();
        Pattern outer = parsed.get(o);
        Pattern inner = parsed.get(i);
        assertEquals(containedInUniverse, outer.contains(inner),
            () -> "'" + outer + "' contains '" + inner + "'"
                + (containedInUniverse ? "" : ", though '" + universe.get(escaping.nextSetBit(0)) + "' escapes"));
        checkCounterexample(outer, inner, "exhaustive");
        pairs++;
      }
    }
    assertTrue(pairs > 80_000, "the exhaustive part covers " + pairs + " pairs");
  }

  @Test
  void containmentHoldsOnRandomLongerPatterns() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    int contained = 0;
    for (int n = 0; n < RANDOM_CASES; n++) {
      Pattern outer = PatternReference.randomPattern(random, "ab-/**", 10, Integer.MAX_VALUE);
      Pattern inner = random.nextInt(3) == 0 ? PatternReference.randomPattern(random, "ab-/**", 10, Integer.MAX_VALUE) : narrowed(outer, random);
      if (n % 10 == 0) {
        // Past 64 states the outer state sets span several words: put a long shared literal in front of both.
        String shared = "a-".repeat(30 + random.nextInt(40)) + "*b" + "b".repeat(random.nextInt(70)) + "-";
        outer = Pattern.parse(shared + outer.text());
        inner = Pattern.parse(shared + inner.text());
      }
      String where = "case " + n + ", " + Seeds.describe(seed);
      if (outer.contains(inner)) {
        contained++;
        PatternReference reference = new PatternReference(outer.text());
        for (int s = 0; s < 30; s++) {
          String name = PatternReference.sample(inner, random, "ab-x", 5);
          if (!reference.matches(name)) {
            fail("'" + outer + "' claims to contain '" + inner + "' but misses '" + name + "', " + where);
          }
        }
      }
      checkCounterexample(outer, inner, where);
    }
    // Both answers must be common, or the test proves little.
    assertTrue(contained > RANDOM_CASES / 10 && contained < RANDOM_CASES * 9 / 10,
        contained + " of " + RANDOM_CASES + " contained, " + Seeds.describe(seed));
  }

  /** A counterexample must exist exactly when containment fails, and be one: inside the inner, outside the outer. */
  private static void checkCounterexample(Pattern outer, Pattern inner, String where) {
    Optional<String> example = outer.counterexample(inner);
    assertEquals(!outer.contains(inner), example.isPresent(), () -> "'" + outer + "' vs '" + inner + "', " + where);
    example.ifPresent(e -> {
      if (!new PatternReference(inner.text()).matches(e) || new PatternReference(outer.text()).matches(e)) {
        fail("'" + e + "' is no counterexample of '" + inner + "' within '" + outer + "', " + where);
      }
    });
  }

  private static List<String> validPatterns(String alphabet, int maxLength) {
    List<String> out = new ArrayList<>();
    for (String text : names(alphabet, maxLength)) {
      try {
        out.add(Pattern.parse(text).text());
      } catch (BadInputException invalid) {
        // "" and misplaced "**" are not patterns
      }
    }
    return out;
  }

  private static List<String> names(String alphabet, int maxLength) {
    List<String> out = new ArrayList<>();
    out.add("");
    for (int start = 0, length = 1; length <= maxLength; length++) {
      int end = out.size();
      for (int i = start; i < end; i++) {
        for (char c : alphabet.toCharArray()) {
          out.add(out.get(i) + c);
        }
      }
      start = end;
    }
    return out;
  }

  /** A pattern that is often, not always, inside {@code outer}: literals put for stars, stars for literals. */
  private static Pattern narrowed(Pattern outer, SplittableRandom random) {
    String text = outer.text();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean globstar = c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*';
      int roll = random.nextInt(6);
      if (globstar) {
        out.append(roll == 0 ? "a/b" : roll == 1 ? "*/**" : roll == 2 ? "a**" : "**");
        i++;
      } else if (c == '*') {
        out.append(roll == 0 ? "ab" : roll == 1 ? "a*b" : roll == 2 ? "" : roll == 3 ? "*-" : "*");
      } else {
        out.append(roll == 0 ? "*" : String.valueOf(c));
      }
    }
    try {
      return Pattern.parse(out.toString());
    } catch (BadInputException invalid) {
      return outer;
    }
  }
}
