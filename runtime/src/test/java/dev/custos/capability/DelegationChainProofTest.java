package dev.custos.capability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.custos.BadInputException;
import dev.custos.Seeds;
import dev.custos.identity.AgentId;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random delegation chains, up to 16 deep, with random requests (most narrowing, some widening) at every level, against
 * {@link ReferenceModel}:
 * <ul>
 *   <li>a request is granted exactly when the model finds no failed check, and refused with exactly the checks the model
 *       finds failed (so every listed reason is really widening, and no widening goes unlisted);
 *   <li>a granted grant is exactly the request;
 *   <li>every call a descendant's grant allows is allowed by every ancestor's grant, and every bound is within.
 * </ul>
 */
class DelegationChainProofTest {

  private static final int CHAINS = 2_500;
  private static final Instant START = Instant.EPOCH;
  private final ReferenceModel model = new ReferenceModel();

  @Test
  void randomChainsNeverWidenAndRefuseOnlyForRealReasons() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    int granted = 0;
    int refused = 0;
    int[] depths = new int[17];
    int deepWithCapabilities = 0;
    Map<String, Integer> refusals = new TreeMap<>();
    for (int chain = 0; chain < CHAINS; chain++) {
      String where = "chain " + chain + ", " + Seeds.describe(seed);
      List<Ledger> ancestors = new ArrayList<>();
      Ledger current = new Ledger(Grant.root(rootRequest(random)));
      while (current.grant().bounds().maxDepth() > 0) {
        ancestors.add(current);
        Ledger child = null;
        for (int attempt = 0; attempt < 10 && child == null; attempt++) {
          GrantRequest request = childRequest(current, random);
          DelegationResult result = Attenuation.decide(current, request);
          Set<String> expected = model.failures(current, request);
          if (result instanceof DelegationResult.Granted g) {
            assertEquals(Set.of(), expected, () -> "granted although the model finds widening: " + request + ", " + where);
            assertEquals(request, g.grant().request(), where);
            checkWithinAncestors(g.grant(), ancestors, random, where);
            current.reserve(new AgentId("a" + ancestors.size()), g);
            child = new Ledger(g.grant());
            granted++;
            if (ancestors.size() >= 8 && !g.grant().capabilities().isEmpty()) {
              deepWithCapabilities++;
            }
          } else {
            DelegationResult.Refused r = (DelegationResult.Refused) result;
            Set<String> listed = new TreeSet<>();
            r.reasons().forEach(reason -> listed.add(ReferenceModel.tag(reason)));
            assertEquals(expected, listed, () -> "refusal of " + request + ": " + r.reasons() + ", " + where);
            r.reasons().forEach(reason -> refusals.merge(reason.getClass().getSimpleName(), 1, Integer::sum));
            refused++;
          }
          if (child == null && random.nextBoolean()) {
            spend(current, random);
          }
        }
        if (child == null) {
          break;
        }
        current = child;
      }
      depths[ancestors.size()]++;
    }
    assertTrue(granted > CHAINS * 3 && refused > CHAINS, granted + " granted, " + refused + " refused: " + refusals);
    assertTrue(deepWithCapabilities > CHAINS, deepWithCapabilities + " grants with capabilities at depth 8 or more");
    assertTrue(depths[16] > CHAINS / 10, "chains by depth " + Arrays.toString(depths) + ", refusals " + refusals + ", " + Seeds.describe(seed));
  }

  /** Samples calls the grant allows and checks every ancestor allows them too (with the reference matcher). */
  private void checkWithinAncestors(Grant grant, List<Ledger> ancestors, SplittableRandom random, String where) {
    for (Capability capability : grant.capabilities()) {
      for (int s = 0; s < 8; s++) {
        String tool = PatternReference.sample(capability.tool(), random, "abx", 3);
        String resource = PatternReference.sample(
            capability.resources().get(random.nextInt(capability.resources().size())), random, "abx", 3);
        assertTrue(grant.covers(tool, resource), where);
        for (Ledger ancestor : ancestors) {
          boolean allowed = ancestor.grant().capabilities().stream().anyMatch(
              c -> model.matches(c.tool(), tool) && c.resources().stream().anyMatch(r -> model.matches(r, resource)));
          if (!allowed) {
            fail("call " + tool + " on " + resource + " allowed below but not by " + ancestor.grant() + ", " + where);
          }
        }
      }
    }
    Bounds b = grant.bounds();
    for (Ledger ancestor : ancestors) {
      Bounds a = ancestor.grant().bounds();
      assertTrue(b.budget() <= a.budget() && !b.deadline().isAfter(a.deadline()) && b.maxDepth() < a.maxDepth()
          && b.maxChildren() <= a.maxChildren() && b.maxSubtreeAgents() < a.maxSubtreeAgents()
          && b.rate().within(a.rate()) && b.maxStrikes() <= a.maxStrikes(), () -> b + " within " + a + ", " + where);
    }
  }

  private static void spend(Ledger ledger, SplittableRandom random) {
    int capabilities = ledger.grant().capabilities().size();
    if (capabilities > 0) {
      ledger.consume(random.nextInt(capabilities), random.nextInt(1 + (int) Math.min(20, ledger.budgetLeft())));
    }
  }

  private GrantRequest rootRequest(SplittableRandom random) {
    List<Capability> capabilities = new ArrayList<>();
    for (int n = 1 + random.nextInt(5); n > 0; n--) {
      capabilities.add(new Capability(randomPattern(random, "ab*"), randomResources(random),
          random.nextBoolean() ? OptionalInt.empty() : OptionalInt.of(1 + random.nextInt(400)), random.nextInt(4) == 0));
    }
    Bounds bounds = new Bounds(random.nextInt(2000), START.plusSeconds(1000 + random.nextInt(10_000)), 16,
        1 + random.nextInt(4), 50 + random.nextInt(100), new Rate(1 + random.nextInt(100), Duration.ofSeconds(60)),
        1 + random.nextInt(6));
    return new GrantRequest(capabilities, bounds);
  }

  private GrantRequest childRequest(Ledger parent, SplittableRandom random) {
    List<Capability> held = parent.grant().capabilities();
    List<Capability> capabilities = new ArrayList<>();
    if (held.isEmpty() ? random.nextInt(4) == 0 : random.nextInt(12) == 0) {
      capabilities.add(new Capability(randomPattern(random, "ab*"), randomResources(random),
          random.nextBoolean() ? OptionalInt.empty() : OptionalInt.of(1 + random.nextInt(10)), random.nextBoolean()));
    }
    for (int p = 0; p < held.size(); p++) {
      Capability from = held.get(p);
      if (random.nextInt(8) == 0 || parent.callsLeft(p).orElse(1) == 0 && random.nextInt(4) != 0) {
        continue; // leave some out, mostly those the parent has used up
      }
      List<Pattern> resources = new ArrayList<>();
      for (Pattern resource : from.resources()) {
        if (random.nextInt(3) != 0 || resources.isEmpty()) {
          resources.add(narrowed(resource, random));
        }
      }
      OptionalInt maxCalls = from.maxCalls();
      OptionalInt left = parent.callsLeft(p);
      if (left.isPresent()) {
        int l = left.getAsInt();
        maxCalls = random.nextInt(30) == 0 ? OptionalInt.empty()
            : OptionalInt.of(Math.max(1, l - random.nextInt(l / 8 + 2)));
      } else if (random.nextBoolean()) {
        maxCalls = OptionalInt.of(1 + random.nextInt(20));
      }
      boolean approval = from.requiresApproval() ? random.nextInt(30) != 0 : random.nextInt(5) == 0;
      capabilities.add(new Capability(narrowed(from.tool(), random), resources, maxCalls, approval));
    }
    Bounds own = parent.grant().bounds();
    boolean widen = random.nextInt(6) == 0;
    Bounds bounds = new Bounds(
        pick(random, widen, Math.max(0, parent.budgetLeft()) / 2, own.budget() + 1),
        widen && random.nextBoolean() ? own.deadline().plusSeconds(1) : own.deadline().minusSeconds(random.nextInt(100)),
        widen && random.nextBoolean() ? own.maxDepth() : own.maxDepth() - 1,
        (int) Math.max(1, pick(random, widen, own.maxChildren(), own.maxChildren() + 1)),
        (int) Math.max(1, pick(random, widen, Math.max(1, parent.agentSlotsLeft()), parent.agentSlotsLeft() + 1)),
        widen && random.nextBoolean() ? new Rate(own.rate().calls() + 1, own.rate().per())
            : new Rate(Math.max(1, own.rate().calls() - random.nextInt(3)), own.rate().per()),
        (int) Math.max(1, pick(random, widen, own.maxStrikes(), own.maxStrikes() + 1)));
    return new GrantRequest(capabilities, bounds);
  }

  /** Usually a value at most {@code within}; when widening, sometimes {@code beyond}. */
  private static long pick(SplittableRandom random, boolean widen, long within, long beyond) {
    if (widen && random.nextBoolean()) {
      return beyond;
    }
    return within <= 0 ? 0 : within - random.nextInt((int) Math.min(3, within + 1));
  }

  private static Pattern randomPattern(SplittableRandom random, String alphabet) {
    return PatternReference.randomPattern(random, alphabet, ReferenceModel.MAX_PATTERN, ReferenceModel.MAX_PATTERN);
  }

  private static List<Pattern> randomResources(SplittableRandom random) {
    List<Pattern> out = new ArrayList<>();
    for (int n = 1 + random.nextInt(2); n > 0; n--) {
      out.add(randomPattern(random, "ab/*"));
    }
    return out;
  }

  /** Often inside {@code pattern}, sometimes not: literals for stars, stars for literals, within the model's length. */
  private static Pattern narrowed(Pattern pattern, SplittableRandom random) {
    String text = pattern.text();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int roll = random.nextInt(30);
      if (c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
        out.append(roll == 0 ? "a" : roll == 1 ? "*" : roll == 2 ? "a**" : "**");
        i++;
      } else if (c == '*') {
        out.append(roll == 0 ? "a" : roll == 1 ? "" : roll == 2 ? "**" : "*");
      } else {
        out.append(roll == 0 ? "*" : String.valueOf(c));
      }
    }
    try {
      Pattern narrowed = Pattern.parse(out.toString());
      return narrowed.text().length() <= ReferenceModel.MAX_PATTERN ? narrowed : pattern;
    } catch (BadInputException invalid) {
      return pattern;
    }
  }
}
