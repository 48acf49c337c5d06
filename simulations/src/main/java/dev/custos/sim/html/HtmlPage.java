package dev.custos.sim.html;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * One self-contained HTML page being written: the shell (doctype, head, the shared CSS plus the page's own, the
 * {@code h1}), text that is always escaped, and ECharts inlined from its webjar, so a page opens from disk with no
 * network. {@link #begin} writes the head, {@link #end} closes the page and returns it. Not thread-safe: one page, one
 * thread.
 */
public final class HtmlPage {

  /** Where ECharts' minified build is on the classpath (the {@code org.webjars.npm:echarts} jar). */
  public static final String ECHARTS_RESOURCE = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  /** What every page's style starts with: the body, headings, tables, code, and the ok/bad/muted marks. */
  public static final String BASE_CSS = """
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;\
      color:#222;line-height:1.4}
      h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
      table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .5em;\
      text-align:left;vertical-align:top}th{background:#f3f3f3}
      code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
      .ok{color:#176f2c;font-weight:bold}.bad{color:#b00020;font-weight:bold}.muted{color:#777}
      """;

  /**
   * A JavaScript function {@code esc(s)} that escapes a text for HTML, for chart scripts that build tooltips (ECharts
   * tooltips are HTML). Indented two spaces, to sit inside a script's wrapping function.
   */
  public static final String JS_ESCAPE = """
        function esc(s) {
          return String(s).replace(/[&<>"']/g, function (c) {
            return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
          });
        }
      """;

  private static volatile String echarts;

  private final StringBuilder out = new StringBuilder();
  private boolean libraryWritten;

  private HtmlPage() {}

  /** A page titled {@code title} (in its head and as its {@code h1}), styled by {@link #BASE_CSS} then {@code css}. */
  public static HtmlPage begin(String title, String css) {
    Objects.requireNonNull(css, "css");
    HtmlPage page = new HtmlPage();
    page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.raw("<title>").text(title).raw("</title>\n<style>\n").raw(BASE_CSS).raw(css)
        .raw("</style>\n</head>\n<body>\n");
    page.raw("<h1>").text(title).raw("</h1>\n");
    return page;
  }

  /** Closes the page and returns it. */
  public String end() {
    raw("</body>\n</html>\n");
    return out.toString();
  }

  /** Markup written as is: only for text the page's own code wrote, never for data. */
  public HtmlPage raw(String html) {
    out.append(html);
    return this;
  }

  /** {@code value}'s text, escaped; nothing for null. */
  public HtmlPage text(Object value) {
    out.append(escape(value == null ? "" : String.valueOf(value)));
    return this;
  }

  /** A table row of a heading cell and a value cell, both escaped. */
  public HtmlPage row(String name, Object value) {
    return raw("<tr><th>").text(name).raw("</th><td>").text(value).raw("</td></tr>\n");
  }

  /** The chart library's script block, the first time only: a page that draws several charts holds it once. */
  public HtmlPage chartLibrary() {
    if (!libraryWritten) {
      raw("<script>\n").raw(echarts()).raw("\n</script>\n");
      libraryWritten = true;
    }
    return this;
  }

  /**
   * A script block that sets {@code var name} to {@code data} as JSON ({@link #scriptJson}), then runs {@code code}
   * (the page's own, ending in a newline).
   */
  public HtmlPage script(String name, Object data, String code) {
    return raw("<script>\nvar ").raw(name).raw(" = ").raw(scriptJson(data)).raw(";\n").raw(code).raw("</script>\n");
  }

  /**
   * {@code data} (plain maps, lists and scalars) as JSON with {@code <}, {@code >} and {@code &} escaped, so no text in
   * it can end a script block.
   */
  public static String scriptJson(Object data) {
    String json;
    try {
      json = new ObjectMapper().writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("chart data of plain maps, lists and scalars did not serialise", e);
    }
    return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
  }

  /** {@code text} safe in HTML text and in quoted attribute values. */
  public static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Virtual milliseconds as {@code mm:ss}, with {@code .SSS} when not a whole second; empty for null. */
  public static String time(Object ms) {
    if (!(ms instanceof Number n)) {
      return "";
    }
    long v = n.longValue();
    String sign = v < 0 ? "-" : "";
    v = Math.abs(v);
    String t = String.format(Locale.ROOT, "%s%02d:%02d", sign, v / 60_000, (v / 1000) % 60);
    return v % 1000 == 0 ? t : t + String.format(Locale.ROOT, ".%03d", v % 1000);
  }

  /** ECharts' minified build, read once from its webjar. */
  static String echarts() {
    String text = echarts;
    if (text == null) {
      try (InputStream in = HtmlPage.class.getClassLoader().getResourceAsStream(ECHARTS_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(ECHARTS_RESOURCE + " is not on the classpath (org.webjars.npm:echarts)");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (text.toLowerCase(Locale.ROOT).contains("</script")) {
        throw new IllegalStateException(ECHARTS_RESOURCE + " contains </script and cannot be inlined");
      }
      echarts = text;
    }
    return text;
  }
}
