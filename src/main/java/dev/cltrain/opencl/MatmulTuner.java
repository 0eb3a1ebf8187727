package dev.cltrain.opencl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the fastest {@link MatmulPlan} for a device by timing the candidates, at first use, and caches the
 * choice per device and driver in {@code matmul-plans.json} under the user's cache folder
 * ({@code $XDG_CACHE_HOME/cltrain}, else {@code ~/.cache/cltrain}; the system property {@code cltrain.cache}
 * overrides it). Tuning builds matmul.cl once per candidate and times the three variants at 256×256×256 (for
 * the plan of large products, on CPU devices, matmul at 1024×1024×512: see {@link OpenClKernels#LARGE_ROWS},
 * tuned only when a run first multiplies a large product). A candidate counts only when its products are the
 * exact ones (integer-valued operands, whose sums are exact in float): a plan a driver miscompiles is never
 * chosen. Each tuning stops after {@link #budgetNanos()} (a few seconds) with the best correct plan so far and
 * caches it with the candidates not yet timed; later runs use that plan, and {@code --retune} times those
 * candidates (again within the budget) until every one has been tried, then all of them again. A cached plan the device cannot run (more local memory than it has, a tile
 * larger than its work-groups) is dropped with one warning and tuned again. {@code --retune} forgets the
 * cached choices of this run's devices. Every candidate computes the same bits (MatmulPlansTest), so tuning
 * changes speed only.
 */
public final class MatmulTuner {
  /** The shape each candidate is timed at (m = n = k): large enough to show blocking, small enough to be quick. */
  static final int SIZE = 256;
  /** Rows and columns of the shape large-product candidates are timed at. */
  static final int LARGE = 1024;
  /** Its depth k. */
  static final int LARGE_DEPTH = 512;
  /** Seconds of timing one tuning may take before it settles for the best plan so far: 3. */
  static final double BUDGET_SECONDS = 3;
  /** The system property that sets another budget in seconds (0: one candidate per run), e.g. for tests. */
  public static final String BUDGET_PROPERTY = "cltrain.tune.seconds";
  /** The system property that names the folder of the per-device caches ({@link #cacheFolder()}), e.g. for tests. */
  public static final String CACHE_PROPERTY = "cltrain.cache";
  private static boolean retune;
  private static final java.util.Set<String> RETUNED = new java.util.HashSet<>();
  /**
   * The plans this process tuned, by cache file and key ({@link #memo}): one tuning per device and run, even
   * unfinished or uncached.
   */
  private static final java.util.Map<String, MatmulPlan> TUNED = new java.util.HashMap<>();

  private MatmulTuner() {}

  /** Makes the next {@link #planFor} of each device time its candidates again instead of reading the cache. */
  public static synchronized void retune() {
    retune = true;
    TUNED.clear();
    ConvTuner.forgetThisRun();
  }

  /**
   * The candidates tried on {@code device}. On a CPU, SIMD-shaped blocks: the best block of the float vector width
   * its kernels are compiled for ({@link #targetWidth}) first, so that even a first tuning whose budget ends
   * after one candidate has a fast plan, then the other width's best (float16 for AVX-512, float8 for AVX2), the
   * rest, and the tiled plan last. Elsewhere the tiled plan (which every device runs) first, then other tiles
   * and blocks. A device without a hardware FMA (Rusticl's llvmpipe: it runs neighbouring work-items as
   * SIMD lanes and emulates local memory and barriers, where tiled:16 reached 0.04 GFLOP/s) tries the
   * registers strategy first, which also runs on every device.
   *
   * @param device the device, for its type and work-group limit
   * @return the plans in the order tried; the first is the fallback when none builds
   */
  public static List<MatmulPlan> candidates(ClDevice device) {
    return candidates(device, targetWidth(device.floatVectorWidths()[1], device.openclVersion()));
  }

  /** LLVM's names of x86 CPUs with AVX-512 (PoCL names the CPU it compiles for after "HSTR: pthread-x86_64-..."). */
  private static final java.util.regex.Pattern AVX512_CPUS = java.util.regex.Pattern.compile(
      "avx512|knl|knm|cannonlake|icelake|tigerlake|rocketlake|cascadelake|cooperlake|sapphirerapids|graniterapids"
      + "|emeraldrapids|znver4|znver5");

  /**
   * The float vector width the device's kernels are compiled for: the native width it reports, but at most 8 when
   * PoCL says (in CL_DEVICE_VERSION's "HSTR: pthread-x86_64-...-CPU") that it compiles for an x86 CPU without
   * AVX-512, such as haswell or znver2: PoCL takes the widths it reports from the host's features, so a PoCL made to
   * compile for AVX2 (POCL_KERNELLIB_NAME=avx2) on an AVX-512 host still reports 16.
   *
   * @param nativeWidth CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, 0 when unknown
   * @param openclVersion CL_DEVICE_VERSION
   * @return the width, 0 when unknown
   */
  static int targetWidth(int nativeWidth, String openclVersion) {
    int at = openclVersion.indexOf("HSTR: ");
    String target = at < 0 ? "" : openclVersion.substring(at + 6).toLowerCase(java.util.Locale.ROOT);
    if (target.contains("x86_64") && !AVX512_CPUS.matcher(target).find()) {
      return nativeWidth == 0 ? 8 : Math.min(nativeWidth, 8);
    }
    return nativeWidth;
  }

  /** {@link #candidates(ClDevice)} for a device whose native float vector width is {@code nativeWidth} (0: unknown). */
  static List<MatmulPlan> candidates(ClDevice device, int nativeWidth) {
    int tile = MatmulPlan.tileFor(device);
    if (!device.fma()) {
      return fitting(device, List.of(MatmulPlan.registers(tile, 4, 4), MatmulPlan.registers(tile, 8, 4),
          MatmulPlan.registers(tile, 4, 8), MatmulPlan.tiled(tile), MatmulPlan.blocked(tile, 8, 8, 2, 128, 128)));
    }
    if (device.type() == ClDevice.Type.CPU) {
      // float16 blocks for AVX-512's 32 registers of 16 floats (6 × 4 accumulators), float8 blocks for AVX2's 16
      // of 8 (6 × 2 accumulators, the 6 × 16 micro-kernel of BLAS libraries for Haswell and Zen): the best block of
      // the width the kernels are compiled for first (a first tuning on a busy machine may time only that one),
      // the other width's best next, then the rest
      List<MatmulPlan> wide = List.of(MatmulPlan.blocked(tile, 6, 16, 4, 192, 256),
          MatmulPlan.blocked(tile, 6, 16, 4, 192, 512), MatmulPlan.blocked(tile, 4, 16, 4, 128, 128),
          MatmulPlan.blocked(tile, 6, 16, 4, 288, 512), MatmulPlan.blocked(tile, 6, 16, 4, 192, 1024),
          MatmulPlan.blocked(tile, 4, 16, 4, 128, 256), MatmulPlan.blocked(tile, 8, 16, 2, 128, 128),
          MatmulPlan.blocked(tile, 6, 16, 2, 96, 128), MatmulPlan.blocked(tile, 4, 16, 4, 32, 128));
      List<MatmulPlan> narrow = List.of(MatmulPlan.blocked(tile, 6, 8, 2, 192, 256),
          MatmulPlan.blocked(tile, 4, 8, 3, 128, 256), MatmulPlan.blocked(tile, 6, 8, 2, 192, 512),
          MatmulPlan.blocked(tile, 6, 8, 2, 288, 512), MatmulPlan.blocked(tile, 8, 8, 2, 128, 128));
      boolean avx512 = nativeWidth == 0 || nativeWidth >= 16;
      List<MatmulPlan> first = avx512 ? wide : narrow;
      List<MatmulPlan> second = avx512 ? narrow : wide;
      List<MatmulPlan> order = new ArrayList<>(List.of(first.get(0), second.get(0)));
      order.addAll(first.subList(1, first.size()));
      order.addAll(second.subList(1, second.size()));
      order.add(MatmulPlan.tiled(tile)); // every device runs it, at a few GFLOP/s on a CPU: the last resort
      return fitting(device, order);
    }
    return fitting(device, List.of(MatmulPlan.tiled(tile), MatmulPlan.tiled(Math.max(1, tile / 2)),
        MatmulPlan.blocked(tile, 4, 4, 1, 16, 64), MatmulPlan.blocked(tile, 8, 4, 1, 32, 64)));
  }

  /**
   * The plans the device can run, in order; when none can, the tiled plan with the largest tile edge whose
   * 2 · TILE² floats fit, as the fallback.
   */
  private static List<MatmulPlan> fitting(ClDevice device, List<MatmulPlan> plans) {
    List<MatmulPlan> fit = new ArrayList<>();
    for (MatmulPlan plan : plans) {
      if (unfit(device, plan) == null) {
        fit.add(plan);
      }
    }
    if (fit.isEmpty()) {
      int tile = MatmulPlan.tileFor(device);
      while (tile > 1 && MatmulPlan.tiled(tile).localBytes() > device.localMemBytes()) {
        tile /= 2;
      }
      fit.add(MatmulPlan.tiled(tile));
    }
    return fit;
  }

  /**
   * Why {@code device} cannot run {@code plan}, or null when it can: its staged blocks need more local memory
   * than CL_DEVICE_LOCAL_MEM_SIZE less a margin for the runtime's own use (Rusticl's llvmpipe computed wrong
   * products with a plan staging all of its 32 KiB), or its tile more work-items than a work-group may have.
   *
   * @param device the device
   * @param plan a plan, e.g. one read from the cache
   * @return e.g. "needs 1048576 bytes of local memory and cl:0:0 has 32768 (CL_DEVICE_LOCAL_MEM_SIZE)", or null
   */
  public static String unfit(ClDevice device, MatmulPlan plan) {
    if (plan.localBytes() + ProgramOptions.LOCAL_MARGIN > device.localMemBytes()) {
      return "needs " + plan.localBytes() + " bytes of local memory and " + device.ref() + " has "
          + device.localMemBytes() + " (CL_DEVICE_LOCAL_MEM_SIZE), " + ProgramOptions.LOCAL_MARGIN
          + " of which the runtime keeps";
    }
    if (plan.tiled() && (long) plan.tile() * plan.tile() > device.maxWorkGroup()) {
      return "needs work-groups of " + plan.tile() * plan.tile() + " and " + device.ref() + " allows "
          + device.maxWorkGroup() + " (CL_DEVICE_MAX_WORK_GROUP_SIZE)";
    }
    return null;
  }

  /**
   * The cached plan for {@code device}, or (first use, an unfinished tuning, or after {@link #retune}) the
   * fastest correct candidate within the budget, then cached. A cache that cannot be read or written costs a
   * tuning run, never an error.
   *
   * @param device the device to tune for; the cache key is its platform, name, driver and OpenCL version
   * @param source where matmul.cl is read from for the timing builds
   * @return the plan to build with; the first candidate when none could be built, timed or found correct
   */
  public static synchronized MatmulPlan planFor(ClDevice device, KernelSource source) {
    return planFor(device, source, false);
  }

  /**
   * As {@link #planFor}, for large products ({@link OpenClKernels#LARGE_ROWS}): the candidates are timed at
   * {@value #LARGE}×{@value #LARGE}×{@value #LARGE_DEPTH} (matmul only), {@link #planFor}'s plan first, and
   * the choice is cached under the device's key followed by " | large".
   *
   * @param device the device to tune for
   * @param source where matmul.cl is read from for the timing builds
   * @return the plan for large products
   */
  public static synchronized MatmulPlan largePlanFor(ClDevice device, KernelSource source) {
    return planFor(device, source, true);
  }

  /**
   * The cached plan for large products when its tuning has finished, without tuning.
   *
   * @param device the device
   * @return the plan, or null when there is none yet (or it is unfinished, or the device cannot run it)
   */
  public static synchronized MatmulPlan cachedLargePlan(ClDevice device) {
    return cached(device, key(device) + LARGE_SUFFIX);
  }

  /**
   * The plan {@link #planFor} would return without tuning: this run's or the cache's, finished or not.
   *
   * @param device the device
   * @return the plan, or null when the device has not been tuned yet (or its cached plan does not fit it)
   */
  public static synchronized MatmulPlan cachedPlan(ClDevice device) {
    if (TUNED.containsKey(memo(key(device)))) {
      return TUNED.get(memo(key(device)));
    }
    MatmulPlan plan = MatmulPlanCache.read().plan(device, key(device));
    return plan == null || unfit(device, plan) != null ? null : plan;
  }

  private static MatmulPlan cached(ClDevice device, String key) {
    if (TUNED.containsKey(memo(key))) {
      return TUNED.get(memo(key));
    }
    MatmulPlanCache cache = MatmulPlanCache.read();
    if (!cache.has(key) || (retune && !RETUNED.contains(key))) {
      return null;
    }
    MatmulPlan plan = cache.plan(device, key);
    return plan == null || unfit(device, plan) != null ? null : plan;
  }

  private static final String LARGE_SUFFIX = " | large";

  private static MatmulPlan planFor(ClDevice device, KernelSource source, boolean large) {
    String key = key(device) + (large ? LARGE_SUFFIX : "");
    if (TUNED.containsKey(memo(key))) {
      return TUNED.get(memo(key));
    }
    MatmulPlanCache cache = MatmulPlanCache.read();
    boolean again = retune && RETUNED.add(key); // --retune: once per device and run
    MatmulPlan cached = cache.plan(device, key);
    String unfit = cached == null ? null : unfit(device, cached);
    if (unfit != null) {
      dev.cltrain.core.Notices.say("warning: the cached matmul plan " + cached.spec() + " for " + device.ref() + " "
          + unfit + "; dropped, tuning again");
      cached = null;
    }
    List<MatmulPlan> untried = cached == null ? null
        : cache.untried(device, key).stream().filter(p -> unfit(device, p) == null).toList();
    // A cached plan is used as it is, unfinished or not: going on timing on every later run would switch plans
    // now and then, and each new plan costs the device its first-use check again. --retune goes on with the
    // candidates not yet timed, or (a finished tuning) times them all again.
    if (cached != null && !again) {
      return cached;
    }
    if (cached != null && untried.isEmpty()) {
      cached = null;
    }
    List<MatmulPlan> order = new ArrayList<>();
    if (cached != null) {
      order.add(cached); // timed again first, so that the rest are compared with it on this run's machine
      order.addAll(untried);
    } else {
      if (large) {
        order.add(planFor(device, source, false));
      }
      candidates(device).stream().filter(p -> !order.contains(p)).forEach(order::add);
    }
    dev.cltrain.core.Notices.say(device.ref() + ": " + (cached == null ? "first use: " : "") + "timing "
        + (large ? "matmul strategies for large products" : "matmul strategies") + " (" + order.size()
        + " candidates, at most " + String.format(java.util.Locale.ROOT, "%.0f", budgetNanos() / 1e9)
        + " s; later runs time the rest)");
    Tuning tuning = fastest(device, source, large, order, budgetNanos(), cached == null ? 1 : 2);
    if (tuning.best() == null) {
      return order.get(0); // nothing built (e.g. a broken --kernels matmul.cl): the build error comes next
    }
    TUNED.put(memo(key), tuning.best());
    cache.put(key, tuning.best(), tuning.untried());
    cache.write();
    return tuning.best();
  }

  /**
   * {@return what this run keeps {@code key}'s plan under: the cache file too, which tests change} (ConvTuner's
   * memo too)
   */
  static String memo(String key) {
    return MatmulPlanCache.file() + "\0" + key;
  }

  /** {@return the nanoseconds one tuning may spend: {@value #BUDGET_PROPERTY} seconds when set, else 3 s} */
  static long budgetNanos() {
    String property = System.getProperty(BUDGET_PROPERTY);
    try {
      return (long) ((property == null ? BUDGET_SECONDS : Double.parseDouble(property)) * 1e9);
    } catch (NumberFormatException e) {
      return (long) (BUDGET_SECONDS * 1e9);
    }
  }

  /**
   * A tuning's outcome.
   *
   * @param best the fastest candidate whose products were exact, or null when none was
   * @param untried the candidates not timed when the budget ran out, in order
   */
  record Tuning(MatmulPlan best, List<MatmulPlan> untried) {}

  /**
   * Times the candidates in order (the sum of the three variants' best of three at 256³; for large products
   * matmul's second run at 1024×1024×512) while the next would end within {@code budget} nanoseconds, going by
   * the slowest candidate so far (a cold driver compiles each one: seconds on PoCL), once one candidate proved
   * correct and at least the first {@code first} were timed (the cached plan and one untried, so that every
   * run makes progress): each candidate's products are compared with the exact ones first, and a wrong one is
   * skipped.
   */
  static Tuning fastest(ClDevice device, KernelSource source, boolean large, List<MatmulPlan> order, long budget,
      int first) {
    long start = System.nanoTime();
    MatmulPlan best = null;
    double bestNanos = Double.MAX_VALUE;
    int m = large ? LARGE : SIZE;
    int k = large ? LARGE_DEPTH : SIZE;
    float[] a = exactOperand(m * k, 1);
    float[] b = exactOperand(m * k, 2);
    List<String> variants = large ? List.of("matmul") : List.of("matmul", "matmul_transpose_a", "matmul_transpose_b");
    int reps = large ? 2 : 4;
    float[] c = new float[m * m];
    int tried = 0;
    try (ClContext context = new ClContext(device, source, false);
         ClBuffer da = context.upload(a);
         ClBuffer db = context.upload(b);
         ClBuffer dc = context.buffer(m * m)) {
      context.keepNoBinaries();
      long longest = 0;
      for (MatmulPlan plan : order) {
        long now = System.nanoTime();
        // a candidate that would end past the budget, going by the slowest so far (its build and compiles), waits
        if (best != null && tried >= first && now - start + longest > budget) {
          break;
        }
        tried++;
        try {
          ClProgram program = context.program("matmul.cl", ProgramOptions.programOptions(device, plan));
          double nanos = 0;
          boolean exact = true;
          for (String name : variants) {
            ClKernel kernel = program.kernel(name);
            long fastest = Long.MAX_VALUE;
            for (int rep = 0; rep < reps && exact; rep++) {
              long t0 = System.nanoTime();
              MatmulKernels.launchMatmul(plan, kernel.args(m, m, k, 1f, da, db, dc), m, m, device.computeUnits());
              context.finish();
              fastest = rep == 0 ? fastest : Math.min(fastest, System.nanoTime() - t0); // the first call warms up
              if (rep == 0) {
                dc.read(c);
                exact = exactProduct(name, m, k, a, b, c, large);
              }
            }
            nanos += fastest;
          }
          if (exact && nanos < bestNanos) {
            bestNanos = nanos;
            best = plan;
          }
        } catch (ClException e) {
          // this candidate does not build or run here (e.g. too little local memory): try the next
        }
        longest = Math.max(longest, System.nanoTime() - now);
      }
    } catch (ClException e) {
      // cannot even set up the timing: fall through to the default
    }
    return new Tuning(best, best == null ? List.of() : List.copyOf(order.subList(tried, order.size())));
  }

  /** Small integers from -3 to 3, scattered by a multiplicative hash: every sum of products is exact in float. */
  static float[] exactOperand(int length, int salt) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (float) (((i * 2654435761L + salt * 40503L) >>> 11) % 7 - 3);
    }
    return v;
  }

  /**
   * Whether c holds the exact product of the variant over (m × m × k) operands: every row at 256³, every 61st
   * row and the last for large products (their sums are integers under 2²⁴, so every correct plan gets them
   * exactly).
   */
  static boolean exactProduct(String variant, int m, int k, float[] a, float[] b, float[] c, boolean sampled) {
    for (int i = 0; i < m; i += sampled ? 61 : 1) {
      if (!exactRow(variant, m, k, a, b, c, i)) {
        return false;
      }
    }
    return exactRow(variant, m, k, a, b, c, m - 1);
  }

  private static boolean exactRow(String variant, int m, int k, float[] a, float[] b, float[] c, int i) {
    for (int j = 0; j < m; j++) {
      double sum = 0;
      for (int p = 0; p < k; p++) {
        sum += switch (variant) {
          case "matmul" -> a[i * k + p] * b[p * m + j];
          case "matmul_transpose_a" -> a[p * m + i] * b[p * m + j];
          default -> a[i * k + p] * b[j * k + p];
        };
      }
      if (c[i * m + j] != sum) {
        return false;
      }
    }
    return true;
  }

  /**
   * Platform, device, driver and OpenCL version: a new driver tunes again. A device without a hardware FMA
   * has " | separate multiply-add" added (ProgramOptions#multiplyAdd): its plans cached before the products
   * multiplied and added separately there were timed on fma() emulated in software, so it tunes again.
   *
   * @param device the device
   * @return e.g. "Portable Computing Language | pthread-skylake-... | 3.1+debian | OpenCL 3.0 PoCL ..."
   */
  public static String key(ClDevice device) {
    return device.platformName() + " | " + device.name() + " | " + device.driverVersion() + " | " + device.openclVersion()
        + (device.fma() ? "" : " | separate multiply-add");
  }

  /**
   * The folder of cltrain's per-device caches (the matmul plans, the first-use checks' verdicts).
   *
   * @return the {@code cltrain.cache} property's folder, else {@code $XDG_CACHE_HOME/cltrain}, else
   *     {@code ~/.cache/cltrain}; not created here
   */
  public static Path cacheFolder() {
    String property = System.getProperty(CACHE_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "cltrain");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cltrain");
  }

  /**
   * Whether {@code key}'s cached choice is to be timed again in this run: {@link #retune} was called and this is the
   * key's first tuning since (once per device and run; the convolutions' tuner asks too).
   *
   * @param key a cache key
   * @return true the first time {@code key} is asked after {@link #retune}
   */
  static synchronized boolean retuneDue(String key) {
    return retune && RETUNED.add(key);
  }

  /** Forgets what this process tuned, so that the next {@link #planFor} reads the cache again (for tests). */
  static synchronized void forgetThisRun() {
    TUNED.clear();
    RETUNED.clear();
    retune = false;
    ConvTuner.forgetThisRun();
  }
}
