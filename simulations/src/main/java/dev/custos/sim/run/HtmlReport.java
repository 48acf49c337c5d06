package dev.custos.sim.run;

import static dev.custos.sim.html.HtmlPage.time;

import dev.custos.scenario.Alert;
import dev.custos.sim.html.HtmlPage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One run's report as a single self-contained {@link HtmlPage}: no external reference of any kind (styles inline, the
 * timeline chart's library, ECharts, inlined from its webjar; no fonts, no images), so it opens from disk without a
 * network. Only the chart needs JavaScript; every section, the timeline's table included, is plain HTML. Built from the
 * JSON report's tree ({@link Report#toMap()}) so the two never disagree; the scenario's extra alerts
 * (attacker-controlled text) are shown on the timeline. Every text is HTML-escaped. Deterministic: the same report
 * gives the same bytes (no generation time, ordered maps and lists only).
 */
public final class HtmlReport {

  /** Draws the timeline chart from {@code DATA}; escapes every text it puts in a tooltip (tooltips are HTML). */
  private static final String CHART_SCRIPT = """
      (function () {
        var el = document.getElementById('timeline-chart');
        if (!window.echarts || !el) { return; }
      """ + HtmlPage.JS_ESCAPE + """
        function t(s) {
          var m = Math.floor(s / 60), x = Math.floor(s % 60);
          return (m < 10 ? '0' : '') + m + ':' + (x < 10 ? '0' : '') + x;
        }
        // Each kind its colour, and a small vertical offset where kinds meet at one moment (a compromise, the
        // denials it causes and the halt that ends it), so none hides another.
        var STYLE = {
          'attacker step': {color: '#37474f'}, 'attacker step blocked': {color: '#2e7d32'},
          'alert': {color: '#e6a700'}, 'agent action': {color: '#5470c6'}, 'approval': {color: '#00897b'},
          'denied': {color: '#d32f2f', offset: [0, -7]}, 'compromise': {color: '#ef6c00', offset: [0, -12], size: 15},
          'halt': {color: '#6a1b9a', offset: [0, 7], size: [5, 20]}
        };
        var last = 0;
        DATA.series.forEach(function (s) { s.data.forEach(function (d) { last = Math.max(last, d.value[0]); }); });
        var step = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200].find(function (i) { return last / i <= 12; }) || 14400;
        el.style.height = Math.max(240, 90 + 34 * DATA.lanes.length) + 'px';
        var chart = echarts.init(el, null, {renderer: 'svg'});
        chart.setOption({
          animation: false,
          tooltip: {trigger: 'item', formatter: function (p) {
            return esc(p.seriesName) + ' at ' + t(p.value[0]) + '<br>' + esc(p.name);
          }},
          legend: {top: 0},
          grid: {left: 140, right: 30, top: 40, bottom: 70},
          xAxis: {type: 'value', name: 'virtual time (mm:ss)', nameLocation: 'middle', nameGap: 26, min: 0,
            max: Math.ceil(last / step) * step || step, interval: step, axisLabel: {formatter: t}},
          yAxis: {type: 'category', data: DATA.lanes, inverse: true},
          dataZoom: [{type: 'inside', filterMode: 'none'}, {type: 'slider', filterMode: 'none', height: 16, bottom: 4,
            labelFormatter: function (v) { return t(v); }}],
          series: DATA.series.map(function (s) {
            var style = STYLE[s.name] || {};
            return {name: s.name, type: 'scatter', symbol: s.symbol, symbolSize: style.size || 11,
              symbolOffset: style.offset || [0, 0], itemStyle: {color: style.color}, data: s.data};
          })
        });
        window.addEventListener('resize', function () { chart.resize(); });
      })();
      """;

  /** The page's own style, after {@link HtmlPage#BASE_CSS}. */
  private static final String CSS = """
      ul.tree,ul.tree ul{list-style:none;padding-left:1.4em;border-left:1px dashed #bbb}ul.tree{padding-left:.6em}
      ul.tree li{margin:.4em 0}.agent{display:inline-block;border:1px solid #ccc;border-radius:4px;padding:.2em .5em}
      .halted{border-color:#b00020;background:#fff3f4}.completed{border-color:#176f2c}
      .attacker{background:#fff6e5}.alert{background:#fffbe0}.chart{width:100%;height:320px;margin:.5em 0 1em}
      """;

