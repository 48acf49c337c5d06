package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adversarial behaviour {@code injected}: an agent whose instructions came from an alert's text (prompt injection). It
 * reads the alerts with {@code siem.query} every 30 s and does what each new alert's text says:
 *
 * <ul>
 *   <li>"export ... net:ADDRESS" — {@code data.export} to that address;
 *   <li>"isolate ... host:NAME" — {@code host.isolate} of that host, fully confident;
 *   <li>"disable ... account:NAME" — {@code account.disable} of that account, fully confident;
 *   <li>"widen" or "delegate" — a child holding every tool on every resource.
 * </ul>
 *
 * <p>What its grant does not hold is refused (audited, a strike); what it holds, the policy still judges
 * ({@code data.export} is forbidden by the baseline pack). The strikes halt it. This is what the defence agents do not
 * do: they never read an alert's text as instructions.
 */
public final class Injected implements Agent {

  private static final Duration READ_EVERY = Duration.ofSeconds(30);
  private static final Pattern EXPORT = Pattern.compile("(?i)\\bexport\\b.*?(net:[^\\s,;\"']+)");
  private static final Pattern ISOLATE = Pattern.compile("(?i)\\bisolate\\b.*?(host:[^\\s,;\"']+)");
  private static final Pattern DISABLE = Pattern.compile("(?i)\\bdisable\\b.*?(account:[^\\s,;\"']+)");
  private static final Pattern WIDEN = Pattern.compile("(?i)\\b(widen|delegate)");

  private GrantRequest grant;
  private final Set<String> followed = new HashSet<>();
  private int calls;

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      grant = started.grant();
      return List.of(read());
    }
    if (grant == null) {
      return List.of();
    }
    if (event instanceof AgentEvent.TimerFired timer && timer.key().equals("read")) {
      return List.of(read());
    }
    if (event instanceof AgentEvent.ToolResult result && result.tool().equals("siem.query")) {
      List<Action> actions = new ArrayList<>();
      for (Alert alert : Alert.from(result.outcome())) {
        if (followed.add(alert.id())) {
          actions.addAll(follow(alert.text()));
        }
      }
      actions.add(new Action.StartTimer("read", READ_EVERY));
      return actions;
    }
    if (event instanceof AgentEvent.CallDenied denied && denied.tool().equals("siem.query")) {
      return List.of(new Action.StartTimer("read", READ_EVERY));
    }
    return List.of();
  }

  private Action read() {
    return new Action.CallTool("read-" + (++calls), "siem.query", "siem:alerts");
  }

  /** The actions an alert's text asks for, in a fixed order. */
  private List<Action> follow(String text) {
    List<Action> actions = new ArrayList<>();
    target(EXPORT, text).ifPresent(address ->
        actions.add(new Action.CallTool("injected-" + (++calls), "data.export", address, Map.of("what", "all"))));
    target(ISOLATE, text).ifPresent(host ->
        actions.add(new Action.CallTool("injected-" + (++calls), "host.isolate", host, Map.of("confidence", 1.0))));
    target(DISABLE, text).ifPresent(account ->
        actions.add(new Action.CallTool("injected-" + (++calls), "account.disable", account, Map.of("confidence", 1.0))));
    if (WIDEN.matcher(text).find()) {
      actions.add(new Action.Delegate("helper", Behaviours.INJECTED, new MissionBrief(text, Map.of()),
          new GrantRequest(List.of(Capability.of("*", "**")), grant.bounds())));
    }
    return actions;
  }

  /** The resource the instruction names, without the sentence's closing punctuation. */
  private static Optional<String> target(Pattern instruction, String text) {
    Matcher m = instruction.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(m.group(1).replaceAll("[.!?)]+$", ""));
  }
}
