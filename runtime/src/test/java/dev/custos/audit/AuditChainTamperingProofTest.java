package dev.custos.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.Seeds;
import dev.custos.audit.Verification.Broken;
import dev.custos.audit.Verification.Fault;
import dev.custos.audit.Verification.Intact;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random tampering with stored chains. Each mutation knows, from what it did alone, where verification must
 * first fail and why (or that it cannot be seen without a known head); the verifier must say exactly that. A failure
 * prints the seed and the mutation.
 */
class AuditChainTamperingProofTest {

  private static final int MUTATIONS = 1_000;
  private static final int MAX_LENGTH = 40;

  /** A tampered copy of a chain and what verification must say of it. */
  private record Case(String what, List<AuditRecord> tampered, Verification expected) {}

  private enum Mutation {
    EDIT_PAYLOAD,
    EDIT_FIELD,
    EDIT_PREV_HASH,
    EDIT_HASH,
    EDIT_AND_RESEAL,
    RENUMBER_AND_RESEAL,
    DELETE,
    DELETE_RANGE,
    SWAP,
    INSERT_FORGED,
    INSERT_COPY
  }

  @Test
  void everyTamperingIsReportedAtTheFirstSeqItBreaks() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    Map<Mutation, Integer> tried = new EnumMap<>(Mutation.class);
    for (int m = 0; m < MUTATIONS; m++) {
      int n = 1 + random.nextInt(MAX_LENGTH);
      List<AuditEntry> entries = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        entries.add(Chains.entry(random));
      }
      List<AuditRecord> chain = Chains.chain(entries);
      String where = Seeds.describe(seed) + ", mutation " + m + " on " + n + " records";
      assertEquals(new Intact(n, chain.get(n - 1).hash()), Verification.of(chain), where);

      Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
      if (mutation == Mutation.SWAP && n < 2) {
        mutation = Mutation.DELETE;
      }
      tried.merge(mutation, 1, Integer::sum);
      Case c = tamper(mutation, chain, random);

