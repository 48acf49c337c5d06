package dev.custos.sim;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * A {@link SecureRandom} whose every byte follows from its seed: the runtime's keys, credential ids and tokens, and a
 * scenario's own draws, come out the same for the same seed on any JVM and any provider. <b>Predictable by design:
 * only for simulations, never for real keys.</b>
 *
 * <p>Why not a seeded {@code SHA1PRNG}: whether {@code setSeed} before first use replaces or supplements the
 * provider's own seeding is up to the provider, so its output is not guaranteed to repeat. This class has its own
 * generator behind {@link SecureRandomSpi}: SplitMix64 (Steele, Lea and Flood, 2014), 64 bits of state, every output a
 * fixed function of the seed and the number of bytes drawn before it. Every method of {@code SecureRandom} and
 * {@code Random} ({@code nextBytes}, {@code nextInt}, {@code nextLong}, {@code ints()}...) draws from it.
 * {@link #setSeed} mixes the given bytes into the state, deterministically; {@link #generateSeed} draws from the
 * generator, not from the operating system.
 *
 * <p>Independent streams for independent users (the credential broker, the agents' keys, a scenario's tools) come
 * from {@link #derive}, so one user drawing more does not shift what another gets.
 *
 * <p>Thread safety: safe to share (as {@code SecureRandom} is), but a simulation uses it from its one thread.
 */
public final class SeededRandom extends SecureRandom {

  private static final long serialVersionUID = 1L;

  private final long seed;

  /** A generator whose output is fixed by {@code seed}. */
  public SeededRandom(long seed) {
    super(new SplitMix64Spi(seed), null);
    this.seed = seed;
  }

  /** The seed this generator started from. */
  public long seed() {
    return seed;
  }

  /**
   * A generator for one named user of this seed: fixed by this generator's seed and {@code label} only (not by what was
   * drawn from this one), and different for different labels.
   */
  public SeededRandom derive(String label) {
    long mixed = SplitMix64Spi.mix(seed);
    for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
      mixed = SplitMix64Spi.mix(mixed ^ (b & 0xffL));
    }
    return new SeededRandom(mixed);
  }

  @Override
  public String getAlgorithm() {
    return "SplitMix64 (seeded, simulation only)";
  }

  /** Shows the seed, which is no secret: the output of a seeded generator is public by intent. */
  @Override
  public String toString() {
    return "SeededRandom[seed=" + seed + ", simulation only]";
  }

  /** SplitMix64: state advances by the golden gamma, each output is the state run through a 64-bit finaliser. */
  private static final class SplitMix64Spi extends SecureRandomSpi {

    private static final long serialVersionUID = 1L;
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    SplitMix64Spi(long seed) {
      this.state = seed;
    }

    static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }

    private long nextLong() {
      state += GAMMA;
      return mix(state);
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      for (byte b : seed) {
        state = mix(state ^ (b & 0xffL));
      }
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
      int i = 0;
      while (i < bytes.length) {
        long word = nextLong();
        for (int n = 0; n < Long.BYTES && i < bytes.length; n++) {
          bytes[i++] = (byte) word;
          word >>>= 8;
        }
      }
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      byte[] bytes = new byte[numBytes];
      engineNextBytes(bytes);
      return bytes;
    }
  }
}
