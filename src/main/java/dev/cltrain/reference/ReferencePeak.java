package dev.cltrain.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The host CPU's float fused multiply-add peak as the Java reference can reach it, for
 * {@code bench --gemm --peak}: ten independent chains of {@code a = fma(a, m, m)} per thread, on every
 * processor the JVM has; each chain a Vector API vector ({@code FloatVector.fma}) when the JVM has
 * jdk.incubator.vector, else a scalar {@link Math#fma}.
 */
public final class ReferencePeak {
  /** Independent chains per thread. */
  static final int CHAINS = 10;
  /** Each timed round is made to take at least this long. */
  private static final long TARGET_NANOS = 60_000_000L;
  private static final long WARMUP_NANOS = 300_000_000L;
  private static final int ROUNDS = 3;
  private static final int MAX_ITERATIONS = 1 << 30;
  /** Where results go, so that the JIT cannot drop the work. */
  private static volatile float sink;

  /**
   * The figure and how it was reached.
   *
   * @param gflops  2 FLOPs per multiply-add per lane over the fastest round, all threads together, in GFLOP/s
   * @param method  e.g. "FloatVector.fma, 16 lanes x 10 chains x 8 threads"
   * @param simd    whether the chains were vectors: without the Vector API the figure is a scalar one, not the
   *                CPU's peak
   */
  public record Measured(double gflops, String method, boolean simd) {}

  /** One thread's chains; implementations keep every chain in registers. */
  interface Chains {
    /** @return lanes per chain: the vector length, or 1 */
    int lanes();

    /** @return what runs, e.g. "FloatVector.fma" */
    String describe();

    /**
     * Runs {@code iterations} fused multiply-adds on each chain.
     *
     * @param iterations steps of every chain
     * @param seed       a start value, so the work cannot be precomputed
     * @return the sum of the chains, so the work cannot be dropped
     */
    float run(int iterations, float seed);
  }

  private ReferencePeak() {}

  /**
   * Measures: a warm-up on one thread (so the JIT has compiled the loop), iterations raised until one run takes
   * about 60 ms, then three rounds with every processor's thread started together; the fastest round counts.
   *
   * @return the peak in GFLOP/s and how it was measured
   */
  public static Measured measure() {
    Chains chains = chains();
    int threads = Runtime.getRuntime().availableProcessors();
    int iterations = 1000;
    long warmStart = System.nanoTime();
    while (System.nanoTime() - warmStart < WARMUP_NANOS) {
      sink = chains.run(iterations, 1e-3f);
    }
    while (true) {
      long start = System.nanoTime();
      sink = chains.run(iterations, 2e-3f);
      long nanos = System.nanoTime() - start;
      if (nanos >= TARGET_NANOS || iterations >= MAX_ITERATIONS) {
        break;
      }
      iterations = (int) Math.min(MAX_ITERATIONS,
          iterations * Math.min(16, Math.max(2, 1.2 * TARGET_NANOS / Math.max(1, nanos))));
    }
    long fastest = Long.MAX_VALUE;
    for (int r = 0; r < ROUNDS; r++) {
      fastest = Math.min(fastest, round(chains, threads, iterations));
    }
    double flops = 2.0 * iterations * CHAINS * chains.lanes() * threads;
    boolean simd = !(chains instanceof ScalarChains);
    return new Measured(flops / fastest, chains.describe() + ", " + chains.lanes() + " lane"
        + (chains.lanes() == 1 ? "" : "s") + " x " + CHAINS + " chains x " + threads + " thread" + (threads == 1 ? "" : "s")
        + (simd ? "" : " (scalar: the Vector API is not in use, so not the CPU's SIMD peak)"), simd);
  }

  private static long round(Chains chains, int threads, int iterations) {
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        sink = chains.run(iterations, index * 1e-3f);
      }, "cltrain-peak-" + t);
      thread.setDaemon(true);
      thread.start();
      started.add(thread);
    }
    try {
      ready.await();
      long start = System.nanoTime();
      go.countDown();
      for (Thread thread : started) {
        thread.join();
      }
      return System.nanoTime() - start;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring the reference's peak", e);
    }
  }

  /** The Vector API chains when the module is present (as {@link MatmulRows#best()} decides), else scalar. */
  static Chains chains() {
    if (MatmulRows.best() != MatmulRows.plain()) {
      try {
        return (Chains) Class.forName("dev.cltrain.reference.VectorFmaChains").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        // fall through to the scalar chains
      }
    }
    return new ScalarChains();
  }

  /** Math.fma on ten float chains. */
  static final class ScalarChains implements Chains {
    @Override
    public int lanes() {
      return 1;
    }

    @Override
    public String describe() {
      return "Math.fma";
    }

    @Override
    public float run(int iterations, float seed) {
      final float m = 0.999f;
      float a0 = seed;
      float a1 = seed + 0.1f;
      float a2 = seed + 0.2f;
      float a3 = seed + 0.3f;
      float a4 = seed + 0.4f;
      float a5 = seed + 0.5f;
      float a6 = seed + 0.6f;
      float a7 = seed + 0.7f;
      float a8 = seed + 0.8f;
      float a9 = seed + 0.9f;
      for (int i = 0; i < iterations; i++) {
        a0 = Math.fma(a0, m, m);
        a1 = Math.fma(a1, m, m);
        a2 = Math.fma(a2, m, m);
        a3 = Math.fma(a3, m, m);
        a4 = Math.fma(a4, m, m);
        a5 = Math.fma(a5, m, m);
        a6 = Math.fma(a6, m, m);
        a7 = Math.fma(a7, m, m);
        a8 = Math.fma(a8, m, m);
        a9 = Math.fma(a9, m, m);
      }
      return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
    }
  }
}
