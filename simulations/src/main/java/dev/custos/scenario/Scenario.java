package dev.custos.scenario;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A scenario (spec/scenarios.md): an environment, an attacker's playbook, the supervised mission, the compromises and
 * what the run must show. Made by {@link ScenarioFile#read} from a file, or by code.
 *
 * <p>Guarantees, beyond each part's own: every host the attacker names ({@code start}, a step's {@code on}, {@code
 * from}, {@code to}, an alert's {@code host}) and every account a step uses is declared in the environment; every alert
 * and every compromise comes before the end of the run. Immutable.
 *
 * @param name the file's {@code scenario} field ({@code ransomware-outbreak})
 * @param description what it is about
 * @param seed the seed of the run's random source unless the run is given another; 0 unless stated
 * @param duration the virtual time limit of a run; longer than zero
 * @param environment the simulated hosts, accounts and links
 * @param attacker the playbook
 * @param supervisor the mission and how it is supervised
 * @param compromise the agents compromised during the run, in file order; none unless stated
 * @param expect what a run must show; {@link Expect#NONE} unless stated
 */
public record Scenario(String name, Optional<String> description, long seed, Duration duration,
    Environment environment, Attacker attacker, SupervisorSetup supervisor, List<Compromise> compromise,
    Expect expect) {

  /**
   * The instant a run starts, in virtual time: times in a scenario ({@code at}, the grant's {@code deadline}) count
   * from it, and a report's milliseconds are milliseconds since it.
   */
  public static final Instant START = Instant.EPOCH;

  public Scenario {
    Names.requireName(name, "a scenario name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(attacker, "attacker");
    Objects.requireNonNull(supervisor, "supervisor");
    compromise = List.copyOf(compromise);
    Objects.requireNonNull(expect, "expect");
    if (seed < 0) {
      throw new IllegalArgumentException("a seed may not be negative, got " + seed);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("a scenario's duration must be longer than zero, got " + duration);
    }
    requireHost(environment, attacker.start(), "the attacker's start");
    for (AttackStep step : attacker.steps()) {
      step.on().ifPresent(id -> requireHost(environment, id, "a step's on"));
      step.from().ifPresent(id -> requireHost(environment, id, "a step's from"));
      step.to().ifPresent(to -> {
        if (to instanceof Target.HostId host) {
          requireHost(environment, host.id(), "a step's to");
        }
      });
      step.account().ifPresent(id -> {
        if (environment.account(id).isEmpty()) {
          throw new IllegalArgumentException("a step's account " + id + " is not declared");
        }
      });
    }
    for (Alert alert : attacker.alerts()) {
      alert.host().ifPresent(id -> requireHost(environment, id, "an alert's host"));
      requireBefore(alert.at(), duration, "an alert");
    }
    for (Compromise entry : compromise) {
      requireBefore(entry.at(), duration, "a compromise");
    }
  }

  private static void requireHost(Environment environment, String id, String what) {
    if (environment.host(id).isEmpty()) {
      throw new IllegalArgumentException(what + " " + id + " is not a declared host");
    }
  }

  private static void requireBefore(Duration at, Duration duration, String what) {
    if (at.compareTo(duration) >= 0) {
      throw new IllegalArgumentException(what + " at " + at + " is not before the end of the run, " + duration);
    }
  }
}
