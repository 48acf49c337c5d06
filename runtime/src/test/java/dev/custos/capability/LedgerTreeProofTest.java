package dev.custos.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.custos.Seeds;
import dev.custos.identity.AgentId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of consume, delegate (reserve) and end (release) on a tree of ledgers, checked after every step
 * against a model that only adds up what each agent itself spent: no subtree ever spends more budget, or more calls of a
 * limited capability, than the grant at its root; and every ledger's budget left is what the model says it must be.
 */
class LedgerTreeProofTest {

  private static final int TREES = 400;
  private static final int STEPS = 300;

  /** One agent of the model: its ledger, its parent, and what it spent itself. */
  private static final class Node {
    final AgentId id;
    final Ledger ledger;
    final Node parent;
    final List<Node> children = new ArrayList<>();
    /** For each capability, the (agent, capability) whose call limit it was carved from, or itself. */
    final Node[] limitOwner;
    final int[] limitCapability;
    long spent;
    final int[] calls;
    boolean alive = true;
    boolean released;
    /** Budget the model expects the parent to have charged for this child once it was released. */
    long chargedToParent;

    Node(AgentId id, Ledger ledger, Node parent) {
      this.id = id;
      this.ledger = ledger;
      this.parent = parent;
      int n = ledger.grant().capabilities().size();
      this.limitOwner = new Node[n];
      this.limitCapability = new int[n];
      this.calls = new int[n];
    }
  }

