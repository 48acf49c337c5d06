package dev.custos.capability;

import dev.custos.BadInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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

    /** Characters of the pattern, or {@link #STAR} / {@link #GLOBSTAR}. Two wildcards never stand side by side. */
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

    boolean isWildcard(int state) {
      return state < tokens.length && tokens[state] < 0;
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

  /**
   * The search of {@link #contains(Pattern)}: does {@code inner}'s language lie within {@code outer}'s? Sets of outer
   * states are bit sets in {@code long} words, stepped with precomputed masks, so one step is a few word operations.
   */
  private static final class Inclusion {
    /** The symbol that stands for every character neither pattern writes; no character has this value. */
    static final int OTHER = -3;

    private final Nfa inner;
    private final Nfa outer;
    /** '/', then {@link #OTHER}, then every other character either pattern writes, ascending. */
    private final int[] alphabet;
    private final int words;
    /** Per symbol: the outer states whose token is that character. */
    private final long[][] literal;
    private final long[] star;
    private final long[] globstar;

    Inclusion(Nfa inner, Nfa outer) {
      this.inner = inner;
      this.outer = outer;
      int[] written = IntStream.concat(Arrays.stream(inner.tokens), Arrays.stream(outer.tokens))
          .filter(t -> t >= 0 && t != '/')
          .distinct()
          .sorted()
          .toArray();
      this.alphabet = IntStream.concat(IntStream.of('/', OTHER), Arrays.stream(written)).toArray();
      this.words = (outer.end() + 1 + 63) >>> 6;
      this.literal = new long[alphabet.length][words];
      this.star = new long[words];
      this.globstar = new long[words];
      for (int state = 0; state < outer.end(); state++) {
        int t = outer.tokens[state];
        long bit = 1L << state;
        if (t == Nfa.STAR) {
          star[state >>> 6] |= bit;
        } else if (t == Nfa.GLOBSTAR) {
          globstar[state >>> 6] |= bit;
        } else {
          literal[symbolOf(t)][state >>> 6] |= bit;
        }
      }
    }

    private int symbolOf(int c) {
      return c == '/' ? 0 : Arrays.binarySearch(alphabet, 2, alphabet.length, c);
    }

    /** A node of the search: one inner state and the set of outer states after the same input. */
    private static final class Node {
      final int innerState;
      final long[] outerStates;
      final int hash;

      Node(int innerState, long[] outerStates) {
        this.innerState = innerState;
        this.outerStates = outerStates;
        this.hash = 31 * innerState + Arrays.hashCode(outerStates);
      }

      @Override
      public boolean equals(Object o) {
        return o instanceof Node && ((Node) o).innerState == innerState && Arrays.equals(((Node) o).outerStates, outerStates);
      }

      @Override
      public int hashCode() {
        return hash;
      }
    }

    private final Map<Node, Integer> seen = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private int[] parent = new int[16];
    private int[] via = new int[16];

    Optional<String> counterexample() {
      long[] outerStart = new long[words];
      outerStart[0] = 1L;
      close(outerStart);
      visit(0, outerStart, -1, OTHER);
      for (int next = 0; next < nodes.size(); next++) {
        Node node = nodes.get(next);
        if (node.innerState == inner.end() && !has(node.outerStates, outer.end())) {
          return Optional.of(spell(next));
        }
        if (node.innerState == inner.end()) {
          continue;
        }
        int token = inner.tokens[node.innerState];
        if (token >= 0) {
          step(next, node, symbolOf(token));
        } else {
          for (int symbol = token == Nfa.GLOBSTAR ? 0 : 1; symbol < alphabet.length; symbol++) {
            step(next, node, symbol);
          }
        }
      }
      return Optional.empty();
    }

    private void step(int from, Node node, int symbol) {
      int c = alphabet[symbol];
      int next = inner.step(node.innerState, c);
      long[] set = node.outerStates;
      long[] moved = new long[words];
      long carry = 0;
      for (int w = 0; w < words; w++) {
        long shifted = set[w] & literal[symbol][w];
        moved[w] = shifted << 1 | carry | set[w] & globstar[w] | (c == '/' ? 0 : set[w] & star[w]);
        carry = shifted >>> 63;
      }
      close(moved);
      visit(next, moved, from, c);
    }

    /** Adds the state after every wildcard in the set: a wildcard may match nothing (and is never followed by one). */
    private void close(long[] set) {
      long carry = 0;
      for (int w = 0; w < words; w++) {
        long wild = set[w] & (star[w] | globstar[w]);
        set[w] |= wild << 1 | carry;
        carry = wild >>> 63;
      }
    }

    /** Records the inner state (and, past a wildcard, the state after it) with the outer set, if new. */
    private void visit(int innerState, long[] outerStates, int from, int symbol) {
      add(new Node(innerState, outerStates), from, symbol);
      if (inner.isWildcard(innerState)) {
        add(new Node(innerState + 1, outerStates), from, symbol);
      }
    }

    private void add(Node node, int from, int symbol) {
      if (seen.putIfAbsent(node, nodes.size()) == null) {
        if (nodes.size() == parent.length) {
          parent = Arrays.copyOf(parent, parent.length * 2);
          via = Arrays.copyOf(via, via.length * 2);
        }
        parent[nodes.size()] = from;
        via[nodes.size()] = symbol;
        nodes.add(node);
      }
    }

    private static boolean has(long[] set, int state) {
      return (set[state >>> 6] & 1L << state) != 0;
    }

    private String spell(int node) {
      char standIn = standIn();
      StringBuilder reversed = new StringBuilder();
      for (int n = node; parent[n] >= 0; n = parent[n]) {
        reversed.append(via[n] == OTHER ? standIn : (char) via[n]);
      }
      return reversed.reverse().toString();
    }

    /** A printable character written in neither pattern, to show for {@link #OTHER}. */
    private char standIn() {
      for (char c : "xyzabcdefghijklmnopqrstuvw0123456789".toCharArray()) {
        if (Arrays.binarySearch(alphabet, 2, alphabet.length, c) < 0) {
          return c;
        }
      }
      char c = '\u00c0'; // the patterns used every ASCII letter and digit: fall back to Latin letters
      while (Arrays.binarySearch(alphabet, 2, alphabet.length, c) >= 0) {
        c++;
      }
      return c;
    }
  }
}