      assertEquals(c.expected(), Verification.of(c.tampered()), where + ": " + c.what());
    }
    assertEquals(Mutation.values().length, tried.size(), Seeds.describe(seed) + ": some mutation never ran " + tried);
  }

  private static Case tamper(Mutation mutation, List<AuditRecord> chain, SplittableRandom random) {
    int n = chain.size();
    List<AuditRecord> t = new ArrayList<>(chain);
    int k = 1 + random.nextInt(n); // a seq of the original chain
    AuditRecord r = chain.get(k - 1);
    switch (mutation) {
      case EDIT_PAYLOAD -> {
        List<String> keys = new ArrayList<>(r.payload().keySet());
        String key = keys.get(random.nextInt(keys.size()));
        t.set(k - 1, Chains.withPayloadField(r, key, "tampered-" + random.nextLong()));
        return new Case("payload." + key + " of " + k + " edited", t, broken(t, k, Fault.HASH_MISMATCH));
      }
      case EDIT_FIELD -> {
        int field = random.nextInt(5);
        AuditKind otherKind = AuditKind.values()[(r.kind().ordinal() + 1) % AuditKind.values().length];
        AuditRecord edited =
            switch (field) {
              case 0 -> new AuditRecord(r.seq(), r.at().plus(Duration.ofNanos(1)), r.mission(), r.lineage(),
                  r.kind(), r.payload(), r.prevHash(), r.hash());
              case 1 -> new AuditRecord(r.seq(), r.at(), r.mission() + "x", r.lineage(), r.kind(), r.payload(),
                  r.prevHash(), r.hash());
              case 2 -> new AuditRecord(r.seq(), r.at(), r.mission(), append(r.lineage(), "intruder"), r.kind(),
                  r.payload(), r.prevHash(), r.hash());
              case 3 -> new AuditRecord(r.seq(), r.at(), r.mission(), r.lineage(), otherKind, r.payload(),
                  r.prevHash(), r.hash());
              default -> Chains.withSeq(r, r.seq() + 1 + random.nextInt(5));
            };
        t.set(k - 1, edited);
        return new Case("field " + field + " of " + k + " edited", t, broken(t, k, Fault.HASH_MISMATCH));
      }
      case EDIT_PREV_HASH -> {
        t.set(k - 1, Chains.withPrevHash(r, Chains.randomHash(random, r.prevHash())));
        return new Case("prevHash of " + k + " edited", t, broken(t, k, Fault.HASH_MISMATCH));
      }
      case EDIT_HASH -> {
        t.set(k - 1, Chains.withHash(r, Chains.randomHash(random, r.hash())));
        return new Case("hash of " + k + " edited", t, broken(t, k, Fault.HASH_MISMATCH));
      }
      case EDIT_AND_RESEAL -> {
        t.set(k - 1, Chains.reseal(Chains.withPayloadField(r, "tool", "forged-" + random.nextLong())));
        Verification expected =
            k < n ? broken(t, k + 1, Fault.PREV_HASH_MISMATCH) : new Intact(n, Chains.head(t));
        return new Case(k + " edited and resealed", t, expected);
      }
      case RENUMBER_AND_RESEAL -> {
        long seq = random.nextBoolean() ? k + 1 + random.nextInt(5) : 1 + random.nextInt(k + 1);
        if (seq == k) {
          seq = k + 1;
        }
        t.set(k - 1, Chains.reseal(Chains.withSeq(r, seq)));
        return new Case(k + " renumbered " + seq + " and resealed", t, broken(t, k, Fault.SEQ_MISMATCH));
      }
      case DELETE -> {
        t.remove(k - 1);
        Verification expected =
            k < n ? broken(t, k, Fault.PREV_HASH_MISMATCH) : new Intact(n - 1, Chains.head(t));
        return new Case(k + " deleted", t, expected);
      }
      case DELETE_RANGE -> {
        int last = k + random.nextInt(n - k + 1);
        t.subList(k - 1, last).clear();
        Verification expected =
            last < n ? broken(t, k, Fault.PREV_HASH_MISMATCH) : new Intact(k - 1, Chains.head(t));
        return new Case(k + ".." + last + " deleted", t, expected);
      }
      case SWAP -> {
        int i = 1 + random.nextInt(n - 1);
        int j = i + 1 + random.nextInt(n - i);
        Collections.swap(t, i - 1, j - 1);
        return new Case(i + " and " + j + " swapped", t, broken(t, i, Fault.PREV_HASH_MISMATCH));
      }
      case INSERT_FORGED -> {
        int p = 1 + random.nextInt(n + 1); // its position, and the seq it claims
        String prev = p == 1 ? AuditRecord.GENESIS_HASH : chain.get(p - 2).hash();
        AuditRecord forged =
            Chains.reseal(
                new AuditRecord(p, Chains.START, "m-forged", List.of(), AuditKind.HALT, Map.of("n", random.nextLong()),
                    prev, AuditRecord.GENESIS_HASH));
        t.add(p - 1, forged);
        Verification expected =
            p <= n ? broken(t, p + 1, Fault.PREV_HASH_MISMATCH) : new Intact(n + 1, forged.hash());
        return new Case("forged record inserted at " + p, t, expected);
      }
      case INSERT_COPY -> {
        int p = 1 + random.nextInt(n + 1);
        t.add(p - 1, r);
        // A copy of k put just before the original fits there; the original after it does not.
        long firstBad = p == k ? k + 1 : p;
        return new Case("copy of " + k + " inserted at " + p, t, broken(t, firstBad, Fault.PREV_HASH_MISMATCH));
      }
      default -> throw new AssertionError(mutation);
    }
  }

  private static Broken broken(List<AuditRecord> tampered, long firstBadSeq, Fault fault) {
    return new Broken(tampered.size(), Chains.head(tampered), firstBadSeq, fault);
  }

  private static List<String> append(List<String> list, String element) {
    List<String> out = new ArrayList<>(list);
    out.add(element);
    return out;
  }
}
