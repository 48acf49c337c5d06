package dev.custos.capability;

import dev.custos.BadInputException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A tool or resource pattern: {@code *} matches any run of characters except {@code /}; {@code **}, allowed only at the
 * very end, matches any rest, {@code /} included; every other character is literal.
 *
 * <p>Immutable and thread safe. Made only by {@link #parse(String)}, which refuses a {@code **} that does not end the
 * pattern, three or more {@code *} in a row, control characters, white space and patterns longer than {@link #MAX_LENGTH}.
 *
 * <p>{@link #contains(Pattern)} is exact: it decides language inclusion on the two patterns' automata (see the method), so
 * patterns with several stars, which defeat rules of thumb such as "compare the literal prefixes", are decided correctly.
 */
public final class Pattern {

  /** Longest pattern accepted, in characters. */
  public static final int MAX_LENGTH = 512;

  private final String text;
  // The pattern without its trailing "**", split at '/': a string matches when its first segments match these one by one
  // (with '*' inside a segment matching any run of that segment) and, without "**", it has no further segment.
  private final String[] segments;
  private final boolean openEnded;
  private final boolean literal;
  // The text before the first '*': every name the pattern matches starts with it.
  private final String prefix;
  // Whether the pattern is its prefix and then one '*' or one '**', the shapes almost every grant uses.
  private final boolean prefixThenWildcard;

  private Pattern(String text) {
    this.text = text;
    this.openEnded = text.endsWith("**");
    String body = openEnded ? text.substring(0, text.length() - 2) : text;
    this.segments = body.split("/", -1);
    int star = text.indexOf('*');
    this.literal = star < 0;
    this.prefix = literal ? text : text.substring(0, star);
    this.prefixThenWildcard = !literal && (star == text.length() - 1 || openEnded && star == text.length() - 2);
  }

  /**
   * Parses a pattern.
   *
   * @throws BadInputException quoting the text and saying what is wrong where
   */
  public static Pattern parse(String text) {
    if (text == null) {
      throw new BadInputException("", "a pattern is required, got nothing");
    }
    if (text.isEmpty()) {
      throw new BadInputException(text, "a pattern may not be empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw new BadInputException(text, MAX_LENGTH, "a pattern may have at most " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        throw new BadInputException(text, i, "control characters and white space are not allowed in a pattern");
      }
      if (c == '*') {
        int run = 1;
        while (i + run < text.length() && text.charAt(i + run) == '*') {
          run++;
        }
        if (run > 2) {
          throw new BadInputException(text, i, "'" + "*".repeat(run) + "' is not a pattern element: use '*' or '**'");
        }
        if (run == 2 && i + 2 != text.length()) {
          throw new BadInputException(text, i, "'**' may only end a pattern");
        }
        i += run - 1;
      }
    }
    return new Pattern(text);
  }

  /** A pattern that matches exactly {@code text}, which must contain no {@code *}. */
  public static Pattern literal(String text) {
    Pattern pattern = parse(text);
    if (!pattern.literal) {
      throw new BadInputException(text, text.indexOf('*'), "a literal name may not contain '*'");
    }
    return pattern;
  }

  /** The pattern as written. */
  public String text() {
    return text;
  }

  /** True when the pattern has no wildcard, so it matches exactly one string. */
  public boolean isLiteral() {
    return literal;
  }

  /** Whether {@code name} is one of the strings this pattern describes. */
  public boolean matches(String name) {
    if (literal) {
      return text.equals(name);
    }
    int start = 0;
    int last = segments.length - 1;
    for (int s = 0; s < last; s++) {
      int end = name.indexOf('/', start);
      if (end < 0 || !segmentMatches(segments[s], name, start, end, false)) {
        return false;
      }
      start = end + 1;
    }
    if (openEnded) {
      // The last segment must match a prefix of the rest of this segment; "**" takes everything after it.
      int end = name.indexOf('/', start);
      return segmentMatches(segments[last], name, start, end < 0 ? name.length() : end, true);
    }
    return name.indexOf('/', start) < 0 && segmentMatches(segments[last], name, start, name.length(), false);
  }

  /**
   * Glob match of one '/'-free segment pattern against {@code name[from, to)}, where '*' matches any run. Greedy with
   * backtracking to the last star, which is exact for a single kind of wildcard: a later star can always absorb what an
   * earlier star would have taken. With {@code prefixOnly}, the segment pattern need only match a prefix of the range.
   */
  private static boolean segmentMatches(String pattern, String name, int from, int to, boolean prefixOnly) {
    int p = 0;
    int n = from;
    int starP = -1;
    int starN = -1;
    while (n < to) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        starP = p++;
        starN = n;
      } else if (p < pattern.length() && pattern.charAt(p) == name.charAt(n)) {
        p++;
        n++;
      } else if (prefixOnly && p == pattern.length()) {
        return true;
      } else if (starP >= 0) {
        p = starP + 1;
        n = ++starN;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /**
   * Whether every string {@code other} matches is matched by this pattern: {@code other ⊆ this}, exactly.
   *
   * <p>Decided on automata. Each pattern is a small NFA whose states are positions in the pattern. The alphabet is cut into
   * classes: each character written in either pattern, {@code '/'}, and one class for every other character; characters of
   * that last class behave alike in both automata, so a string over the classes stands for all strings it abbreviates and
   * inclusion over the classes is inclusion over all strings. A breadth-first search over pairs (a state of {@code other},
   * the set of states of {@code this} after the same input) finds a pair where {@code other} accepts and {@code this} does
   * not exactly when inclusion fails; the path to it is a shortest counterexample, which {@link #counterexample} returns.
   */
  public boolean contains(Pattern other) {
    if (this == other || text.equals(other.text)) {
      return true;
    }
    if (other.literal) {
      return matches(other.text);
    }
    // From here on `other` has a wildcard, so it matches more than one name, and every name it matches starts with its
    // prefix. Where its prefix stops short of ours, or departs from it, its wildcard can take a character written in
    // neither pattern right there (never '/', never our next character), and the name goes on to match the rest of
    // `other`: a name of `other` that lacks our prefix, so not contained.
    if (literal || !other.prefix.startsWith(prefix)) {
      return false;
    }
    if (prefixThenWildcard) {
      // "P**" holds every name starting with P. "P*" holds those whose rest has no '/': `other`'s rest after P can make
      // a '/' exactly when it writes one or ends with "**".
      return openEnded || other.text.indexOf('/', prefix.length()) < 0 && !other.openEnded;
    }
    return counterexample(other).isEmpty();
  }

  /**
   * A shortest string that {@code other} matches and this pattern does not, or empty when {@code other ⊆ this}.
   * Characters that neither pattern writes are shown as one such character.
   */
  public Optional<String> counterexample(Pattern other) {
    return new Inclusion(Nfa.of(other.text), Nfa.of(this.text)).counterexample();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pattern && ((Pattern) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }

  /** A pattern as an NFA: state i waits at token i; state {@code tokens.length} is the end. */
  private static final class Nfa {
    static final int STAR = -1;
    static final int GLOBSTAR = -2;

    /** Characters of the pattern, or {@link #STAR} / {@link #GLOBSTAR}. */
    final int[] tokens;

    private Nfa(int[] tokens) {
      this.tokens = tokens;
    }

    static Nfa of(String text) {
      int[] tokens = new int[text.length()];
      int n = 0;
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) != '*') {
          tokens[n++] = text.charAt(i);
        } else if (i + 1 < text.length() && text.charAt(i + 1) == '*') {
          tokens[n++] = GLOBSTAR;
          i++;
        } else {
          tokens[n++] = STAR;
        }
      }
      return new Nfa(Arrays.copyOf(tokens, n));
    }

    int end() {
      return tokens.length;
    }

    /** Adds {@code state} and every state reachable from it without input (a wildcard may match nothing). */
    void close(int state, BitSet into) {
      into.set(state);
      while (state < tokens.length && tokens[state] < 0) {
        into.set(++state);
      }
    }

    /** The state after consuming symbol {@code c} in {@code state}, or -1 when it cannot. */
    int step(int state, int c) {
      if (state >= tokens.length) {
        return -1;
      }
      int t = tokens[state];
      if (t == GLOBSTAR || t == STAR && c != '/') {
        return state;
      }
      return t == c ? state + 1 : -1;
    }
  }

  /** The search of {@link #contains(Pattern)}: does {@code inner}'s language lie within {@code outer}'s? */
  private static final class Inclusion {
    /** The symbol that stands for every character neither pattern writes; no character has this value. */
    static final int OTHER = -3;

    private final Nfa inner;
    private final Nfa outer;
    private final int[] alphabet;

    Inclusion(Nfa inner, Nfa outer) {
      this.inner = inner;
      this.outer = outer;
      this.alphabet = IntStream.concat(Arrays.stream(inner.tokens), Arrays.stream(outer.tokens))
          .filter(t -> t >= 0)
          .distinct()
          .sorted()
          .toArray();
    }

    private record Node(int innerState, BitSet outerStates) {}

    private record Step(Node from, int symbol) {}

    Optional<String> counterexample() {
      Map<Node, Step> seen = new HashMap<>();
      ArrayDeque<Node> queue = new ArrayDeque<>();
      BitSet outerStart = new BitSet();
      outer.close(0, outerStart);
      BitSet innerStart = new BitSet();
      inner.close(0, innerStart);
      enqueue(innerStart, outerStart, null, OTHER, seen, queue);
      while (!queue.isEmpty()) {
        Node node = queue.poll();
        if (node.innerState == inner.end() && !node.outerStates.get(outer.end())) {
          return Optional.of(spell(node, seen));
        }
        step(node, OTHER, seen, queue);
        step(node, '/', seen, queue);
        for (int c : alphabet) {
          if (c != '/') {
            step(node, c, seen, queue);
          }
        }
      }
      return Optional.empty();
    }

    private void step(Node node, int c, Map<Node, Step> seen, ArrayDeque<Node> queue) {
      int next = inner.step(node.innerState, c);
      if (next < 0) {
        return;
      }
      BitSet outerNext = new BitSet();
      BitSet from = node.outerStates;
      for (int s = from.nextSetBit(0); s >= 0; s = from.nextSetBit(s + 1)) {
        int t = outer.step(s, c);
        if (t >= 0) {
          outer.close(t, outerNext);
        }
      }
      BitSet innerNext = new BitSet();
      inner.close(next, innerNext);
      enqueue(innerNext, outerNext, node, c, seen, queue);
    }

    private static void enqueue(
        BitSet innerStates, BitSet outerStates, Node from, int symbol, Map<Node, Step> seen, ArrayDeque<Node> queue) {
      for (int s = innerStates.nextSetBit(0); s >= 0; s = innerStates.nextSetBit(s + 1)) {
        Node target = new Node(s, outerStates);
        if (seen.putIfAbsent(target, new Step(from, symbol)) == null) {
          queue.add(target);
        }
      }
    }

    private String spell(Node node, Map<Node, Step> seen) {
      char standIn = standIn();
      StringBuilder reversed = new StringBuilder();
      for (Step step = seen.get(node); step.from != null; step = seen.get(step.from)) {
        reversed.append(step.symbol == OTHER ? standIn : (char) step.symbol);
      }
      return reversed.reverse().toString();
    }

    /** A printable character written in neither pattern, to show for {@link #OTHER}. */
    private char standIn() {
      for (char c : "xyzabcdefghijklmnopqrstuvw0123456789".toCharArray()) {
        if (Arrays.binarySearch(alphabet, c) < 0) {
          return c;
        }
      }
      char c = '\u00c0'; // the patterns used every ASCII letter and digit: fall back to Latin letters
      while (Arrays.binarySearch(alphabet, c) >= 0) {
        c++;
      }
      return c;
    }
  }
}
