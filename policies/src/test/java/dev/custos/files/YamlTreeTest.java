package dev.custos.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custos.files.YamlTree.Entry;
import dev.custos.files.YamlTree.Key;
import dev.custos.files.YamlTree.Mapping;
import dev.custos.files.YamlTree.Node;
import dev.custos.files.YamlTree.Scalar;
import dev.custos.files.YamlTree.Scalar.Kind;
import dev.custos.files.YamlTree.Sequence;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class YamlTreeTest {

  private static Location at(int line, int column) {
    return new Location(line, column);
  }

  private static Entry entry(String key, Location keyAt, Node value) {
    return new Entry(new Key(key, keyAt), value);
  }

  private static Scalar scalar(Location at, Kind kind, String text) {
    return new Scalar(at, kind, text);
  }

  @Test
  void everyNodeAndKeyKnowsWhereItStarts() {
    String text = String.join("\n",
        "capabilities:",
        "  - { tool: siem.query, resources: [\"siem:alerts\"] }",
        "on: yes",
        "to: fin-ws-02",
        "n: 3",
        "x: 2.5",
        "t: true",
        "z:",
        "q: \"10\"",
        "list:",
        "  - a",
        "");
    Problems problems = new Problems();

    Optional<Node> tree = YamlTree.parse("f.yaml", text, problems);

    Mapping capability = new Mapping(at(2, 5), List.of(
        entry("tool", at(2, 7), scalar(at(2, 13), Kind.STRING, "siem.query")),
        entry("resources", at(2, 25), new Sequence(at(2, 36), List.of(scalar(at(2, 37), Kind.STRING, "siem:alerts"))))));
    Mapping expected = new Mapping(at(1, 1), List.of(
        entry("capabilities", at(1, 1), new Sequence(at(2, 3), List.of(capability))),
        entry("on", at(3, 1), scalar(at(3, 5), Kind.STRING, "yes")),
        entry("to", at(4, 1), scalar(at(4, 5), Kind.STRING, "fin-ws-02")),
        entry("n", at(5, 1), scalar(at(5, 4), Kind.NUMBER, "3")),
        entry("x", at(6, 1), scalar(at(6, 4), Kind.NUMBER, "2.5")),
        entry("t", at(7, 1), scalar(at(7, 4), Kind.BOOLEAN, "true")),
        entry("z", at(8, 1), scalar(at(8, 3), Kind.NULL, "")),
        entry("q", at(9, 1), scalar(at(9, 4), Kind.STRING, "10")),
        entry("list", at(10, 1), new Sequence(at(11, 3), List.of(scalar(at(11, 5), Kind.STRING, "a"))))));
    assertEquals(Optional.of(expected), tree);
    assertEquals(List.of(), problems.lines());
  }

  @Test
  void wordsThatYaml11ReadsAsBooleansStayText() {
    Problems problems = new Problems();

    Optional<Node> tree = YamlTree.parse("f.yaml", "[yes, no, on, off, y, n, true, False]", problems);

    assertEquals(Optional.of(new Sequence(at(1, 1), List.of(
        scalar(at(1, 2), Kind.STRING, "yes"),
        scalar(at(1, 7), Kind.STRING, "no"),
        scalar(at(1, 11), Kind.STRING, "on"),
        scalar(at(1, 15), Kind.STRING, "off"),
        scalar(at(1, 20), Kind.STRING, "y"),
        scalar(at(1, 23), Kind.STRING, "n"),
        scalar(at(1, 26), Kind.BOOLEAN, "true"),
        scalar(at(1, 32), Kind.BOOLEAN, "False")))), tree);
    assertEquals(List.of(), problems.lines());
  }

  @Test
  void anEmptyDocumentIsNull() {
    Problems problems = new Problems();

    assertEquals(Optional.of(scalar(at(1, 1), Kind.NULL, "")), YamlTree.parse("f.yaml", "# nothing\n", problems));
    assertEquals(List.of(), problems.lines());
  }

  @Test
  void aDuplicateKeyIsAProblemAndTheFirstValueStays() {
    Problems problems = new Problems();

    Optional<Node> tree = YamlTree.parse("f.yaml", "a: 1\nb: 2\na: 3\n", problems);

    assertEquals(Optional.of(new Mapping(at(1, 1), List.of(
        entry("a", at(1, 1), scalar(at(1, 4), Kind.NUMBER, "1")),
        entry("b", at(2, 1), scalar(at(2, 4), Kind.NUMBER, "2"))))), tree);
    assertEquals(List.of("f.yaml:3:1: duplicate key 'a' (first at 1:1)"), problems.lines());
  }

  @Test
  void anAliasIsAProblem() {
    Problems problems = new Problems();

    YamlTree.parse("f.yaml", "a: &x host\nb: *x\n", problems);

    assertEquals(List.of("f.yaml:2:4: '*x' is a YAML alias, which Custos files do not use"
        + " (a pattern that starts with '*' must be quoted: \"*\")"), problems.lines());
  }

  @Test
  void aSecondDocumentIsAProblem() {
    Problems problems = new Problems();

    Optional<Node> tree = YamlTree.parse("f.yaml", "a: 1\n---\nb: 2\n", problems);

    assertEquals(Optional.of(new Mapping(at(1, 1), List.of(entry("a", at(1, 1), scalar(at(1, 4), Kind.NUMBER, "1"))))),
        tree);
    assertEquals(List.of("f.yaml:3:1: a second YAML document starts here: a Custos file holds one"), problems.lines());
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        arguments("a: b\n  c: d\n", "f.yaml:2:4: YAML syntax: mapping values are not allowed here"),
        arguments("a: [1, 2\n",
            "f.yaml:2:1: YAML syntax: expected ',' or ']', but got <stream end> (while parsing a flow sequence at 1:4)"),
        arguments("a: {b: 1\n",
            "f.yaml:2:1: YAML syntax: expected ',' or '}', but got <stream end> (while parsing a flow mapping at 1:4)"),
        arguments("a: \"open\n",
            "f.yaml:2:1: YAML syntax: found unexpected end of stream (while scanning a quoted scalar at 1:4)"),
        arguments("? [a]\n: 1\n", "f.yaml:1:4: YAML syntax: a mapping key must be text, not a list or a mapping"));
  }

  @ParameterizedTest
  @MethodSource("syntaxErrors")
  void aSyntaxErrorIsOneProblemWhereTheParserStopped(String text, String expected) {
    Problems problems = new Problems();

    Optional<Node> tree = YamlTree.parse("f.yaml", text, problems);

    assertEquals(Optional.empty(), tree);
    assertEquals(List.of(expected), problems.lines());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      0        | 0
      42       | 42
      -3       | -3
      +7       | 7
      123456789012345678901234567890 | 123456789012345678901234567890
      """)
  void plainDecimalIntegersAreWholeNumbers(String text, String value) {
    Scalar scalar = (Scalar) YamlTree.parse("f.yaml", text, new Problems()).orElseThrow();

    assertEquals(Optional.of(new BigInteger(value)), scalar.wholeNumber());
  }

  @ParameterizedTest
  @ValueSource(strings = {"2.5", "3.0", "1e3", "0x1F", "010", "1_000", "\"10\"", "ten", "true", "~", ""})
  void otherScalarsAreNotWholeNumbers(String text) {
    Scalar scalar = (Scalar) YamlTree.parse("f.yaml", text, new Problems()).orElseThrow();

    assertEquals(Optional.empty(), scalar.wholeNumber());
  }

  @Test
  void describesNodesForMessages() {
    assertEquals(List.of("a mapping", "a list", "text \"a\\\"b\"", "2.5", "true", "nothing"), List.of(
        new Mapping(at(1, 1), List.of()).describe(),
        new Sequence(at(1, 1), List.of()).describe(),
        scalar(at(1, 1), Kind.STRING, "a\"b").describe(),
        scalar(at(1, 1), Kind.NUMBER, "2.5").describe(),
        scalar(at(1, 1), Kind.BOOLEAN, "true").describe(),
        scalar(at(1, 1), Kind.NULL, "").describe()));
    assertEquals("text \"" + "x".repeat(60) + "…\"", scalar(at(1, 1), Kind.STRING, "x".repeat(61)).describe());
    assertEquals("text \"tab\\u0009\"", scalar(at(1, 1), Kind.STRING, "tab\t").describe());
  }

  @Test
  void aMappingCannotRepeatAKey() {
    Scalar one = scalar(at(1, 4), Kind.NUMBER, "1");
    List<Entry> twice = List.of(entry("a", at(1, 1), one), entry("a", at(2, 1), one));

    assertThrows(IllegalArgumentException.class, () -> new Mapping(at(1, 1), twice));
  }

  @Test
  void readsAFileAndNamesItInProblems(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("g.yaml"), "a: [1, 2\n");
    Problems problems = new Problems();

    assertEquals(Optional.empty(), YamlTree.read(file, problems));
    assertThat(problems.lines()).containsExactly(
        file + ":2:1: YAML syntax: expected ',' or ']', but got <stream end> (while parsing a flow sequence at 1:4)");
  }

  @Test
  void filesThatCannotBeReadAreProblemsOfTheWholeFile(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.yaml");
    Path binary = Files.write(dir.resolve("binary.yaml"), new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
    Path huge = Files.writeString(dir.resolve("huge.yaml"), "#".repeat((int) YamlTree.MAX_BYTES + 1));
    Problems problems = new Problems();

    YamlTree.read(missing, problems);
    YamlTree.read(dir, problems);
    YamlTree.read(binary, problems);
    YamlTree.read(huge, problems);

    assertEquals(List.of(
        missing + ": no such file",
        dir + ": is a directory, not a YAML file",
        binary + ": is not UTF-8 text",
        huge + ": is 1048577 bytes, more than the 1048576 a Custos file may have"), problems.lines());
  }

  @Test
  void problemsPrintAsFileLineColumnMessage() {
    Problems problems = new Problems();
    problems.add("a.yaml", at(3, 7), "first");
    problems.add("b.yaml", Location.FILE, "second");

    assertEquals(List.of("a.yaml:3:7: first", "b.yaml: second"), problems.lines());
    assertEquals("a.yaml:3:7: first\nb.yaml: second", problems.toString());
    assertThrows(IllegalArgumentException.class, () -> new Location(0, 3));
  }
}
