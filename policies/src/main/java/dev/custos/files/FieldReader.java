package dev.custos.files;

import dev.custos.Durations;
import dev.custos.capability.Pattern;
import dev.custos.capability.Rate;
import dev.custos.files.YamlTree.Entry;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.files.YamlTree.Scalar;
import dev.custos.files.YamlTree.Sequence;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The checks every strict reader of Custos' YAML files shares: allowed and required fields, the kind of each value, and
 * the values the capability algebra parses (patterns, durations, rates). Each check reports what it finds to
 * {@link Problems} at the value's line and column, with the value's path in the file ({@code rules[2].effect}) and what
 * was expected, and yields empty so the reader carries on and reports the rest. Not thread safe: one reading uses it.
 */
public final class FieldReader {

  private final String file;
  private final Problems problems;

  /** @param file the file's name as the user gave it, for problems */
  public FieldReader(String file, Problems problems) {
    this.file = file;
    this.problems = problems;
  }

  public String file() {
    return file;
  }

  /** How many problems have been reported so far; compare before and after a part to see whether it was clean. */
  public int problemCount() {
    return problems.size();
  }

  /** Reports keys outside {@code allowed} where they are, and each missing {@code required} key at the mapping. */
  public void checkFields(String path, Mapping map, List<String> allowed, List<String> required) {
    for (Entry entry : map.entries()) {
      String key = entry.key().text();
      if (!allowed.contains(key)) {
        String hint = allowed.stream().filter(key::equalsIgnoreCase).findFirst()
            .map(a -> " (did you mean '" + a + "'?)").orElse("");
        problem(entry.key().location(), path,
            "unknown field " + YamlTree.quote(key, '\'') + hint + "; allowed: " + String.join(", ", allowed));
      }
    }
    for (String key : required) {
      if (map.get(key).isEmpty()) {
        problem(map.location(), path, "missing required field '" + key + "'");
      }
    }
  }

  public Optional<Mapping> mapping(String path, Node node, String what) {
    if (node instanceof Mapping map) {
      return Optional.of(map);
    }
    expected(path, node, what);
    return Optional.empty();
  }

  /**
   * Each item of a list read by {@code item} (given the item's path and node); empty when the node is no list or any
   * item had a problem.
   */
  public <T> Optional<List<T>> list(String path, Node node, String what, BiFunction<String, Node, Optional<T>> item) {
    if (!(node instanceof Sequence sequence)) {
      expected(path, node, what);
      return Optional.empty();
    }
    List<T> out = new ArrayList<>();
    boolean complete = true;
    for (int i = 0; i < sequence.items().size(); i++) {
      Optional<T> value = item.apply(path + "[" + i + "]", sequence.items().get(i));
      value.ifPresent(out::add);
      complete &= value.isPresent();
    }
    return complete ? Optional.of(out) : Optional.empty();
  }

  /** Text: a string scalar (quoted or not), never a number or boolean YAML made of it. */
  public Optional<String> text(String path, Node node, String what) {
    if (node instanceof Scalar scalar && scalar.kind() == Scalar.Kind.STRING) {
      return Optional.of(scalar.text());
    }
    expected(path, node, what);
    return Optional.empty();
  }

  /** One of {@code choices}, written as text. */
  public Optional<String> choice(String path, Node node, List<String> choices) {
    String what = "one of " + String.join(", ", choices);
    Optional<String> text = node instanceof Scalar scalar && scalar.kind() != Scalar.Kind.NULL
        ? Optional.of(scalar.text()) : Optional.empty();
    if (text.isEmpty() || !choices.contains(text.get())) {
      expected(path, node, what);
      return Optional.empty();
    }
    return text;
  }

  public Optional<Pattern> pattern(String path, Node node, String what) {
    if (!(node instanceof Scalar scalar) || scalar.kind() != Scalar.Kind.STRING) {
      expected(path, node, what);
      return Optional.empty();
    }
    try {
      return Optional.of(Pattern.parse(scalar.text()));
    } catch (IllegalArgumentException e) { // BadInputException, whose message quotes the text and says what is wrong
      problem(node.location(), path, e.getMessage());
      return Optional.empty();
    }
  }

