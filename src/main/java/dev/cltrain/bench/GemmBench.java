package dev.cltrain.bench;

import dev.cltrain.core.Wording;
import dev.cltrain.core.DeviceException;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.device.Device;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClPeak;
import dev.cltrain.reference.ReferencePeak;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.backend.Backend;
import dev.cltrain.reference.ReferenceDevice;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.reference.ReferenceKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code bench --gemm}: the matmul kernel alone. For each shape and device: untimed warm-up calls, then
 * {@code repeat} timed calls, each waited for (a one-float read after it); the median gives GFLOP/s. Each
 * device's product is checked against the reference's, so a fast wrong kernel shows. Comparison rows: CLBlast's
 * SGEMM on each OpenCL device, and NumPy's {@code a @ b} ({@link NumpyGemm}) on the host; optionally each
 * device's measured fused multiply-add peak ({@link ReferencePeak}, {@link ClPeak}).
 */
public final class GemmBench {
  /**
   * One device at one shape; figures null when failed.
   *
   * @param shape                 the shape's {@link GemmShape#label()}, e.g. "784x128x256:tn"
   * @param variant               "nn", "tn" or "nt"
   * @param m                     rows of c
   * @param n                     columns of c
   * @param k                     the shared dimension
   * @param id                    the device: "reference" or "cl:P:D"
   * @param name                  the device's name
   * @param impl                  what was timed: {@link #REFERENCE}, {@link #CLTRAIN} or {@link #CLBLAST}
   * @param status                "ok" or "failed"
   * @param error                 why a failed row failed, one line; null when ok
   * @param msMedian              median milliseconds per call, each waited for
   * @param msMin                 the fastest call, in milliseconds
   * @param msMax                 the slowest call, in milliseconds
   * @param gflops                2·m·n·k FLOPs over the median time, in GFLOP/s
   * @param peakShare             GFLOP/s over the device's peak (the --peak given, for OpenCL rows; or the one
   *                              measured: for NumPy the reference's, the host CPU's, when it used SIMD), or null
   * @param maxRelativeDifference max |c − c_reference| / max |c_reference|; null on NumPy's row (other inputs)
   * @param vsClblast             on a cltrain row timed beside CLBlast, its GFLOP/s over CLBlast's; else null
   * @param vsNumpy               on every other row, its GFLOP/s over NumPy's at the same shape; null without NumPy
   */
  public record Row(String shape, String variant, int m, int n, int k, String id, String name, String impl,
      String status, String error, Double msMedian, Double msMin, Double msMax, Double gflops, Double peakShare,
      Double maxRelativeDifference, Double vsClblast, Double vsNumpy) {
    Row withVsClblast(Double ratio) {
      return new Row(shape, variant, m, n, k, id, name, impl, status, error, msMedian, msMin, msMax, gflops, peakShare,
          maxRelativeDifference, ratio, vsNumpy);
    }

    Row withVsNumpy(Double ratio) {
      return new Row(shape, variant, m, n, k, id, name, impl, status, error, msMedian, msMin, msMax, gflops, peakShare,
          maxRelativeDifference, vsClblast, ratio);
    }
  }

  /**
   * What to time besides our kernel.
   *
   * @param repeat      timed calls per shape
   * @param peak        GFLOP/s to state each OpenCL figure as a share of (--peak GFLOPS), or null
   * @param measurePeak measure each device's fused multiply-add peak and state every figure as a share of it
   * @param clblast     add CLBlast's SGEMM as a comparison row on each OpenCL device
   * @param numpy       add NumPy's a @ b as a comparison row per shape, when a Python with NumPy runs
   */
  public record Options(int repeat, Double peak, boolean measurePeak, boolean clblast, boolean numpy) {}

  /**
   * A device's measured fused multiply-add peak.
   *
   * @param id     the device: "reference" or "cl:P:D"
   * @param gflops the peak in GFLOP/s; null when it could not be measured
   * @param method how it was measured, or why it could not be
   */
  public record Peak(String id, Double gflops, String method) {}

  /**
   * Everything one {@code bench --gemm} measured.
   *
   * @param rows  a row per shape and implementation: the reference's, NumPy's, then ours and CLBlast's per device
   * @param peaks each device's measured peak, in the order measured; empty unless asked for
   * @param numpy what NumPy measured, or null when it did not run (not asked for, or unavailable)
   */
  public record Result(List<Row> rows, List<Peak> peaks, NumpyGemm.Result numpy) {}