  private final Map<String, Object> report;
  private final List<Alert> alerts;
  private final HtmlPage html;

  private HtmlReport(Map<String, Object> report, List<Alert> alerts) {
    this.report = Objects.requireNonNull(report, "report");
    this.alerts = List.copyOf(alerts);
    this.html = HtmlPage.begin("Custos run: " + report.get("scenario") + ", seed " + report.get("seed"), CSS);
  }

  /** The page of {@code result}: its {@link Report} and its scenario's extra alerts. */
  public static String of(RunResult result) {
    return render(Report.of(result).toMap(), result.scenario().attacker().alerts());
  }

  /** The page of a report's tree ({@link Report#toMap()}) with the scenario's extra alerts. */
  public static String render(Map<String, Object> report, List<Alert> alerts) {
    return new HtmlReport(report, alerts).page();
  }

  private String page() {
    header();
    tree();
    timeline();
    denied();
    approvals();
    credentials();
    audit();
    return html.end();
  }

  // ---------------------------------------------------------------------------------------------- sections

  private void header() {
    Map<String, Object> outcome = map(report.get("outcome"));
    boolean pass = "pass".equals(outcome.get("verdict"));
    html.raw("<h2 id=\"outcome\">Outcome</h2>\n<table>\n");
    html.row("Scenario", report.get("scenario"));
    html.row("Seed", report.get("seed"));
    html.row("Custos version", report.get("custosVersion"));
    html.raw("<tr><th>Verdict</th><td class=\"").raw(pass ? "ok" : "bad").raw("\">").text(outcome.get("verdict"))
        .raw("</td></tr>\n");
    Object containedAt = outcome.get("containedAtMs");
    html.row("Contained", Boolean.TRUE.equals(outcome.get("contained"))
        ? "yes, from " + time(containedAt) + " (" + containedAt + " ms)" : "no");
    html.row("Attacker steps that happened",
        outcome.get("attackerSteps") + " of " + list(report.get("attacker")).size());
    html.raw("</table>\n<h3>Expectations</h3>\n");
    List<Object> expectations = list(outcome.get("expectations"));
    if (expectations.isEmpty()) {
      html.raw("<p class=\"muted\">The scenario states no expectations.</p>\n");
      return;
    }
    html.raw("<table>\n<tr><th>Expectation</th><th>Result</th><th>Detail</th></tr>\n");
    for (Object o : expectations) {
      Map<String, Object> e = map(o);
      boolean ok = Boolean.TRUE.equals(e.get("ok"));
      html.raw("<tr><td>").text(e.get("name")).raw("</td><td class=\"").raw(ok ? "ok" : "bad").raw("\">")
          .raw(ok ? "ok" : "FAILED").raw("</td><td>").text(e.get("detail")).raw("</td></tr>\n");
    }
    html.raw("</table>\n");
  }

  private void tree() {
    html.raw("<h2 id=\"tree\">Delegation tree</h2>\n");
    List<Map<String, Object>> agents = list(report.get("agents")).stream().map(HtmlReport::map).toList();
    Map<Object, List<Map<String, Object>>> children = new LinkedHashMap<>();
    List<Map<String, Object>> roots = new ArrayList<>();
    Set<Object> ids = new HashSet<>();
    agents.forEach(a -> ids.add(a.get("id")));
    for (Map<String, Object> a : agents) {
      Object parent = a.get("parent");
      if (parent == null || !ids.contains(parent)) {
        roots.add(a);
      } else {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(a);
      }
    }
    if (roots.isEmpty()) {
      html.raw("<p class=\"muted\">No agents.</p>\n");
      return;
    }
    html.raw("<ul class=\"tree\">\n");
    for (Map<String, Object> root : roots) {
      agent(root, children);
    }
    html.raw("</ul>\n");
  }

