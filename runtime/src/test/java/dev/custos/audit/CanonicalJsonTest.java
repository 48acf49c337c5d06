package dev.custos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custos.JsonValues;
import dev.custos.Seeds;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  @Test
  void nestedValuesHaveSortedKeysAndNoWhitespace() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("z", 1L);
    inner.put("a", Arrays.asList(true, false, null, "x"));
    inner.put("M", new LinkedHashMap<>(Map.of("y", 2.5)));
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("zeta", inner);
    outer.put("alpha", List.of());
    outer.put("beta", Map.of());
    outer.put("_", null);
    outer.put("Alpha", List.of(List.of(1L, 2L), Map.of("k", "v")));

    assertEquals(
        "{\"Alpha\":[[1,2],{\"k\":\"v\"}],\"_\":null,\"alpha\":[],\"beta\":{},"
            + "\"zeta\":{\"M\":{\"y\":2.5},\"a\":[true,false,null,\"x\"],\"z\":1}}",
        CanonicalJson.write(outer));
  }

  @Test
  void insertionOrderAndMapTypeDoNotMatter() {
    Map<String, Object> forward = new LinkedHashMap<>();
    Map<String, Object> backward = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      forward.put("k" + i, (long) i);
      backward.put("k" + (19 - i), (long) (19 - i));
    }
    TreeMap<String, Object> reversed = new TreeMap<>(Comparator.reverseOrder());
    reversed.putAll(forward);

    assertEquals(CanonicalJson.write(forward), CanonicalJson.write(backward));
    assertEquals(CanonicalJson.write(forward), CanonicalJson.write(reversed));
    assertEquals(CanonicalJson.write(forward), CanonicalJson.write(JsonValues.copy(backward)));
  }

  /** The key-sorting example of RFC 8785, section 3.2.3: UTF-16 code units, not code points. */
  @Test
  void keysSortByUtf16CodeUnits() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("\u20ac", "Euro Sign");
    map.put("\r", "Carriage Return");
    map.put("\ufb33", "Hebrew Letter Dalet With Dagesh");
    map.put("1", "One");
    map.put("\ud83d\ude00", "Emoji: Grinning Face");
    map.put("\u0080", "Control");
    map.put("\u00f6", "Latin Small Letter O With Diaeresis");

    assertEquals(
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
            + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
            + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
        CanonicalJson.write(map));
  }

  @Test
  void stringsAreEscapedMinimally() {
    String raw = "q\" b\\ s/ \b\f\n\r\t \u0000\u0001\u001f \u0020\u007f\u0080\u2028 é \ud83d\ude00";
    String expected =
        "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0000\\u0001\\u001f \u0020\u007f\u0080\u2028 é \ud83d\ude00\"";

    assertEquals(expected, CanonicalJson.write(raw));
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), CanonicalJson.utf8(raw));
  }

  @Test
  void loneSurrogatesAreEscapedSoTheBytesStayDistinct() {
    assertEquals("\"\\ud800x\"", CanonicalJson.write("\ud800x"));
    assertEquals("\"\\udc00\\ud800\"", CanonicalJson.write("\udc00\ud800"));
    assertEquals("\"a\\ud83d\"", CanonicalJson.write("a\ud83d"));
    assertThat(CanonicalJson.utf8("\ud800")).isNotEqualTo(CanonicalJson.utf8("?"));
    assertThat(CanonicalJson.utf8("\ud800")).isNotEqualTo(CanonicalJson.utf8("\udfff"));
  }

  @Test
  void integersArePlainDigits() {
    List<Object> values = List.of(0L, -1L, 42L, Long.MAX_VALUE, Long.MIN_VALUE, 7, (short) -3, (byte) 9, 1L << 60);

    assertEquals(
        "[0,-1,42,9223372036854775807,-9223372036854775808,7,-3,9,1152921504606846976]",
        CanonicalJson.write(values));
  }

  /** RFC 8785 Appendix B, the finite values, and a few more ECMAScript forms. */
  @Test
  void doublesAreWrittenAsEcmaScriptDoes() {
    Map<Long, String> appendixB = new LinkedHashMap<>();
    appendixB.put(0x0000000000000000L, "0");
    appendixB.put(0x8000000000000000L, "0");
    appendixB.put(0x0000000000000001L, "5e-324");
    appendixB.put(0x8000000000000001L, "-5e-324");
    appendixB.put(0x7fefffffffffffffL, "1.7976931348623157e+308");
    appendixB.put(0xffefffffffffffffL, "-1.7976931348623157e+308");
    appendixB.put(0x4340000000000000L, "9007199254740992");
    appendixB.put(0xc340000000000000L, "-9007199254740992");
    appendixB.put(0x4430000000000000L, "295147905179352830000");
    appendixB.put(0x44b52d02c7e14af5L, "9.999999999999997e+22");
    appendixB.put(0x44b52d02c7e14af6L, "1e+23");
    appendixB.put(0x44b52d02c7e14af7L, "1.0000000000000001e+23");
    appendixB.put(0x444b1ae4d6e2ef4eL, "999999999999999700000");
    appendixB.put(0x444b1ae4d6e2ef4fL, "999999999999999900000");
    appendixB.put(0x444b1ae4d6e2ef50L, "1e+21");
    appendixB.put(0x3eb0c6f7a0b5ed8cL, "9.999999999999997e-7");
    appendixB.put(0x3eb0c6f7a0b5ed8dL, "0.000001");
    appendixB.put(0x41b3de4355555553L, "333333333.3333332");
    appendixB.put(0x41b3de4355555554L, "333333333.33333325");
    appendixB.put(0x41b3de4355555555L, "333333333.3333333");
    appendixB.put(0x41b3de4355555556L, "333333333.3333334");
    appendixB.put(0x41b3de4355555557L, "333333333.33333343");
    appendixB.put(0xbecbf647612f3696L, "-0.0000033333333333333333");
    appendixB.put(0x43143ff3c1cb0959L, "1424953923781206.2");
    Map<Long, String> written = new LinkedHashMap<>();
    appendixB.keySet().forEach(bits -> written.put(bits, CanonicalJson.write(Double.longBitsToDouble(bits))));
    assertEquals(appendixB, written);

    List<Object> more = List.of(2.0, -2.0, 0.1, 0.1 + 0.2, 1.5, 100.0, 1e20, 1e21, 1e-6, 1e-7, 123e-20, 0.5f, 2e-3);
    assertEquals(
        "[2,-2,0.1,0.30000000000000004,1.5,100,100000000000000000000,1e+21,0.000001,1e-7,1.23e-18,0.5,0.002]",
        CanonicalJson.write(more));
  }

  /**
   * Random doubles: the text is a JSON number, reads back as the same double, has no more significant digits than
   * {@link Double#toString} (which always reads back, though on JDK 17 it is not always shortest), and an integral
   * double below 2^53 is written exactly as the {@code long} of the same value.
   */
  @Test
  void randomDoublesReadBackAndAreNoLongerThanTheJdksDigits() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    Pattern grammar = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?(e[+-][1-9][0-9]*)?");
    for (int i = 0; i < 20_000; i++) {
      double d =
          switch (i % 4) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(-12, 25));
            case 2 -> (double) random.nextLong(-(1L << 53), 1L << 53);
            default -> Math.round(random.nextDouble() * 1e6) / 1e3;
          };
      if (!Double.isFinite(d)) {
        continue;
      }
      String text = CanonicalJson.write(d);
      String where = Seeds.describe(seed) + ", double " + Double.toHexString(d) + " written " + text;
      assertThat(text).as(where).matches(grammar);
      assertEquals(d == 0 ? 0.0 : d, Double.parseDouble(text), where);
      assertThat(significantDigits(text)).as(where).isLessThanOrEqualTo(significantDigits(Double.toString(d)));
      if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
        assertEquals(Long.toString((long) d), text, where);
      }
    }
  }

  private static int significantDigits(String number) {
    String mantissa = number.split("[eE]")[0].replace("-", "").replace(".", "");
    String digits = new BigInteger(mantissa).toString();
    return digits.equals("0") ? 1 : digits.replaceAll("0+$", "").length();
  }

  @Test
  void utf8IsTheUtf8OfTheText() {
    Map<String, Object> value = Map.of("naïve", List.of("😀", "\u2028", 1L));

    assertArrayEquals(CanonicalJson.write(value).getBytes(StandardCharsets.UTF_8), CanonicalJson.utf8(value));
  }

  @Test
  void anythingNotJsonLikeIsRejectedSayingWhere() {
    Map<Object, Object> numericKey = new HashMap<>();
    numericKey.put(1, "x");
    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, "x");

    assertThat(reject(Double.NaN)).isEqualTo("value: NaN is not a JSON number");
    assertThat(reject(Map.of("a", List.of(1L, Double.POSITIVE_INFINITY))))
        .isEqualTo("value.a[1]: Infinity is not a JSON number");
    assertThat(reject(Float.NEGATIVE_INFINITY)).isEqualTo("value: -Infinity is not a JSON number");
    assertThat(reject(new BigDecimal("1.5"))).isEqualTo("value: java.math.BigDecimal is not a JSON-like value");
    assertThat(reject(List.of(BigInteger.ONE))).isEqualTo("value[0]: java.math.BigInteger is not a JSON-like value");
    assertThat(reject(Map.of("c", 'c'))).isEqualTo("value.c: java.lang.Character is not a JSON-like value");
    assertThat(reject(new Object())).isEqualTo("value: java.lang.Object is not a JSON-like value");
    assertThat(reject(numericKey)).isEqualTo("value: keys must be text, got java.lang.Integer");
    assertThat(reject(nullKey)).isEqualTo("value: keys must be text, got null");
  }

  @Test
  void twoEqualKeysAreRejected() {
    Map<String, Object> twice = new IdentityHashMap<>();
    twice.put(new String("k"), 1L);
    twice.put(new String("k"), 2L);

    assertThat(reject(twice)).isEqualTo("value: duplicate key k");
  }

  @Test
  void cyclesAndDeepNestingAreRejectedNotOverflowed() {
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    Object deepest = "x";
    for (int i = 0; i < CanonicalJson.MAX_DEPTH; i++) {
      deepest = List.of(deepest);
    }

    assertThat(reject(cycle)).endsWith(": nested deeper than " + CanonicalJson.MAX_DEPTH);
    assertEquals(
        "[".repeat(CanonicalJson.MAX_DEPTH) + "\"x\"" + "]".repeat(CanonicalJson.MAX_DEPTH),
        CanonicalJson.write(deepest));
    assertThat(reject(List.of(deepest))).endsWith(": nested deeper than " + CanonicalJson.MAX_DEPTH);
  }

  private static String reject(Object value) {
    return assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(value)).getMessage();
  }

  @Test
  void aCopyJsonValuesMadeIsWrittenExactlyAsAnyOtherMapOfTheSameContent() {
    java.util.Map<String, Object> plain = new java.util.LinkedHashMap<>();
    plain.put("z", java.util.List.of(1, "é", java.util.Map.of("b", 2.5, "a", false)));
    plain.put("a\u0000", "x\"y");
    plain.put("\uD83D\uDE00", null);
    plain.put("B", java.util.Map.of());
    String expected = CanonicalJson.write(plain);
    assertEquals(expected, CanonicalJson.write(dev.custos.JsonValues.copy(plain)));
    assertEquals("{\"B\":{},\"a\\u0000\":\"x\\\"y\",\"z\":[1,\"é\",{\"a\":false,\"b\":2.5}],\"\uD83D\uDE00\":null}", expected);
  }
}