  @Test
  void subtreesNeverSpendMoreThanTheirRootGrant() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    int consumed = 0;
    int released = 0;
    for (int tree = 0; tree < TREES; tree++) {
      String where = "tree " + tree + ", " + Seeds.describe(seed);
      List<Node> nodes = new ArrayList<>();
      Node root = new Node(new AgentId("a0"), new Ledger(Grant.root(rootRequest(random))), null);
      for (int c = 0; c < root.limitOwner.length; c++) {
        root.limitOwner[c] = root;
        root.limitCapability[c] = c;
      }
      nodes.add(root);
      for (int step = 0; step < STEPS; step++) {
        List<Node> alive = nodes.stream().filter(n -> n.alive).toList();
        if (alive.isEmpty()) {
          break;
        }
        Node node = alive.get(random.nextInt(alive.size()));
        int roll = random.nextInt(10);
        if (roll < 5) {
          consumed += consume(node, random) ? 1 : 0;
        } else if (roll < 8) {
          delegate(node, nodes, random);
        } else if (node != root) {
          end(node, random);
          released++;
        }
        check(nodes, where);
      }
    }
    assertTrue(consumed > TREES * 20 && released > TREES * 10, consumed + " charges, " + released + " ends");
  }

  private static boolean consume(Node node, SplittableRandom random) {
    int n = node.ledger.grant().capabilities().size();
    if (n == 0) {
      return false;
    }
    int capability = random.nextInt(n);
    long cost = random.nextInt(30);
    ChargeResult result = node.ledger.consume(capability, cost);
    if (result instanceof ChargeResult.Charged) {
      node.spent += cost;
      node.calls[capability]++;
      return true;
    }
    return false;
  }

  private static void delegate(Node node, List<Node> nodes, SplittableRandom random) {
    Ledger ledger = node.ledger;
    List<Capability> capabilities = new ArrayList<>();
    List<Capability> held = ledger.grant().capabilities();
    for (int p = 0; p < held.size(); p++) {
      OptionalInt left = ledger.callsLeft(p);
      if (random.nextInt(4) == 0 || left.isPresent() && left.getAsInt() <= 0) {
        continue;
      }
      Capability from = held.get(p);
      OptionalInt calls = left.isPresent() ? OptionalInt.of(1 + random.nextInt(left.getAsInt())) : OptionalInt.empty();
      capabilities.add(new Capability(from.tool(), from.resources(), calls, from.requiresApproval()));
    }
    Bounds own = ledger.grant().bounds();
    Bounds bounds = new Bounds(random.nextLong(Math.max(1, ledger.budgetLeft() + 2)), own.deadline(),
        Math.max(0, own.maxDepth() - 1), own.maxChildren(), Math.max(1, random.nextInt(Math.max(1, ledger.agentSlotsLeft()) + 1)),
        own.rate(), own.maxStrikes());
    DelegationResult result = Attenuation.decide(ledger, new GrantRequest(capabilities, bounds));
    if (result instanceof DelegationResult.Granted granted) {
      Node child = new Node(new AgentId("a" + nodes.size()), new Ledger(granted.grant()), node);
      ledger.reserve(child.id, granted);
      for (int k = 0; k < child.limitOwner.length; k++) {
        child.limitOwner[k] = child;
        child.limitCapability[k] = k;
      }
      for (Reservation.Calls calls : granted.reservation().calls()) {
        child.limitOwner[calls.childCapability()] = node.limitOwner[calls.parentCapability()];
        child.limitCapability[calls.childCapability()] = node.limitCapability[calls.parentCapability()];
      }
      node.children.add(child);
      nodes.add(child);
    }
  }

  /** Ends the agent and its subtree; sometimes children are released first, sometimes left for the conservative count. */
  private static void end(Node node, SplittableRandom random) {
    boolean bottomUp = random.nextBoolean();
    for (Node child : node.children) {
      if (child.alive) {
        if (bottomUp) {
          end(child, random);
        } else {
          markEnded(child);
        }
      }
    }
    Unused unused = node.ledger.unused();
    node.parent.ledger.release(node.id, unused);
    node.alive = false;
    node.released = true;
    node.chargedToParent = node.ledger.grant().bounds().budget() - unused.budget();
  }

  private static void markEnded(Node node) {
    node.alive = false;
    node.children.forEach(LedgerTreeProofTest::markEnded);
  }

  private static void check(List<Node> nodes, String where) {
    for (Node node : nodes) {
      long subtree = subtreeSpent(node);
      assertTrue(subtree <= node.ledger.grant().bounds().budget(),
          () -> node.id + "'s subtree spent " + subtree + " of " + node.ledger.grant().bounds().budget() + ", " + where);
      Ledger l = node.ledger;
      assertTrue(l.budgetUsed() >= 0 && l.budgetReserved() >= 0 && l.budgetLeft() >= 0, () -> l + ", " + where);
      for (int c = 0; c < node.calls.length; c++) {
        OptionalInt max = l.grant().capabilities().get(c).maxCalls();
        if (max.isPresent() && node.limitOwner[c] == node) {
          int made = callsAgainst(node, c, node);
          int limit = max.getAsInt();
          int cap = c;
          assertTrue(made <= limit, () -> node.id + " capability " + cap + ": " + made + " calls of " + limit + ", " + where);
        }
      }
      if (node.alive) {
        long expected = l.grant().bounds().budget() - node.spent;
        for (Node child : node.children) {
          expected -= child.released ? child.chargedToParent : child.ledger.grant().bounds().budget();
        }
        assertEquals(expected, l.budgetLeft(), () -> node.id + "'s budget left, " + where);
      }
    }
  }

  private static long subtreeSpent(Node node) {
    long sum = node.spent;
    for (Node child : node.children) {
      sum += subtreeSpent(child);
    }
    return sum;
  }

  /** Calls made anywhere in {@code node}'s subtree on capabilities carved from {@code owner}'s capability c. */
  private static int callsAgainst(Node node, int c, Node owner) {
    int sum = 0;
    for (int k = 0; k < node.calls.length; k++) {
      if (node.limitOwner[k] == owner && node.limitCapability[k] == c) {
        sum += node.calls[k];
      }
    }
    for (Node child : node.children) {
      sum += callsAgainst(child, c, owner);
    }
    return sum;
  }

  private static GrantRequest rootRequest(SplittableRandom random) {
    List<Capability> capabilities = new ArrayList<>();
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      capabilities.add(Capability.of("tool" + n, List.of("r:**"),
          random.nextInt(3) == 0 ? OptionalInt.empty() : OptionalInt.of(1 + random.nextInt(60)), false));
    }
    return new GrantRequest(capabilities, new Bounds(50 + random.nextInt(2000), Instant.EPOCH.plusSeconds(3600), 6, 4,
        40, new Rate(30, Duration.ofMinutes(1)), 3));
  }
}
