package dev.cltrain.opencl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Picks the fastest {@link MatmulPlan} for a device by timing each candidate once, at first use, and caches
 * the choice per device and driver in {@code matmul-plans.json} under the user's cache folder
 * ({@code $XDG_CACHE_HOME/cltrain}, else {@code ~/.cache/cltrain}; the system property {@code cltrain.cache}
 * overrides it). Tuning builds matmul.cl once per candidate and times the three variants at 256×256×256, and
 * on CPU devices matmul at 1024×1024×512 for the plan of large products ({@link OpenClKernels#LARGE_ROWS});
 * it takes a few seconds. {@code --retune} forgets the cached choices of this run's devices. Every candidate
 * computes the same bits (MatmulPlansTest), so tuning changes speed only.
 */
public final class MatmulTuner {
  /** The shape each candidate is timed at (m = n = k): large enough to show blocking, small enough to be quick. */
  static final int SIZE = 256;
  /** Rows and columns of the shape large-product candidates are timed at. */
  static final int LARGE = 1024;
  /** Its depth k. */
  static final int LARGE_DEPTH = 512;
  private static final String FILE = "matmul-plans.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static boolean retune;
  private static final java.util.Set<String> RETUNED = new java.util.HashSet<>();

  private MatmulTuner() {}

  /** Makes the next {@link #planFor} of each device time its candidates again instead of reading the cache. */
  public static synchronized void retune() {
    retune = true;
  }

  /**
   * The candidates tried on {@code device}: SIMD-shaped blocks on CPUs, work-group tiles first elsewhere.
   *
   * @param device the device, for its type and work-group limit
   * @return the plans in the order tried; the first is the fallback when none builds
   */
  public static List<MatmulPlan> candidates(ClDevice device) {
    int tile = MatmulPlan.tileFor(device);
    if (device.type() == ClDevice.Type.CPU) {
      return fitting(device, List.of(MatmulPlan.blocked(tile, 6, 16, 4, 192, 256), MatmulPlan.blocked(tile, 6, 16, 4, 192, 512),
          MatmulPlan.blocked(tile, 6, 16, 4, 288, 512), MatmulPlan.blocked(tile, 6, 16, 4, 192, 1024),
          MatmulPlan.blocked(tile, 4, 16, 4, 128, 128), MatmulPlan.blocked(tile, 4, 16, 4, 128, 256),
          MatmulPlan.blocked(tile, 8, 16, 2, 128, 128), MatmulPlan.blocked(tile, 6, 16, 2, 96, 128),
          MatmulPlan.blocked(tile, 8, 8, 2, 128, 128), MatmulPlan.blocked(tile, 4, 16, 4, 32, 128), MatmulPlan.tiled(tile)));
    }
    return fitting(device, List.of(MatmulPlan.tiled(tile), MatmulPlan.tiled(Math.max(1, tile / 2)),
        MatmulPlan.blocked(tile, 4, 4, 1, 16, 64), MatmulPlan.blocked(tile, 8, 4, 1, 32, 64)));
  }

  /**
   * The plans whose local memory the device has, in order; when none does, the tiled plan with the largest tile
   * edge whose 2 · TILE² floats fit, as the fallback.
   */
  private static List<MatmulPlan> fitting(ClDevice device, List<MatmulPlan> plans) {
    List<MatmulPlan> fit = new ArrayList<>();
    for (MatmulPlan plan : plans) {
      if (plan.localBytes() <= device.localMemBytes()) {
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
   * The cached plan for {@code device}, or (first use, or after {@link #retune}) the fastest candidate, then cached.
   * A cache that cannot be read or written costs a tuning run, never an error.
   *
   * @param device the device to tune for; the cache key is its platform, name, driver and OpenCL version
   * @param source where matmul.cl is read from for the timing builds
   * @return the plan to build with; the first candidate when none could be built or timed
   */
  public static synchronized MatmulPlan planFor(ClDevice device, KernelSource source) {
    return planFor(device, source, false);
  }

  /**
   * As {@link #planFor}, for large products ({@link OpenClKernels#LARGE_ROWS}): the candidates are timed at
   * {@value #LARGE}×{@value #LARGE}×{@value #LARGE_DEPTH} (matmul only) and the choice is cached under the
   * device's key followed by " | large".
   *
   * @param device the device to tune for
   * @param source where matmul.cl is read from for the timing builds
   * @return the plan for large products; the first candidate when none could be built or timed
   */
  public static synchronized MatmulPlan largePlanFor(ClDevice device, KernelSource source) {
    return planFor(device, source, true);
  }

  private static MatmulPlan planFor(ClDevice device, KernelSource source, boolean large) {
    String key = key(device) + (large ? " | large" : "");
    Path file = cacheFolder().resolve(FILE);
    ObjectNode cache = read(file);
    boolean again = retune && RETUNED.add(key); // --retune: once per device and run
    // a blocked plan cached before panels and depth existed (no "/MBxKC") was timed on another kernel: tune again
    if (!again && cache.hasNonNull(key) && !(cache.get(key).asText().startsWith("blocked") && !cache.get(key).asText().contains("/"))) {
      try {
        return MatmulPlan.parse(cache.get(key).asText(), MatmulPlan.tileFor(device));
      } catch (RuntimeException e) {
        // a stale or hand-edited entry: tune again
      }
    }
    MatmulPlan best = fastest(device, source, large);
    if (best == null) {
      return candidates(device).get(0); // nothing built (e.g. a broken --kernels matmul.cl): the build error comes next
    }
    cache.put(key, best.spec());
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cache) + "\n");
    } catch (IOException | RuntimeException e) {
      // a read-only home only costs a tuning run next time
    }
    return best;
  }

  /**
   * Times each candidate (the sum of the three variants' best of three at 256³; for large products matmul's
   * best of three at 1024×1024×512); the fastest that works, or null.
   */
  static MatmulPlan fastest(ClDevice device, KernelSource source, boolean large) {
    MatmulPlan best = null;
    double bestNanos = Double.MAX_VALUE;
    int m = large ? LARGE : SIZE;
    int k = large ? LARGE_DEPTH : SIZE;
    float[] a = new float[m * k];
    Arrays.fill(a, 0.5f);
    try (ClContext context = new ClContext(device, source, false);
         ClBuffer da = context.upload(a);
         ClBuffer db = context.upload(a);
         ClBuffer dc = context.buffer(m * m)) {
      for (MatmulPlan plan : candidates(device)) {
        try {
          ClProgram program = context.program("matmul.cl", OpenClKernels.buildOptions(plan, 64));
          double nanos = 0;
          for (String name : large ? List.of("matmul") : List.of("matmul", "matmul_transpose_a", "matmul_transpose_b")) {
            ClKernel kernel = program.kernel(name);
            long fastest = Long.MAX_VALUE;
            for (int rep = 0; rep < 4; rep++) {
              long start = System.nanoTime();
              OpenClKernels.launchMatmul(plan, kernel.args(m, m, k, 1f, da, db, dc), m, m, device.computeUnits());
              context.finish();
              fastest = rep == 0 ? fastest : Math.min(fastest, System.nanoTime() - start); // the first call warms up
            }
            nanos += fastest;
          }
          if (nanos < bestNanos) {
            bestNanos = nanos;
            best = plan;
          }
        } catch (ClException e) {
          // this candidate does not build or run here (e.g. too little local memory): try the next
        }
      }
    } catch (ClException e) {
      // cannot even set up the timing: fall through to the default
    }
    return best;
  }

  /**
   * Platform, device, driver and OpenCL version: a new driver tunes again.
   *
   * @param device the device
   * @return e.g. "Portable Computing Language | pthread-skylake-... | 3.1+debian | OpenCL 3.0 PoCL ..."
   */
  public static String key(ClDevice device) {
    return device.platformName() + " | " + device.name() + " | " + device.driverVersion() + " | " + device.openclVersion();
  }

  /**
   * The folder of cltrain's per-device caches (the matmul plans, the first-use checks' verdicts).
   *
   * @return the {@code cltrain.cache} property's folder, else {@code $XDG_CACHE_HOME/cltrain}, else
   *     {@code ~/.cache/cltrain}; not created here
   */
  public static Path cacheFolder() {
    String property = System.getProperty("cltrain.cache");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "cltrain");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cltrain");
  }

  private static ObjectNode read(Path file) {
    try {
      if (Files.isRegularFile(file)) {
        if (JSON.readTree(file.toFile()) instanceof ObjectNode node) {
          return node;
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable cache: start afresh
    }
    return JSON.createObjectNode();
  }

  /** Every plan the cache holds, for {@code cltrain devices} and tests. */
  static List<String> cachedKeys() {
    List<String> keys = new ArrayList<>();
    read(cacheFolder().resolve(FILE)).fieldNames().forEachRemaining(keys::add);
    return keys;
  }
}
