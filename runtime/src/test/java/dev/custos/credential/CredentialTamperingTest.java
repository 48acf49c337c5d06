package dev.custos.credential;

import static dev.custos.credential.JwtFixtures.EDR;
import static dev.custos.credential.JwtFixtures.ISOLATE;
import static dev.custos.credential.JwtFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.custos.Seeds;
import dev.custos.credential.JwtFixtures.Tree;
import dev.custos.credential.Verification.Reason;
import dev.custos.credential.Verification.Rejected;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every single-bit change anywhere in a credential is refused, and never for a reason that trusts the change. */
class CredentialTamperingTest {

  private static final Set<Reason> TAMPERED =
      EnumSet.of(Reason.MALFORMED, Reason.ALG_NOT_ALLOWED, Reason.UNKNOWN_KID, Reason.BAD_SIGNATURE);

  @Test
  void aBitFlipInAnyCharacterOfHeaderPayloadOrSignatureIsRefused() {
    long seed = Seeds.seed();
    SplittableRandom random = new SplittableRandom(seed);
    Tree tree = new Tree(JwtFixtures.seeded(seed));
    JwtCredentialBroker broker = JwtFixtures.broker(seed);
    CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
    String token = broker.issue(tree.contain1.request(T0)).token();
    // Cached first: a tampered token must miss the cache, not hit the original's entry.
    assertThat(verifier.verify(call(token, tree), T0)).as(Seeds.describe(seed)).isInstanceOf(Verdict.Accepted.class);

    List<String> failures = new ArrayList<>();
    int flips = 0;
    for (int at = 0; at < token.length(); at++) {
      if (token.charAt(at) == '.') {
        continue;
      }
      // One seeded bit of the seven ASCII bits, so the result stays a Java string of ASCII characters.
      int bit = random.nextInt(7);
      String tampered = flip(token, at, bit);
      flips++;
      Verdict verdict = verifier.verify(call(tampered, tree), T0);
      if (!(verdict instanceof Rejected rejected) || !TAMPERED.contains(rejected.reason())) {
        failures.add("position " + at + " bit " + bit + ": " + verdict);
      }
    }

    assertEquals(List.of(), failures, Seeds.describe(seed));
    assertEquals(token.length() - 2, flips);
  }

  @Test
  void everyBitOfTheSignatureMatters() {
    long seed = Seeds.seed();
    Tree tree = new Tree(JwtFixtures.seeded(seed));
    JwtCredentialBroker broker = JwtFixtures.broker(seed);
    CredentialVerifier verifier = CredentialVerifier.forBroker(broker);
    String token = broker.issue(tree.contain1.request(T0)).token();
    assertThat(verifier.verify(call(token, tree), T0)).as(Seeds.describe(seed)).isInstanceOf(Verdict.Accepted.class);
    int signatureStart = token.lastIndexOf('.') + 1;

    List<String> failures = new ArrayList<>();
    for (int at = signatureStart; at < token.length(); at++) {
      for (int bit = 0; bit < 7; bit++) {
        Verdict verdict = verifier.verify(call(flip(token, at, bit), tree), T0);
        if (!(verdict instanceof Rejected rejected)
            || !EnumSet.of(Reason.MALFORMED, Reason.BAD_SIGNATURE).contains(rejected.reason())) {
          failures.add("position " + at + " bit " + bit + ": " + verdict);
        }
      }
    }

    assertEquals(List.of(), failures, Seeds.describe(seed));
  }

  private static Presentation call(String token, Tree tree) {
    return Presentation.byCaller(token, EDR, ISOLATE, "host:corp/ws-1", tree.contain1.identity());
  }

  private static String flip(String token, int at, int bit) {
    char[] chars = token.toCharArray();
    chars[at] = (char) (chars[at] ^ (1 << bit));
    return new String(chars);
  }
}
