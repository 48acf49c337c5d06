package dev.custos.sim.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A report with nothing in it (the pieces every page shares are {@code HtmlPageTest}'s). */
class HtmlReportTest {

  @Test
  void anEmptyRunStillHasEverySectionAndSaysThereIsNothing() {
    Map<String, Object> outcome = new LinkedHashMap<>();
    outcome.put("verdict", "pass");
    outcome.put("contained", false);
    outcome.put("containedAtMs", null);
    outcome.put("attackerSteps", 0);
    outcome.put("expectations", List.of());
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("scenario", "<empty>");
    report.put("seed", 3L);
    report.put("outcome", outcome);
    report.put("agents", List.of());
    report.put("events", List.of());
    report.put("credentials", List.of());
    report.put("attacker", List.of());
    report.put("audit", Map.of("records", 0, "headHash", "", "verified", false));

    String page = HtmlReport.render(report, List.of());

    assertThat(page).startsWith("<!DOCTYPE html>").contains("<title>Custos run: &lt;empty&gt;, seed 3</title>")
        .contains("The scenario states no expectations.").contains("No agents.").contains("No agent was halted.")
        .contains("Nothing was denied.").contains("No approval was asked for.").contains("No credential was issued.")
        .contains("<td class=\"bad\">NOT verified</td>").contains("<tr><th>Contained</th><td>no</td></tr>");
  }
}