  private void agent(Map<String, Object> a, Map<Object, List<Map<String, Object>>> children) {
    String status = String.valueOf(a.get("status"));
    Map<String, Object> grant = map(a.get("grant"));
    Map<String, Object> bounds = map(grant.get("bounds"));
    html.raw("<li><div class=\"agent ").raw(status.replaceAll("[^a-z-]", "")).raw("\"><strong>").text(a.get("role"))
        .raw("</strong> <code>").text(a.get("id")).raw("</code> ").text(a.get("type")).raw(" &middot; ")
        .raw("<span class=\"").raw("halted".equals(status) ? "bad" : "completed".equals(status) ? "ok" : "muted")
        .raw("\">").text(status).raw("</span>");
    if (a.get("haltReason") != null) {
      html.raw(": ").text(a.get("haltReason"));
    }
    html.raw("<br>budget ").text(a.get("budgetUsed")).raw(" / ").text(bounds.get("budget")).raw(", calls ")
        .text(a.get("calls")).raw(", strikes ").text(a.get("strikes")).raw(" / ").text(bounds.get("maxStrikes"))
        .raw(", ").text(time(a.get("startedAtMs"))).raw("&ndash;")
        .text(a.get("endedAtMs") == null ? "" : time(a.get("endedAtMs")))
        .raw("<br><span class=\"muted\">path</span> <code>").text(a.get("path")).raw("</code>");
    html.raw("<br><span class=\"muted\">grant</span> ");
    List<String> caps = new ArrayList<>();
    for (Object o : list(grant.get("capabilities"))) {
      Map<String, Object> c = map(o);
      StringBuilder cap = new StringBuilder().append(c.get("tool")).append(" ")
          .append(String.join(", ", list(c.get("resources")).stream().map(String::valueOf).toList()));
      if (c.get("maxCalls") != null) {
        cap.append(" (max ").append(c.get("maxCalls")).append(")");
      }
      if (Boolean.TRUE.equals(c.get("requiresApproval"))) {
        cap.append(" (approval)");
      }
      caps.add(cap.toString());
    }
    html.raw("<code>").text(caps.isEmpty() ? "nothing" : String.join("; ", caps)).raw("</code></div>\n");
    List<Map<String, Object>> kids = children.getOrDefault(a.get("id"), List.of());
    if (!kids.isEmpty()) {
      html.raw("<ul>\n");
      for (Map<String, Object> kid : kids) {
        agent(kid, children);
      }
      html.raw("</ul>\n");
    }
    html.raw("</li>\n");
  }

  /** One timeline row: its time, its order among rows of that time, and its cells. */
  private record Row(long atMs, int order, String cssClass, String attacker, String agent, String what,
      String series) { }

  private void timeline() {
    html.raw("<h2 id=\"timeline\">Timeline</h2>\n");
    html.raw("<p class=\"muted\">Attacker steps and alerts against the agents' actions, by virtual time (mm:ss)."
        + "</p>\n");
    List<Row> rows = new ArrayList<>();
    for (Object o : list(report.get("attacker"))) {
      Map<String, Object> s = map(o);
      if (s.get("atMs") == null) {
        continue;
      }
      boolean happened = Boolean.TRUE.equals(s.get("happened"));
      rows.add(new Row(((Number) s.get("atMs")).longValue(), rows.size(), "attacker",
          "step " + s.get("step") + " " + s.get("technique") + ": "
              + (happened ? "happened" : "did not happen, last try blocked (" + s.get("blockedBy") + ")"), "", "",
          happened ? "attacker step" : "attacker step blocked"));
    }
    for (Alert alert : alerts) {
      rows.add(new Row(alert.at().toMillis(), rows.size(), "alert",
          "alert" + alert.host().map(h -> " on " + h).orElse("") + ": " + alert.text(), "", "", "alert"));
    }
    for (Object o : list(report.get("events"))) {
      Map<String, Object> e = map(o);
      rows.add(new Row(((Number) e.get("atMs")).longValue(), rows.size(), "",
          "", String.valueOf(e.get("agent")), describe(e), series(e)));
    }
    rows.sort(Comparator.comparingLong(Row::atMs).thenComparingInt(Row::order));
    chart(rows);
    html.raw("<table>\n<tr><th>Time</th><th>Attacker</th><th>Agent</th><th>Action</th></tr>\n");
    for (Row r : rows) {
      html.raw("<tr").raw(r.cssClass().isEmpty() ? "" : " class=\"" + r.cssClass() + "\"").raw("><td>")
          .text(time(r.atMs())).raw("</td><td>").text(r.attacker()).raw("</td><td>")
          .raw(r.agent().isEmpty() ? "" : "<code>").text(r.agent()).raw(r.agent().isEmpty() ? "" : "</code>")
          .raw("</td><td>").text(r.what()).raw("</td></tr>\n");
    }
    html.raw("</table>\n");
  }

