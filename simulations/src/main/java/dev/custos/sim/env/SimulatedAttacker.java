package dev.custos.sim.env;

import dev.custos.scenario.Alert;
import dev.custos.scenario.AttackStep;
import dev.custos.scenario.Detection;
import dev.custos.scenario.Scenario;
import dev.custos.sim.SeededRandom;
import dev.custos.sim.SimulationRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The attacker's playbook on virtual time (spec/scenarios.md, "Blocking rules"): steps in order, each {@code after}
 * the moment the step before it happened (the start, for the first); a step happens unless the {@link World} blocks
 * it, and a blocked one is tried again every {@code max(after, 30s)} until the run ends while later steps wait. A step
 * that happens changes the world ({@link World#stepHappened}) and, with the detection probability (a draw from the
 * seeded stream {@code attacker/detection}, one per step that happens), raises a SIEM alert {@code delay} later. The
 * scenario's extra alerts are raised at their {@code at}. Nothing is scheduled at or after the end of the run.
 *
 * <p>Made by {@link #start}; used on the simulation thread only. {@link #record()} is the report's {@code attacker}.
 */
public final class SimulatedAttacker {

  /** The shortest wait between two tries of a blocked step. */
  public static final Duration MIN_RETRY = Duration.ofSeconds(30);

  /**
   * One step of the playbook as the run saw it: the report's {@code attacker} entry.
   *
   * @param step 1-based
   * @param atMs when it happened; for a step that did not, its last try; null for a step never tried
   * @param happened whether it happened
   * @param blockedBy why its last try failed ({@code "isolated host:corp/fin-ws-02"}); for a step never tried, what
   *     would block it at the end of the run, or {@code "waiting for step N"}; null when it happened
   * @param attempts how many times it was tried
   * @param firstTryMs when it was first due; null if never tried
   */
  public record StepRecord(int step, String technique, Long atMs, boolean happened, String blockedBy, int attempts,
      Long firstTryMs) {}

  /** Runs {@code action} at virtual time {@code at} ({@link SimulationRun#at}). */
  @FunctionalInterface
  interface Timers extends BiConsumer<Instant, Runnable> {}

  private final World world;
  private final List<AttackStep> steps;
  private final Detection detection;
  private final SeededRandom random;
  private final Timers timers;
  private final Instant end;
  private final StepRecord[] records;
  private int waiting;

  private SimulatedAttacker(World world, SeededRandom random, Timers timers) {
    Scenario scenario = world.scenario();
    this.world = world;
    this.steps = scenario.attacker().steps();
    this.detection = scenario.attacker().detection();
    this.random = random;
    this.timers = timers;
    this.end = world.start().plus(scenario.duration());
    this.records = new StepRecord[steps.size()];
  }

  /**
   * Starts the attacker of {@code world}'s scenario on {@code run}: schedules its first step and the extra alerts.
   * Detection draws come from {@code run.random("attacker/detection")}.
   */
  public static SimulatedAttacker start(World world, SimulationRun run) {
    return start(world, run.random("attacker/detection"), run::at);
  }

  static SimulatedAttacker start(World world, SeededRandom random, Timers timers) {
    SimulatedAttacker attacker = new SimulatedAttacker(Objects.requireNonNull(world, "world"), random, timers);
    attacker.begin();
    return attacker;
  }

  private void begin() {
    for (Alert alert : world.scenario().attacker().alerts()) {
      String host = alert.host().map(world::hostResource).orElse(null);
      schedule(world.start().plus(alert.at()), () -> world.raise(host, null, alert.text(), null, null));
    }
    Instant first = world.start().plus(steps.get(0).after());
    schedule(first, () -> attempt(0));
  }

  /** The step the attacker is at: the first that has not happened (the number of steps when all did). */
  public int nextStep() {
    return waiting;
  }

  /** Whether every step happened. */
  public boolean completed() {
    return waiting == steps.size();
  }

  /** Every step's record, in playbook order; computed now (a step never tried is described by the world now). */
  public List<StepRecord> record() {
    List<StepRecord> list = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      StepRecord r = records[i];
      if (r == null) {
        AttackStep step = steps.get(i);
        String why = world.blockedBy(step).orElse("waiting for step " + (waiting + 1));
        r = new StepRecord(i + 1, step.technique(), null, false, why, 0, null);
      }
      list.add(r);
    }
    return List.copyOf(list);
  }

  private void attempt(int index) {
    AttackStep step = steps.get(index);
    long now = world.nowMs();
    StepRecord before = records[index];
    int attempts = before == null ? 1 : before.attempts() + 1;
    Long firstTry = before == null ? now : before.firstTryMs();
    Optional<String> blocked = world.blockedBy(step);
    if (blocked.isPresent()) {
      records[index] = new StepRecord(index + 1, step.technique(), now, false, blocked.get(), attempts, firstTry);
      Duration retry = step.after().compareTo(MIN_RETRY) < 0 ? MIN_RETRY : step.after();
      schedule(world.start().plusMillis(now).plus(retry), () -> attempt(index));
      return;
    }
    records[index] = new StepRecord(index + 1, step.technique(), now, true, null, attempts, firstTry);
    world.stepHappened(step);
    waiting = index + 1;
    if (random.nextDouble() < detection.probability()) {
      String host = world.hostResource(step.origin().orElse(world.scenario().attacker().start()));
      String to = step.to().map(world::targetResource).orElse(null);
      String account = step.account().map(id -> "account:" + id).orElse(null);
      String text = "ATT&CK " + step.technique() + " observed on " + host;
      schedule(world.start().plusMillis(now).plus(detection.delay()),
          () -> world.raise(host, step.technique(), text, to, account));
    }
    if (index + 1 < steps.size()) {
      schedule(world.start().plusMillis(now).plus(steps.get(index + 1).after()), () -> attempt(index + 1));
    }
  }

  private void schedule(Instant at, Runnable action) {
    if (at.isBefore(end)) {
      timers.accept(at, action);
    }
  }
}