  /** Which implementation a row times ({@link Row#impl}): NumPy's matmul; its id is {@link NumpyGemm#ID}. */
  public static final String NUMPY = "numpy";

  /** Which implementation a row times ({@link Row#impl}): the Java reference. */
  public static final String REFERENCE = "reference";
  /** Which implementation a row times ({@link Row#impl}): our matmul kernel. */
  public static final String CLTRAIN = "cltrain";
  /** Which implementation a row times ({@link Row#impl}): CLBlast's SGEMM. */
  public static final String CLBLAST = "clblast";

  /**
   * Untimed calls first: at least 20 and 300 ms, and on (up to 3 s) while the last call is still over 1.25
   * times the fastest so far (first-touch of buffers, and JIT compilation: the reference's Vector API loops
   * run 10 to 100 times slower until C2 has compiled them, which takes a few dozen calls and up to a second).
   */
  private static final int WARMUP_MAX_CALLS = 1000;
  private static final long WARMUP_NANOS = 300_000_000L;
  private static final long WARMUP_MAX_NANOS = 3_000_000_000L;
  private static final int WARMUP_MIN_CALLS = 20;

  private GemmBench() {}

  /**
   * Times every shape on the reference, then with NumPy, then on each OpenCL device.
   *
   * @param shapes  the products to time
   * @param devices OpenCL devices (others are skipped)
   * @param options what to time besides our kernel
   * @param status  hears a line as each device starts, and why NumPy gives no row
   * @return the rows, and the peaks when measured
   */
  public static Result run(List<GemmShape> shapes, List<Device> devices, Options options, Consumer<Wording> status) {
    check(shapes);
    int repeat = options.repeat();
    boolean clblast = options.clblast();
    String blastProblem = clblast ? dev.cltrain.opencl.ClBlast.problem() : null;
    List<Row> rows = new ArrayList<>();
    List<Peak> peaks = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    Double hostPeak = null;
    Double numpyPeak = null;
    if (options.measurePeak()) {
      status.accept(Wording.of("peak on " + ReferenceDevice.ID + " ..."));
      ReferencePeak.Measured measured = ReferencePeak.measure();
      hostPeak = measured.gflops();
      numpyPeak = measured.simd() ? measured.gflops() : null; // NumPy's BLAS uses SIMD whatever the JVM has
      peaks.add(new Peak(ReferenceDevice.ID, measured.gflops(), measured.method()));
    }
    status.accept(Wording.of("gemm on " + ReferenceDevice.ID + " ..."));
    try (ReferenceKernels reference = new ReferenceKernels()) {
      for (GemmShape shape : shapes) {
        Timed t = time(reference, shape, repeat, (a, b, c) -> call(reference, shape, a, b, c));
        expected.add(t.product());
        rows.add(row(shape, ReferenceDevice.ID, "Java reference", REFERENCE, t, hostPeak, 0.0));
      }
    }
    NumpyGemm.Result numpy = null;
    if (options.numpy()) {
      status.accept(Wording.of("gemm on " + NumpyGemm.ID + " (" + NumpyGemm.python() + ") ..."));
      NumpyGemm.Result result = NumpyGemm.run(shapes, repeat);
      if (result.problem() != null) {
        status.accept(Wording.of("bench: no NumPy row: ", result.problem()));
      } else {
        numpy = result;
        for (int s = 0; s < shapes.size(); s++) {
          GemmShape shape = shapes.get(s);
          rows.add(row(shape, NumpyGemm.ID, result.describe(), NUMPY, new Timed(result.ms().get(s), null, shape.flops()),
              numpyPeak, null));
        }
      }
    }
    for (Device d : devices) {
      if (!(d instanceof OpenClDevice open)) {
        continue;
      }
      ClDevice device = open.info();
      Double peak = options.peak();
      if (options.measurePeak()) {
        status.accept(Wording.of("peak on " + device.ref() + " " + device.name() + " ..."));
        try {
          ClPeak.Measured measured = ClPeak.measure(device, open.source());
          peak = measured.gflops();
          peaks.add(new Peak(device.ref(), measured.gflops(), "float16 fma chains, " + measured.launch()));
        } catch (DeviceException e) {
          peak = null;
          peaks.add(new Peak(device.ref(), null, "failed: " + firstLine(String.valueOf(e.getMessage()))));
        }
      }
      status.accept(Wording.of("gemm on " + device.ref() + " " + device.name() + " ..."));
      try (OpenClKernels kernels = new OpenClKernels(device, open.source())) {
        for (int s = 0; s < shapes.size(); s++) {
          GemmShape shape = shapes.get(s);
          Row ours;
          try {
            Timed t = time(kernels, shape, repeat, (a, b, c) -> call(kernels, shape, a, b, c));
            ours = row(shape, device.ref(), device.name(), CLTRAIN, t, peak, difference(t.product(), expected.get(s)));
          } catch (DeviceException e) {
            ours = failed(shape, device, CLTRAIN, firstLine(e.getMessage()));
          }
          if (!clblast) {
            rows.add(ours);
            continue;
          }
          Row theirs;
          if (blastProblem != null) {
            theirs = failed(shape, device, CLBLAST, blastProblem);
          } else {
            try {
              Timed t = time(kernels, shape, repeat, (a, b, c) -> dev.cltrain.opencl.ClBlast.sgemm(kernels.context(),
                  shape.variant().equals("tn"), shape.variant().equals("nt"), shape.m(), shape.n(), shape.k(), 1f, a, b, c));
              theirs = row(shape, device.ref(), device.name(), CLBLAST, t, peak, difference(t.product(), expected.get(s)));
            } catch (DeviceException | LinkageError e) {
              theirs = failed(shape, device, CLBLAST, firstLine(String.valueOf(e.getMessage())));
            }
          }
          rows.add(ours.gflops() != null && theirs.gflops() != null ? ours.withVsClblast(ours.gflops() / theirs.gflops()) : ours);
          rows.add(theirs);
        }
      } catch (DeviceException e) {
        for (GemmShape shape : shapes) {
          rows.add(failed(shape, device, CLTRAIN, firstLine(e.getMessage())));
        }
      }
    }
    return new Result(vsNumpy(rows), List.copyOf(peaks), numpy);
  }