  /** The chart's series of an agent's event. */
  private static String series(Map<String, Object> e) {
    String kind = String.valueOf(e.get("kind"));
    if ("halt".equals(kind) || "compromise".equals(kind)) {
      return kind;
    }
    if ("deny".equals(e.get("decision")) || "credential-rejected".equals(kind)) {
      return "denied";
    }
    if ("approval".equals(kind) || "approval-required".equals(e.get("decision"))) {
      return "approval";
    }
    return "agent action";
  }

  /**
   * The timeline as a scatter chart (ECharts, inlined): one lane for the attacker, one per agent in the report's
   * order. Its data is JSON with {@code <}, {@code >} and {@code &} escaped, so no text can end the script block.
   */
  private void chart(List<Row> rows) {
    List<String> lanes = new ArrayList<>();
    lanes.add("attacker");
    Map<String, String> laneOf = new LinkedHashMap<>();
    for (Object o : list(report.get("agents"))) {
      Map<String, Object> a = map(o);
      String lane = a.get("id") + " " + a.get("role");
      laneOf.put(String.valueOf(a.get("id")), lane);
      lanes.add(lane);
    }
    Map<String, List<Object>> series = new LinkedHashMap<>();
    for (String name : List.of("attacker step", "attacker step blocked", "alert", "agent action", "approval",
        "denied", "compromise", "halt")) {
      series.put(name, new ArrayList<>());
    }
    for (Row r : rows) {
      String lane = r.agent().isEmpty() ? "attacker" : laneOf.get(r.agent());
      if (lane == null) {
        lane = r.agent();
        laneOf.put(r.agent(), lane);
        lanes.add(lane);
      }
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("name", r.agent().isEmpty() ? r.attacker() : r.what());
      point.put("value", List.of(r.atMs() / 1000.0, lane));
      series.get(r.series()).add(point);
    }
    List<Object> seriesList = new ArrayList<>();
    Map<String, String> symbols = Map.of("attacker step", "diamond", "attacker step blocked", "emptyDiamond",
        "alert", "triangle", "halt", "rect", "compromise", "pin");
    series.forEach((name, data) -> {
      if (!data.isEmpty()) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("symbol", symbols.getOrDefault(name, "circle"));
        s.put("data", data);
        seriesList.add(s);
      }
    });
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("lanes", lanes);
    data.put("series", seriesList);
    html.raw("<div id=\"timeline-chart\" class=\"chart\"></div>\n");
    html.raw("<noscript><p class=\"muted\">The chart needs JavaScript; the table below holds the same timeline.</p>"
        + "</noscript>\n");
    html.chartLibrary().script("DATA", data, CHART_SCRIPT);
  }

  private static String describe(Map<String, Object> e) {
    String kind = String.valueOf(e.get("kind"));
    return "#" + e.get("seq") + " " + kind + switch (kind) {
      case "tool-call" -> " " + e.get("tool") + " " + e.get("resource") + ": " + e.get("decision")
          + (Boolean.TRUE.equals(e.get("executed")) ? ", executed" : "") + " (" + e.get("reason") + ")";
      case "delegation" -> " " + e.get("role") + (e.get("child") == null ? "" : " as " + e.get("child")) + ": "
          + e.get("decision") + " (" + e.get("reason") + ")";
      case "approval" -> ": " + e.get("status") + (e.get("call") == null ? "" : " for #" + e.get("call"))
          + (e.get("withdrawnAtMs") == null ? "" : ", withdrawn at " + time(e.get("withdrawnAtMs")));
      case "credential-rejected" -> " " + e.get("tool") + " presented by " + e.get("presentedBy") + ": "
          + e.get("reason");
      case "halt" -> ": " + e.get("reason") + ", subtree " + e.get("subtree");
      case "compensation" -> " " + e.get("tool") + " " + e.get("resource") + " undoing #" + e.get("effect") + ": "
          + (Boolean.TRUE.equals(e.get("executed")) ? "executed" : "failed");
      case "compromise" -> ": " + e.get("behaviour") + (e.get("leakedFrom") == null ? ""
          : ", given " + e.get("leakedFrom") + "'s credential " + e.get("leakedCredential"));
      case "fail" -> ": " + e.get("reason");
      default -> "";
    };
  }

  private void denied() {
    html.raw("<h2 id=\"denied\">Denied actions and halts</h2>\n");
    List<Map<String, Object>> events = list(report.get("events")).stream().map(HtmlReport::map).toList();
    List<Map<String, Object>> denials = events.stream().filter(e -> "deny".equals(e.get("decision"))
        || "credential-rejected".equals(e.get("kind"))).toList();
    List<Map<String, Object>> halts = events.stream().filter(e -> "halt".equals(e.get("kind"))).toList();
    html.raw("<h3>Halts</h3>\n");
    eventTable(halts, "No agent was halted.");
    html.raw("<h3>Denied actions</h3>\n");
    eventTable(denials, "Nothing was denied.");
  }

  private void approvals() {
    html.raw("<h2 id=\"approvals\">Approvals</h2>\n");
    eventTable(list(report.get("events")).stream().map(HtmlReport::map)
        .filter(e -> "approval".equals(e.get("kind"))).toList(), "No approval was asked for.");
  }

  private void eventTable(List<Map<String, Object>> events, String none) {
    if (events.isEmpty()) {
      html.raw("<p class=\"muted\">").text(none).raw("</p>\n");
      return;
    }
    html.raw("<table>\n<tr><th>Time</th><th>Agent</th><th>Event</th></tr>\n");
    for (Map<String, Object> e : events) {
      html.raw("<tr><td>").text(time(e.get("atMs"))).raw("</td><td><code>").text(e.get("agent")).raw("</code></td><td>")
          .text(describe(e)).raw("</td></tr>\n");
    }
    html.raw("</table>\n");
  }

  private void credentials() {
    html.raw("<h2 id=\"credentials\">Credentials</h2>\n");
    List<Object> credentials = list(report.get("credentials"));
    if (credentials.isEmpty()) {
      html.raw("<p class=\"muted\">No credential was issued.</p>\n");
      return;
    }
    html.raw("<table>\n<tr><th>Id</th><th>Holder</th><th>Audience</th><th>Issued</th><th>Expires</th><th>Revoked</th>"
        + "</tr>\n");
    for (Object o : credentials) {
      Map<String, Object> c = map(o);
      html.raw("<tr><td><code>").text(c.get("id")).raw("</code></td><td><code>").text(c.get("holder"))
          .raw("</code></td><td>").text(c.get("audience")).raw("</td><td>").text(time(c.get("issuedAtMs")))
          .raw("</td><td>").text(time(c.get("expiresAtMs"))).raw("</td><td>").text(time(c.get("revokedAtMs")))
          .raw("</td></tr>\n");
    }
    html.raw("</table>\n");
  }

  private void audit() {
    Map<String, Object> audit = map(report.get("audit"));
    boolean verified = Boolean.TRUE.equals(audit.get("verified"));
    html.raw("<h2 id=\"audit\">Audit</h2>\n<table>\n");
    html.row("Records", audit.get("records"));
    html.raw("<tr><th>Head hash</th><td><code>").text(audit.get("headHash")).raw("</code></td></tr>\n");
    html.raw("<tr><th>Chain</th><td class=\"").raw(verified ? "ok" : "bad").raw("\">")
        .raw(verified ? "verified" : "NOT verified").raw("</td></tr>\n</table>\n");
  }

  // ---------------------------------------------------------------------------------------------- helpers

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
