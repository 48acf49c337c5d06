package dev.custos.files;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A YAML document read into a small tree whose every node, and every mapping key, remembers where it starts in the
 * file. Readers of Custos files ({@link GrantFile}, scenarios) check this tree and report each problem at its place.
 *
 * <p>The tree keeps YAML's own distinctions and no more: a scalar is text, a number, a boolean or null, and keeps the
 * text as written. Only {@code true}/{@code false} are booleans (YAML 1.1's {@code yes}, {@code on}, {@code off}... stay
 * text), and mapping keys are always text, so {@code on:}, {@code to:} and {@code from:} are ordinary keys.
 *
 * <p>Problems go to a {@link Problems}: a file that cannot be read, or a YAML syntax error (located where the parser
 * stopped), gives no tree. Duplicate keys, aliases and a second document are reported too, but the tree of the rest is
 * still returned so that its reader can report its own problems in the same round; a reader must not turn a file with
 * problems into a value.
 *
 * <p>Bounded: files larger than {@link #MAX_BYTES} are refused, and the YAML parser limits nesting depth. Thread safe.
 */
public final class YamlTree {

  /** Largest file read, far above any grant or scenario. */
  public static final long MAX_BYTES = 1 << 20;

  private static final YAMLFactory FACTORY = YAMLFactory.builder()
      .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
      .build();

  private static final int SHOWN_CHARACTERS = 60;

  private YamlTree() {}

  /** A node of the tree: exactly one of {@link Mapping}, {@link Sequence} or {@link Scalar}. */
  public sealed interface Node permits Mapping, Sequence, Scalar {

    /** Where the node starts: its first character, or its opening bracket. */
    Location location();

    /** What the node is, for messages: {@code a mapping}, {@code a list}, {@code text "x"}, {@code 42}, {@code nothing}... */
    String describe();
  }

  /** A mapping key: always text, whatever it looks like. */
  public record Key(String text, Location location) {
    public Key {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(location, "location");
    }
  }

  /** One entry of a mapping. */
  public record Entry(Key key, Node value) {
    public Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A mapping, its entries in file order; no two entries have the same key. */
  public record Mapping(Location location, List<Entry> entries) implements Node {

    public Mapping {
      Objects.requireNonNull(location, "location");
      entries = List.copyOf(entries);
      if (entries.stream().map(e -> e.key().text()).distinct().count() != entries.size()) {
        throw new IllegalArgumentException("a mapping may not repeat a key");
      }
    }

    /** The value under {@code key}, if present. */
    public Optional<Node> get(String key) {
      return entries.stream().filter(e -> e.key().text().equals(key)).map(Entry::value).findFirst();
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** A sequence (a YAML list). */
  public record Sequence(Location location, List<Node> items) implements Node {

    public Sequence {
      Objects.requireNonNull(location, "location");
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar.
   *
   * @param location where it starts (its opening quote, if quoted)
   * @param kind what YAML made of it: quoted scalars are always {@link Kind#STRING}
   * @param text the value as written, without quotes; {@code ""} for an empty (null) value
   */
  public record Scalar(Location location, Kind kind, String text) implements Node {

    /** What YAML made of a scalar. */
    public enum Kind { STRING, NUMBER, BOOLEAN, NULL }

    public Scalar {
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
    }

    /**
     * The number, when this is a number written as a plain decimal integer ({@code 42}, {@code -3}, {@code +7}). Other
     * forms YAML 1.1 also reads as integers ({@code 0x1F}, {@code 010}, {@code 1_000}) are not, so that no file means
     * something other than it seems to.
     */
    public Optional<BigInteger> wholeNumber() {
      if (kind != Kind.NUMBER || !text.matches("[-+]?(0|[1-9][0-9]*)")) {
        return Optional.empty();
      }
      return Optional.of(new BigInteger(text.startsWith("+") ? text.substring(1) : text));
    }

    @Override
    public String describe() {
      switch (kind) {
        case STRING:
          return "text " + quote(text, '"');
        case NULL:
          return "nothing";
        default:
          return text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) + "…" : text;
      }
    }
  }

  /**
   * Reads and parses a file. Problems are reported under the file's name as given ({@code file.toString()}).
   *
   * @return the tree, or empty when the file cannot be read or is not YAML
   */
  public static Optional<Node> read(Path file, Problems problems) {
    return readText(file, problems).flatMap(text -> parse(file.toString(), text, problems));
  }

  /**
   * Reads a file's text, as {@link #read} does before parsing: UTF-8, at most {@link #MAX_BYTES}.
   *
   * @return the text, or empty when the file cannot be read (the problem added under {@code file.toString()})
   */
  public static Optional<String> readText(Path file, Problems problems) {
    String name = file.toString();
    try {
      if (Files.isDirectory(file)) {
        problems.add(name, Location.FILE, "is a directory, not a YAML file");
        return Optional.empty();
      }
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        problems.add(name, Location.FILE, "is " + size + " bytes, more than the " + MAX_BYTES + " a Custos file may have");
        return Optional.empty();
      }
      return Optional.of(Files.readString(file));
    } catch (NoSuchFileException e) {
      problems.add(name, Location.FILE, "no such file");
    } catch (AccessDeniedException e) {
      problems.add(name, Location.FILE, "cannot be read: permission denied");
    } catch (CharacterCodingException e) {
      problems.add(name, Location.FILE, "is not UTF-8 text");
    } catch (IOException e) {
      problems.add(name, Location.FILE, "cannot be read: " + oneLine(String.valueOf(e.getMessage())));
    }
    return Optional.empty();
  }

  /**
   * Parses YAML text; {@code file} names it in problems. An empty document is a {@link Scalar.Kind#NULL} scalar at 1:1.
   *
   * @return the tree, or empty when the text is not YAML
   */
  public static Optional<Node> parse(String file, String text, Problems problems) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return Optional.of(new Scalar(new Location(1, 1), Scalar.Kind.NULL, ""));
      }
      Builder builder = new Builder(file, (YAMLParser) parser, problems);
      Node root = builder.node(first);
      if (parser.nextToken() != null) {
        problems.add(file, builder.here(), "a second YAML document starts here: a Custos file holds one");
      }
      return Optional.of(root);
    } catch (JsonProcessingException e) {
      problems.add(file, syntaxLocation(e), syntaxMessage(e));
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading YAML from a string", e); // a StringReader does not fail
    }
  }

  /** Builds nodes from the parser's tokens, one node per call. */
  private static final class Builder {

    private final String file;
    private final YAMLParser parser;
    private final Problems problems;

    Builder(String file, YAMLParser parser, Problems problems) {
      this.file = file;
      this.parser = parser;
      this.problems = problems;
    }

    /** The node that starts with {@code token}, the parser's current token; leaves the parser on its last token. */
    Node node(JsonToken token) throws IOException {
      Location at = here();
      switch (token) {
        case START_OBJECT:
          return mapping(at);
        case START_ARRAY:
          return sequence(at);
        case VALUE_STRING:
          if (parser.isCurrentAlias()) {
            problems.add(file, at, "'*" + parser.getText() + "' is a YAML alias, which Custos files do not use"
                + " (a pattern that starts with '*' must be quoted: \"*\")");
            return new Scalar(at, Scalar.Kind.NULL, "");
          }
          return new Scalar(at, Scalar.Kind.STRING, parser.getText());
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          return new Scalar(at, Scalar.Kind.NUMBER, parser.getText());
        case VALUE_TRUE:
        case VALUE_FALSE:
          return new Scalar(at, Scalar.Kind.BOOLEAN, parser.getText());
        case VALUE_NULL:
          return new Scalar(at, Scalar.Kind.NULL, parser.getText());
        default:
          problems.add(file, at, "unsupported YAML value (such as !!binary): write text, a number or true/false");
          return new Scalar(at, Scalar.Kind.NULL, "");
      }
    }

    private Mapping mapping(Location at) throws IOException {
      List<Entry> entries = new ArrayList<>();
      Map<String, Location> seen = new HashMap<>();
      for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
        Key key = new Key(parser.currentName(), here());
        Node value = node(parser.nextToken());
        Location first = seen.putIfAbsent(key.text(), key.location());
        if (first == null) {
          entries.add(new Entry(key, value));
        } else {
          problems.add(file, key.location(), "duplicate key " + quote(key.text(), '\'') + " (first at " + first + ")");
        }
      }
      return new Mapping(at, entries);
    }

    private Sequence sequence(Location at) throws IOException {
      List<Node> items = new ArrayList<>();
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY && token != null;
          token = parser.nextToken()) {
        items.add(node(token));
      }
      return new Sequence(at, items);
    }

    Location here() {
      return location(parser.currentTokenLocation());
    }
  }

  private static Location location(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? new Location(1, 1) : new Location(at.getLineNr(), Math.max(1, at.getColumnNr()));
  }

  private static Location syntaxLocation(JsonProcessingException e) {
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblemMark() != null) {
      return new Location(marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1);
    }
    return location(e.getLocation());
  }

  private static String syntaxMessage(JsonProcessingException e) {
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblem() != null) {
      String message = "YAML syntax: " + oneLine(marked.getProblem());
      if (marked.getContext() != null && marked.getContextMark() != null
          && !sameMark(marked.getContextMark(), marked.getProblemMark())) {
        message += " (" + oneLine(marked.getContext()) + " at "
            + (marked.getContextMark().getLine() + 1) + ":" + (marked.getContextMark().getColumn() + 1) + ")";
      }
      if (marked.getContext() != null && marked.getContext().contains("alias")) {
        message += "; a pattern that starts with '*' must be quoted: \"*\"";
      }
      return message;
    }
    String original = String.valueOf(e.getOriginalMessage());
    if (original.startsWith("Expected a field name")) {
      return "YAML syntax: a mapping key must be text, not a list or a mapping";
    }
    return "YAML: " + oneLine(original);
  }

  private static boolean sameMark(org.yaml.snakeyaml.error.Mark a, org.yaml.snakeyaml.error.Mark b) {
    return b != null && a.getLine() == b.getLine() && a.getColumn() == b.getColumn();
  }

  private static String oneLine(String text) {
    return text.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * Quotes text from a file for a one-line message: control characters escaped, long text cut. For readers' messages.
   */
  static String quote(String text, char quote) {
    String cut = text.length() > SHOWN_CHARACTERS ? text.substring(0, SHOWN_CHARACTERS) : text;
    StringBuilder out = new StringBuilder(cut.length() + 3).append(quote);
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (c == quote || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (cut.length() < text.length()) {
      out.append('…');
    }
    return out.append(quote).toString();
  }
}