  /**
   * Checks, before anything is allocated or any device opened, that the shapes fit the Java heap ({@link #run}
   * keeps the largest shape's arrays and every shape's reference product) and the buffers' limits.
   *
   * @param shapes the products to time
   * @throws dev.cltrain.core.InputException naming the bytes needed and the heap's limit, or the shape
   */
  public static void check(List<GemmShape> shapes) {
    GemmShape largest = shapes.stream().max(java.util.Comparator.comparingLong(GemmBench::shapeFloats)).orElse(null);
    if (largest != null) {
      dev.cltrain.train.MemoryPlan.checkHeap(heapBytes(shapes),
          Wording.of("bench ", Wording.param("gemm"), ": the operands at " + largest.label()
              + " and every shape's reference product"));
    }
    shapes.forEach(s -> GemmShape.checked(s, Wording.of("bench ", Wording.param("gemm"), ": " + s.label())));
  }

  /** Every row that is not NumPy's, with its GFLOP/s over NumPy's at the same shape where both ran. */
  private static List<Row> vsNumpy(List<Row> rows) {
    java.util.Map<String, Double> numpy = new java.util.HashMap<>();
    for (Row r : rows) {
      if (r.impl().equals(NUMPY) || r.id().equals(NumpyGemm.ID)) {
        numpy.put(r.shape(), r.gflops());
      }
    }
    List<Row> out = new ArrayList<>();
    for (Row r : rows) {
      Double theirs = numpy.get(r.shape());
      boolean compare = !r.id().equals(NumpyGemm.ID) && r.gflops() != null && theirs != null && theirs > 0;
      out.add(compare ? r.withVsNumpy(r.gflops() / theirs) : r);
    }
    return out;
  }

  /** Floats of one shape's arrays on the reference: a and b drawn and uploaded (two copies each), c and its copy. */
  static long shapeFloats(GemmShape s) {
    return 2 * ((long) s.m() * s.k() + (long) s.k() * s.n() + (long) s.m() * s.n());
  }

