package dev.cltrain.opencl;

import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * A device's float fused multiply-add peak, measured: kernels/peak.cl (independent float16 {@code fma} chains,
 * ten per work-item) launched in a few shapes, the best GFLOP/s kept. For {@code bench --gemm --peak}; built in
 * a context of its own, apart from the training kernels.
 */
public final class ClPeak {
  /** The kernel file, read from the device's kernel source (the jar's copy when a --kernels folder lacks it). */
  public static final String FILE = "peak.cl";
  /** Independent chains per work-item, PEAK_CHAINS in peak.cl. */
  static final int CHAINS = 10;
  /** Lanes per chain: peak.cl's float16. */
  static final int LANES = 16;
  /** Each timed launch is made to take at least this long. */
  private static final long TARGET_NANOS = 40_000_000L;
  private static final int MAX_ITERATIONS = 1 << 24;
  private static final int TIMED_LAUNCHES = 3;

  /**
   * The best of the launch shapes tried.
   *
   * @param gflops 2 FLOPs per multiply-add per lane, over the fastest launch, in GFLOP/s
   * @param launch how the best launch was shaped, e.g. "64 work-items, groups chosen by the runtime"
   */
  public record Measured(double gflops, String launch) {}

  private ClPeak() {}

  /**
   * Measures {@code device}'s peak: for each launch shape, the iterations are raised until a launch takes
   * about 40 ms, then the fastest of three launches counts.
   *
   * @param device the device
   * @param source where kernels are read from; peak.cl comes from the jar when this folder lacks it
   * @return the best figure and the launch that gave it
   * @throws ClException when the kernel cannot be built or launched
   */
  public static Measured measure(ClDevice device, KernelSource source) {
    KernelSource from = source;
    try {
      source.load(FILE);
    } catch (InputException e) {
      from = KernelSource.classpath();
    }
    try (ClContext context = new ClContext(device, from)) {
      ClKernel kernel = context.program(FILE, "").kernel("fma_peak");
      long wide = Math.max(64, (long) device.computeUnits() * Math.min(256, Math.max(1, device.maxWorkGroup())) * 4);
      List<Shape> shapes = new ArrayList<>();
      shapes.add(new Shape(64, false, "64 work-items, groups chosen by the runtime"));
      shapes.add(new Shape(64, true, "64 work-items, one per group"));
      shapes.add(new Shape(wide, false, wide + " work-items, groups chosen by the runtime"));
      Measured best = null;
      for (Shape shape : shapes) {
        try (ClBuffer out = context.buffer((int) shape.global())) {
          double gflops = time(context, kernel, out, shape);
          if (best == null || gflops > best.gflops()) {
            best = new Measured(gflops, shape.describe());
          }
        }
      }
      return best;
    }
  }

  private record Shape(long global, boolean singleItems, String describe) {}

  private static double time(ClContext context, ClKernel kernel, ClBuffer out, Shape shape) {
    int iterations = 64;
    long nanos = launch(context, kernel, out, shape, iterations); // the first launch may compile for the group size
    nanos = launch(context, kernel, out, shape, iterations);
    while (nanos < TARGET_NANOS && iterations < MAX_ITERATIONS) {
      double scale = Math.min(16, Math.max(2, 1.2 * TARGET_NANOS / Math.max(1, nanos)));
      iterations = (int) Math.min(MAX_ITERATIONS, iterations * scale);
      nanos = launch(context, kernel, out, shape, iterations);
    }
    long fastest = nanos;
    for (int r = 0; r < TIMED_LAUNCHES; r++) {
      fastest = Math.min(fastest, launch(context, kernel, out, shape, iterations));
    }
    double flops = 2.0 * shape.global() * iterations * CHAINS * LANES;
    return flops / fastest;
  }

  private static long launch(ClContext context, ClKernel kernel, ClBuffer out, Shape shape, int iterations) {
    kernel.args(iterations, 0.999f, out);
    long start = System.nanoTime();
    if (shape.singleItems()) {
      kernel.launch2dSingleItems(shape.global(), 1);
    } else {
      kernel.launch(shape.global());
    }
    context.finish();
    return System.nanoTime() - start;
  }
}
