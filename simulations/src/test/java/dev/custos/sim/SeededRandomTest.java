package dev.custos.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The seeded SecureRandom: SplitMix64 exactly, the same for the same seed, derived streams independent. */
class SeededRandomTest {

  private static byte[] bytes(SeededRandom random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }

  @Test
  void itIsSplitMix64() {
    // SplitMix64's first two outputs for seed 0, as published with the algorithm; bytes are little-endian words.
    ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(0xe220a8397b1dcdafL).putLong(0x6e789e6aa1b965f4L);
    assertArrayEquals(expected.array(), bytes(new SeededRandom(0), 16));
  }

  @Test
  void theSameSeedGivesTheSameValuesWhicheverWayTheyAreDrawn() {
    SeededRandom a = new SeededRandom(42);
    SeededRandom b = new SeededRandom(42);
    assertArrayEquals(bytes(a, 37), bytes(b, 37));
    assertEquals(a.nextInt(1000), b.nextInt(1000));
    assertEquals(a.nextLong(), b.nextLong());
    assertEquals(a.nextDouble(), b.nextDouble());
    a.setSeed(new byte[] {1, 2, 3});
    b.setSeed(new byte[] {1, 2, 3});
    assertArrayEquals(a.generateSeed(8), b.generateSeed(8));
    assertFalse(Arrays.equals(bytes(new SeededRandom(42), 32), bytes(new SeededRandom(43), 32)));
  }

  @Test
  void derivedStreamsDependOnTheSeedAndLabelOnly() {
    SeededRandom fresh = new SeededRandom(42);
    SeededRandom used = new SeededRandom(42);
    bytes(used, 100);

    assertArrayEquals(bytes(fresh.derive("tools"), 32), bytes(used.derive("tools"), 32));
    assertFalse(Arrays.equals(bytes(fresh.derive("tools"), 32), bytes(fresh.derive("agents"), 32)));
    assertFalse(Arrays.equals(bytes(fresh.derive("tools"), 32), bytes(new SeededRandom(43).derive("tools"), 32)));
  }
}
