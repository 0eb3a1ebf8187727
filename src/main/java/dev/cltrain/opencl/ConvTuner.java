package dev.cltrain.opencl;

import dev.cltrain.backend.Range;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the fastest {@link ConvPlan} for a device by timing the candidates ({@link ConvPlan#candidates}) at first
 * use, as {@link MatmulTuner} picks the matmul plan, and caches the choice in the same file under the device's key
 * followed by {@value #SUFFIX}. Each candidate builds conv_direct.cl and conv_backward.cl with the matmul plan's
 * options and its own, then times the three kernels it shapes at the CNN recipe's layers for a batch of
 * {@value #ROWS} (conv_direct at 28×28×1 → 32, k 3; conv_weight_gradient's 288 × 64 over 14·14·{@value #ROWS}
 * pixels; conv_input_gradient at 14×14×32 ← 64); since the kernels' blocks are independent, the plan kept combines
 * the fastest candidate's block for each kernel. A candidate counts only when its three outputs equal the default
 * plan's bit for bit (integer operands, whose sums are exact): a plan a driver miscompiles is never chosen.
 * Tuning stops after {@link MatmulTuner#budgetNanos()} (the default timed at least), caching the candidates not
 * yet timed; later runs use the plan as it is, and {@code --retune} times the rest.
 */
final class ConvTuner {
  /** What the device's cache key is followed by. */
  static final String SUFFIX = " | conv";
  /** Samples per timed call. */
  static final int ROWS = 32;
  /** The plans this process tuned or read, by cache file and key. */
  private static final Map<String, ConvPlan> TUNED = new ConcurrentHashMap<>();

  private ConvTuner() {}

  /** Forgets what this process tuned (with {@link MatmulTuner#retune} and for tests). */
  static void forgetThisRun() {
    TUNED.clear();
  }

  /**
   * The cached plan for {@code device} without tuning.
   *
   * @param device the device
   * @return the plan, or null when none is cached (or the entry cannot be read)
   */
  static ConvPlan cachedPlan(ClDevice device) {
    String key = MatmulTuner.key(device) + SUFFIX;
    ConvPlan tuned = TUNED.get(MatmulTuner.memo(key));
    return tuned != null ? tuned : readable(MatmulPlanCache.read().spec(key));
  }

  /**
   * The cached plan for {@code device}, or (first use, or the first use after {@code --retune}) the fastest correct
   * candidates within the budget, then cached. A cache that cannot be read or written costs a tuning, never an
   * error; a device where no candidate builds gets {@link ConvPlan#DEFAULT}, whose build error comes next.
   *
   * @param device the device
   * @param source where the kernels are read from
   * @param matmul the matmul plan the kernels are built with
   * @return the plan
   */
  static synchronized ConvPlan planFor(ClDevice device, KernelSource source, MatmulPlan matmul) {
    String key = MatmulTuner.key(device) + SUFFIX;
    ConvPlan tuned = TUNED.get(MatmulTuner.memo(key));
    if (tuned != null) {
      return tuned;
    }
    MatmulPlanCache cache = MatmulPlanCache.read();
    ConvPlan cached = readable(cache.spec(key));
    boolean again = MatmulTuner.retuneDue(key);
    if (cached != null && !again) {
      TUNED.put(MatmulTuner.memo(key), cached);
      return cached;
    }
    List<ConvPlan> order = new ArrayList<>(List.of(ConvPlan.DEFAULT));
    List<ConvPlan> untried = cached == null ? List.of() : cache.untriedSpecs(key).stream().map(ConvTuner::readable)
        .filter(p -> p != null && !p.equals(ConvPlan.DEFAULT)).toList();
    int first = cached == null ? 1 : 2; // the judge, and one more
    if (cached != null && !untried.isEmpty()) {
      if (!cached.equals(ConvPlan.DEFAULT)) {
        order.add(cached); // timed again, so that the rest are compared with it on this run's machine
      }
      first = order.size() + 1; // and at least one untried
      order.addAll(untried);
    } else {
      ConvPlan.candidates(ConvPlan.lanes(matmul)).stream().filter(p -> !order.contains(p)).forEach(order::add);
    }
    dev.cltrain.core.Notices.say(device.ref() + ": " + (cached == null ? "first use: " : "") + "timing convolution "
        + "kernels' blocks (" + order.size() + " candidates, at most "
        + String.format(java.util.Locale.ROOT, "%.0f", MatmulTuner.budgetNanos() / 1e9) + " s; later runs time the rest)");
    Tuning tuning = fastest(device, source, matmul, order, MatmulTuner.budgetNanos(), first);
    ConvPlan best = tuning.best() == null ? ConvPlan.DEFAULT : tuning.best();
    TUNED.put(MatmulTuner.memo(key), best);
    if (tuning.best() != null) {
      cache.putSpecs(key, best.spec(), tuning.untried().stream().map(ConvPlan::spec).toList());
      cache.write();
    }
    return best;
  }

  /** A cached spec as a plan; null when missing or unreadable (a stale or hand-edited entry: tune again). */
  private static ConvPlan readable(String spec) {
    if (spec == null) {
      return null;
    }
    try {
      return ConvPlan.parse(spec);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * A tuning's outcome.
   *
   * @param best the combination of the fastest correct blocks, or null when not even the default ran
   * @param untried the candidates not timed when the budget ran out, in order
   */
  record Tuning(ConvPlan best, List<ConvPlan> untried) {}

  /**
   * Times the candidates in order (each kernel's best of three calls after one that warms up and is checked)
   * while the next would end within {@code budget}, going by the slowest candidate so far (a cold driver compiles
   * each: seconds), once the first {@code first} were timed (the default; with a cached plan, the cached one and
   * one untried more, so that every {@code --retune} makes progress).
   */
  static Tuning fastest(ClDevice device, KernelSource source, MatmulPlan matmul, List<ConvPlan> order, long budget,
      int first) {
    long start = System.nanoTime();
    Shapes s = new Shapes();
    ConvPlan[] best = new ConvPlan[3];
    double[] bestNanos = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    float[][] expected = null;
    int tried = 0;
    try (ClContext context = new ClContext(device, source, false);
         ClBuffer x = context.upload(s.x);
         ClBuffer w = context.upload(s.w);
         ClBuffer bias = context.upload(s.bias);
         ClBuffer y = context.buffer(s.y.length);
         ClBuffer col = context.buffer(1);
         ClBuffer a = context.upload(s.a);
         ClBuffer b = context.upload(s.b);
         ClBuffer c = context.buffer(s.c.length);
         ClBuffer g = context.upload(s.g);
         ClBuffer wt = context.upload(s.wt);
         ClBuffer dx = context.buffer(s.dx.length)) {
      context.keepNoBinaries();
      long longest = 0;
      for (ConvPlan plan : order) {
        long now = System.nanoTime();
        if (tried >= first && expected != null && now - start + longest > budget) {
          break;
        }
        tried++;
        try {
          String options = ProgramOptions.programOptions(device, matmul) + plan.defines();
          ClKernel direct = context.program("conv_direct.cl", options).kernel("conv_direct");
          ClProgram backward = context.program("conv_backward.cl", options);
          ClKernel gradient = backward.kernel("conv_weight_gradient");
          ClKernel input = backward.kernel("conv_input_gradient");
          Runnable[] calls = {
              () -> direct.args(ROWS, 28, 28, 1, 3, 1, 1, 1, 28, 28, Shapes.FILTERS1, 3, 0, x, w, bias, y, col)
                  .launchGuarded((long) ROWS * Range.windows(28, 2) * Range.windows(28, 2)),
              () -> plan.launchWeightGradient(gradient.args(Shapes.PATCH2, Shapes.FILTERS2, Shapes.PIXELS2, 1f, a, b,
                  c), Shapes.PATCH2, Shapes.FILTERS2, ConvPlan.lanes(matmul), device.computeUnits()),
              () -> input.args(ROWS, 14, 14, Shapes.FILTERS1, 3, 1, 1, 1, 14, 14, Shapes.FILTERS2,
                  Range.paddedChannels(Shapes.FILTERS1), g, wt, dx).launch2dSingleItems((long) ROWS * 14, 1)};
          ClBuffer[] outputs = {y, c, dx};
          float[][] got = {s.y, s.c, s.dx};
          boolean same = true;
          double[] nanos = new double[3];
          for (int i = 0; i < 3; i++) {
            long fastest = Long.MAX_VALUE;
            for (int rep = 0; rep < 4; rep++) {
              long t0 = System.nanoTime();
              calls[i].run();
              context.finish();
              if (rep > 0) {
                fastest = Math.min(fastest, System.nanoTime() - t0);
              } else {
                outputs[i].read(got[i]);
              }
            }
            nanos[i] = fastest;
            same &= expected == null || Arrays.equals(expected[i], got[i]);
          }
          if (expected == null) {
            expected = new float[][] {s.y.clone(), s.c.clone(), s.dx.clone()}; // the default plan's: the judge
          }
          for (int i = 0; i < 3 && same; i++) {
            if (nanos[i] < bestNanos[i]) {
              bestNanos[i] = nanos[i];
              best[i] = plan;
            }
          }
        } catch (ClException e) {
          // this candidate does not build or run here: try the next
        }
        longest = Math.max(longest, System.nanoTime() - now);
      }
    } catch (ClException e) {
      // cannot even set up the timing: the default plan
    }
    if (best[0] == null || best[1] == null || best[2] == null) {
      return new Tuning(null, List.of());
    }
    return new Tuning(ConvPlan.combine(best[0], best[1], best[2]), List.copyOf(order.subList(tried, order.size())));
  }

  /** The timed layers' operands: small integers (every sum exact, so every correct plan stores the same bits). */
  private static final class Shapes {
    static final int FILTERS1 = 32;
    static final int FILTERS2 = 64;
    static final int PATCH2 = 9 * FILTERS1;
    static final int PIXELS2 = ROWS * 14 * 14;
    final float[] x = MatmulTuner.exactOperand(ROWS * 28 * 28, 1);
    final float[] w = MatmulTuner.exactOperand(9 * FILTERS1, 2);
    final float[] bias = MatmulTuner.exactOperand(FILTERS1, 3);
    final float[] y = new float[ROWS * 28 * 28 * FILTERS1];
    final float[] a = MatmulTuner.exactOperand(PIXELS2 * PATCH2, 4);
    final float[] b = MatmulTuner.exactOperand(PIXELS2 * FILTERS2, 5);
    final float[] c = new float[PATCH2 * FILTERS2];
    final float[] g = MatmulTuner.exactOperand(PIXELS2 * FILTERS2, 6);
    final float[] wt = MatmulTuner.exactOperand(FILTERS2 * 9 * Range.paddedChannels(FILTERS1), 7);
    final float[] dx = new float[ROWS * 14 * 14 * FILTERS1];
  }
}
