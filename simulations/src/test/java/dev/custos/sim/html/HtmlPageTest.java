package dev.custos.sim.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every page shares: virtual times, escaping, the shell, script-safe data and the library inlined once. */
class HtmlPageTest {

  @Test
  void virtualTimesAreMinutesAndSecondsWithMillisecondsOnlyWhenThereAreAny() {
    assertEquals("00:00", HtmlPage.time(0L));
    assertEquals("07:34.388", HtmlPage.time(454_388L));
    assertEquals("19:20", HtmlPage.time(1_160_000));
    assertEquals("125:01", HtmlPage.time(7_501_000L));
    assertEquals("", HtmlPage.time(null));
  }

  @Test
  void escapingCoversTextAndQuotedAttributes() {
    assertEquals("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
        HtmlPage.escape("<a href=\"x\" title='y'>&</a>"));
  }

  @Test
  void theShellEscapesTheTitleAndAddsThePagesStyleAfterTheBase() {
    String page = HtmlPage.begin("<b>&", ".x{}\n").row("<k>", null).end();

    assertEquals("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>&lt;b&gt;&amp;</title>\n<style>\n" + HtmlPage.BASE_CSS + ".x{}\n</style>\n</head>\n<body>\n"
        + "<h1>&lt;b&gt;&amp;</h1>\n<tr><th>&lt;k&gt;</th><td></td></tr>\n</body>\n</html>\n", page);
  }

  @Test
  void scriptDataCannotEndItsScriptBlock() {
    assertEquals("{\"a\":[\"\\u003c/script\\u003e\\u0026\"]}",
        HtmlPage.scriptJson(Map.of("a", List.of("</script>&"))));
  }

  @Test
  void theLibraryIsInlinedOnceHoweverManyChartsAskForIt() {
    String page = HtmlPage.begin("t", "").chartLibrary().script("A", List.of(1), "a();\n").chartLibrary()
        .script("B", List.of(2), "b();\n").end();

    assertThat(page.split("<script>", -1)).hasSize(4);
    assertThat(page).contains("<script>\n" + HtmlPage.echarts() + "\n</script>\n<script>\nvar A = [1];\na();\n"
        + "</script>\n<script>\nvar B = [2];\nb();\n</script>\n</body>");
    assertThat(HtmlPage.echarts()).hasSizeGreaterThan(900_000).contains("echarts");
  }
}
