package dev.custos.sim.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.custos.files.Problems;
import dev.custos.scenario.Scenario;
import dev.custos.scenario.ScenarioFile;
import dev.custos.sim.SimulationSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.LoggerFactory;

/**
 * Every scenario of the library ({@code scenarios/*.yaml}): it validates, passes its own expectations with its default
 * seed, and a second run of that seed gives byte-identical JSON. One run takes some tens of milliseconds once warm, so
 * the whole library is a few seconds.
 */
class ScenarioLibraryTest {

  static final Path LIBRARY = Path.of("scenarios");

  private static final Logger RUNTIME_LOG = (Logger) LoggerFactory.getLogger("dev.custos.runtime");
  private static final Logger PEKKO_LOG = (Logger) LoggerFactory.getLogger("org.apache.pekko");
  private static Level savedRuntime;
  private static Level savedPekko;

  @BeforeAll
  static void quietLogs() {
    savedRuntime = RUNTIME_LOG.getLevel();
    savedPekko = PEKKO_LOG.getLevel();
    RUNTIME_LOG.setLevel(Level.ERROR);
    PEKKO_LOG.setLevel(Level.ERROR);
  }

  @AfterAll
  static void restoreLogs() {
    RUNTIME_LOG.setLevel(savedRuntime);
    PEKKO_LOG.setLevel(savedPekko);
  }

  static List<Path> library() throws IOException {
    try (Stream<Path> files = Files.list(LIBRARY)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void theLibraryHoldsTheIncidentPatternsAndOneScenarioPerBehaviour() throws IOException {
    List<String> names = library().stream().map(f -> f.getFileName().toString()).toList();
    assertTrue(names.size() >= 10, names.toString());
    for (String expected : List.of("ransomware-outbreak.yaml", "lateral-movement-credential-dumping.yaml",
        "cloud-key-leak.yaml", "phishing-account-takeover.yaml", "insider-exfiltration.yaml",
        "supply-chain-update.yaml")) {
      assertTrue(names.contains(expected), expected + " in " + names);
    }
  }

  @TestFactory
  Stream<DynamicTest> eachScenarioValidatesPassesWithItsSeedAndRunsDeterministically() throws IOException {
    return library().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      Problems problems = new Problems();
      Scenario scenario = ScenarioFile.read(file, problems).orElseThrow(() -> new AssertionError(problems.lines()));
      assertTrue(problems.isEmpty(), problems.lines().toString());
      assertEquals(file.getFileName().toString(), scenario.name() + ".yaml", "the file is named after its scenario");
      assertTrue(scenario.description().isPresent(), "a library scenario says what it models");

      Report first = run(scenario);
      assertTrue(first.passed(), () -> scenario.name() + ": " + first.expectations());
      assertTrue(!first.expectations().isEmpty(), "a library scenario states what to check");
      Report second = run(scenario);
      assertEquals(first.toJson(), second.toJson(), "two runs of seed " + scenario.seed());
    }));
  }

  private static Report run(Scenario scenario) {
    try (SimulationSystem sim = SimulationSystem.create("library-test")) {
      return Report.of(ScenarioRunner.run(scenario, scenario.seed(), sim));
    }
  }
}
