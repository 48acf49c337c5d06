package dev.custos.sim.env;

import dev.custos.files.Problems;
import dev.custos.scenario.Attacker;
import dev.custos.scenario.Detection;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The spec's ransomware example, read from the shipped file, and variants of it. */
final class Scenarios {

  static final String WS1 = "host:corp/fin-ws-01";
  static final String WS2 = "host:corp/fin-ws-02";
  static final String DC = "host:core/dc-01";
  static final String SVC = "account:svc-backup";
  static final String EXFIL = "net:203.0.113.7";

  private Scenarios() {}

  static Scenario ransomware() {
    Problems problems = new Problems();
    Scenario scenario = ScenarioFile.read(Path.of("scenarios", "ransomware-outbreak.yaml"), problems)
        .orElseThrow(() -> new AssertionError(problems.lines()));
    return scenario;
  }

  /** The example with another detection and no extra alerts. */
  static Scenario ransomware(Detection detection, boolean extraAlerts) {
    Scenario s = ransomware();
    Attacker a = s.attacker();
    return new Scenario(s.name(), s.description(), s.seed(), s.duration(), s.environment(),
        new Attacker(a.start(), a.steps(), detection, extraAlerts ? a.alerts() : List.of()), s.supervisor(),
        s.compromise(), s.expect());
  }

  static Scenario ransomwareSeenAtOnce() {
    return ransomware(new Detection(1.0, Duration.ofSeconds(30)), true);
  }
}