  /**
   * Bytes of Java heap {@link #run} needs: the largest shape's arrays, and every shape's reference product,
   * kept to check the devices' against.
   */
  static long heapBytes(List<GemmShape> shapes) {
    long largest = 0;
    long products = 0;
    for (GemmShape s : shapes) {
      largest = Math.max(largest, shapeFloats(s));
      products += (long) s.m() * s.n();
    }
    return 4 * (largest + products);
  }

  private record Timed(double[] ms, float[] product, long flops) {}

  /** One product c = op(a)·op(b) of the shape, enqueued. */
  private interface Product<B> {
    void run(B a, B b, B c);
  }

  private static <B, I> Timed time(Backend<B, I> backend, GemmShape shape, int repeat, Product<B> product) {
    NumpyRandom random = new NumpyRandom(shape.m() * 31L + shape.n() * 7L + shape.k());
    B a = backend.upload(uniform(random, shape.m() * shape.k()));
    B b = backend.upload(uniform(random, shape.k() * shape.n()));
    B c = backend.allocate(shape.m() * shape.n());
    float[] one = new float[1];
    double[] ms = timeCalls(() -> product.run(a, b, c), () -> backend.download(c, one), repeat);
    float[] result = new float[shape.m() * shape.n()];
    backend.download(c, result);
    return new Timed(ms, result, shape.flops());
  }

  /**
   * The timing rule of every {@code bench} kernel figure: untimed warm-up calls (see the constants), then
   * {@code repeat} timed calls, each followed by {@code wait} (a one-float read, so that the call has finished).
   *
   * @param call   enqueues one call
   * @param wait   waits for it
   * @param repeat timed calls
   * @return each timed call's milliseconds, in order
   */
  static double[] timeCalls(Runnable call, Runnable wait, int repeat) {
    long warmStart = System.nanoTime();
    long fastest = Long.MAX_VALUE;
    long last = Long.MAX_VALUE;
    for (int w = 0; w < WARMUP_MAX_CALLS; w++) {
      long elapsed = System.nanoTime() - warmStart;
      boolean settled = last <= fastest + fastest / 4;
      if (w > 0 && (elapsed >= WARMUP_MAX_NANOS || (elapsed >= WARMUP_NANOS && w >= WARMUP_MIN_CALLS && settled))) {
        break;
      }
      long start = System.nanoTime();
      call.run();
      wait.run();
      last = System.nanoTime() - start;
      fastest = Math.min(fastest, last);
    }
    double[] ms = new double[repeat];
    for (int r = 0; r < repeat; r++) {
      long start = System.nanoTime();
      call.run();
      wait.run();
      ms[r] = (System.nanoTime() - start) / 1e6;
    }
    return ms;
  }

  private static <B, I> void call(Backend<B, I> backend, GemmShape shape, B a, B b, B c) {
    switch (shape.variant()) {
      case "tn" -> backend.matmulTransposeA(shape.m(), shape.n(), shape.k(), 1f, a, b, c);
      case "nt" -> backend.matmulTransposeB(shape.m(), shape.n(), shape.k(), 1f, a, b, c);
      default -> backend.matmul(shape.m(), shape.n(), shape.k(), 1f, a, b, c);
    }
  }

  private static float[] uniform(NumpyRandom random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return values;
  }

  static double difference(float[] actual, float[] expected) {
    double largest = 0;
    double scale = 0;
    for (int i = 0; i < expected.length; i++) {
      largest = Math.max(largest, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return scale == 0 ? largest : largest / scale;
  }

  private static Row row(GemmShape shape, String id, String name, String impl, Timed t, Double peak, Double difference) {
    double[] sorted = t.ms().clone();
    Arrays.sort(sorted);
    double median = BenchRunner.median(sorted);
    double gflops = t.flops() / (median / 1000) / 1e9;
    return new Row(shape.label(), shape.variant(), shape.m(), shape.n(), shape.k(), id, name, impl, "ok", null, median,
        sorted[0], sorted[sorted.length - 1], gflops, peak == null ? null : gflops / peak, difference, null, null);
  }

  private static Row failed(GemmShape shape, ClDevice device, String impl, String error) {
    return new Row(shape.label(), shape.variant(), shape.m(), shape.n(), shape.k(), device.ref(), device.name(), impl,
        "failed", error, null, null, null, null, null, null, null, null);
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
