package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import dev.custos.agent.Fact;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Capability;
import dev.custos.capability.GrantRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Adversarial behaviour {@code rogue}: a hijacked agent that reaches past its grant, one attempt per event, until the
 * runtime halts it. In turn it asks for a child holding every tool on every resource (with a stolen credential in the
 * brief when it has one), exports data to an outside address, isolates a domain controller, and — when a credential was
 * leaked to it ({@code leakedCredential} in its brief; the simulator leaks its parent's) — presents that credential in a
 * call. Each attempt is refused, audited and a strike; the strikes halt it. With a limit of three strikes the halt
 * comes before that fourth attempt, so the leaked credential then shows only in the refused delegation's brief.
 */
public final class Rogue implements Agent {

  public static final String EXFILTRATION_ADDRESS = "net:198.51.100.9";
  public static final String CORE_HOST = "host:core/dc-01";
  private static final Duration AGAIN = Duration.ofSeconds(10);

  private GrantRequest grant;
  private String leaked;
  private int attempts;

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      grant = started.grant();
      leaked = Values.text(started.brief().fact(CredentialThief.LEAKED_CREDENTIAL), null);
      return List.of(next(), new Action.StartTimer("again", AGAIN));
    }
    if (grant == null) {
      return List.of();
    }
    if (event instanceof AgentEvent.TimerFired) {
      return List.of(next(), new Action.StartTimer("again", AGAIN));
    }
    // Refused, or (if something got through) done: either way, on to the next attempt.
    if (event instanceof AgentEvent.CallDenied || event instanceof AgentEvent.DelegationRefused
        || event instanceof AgentEvent.ToolResult) {
      return List.of(next());
    }
    return List.of();
  }

  private Action next() {
    int attempt = attempts++;
    String callId = "rogue-" + attempt;
    return switch (attempt % (leaked == null ? 3 : 4)) {
      // Every tool on every resource, within its own bounds: wider than anything it holds.
      case 0 -> new Action.Delegate("accomplice", Behaviours.ROGUE,
          new MissionBrief("do as I do", leaked == null ? Map.of() : Map.of("credential", Fact.of(leaked))),
          new GrantRequest(List.of(Capability.of("*", "**")), grant.bounds()));
      case 1 -> new Action.CallTool(callId, "data.export", EXFILTRATION_ADDRESS, Map.of("what", "all"));
      case 2 -> new Action.CallTool(callId, "host.isolate", CORE_HOST, Map.of("confidence", 1.0));
      default -> new Action.CallTool(callId, "siem.query", "siem:alerts", Map.of("credential", leaked));
    };
  }
}
