package dev.custos.sim;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sets the calling thread's {@link ThreadLocalRandom} seed. Pekko draws every actor's uid from it, and a uid is the
 * actor ref's hash code, so the order in which an actor iterates a set of five or more watched refs follows it; seeding
 * it at the start of each run makes that order the same every time the run is repeated on the same thread, whatever
 * ran on the thread before.
 *
 * <p>{@code ThreadLocalRandom} has no public way to be seeded ({@code setSeed} throws): its state is the field
 * {@code Thread.threadLocalRandomSeed}, written here through {@code sun.misc.Unsafe} (module {@code jdk.unsupported},
 * open to reflection without command-line flags on Java 17), looked up reflectively so the build has no warning for
 * it. Fails at class initialisation, loudly, on a JDK without that field.
 */
final class ThreadRandomSeed {

  private static final MethodHandle PUT_LONG;
  private static final Object UNSAFE;
  private static final long SEED_OFFSET;

  static {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
      theUnsafe.setAccessible(true);
      UNSAFE = theUnsafe.get(null);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodHandle offset = lookup.findVirtual(unsafeClass, "objectFieldOffset",
          MethodType.methodType(long.class, Field.class));
      SEED_OFFSET = (long) offset.invoke(UNSAFE, Thread.class.getDeclaredField("threadLocalRandomSeed"));
      PUT_LONG = lookup.findVirtual(unsafeClass, "putLong",
          MethodType.methodType(void.class, Object.class, long.class, long.class));
    } catch (Throwable e) {
      throw new ExceptionInInitializerError(
          "cannot seed ThreadLocalRandom on this JDK, so actor uids would differ between runs: " + e);
    }
  }

  private ThreadRandomSeed() {}

  /** Seeds the calling thread's {@code ThreadLocalRandom}: its next draws are a fixed function of {@code seed}. */
  static void seedCurrentThread(long seed) {
    // Initialises the thread's generator first, so it does not overwrite our seed with its own on first use.
    ThreadLocalRandom.current();
    try {
      PUT_LONG.invoke(UNSAFE, (Object) Thread.currentThread(), SEED_OFFSET, seed);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot seed ThreadLocalRandom: " + e, e);
    }
  }
}
