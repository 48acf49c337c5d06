package dev.custos.agents;

import dev.custos.agent.Action;
import dev.custos.agent.Agent;
import dev.custos.agent.AgentEvent;
import java.util.List;
import java.util.Map;

/**
 * Adversarial behaviour {@code credential-thief}: presents a credential that is not its own. An agent never sees a
 * credential (the runtime presents its own for it), so the thief uses one that leaked to it: the fact
 * {@value #LEAKED_CREDENTIAL} of its brief, which the simulator fills with a live credential of its parent (one the tools
 * would accept from the parent). It puts that credential in the arguments of a call its grant otherwise allows, and
 * repeats on every answer. The runtime refuses each such call ({@code foreign-credential}: audited, and a strike), so
 * strikes halt it. With nothing leaked (the simulator has no parent's credential to give a compromised root) it has
 * nothing to steal, and fails.
 */
public final class CredentialThief implements Agent {

  /** The brief fact holding the leaked credential. */
  public static final String LEAKED_CREDENTIAL = "leakedCredential";

  private String stolen;
  private Targets.Call target;
  private int attempts;

  @Override
  public boolean blocking() {
    return false;
  }

  @Override
  public List<Action> onEvent(AgentEvent event) {
    if (event instanceof AgentEvent.MissionStarted started) {
      stolen = Values.text(started.brief().fact(LEAKED_CREDENTIAL), null);
      if (stolen == null) {
        return List.of(new Action.Fail("no credential leaked to it (no '" + LEAKED_CREDENTIAL + "' fact)"));
      }
      target = Targets.cheapest(started.grant(), started.brief()).orElse(new Targets.Call("siem.query", "siem:alerts"));
      return List.of(steal());
    }
    if (target != null && (event instanceof AgentEvent.CallDenied || event instanceof AgentEvent.ToolResult)) {
      return List.of(steal());
    }
    return List.of();
  }

  private Action steal() {
    attempts++;
    return new Action.CallTool("steal-" + attempts, target.tool(), target.resource(), Map.of("credential", stolen));
  }
}
