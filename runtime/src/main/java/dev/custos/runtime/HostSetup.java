package dev.custos.runtime;

import dev.custos.agent.Agent;
import dev.custos.agent.AgentInfo;
import dev.custos.agent.MissionBrief;
import dev.custos.capability.Grant;
import dev.custos.identity.AgentId;
import dev.custos.policy.MissionInfo;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Everything an agent host starts with. Made by the host that delegates (or the supervisor, for a root) from what the
 * supervisor decided; the agent inside sees only {@code self}, {@code brief} and a description of {@code grant}.
 *
 * @param parent null for a mission's root agent
 */
record HostSetup(AgentInfo self, MissionInfo mission, List<AgentId> lineage, Grant grant, MissionBrief brief, Agent agent,
    ActorRef<Supervisor.Command> supervisor, ActorRef<AgentHost.Command> parent, Services services,
    Duration approvalTimeout) {

  HostSetup {
    lineage = List.copyOf(lineage);
  }
}