  /** A plain whole number in [min, max]; {@code hint} follows "at least min" in messages. */
  public Optional<BigInteger> whole(String path, Node node, long min, long max, String hint) {
    Optional<BigInteger> value = node instanceof Scalar scalar ? scalar.wholeNumber() : Optional.empty();
    if (value.isEmpty() || value.get().compareTo(BigInteger.valueOf(min)) < 0) {
      expected(path, node, "a whole number at least " + min + hint);
      return Optional.empty();
    }
    if (value.get().compareTo(BigInteger.valueOf(max)) > 0) {
      expected(path, node, "a whole number at most " + max);
      return Optional.empty();
    }
    return value;
  }

  /** A plain decimal number: {@code 0.8}, {@code 1}, {@code -2.5e3}. */
  public Optional<Double> number(String path, Node node) {
    return number(path, node, "a number such as 0.8");
  }

  /** A plain decimal number in [min, max]. */
  public Optional<Double> number(String path, Node node, double min, double max) {
    String what = "a number from " + plain(min) + " to " + plain(max);
    Optional<Double> value = number(path, node, what);
    if (value.isPresent() && !(value.get() >= min && value.get() <= max)) {
      expected(path, node, what);
      return Optional.empty();
    }
    return value;
  }

  private Optional<Double> number(String path, Node node, String what) {
    if (!(node instanceof Scalar scalar) || scalar.kind() != Scalar.Kind.NUMBER
        || !scalar.text().matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
      expected(path, node, what);
      return Optional.empty();
    }
    double value = Double.parseDouble(scalar.text());
    if (Double.isInfinite(value)) {
      expected(path, node, what);
      return Optional.empty();
    }
    return Optional.of(value);
  }

  public Optional<Boolean> bool(String path, Node node) {
    if (node instanceof Scalar scalar && scalar.kind() == Scalar.Kind.BOOLEAN) {
      return Optional.of(Boolean.parseBoolean(scalar.text()));
    }
    expected(path, node, "true or false");
    return Optional.empty();
  }

  public Optional<Duration> duration(String path, Node node) {
    Optional<String> text = textOrNumber(node);
    if (text.isEmpty()) {
      expected(path, node, "a duration such as 20m (units ms, s, m, h)");
      return Optional.empty();
    }
    try {
      return Optional.of(Durations.parse(text.get()));
    } catch (IllegalArgumentException e) {
      problem(node.location(), path, e.getMessage());
      return Optional.empty();
    }
  }

  public Optional<Rate> rate(String path, Node node) {
    Optional<String> text = textOrNumber(node);
    if (text.isEmpty()) {
      expected(path, node, "a rate such as 30/1m (calls per window)");
      return Optional.empty();
    }
    try {
      return Optional.of(Rate.parse(text.get()));
    } catch (IllegalArgumentException e) {
      problem(node.location(), path, e.getMessage());
      return Optional.empty();
    }
  }

  /** Builds a value whose parts were checked; should its constructor still refuse, that is a problem at the mapping. */
  public <T> Optional<T> construct(String path, Mapping at, Supplier<T> constructor) {
    try {
      return Optional.of(constructor.get());
    } catch (IllegalArgumentException | ArithmeticException | DateTimeException e) {
      problem(at.location(), path, String.valueOf(e.getMessage()));
      return Optional.empty();
    }
  }

  /** Reports that {@code node} is not {@code what} was expected, saying what it is. */
  public void expected(String path, Node node, String what) {
    problem(node.location(), path, "expected " + what + ", got " + node.describe());
  }

  /** Reports a problem at {@code at}; the message is prefixed with the path in the file when there is one. */
  public void problem(Location at, String path, String message) {
    problems.add(file, at, path.isEmpty() ? message : path + ": " + message);
  }

  /** {@code path.field}, or {@code field} at the top of a file. */
  public static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** The text of a scalar that reads as a value's text: {@code 20} for a duration gets the duration parser's message. */
  private static Optional<String> textOrNumber(Node node) {
    if (node instanceof Scalar scalar
        && (scalar.kind() == Scalar.Kind.STRING || scalar.kind() == Scalar.Kind.NUMBER)) {
      return Optional.of(scalar.text());
    }
    return Optional.empty();
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
