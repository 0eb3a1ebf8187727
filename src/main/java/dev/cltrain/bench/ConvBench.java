package dev.cltrain.bench;

import dev.cltrain.core.Wording;
import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.core.KernelTime;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.reference.ReferenceDevice;
import dev.cltrain.reference.ReferenceKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code bench --conv}: convolution layers alone, run as training runs them ({@code train.Stages}): forward
 * im2col then matmul_bias_activation (relu), or conv_direct (patches stored) for small patches; backward
 * activation_delta, conv_weight_gradient (dW), column_sum (db), conv_filter_rows (the weights as dX reads them) and
 * conv_input_gradient (dX, in one pass). For each shape and device the
 * forward and the backward pass are timed apart, as {@code --gemm} times the matmul: untimed warm-up calls, then
 * {@code repeat} timed calls, each waited for with a one-float read; the medians give ms and GFLOP/s. Beside
 * them, on the same device in the same run, the matmul kernel's GFLOP/s at {@code matmulSize}³ and each pass's
 * ratio to it. Each device's forward output (and the backward's dW, db, dX) is checked against the reference's.
 * A separate pass, after the timed one, splits each pass's time between its kernels: on the reference by wall
 * time per call; on OpenCL by device time from profiling events (a second, profiled queue, so that the timed
 * calls pay no event cost).
 */
public final class ConvBench {
  /**
   * The forward pass's kernels (the contract's names): im2col then matmul_bias_activation, or for a patch of at
   * most {@link Kernels#DIRECT_PATCH} conv_direct alone, writing the patches too (as training runs them; the
   * kernels not run have share 0).
   */
  public static final List<String> FORWARD = List.of("im2col", "matmul_bias_activation", "conv_direct");
  /** The backward pass's kernels, in order. */
  public static final List<String> BACKWARD = List.of("activation_delta", "conv_weight_gradient", "column_sum",
      "conv_filter_rows", "conv_input_gradient");

  /** How the shares were measured on the reference: wall time of each (synchronous) call. */
  public static final String SHARES_WALL = "wall time per call";
  /** How the shares were measured on OpenCL: device time from profiling events on a profiled queue. */
  public static final String SHARES_EVENTS = "device time from profiling events";

  /**
   * One shape on one device; figures null when failed.
   *
   * @param shape                         the shape's {@link ConvShape#label()}, e.g. "128:28x28x1:16:3"
   * @param rows                          samples
   * @param height                        input rows of pixels
   * @param width                         input columns of pixels
   * @param channels                      input channels C
   * @param filters                       output channels F
   * @param kernel                        k
   * @param stride                        s
   * @param same                          same padding (else valid)
   * @param outHeight                     output rows of pixels
   * @param outWidth                      output columns of pixels
   * @param id                            the device: "reference" or "cl:P:D"
   * @param name                          the device's name
   * @param status                        "ok" or "failed"
   * @param error                         why a failed row failed, one line; null when ok
   * @param forwardFlops                  2·N·outH·outW·k·k·C·F
   * @param backwardFlops                 twice the forward's: the dW and the dX products
   * @param forwardMs                     median ms per forward pass, each waited for
   * @param forwardMsMin                  the fastest forward pass
   * @param forwardMsMax                  the slowest forward pass
   * @param forwardGflops                 forward FLOPs over the median
   * @param backwardMs                    median ms per backward pass, each waited for
   * @param backwardMsMin                 the fastest backward pass
   * @param backwardMsMax                 the slowest backward pass
   * @param backwardGflops                backward FLOPs over the median
   * @param matmulGflops                  the device's matmul at matmulSize³ in this run (as --gemm)
   * @param forwardVsMatmul               forwardGflops / matmulGflops
   * @param backwardVsMatmul              backwardGflops / matmulGflops
   * @param maxRelativeDifference         the forward output: max |a − a_reference| / max |a_reference|
   * @param backwardMaxRelativeDifference the largest of the same for dW, db and dX
   * @param forwardShares                 each forward kernel's share of the forward pass's time, 0 to 1
   * @param backwardShares                each backward kernel's share of the backward pass's time
   * @param sharesFrom                    how the shares were measured ({@link #SHARES_WALL} or {@link #SHARES_EVENTS})
   */
  public record Row(String shape, int rows, int height, int width, int channels, int filters, int kernel, int stride,
      boolean same, int outHeight, int outWidth, String id, String name, String status, String error,
      long forwardFlops, long backwardFlops, Double forwardMs, Double forwardMsMin, Double forwardMsMax,
      Double forwardGflops, Double backwardMs, Double backwardMsMin, Double backwardMsMax, Double backwardGflops,
      Double matmulGflops, Double forwardVsMatmul, Double backwardVsMatmul, Double maxRelativeDifference,
      Double backwardMaxRelativeDifference, Map<String, Double> forwardShares, Map<String, Double> backwardShares,
      String sharesFrom) {
    /** @return true when timed and checked */
    public boolean ok() {
      return "ok".equals(status);
    }
  }

  /**
   * A device's matmul at size³, the yardstick of its rows.
   *
   * @param id       the device
   * @param name     its name
   * @param size     m = n = k
   * @param status   "ok" or "failed"
   * @param error    why it failed; null when ok
   * @param msMedian median ms per call, each waited for
   * @param gflops   2·size³ FLOPs over the median
   */
  public record Matmul(String id, String name, int size, String status, String error, Double msMedian, Double gflops) {}

  /**
   * @param repeat     timed calls per pass
   * @param matmulSize the yardstick matmul's m = n = k (1024: the target is conv ≥ 0.6× of it)
   */
  public record Options(int repeat, int matmulSize) {}

  /**
   * @param rows     a row per shape and device: the reference's first, then each OpenCL device's
   * @param matmuls each device's yardstick matmul, in the same device order
   */
  public record Result(List<Row> rows, List<Matmul> matmuls) {}

  private ConvBench() {}

  /**
   * Times every shape on the reference, then on each OpenCL device of {@code devices} (others are skipped).
   *
   * @param shapes  the layers to time
   * @param devices OpenCL devices
   * @param options repeats and the yardstick's size
   * @param status  hears a line as each device starts
   * @return the rows and the yardsticks
   */
  public static Result run(List<ConvShape> shapes, List<Device> devices, Options options, Consumer<String> status) {
    check(shapes, options);
    List<Row> rows = new ArrayList<>();
    List<Matmul> matmuls = new ArrayList<>();
    List<Outputs> expected = new ArrayList<>();
    status.accept("conv on " + ReferenceDevice.ID + " ...");
    try (ReferenceKernels reference = new ReferenceKernels()) {
      Matmul yardstick = matmul(reference, ReferenceDevice.ID, "Java reference", options);
      matmuls.add(yardstick);
      for (ConvShape shape : shapes) {
        Layer<float[]> layer = new Layer<>(reference, shape);
        Timed t = layer.time(options.repeat());
        Outputs out = layer.outputs();
        expected.add(out);
        Shares shares = layer.wallShares(options.repeat());
        rows.add(row(shape, ReferenceDevice.ID, "Java reference", t, yardstick, 0.0, 0.0, shares, SHARES_WALL));
      }
    }
    for (Device d : devices) {
      if (!(d instanceof OpenClDevice open)) {
        continue;
      }
      ClDevice device = open.info();
      status.accept("conv on " + device.ref() + " " + device.name() + " ...");
      List<Timed> timed = new ArrayList<>();
      List<Outputs> outputs = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      Matmul yardstick;
      try (OpenClKernels kernels = new OpenClKernels(device, open.source())) {
        yardstick = matmul(kernels, device.ref(), device.name(), options);
        for (ConvShape shape : shapes) {
          try {
            Layer<?> layer = new Layer<>(kernels, shape);
            timed.add(layer.time(options.repeat()));
            outputs.add(layer.outputs());
            errors.add(null);
          } catch (DeviceException e) {
            timed.add(null);
            outputs.add(null);
            errors.add(firstLine(String.valueOf(e.getMessage())));
          }
        }
      } catch (DeviceException e) {
        String error = firstLine(String.valueOf(e.getMessage()));
        matmuls.add(new Matmul(device.ref(), device.name(), options.matmulSize(), "failed", error, null, null));
        for (ConvShape shape : shapes) {
          rows.add(failed(shape, device, error));
        }
        continue;
      }
      matmuls.add(yardstick);
      List<Shares> shares = new ArrayList<>();
      try (OpenClKernels profiled = new OpenClKernels(device, open.source(), true)) {
        for (int s = 0; s < shapes.size(); s++) {
          shares.add(timed.get(s) == null ? null : new Layer<>(profiled, shapes.get(s)).eventShares(options.repeat()));
        }
      } catch (DeviceException e) {
        while (shares.size() < shapes.size()) {
          shares.add(null);
        }
      }
      for (int s = 0; s < shapes.size(); s++) {
        ConvShape shape = shapes.get(s);
        if (timed.get(s) == null) {
          rows.add(failed(shape, device, errors.get(s)));
          continue;
        }
        Outputs got = outputs.get(s);
        Outputs want = expected.get(s);
        double backward = Math.max(difference(got.dw(), want.dw()),
            Math.max(difference(got.db(), want.db()), difference(got.dx(), want.dx())));
        rows.add(row(shape, device.ref(), device.name(), timed.get(s), yardstick, difference(got.a(), want.a()),
            backward, shares.get(s), SHARES_EVENTS));
      }
    }
    return new Result(List.copyOf(rows), List.copyOf(matmuls));
  }

  /**
   * Checks, before anything is allocated or any device opened, that the work fits the Java heap: the larger of
   * the yardstick matmul's arrays and one layer's (on the reference, each drawn array and its uploaded copy),
   * beside every shape's outputs, kept twice (the reference's, to check a device's against, and the device's).
   *
   * @param shapes  the layers to time
   * @param options the yardstick's size
   * @throws dev.cltrain.core.InputException naming the bytes needed and the heap's limit
   */
  public static void check(List<ConvShape> shapes, Options options) {
    long size = options.matmulSize();
    long largest = 5 * size * size; // a and b drawn and uploaded, c
    long kept = 0;
    for (ConvShape shape : shapes) {
      long inputs = (long) shape.rows() * shape.input().size();
      long outputs = shape.pixels() * shape.filters();
      long weights = (long) shape.patch() * shape.filters();
      // x, w, bias and the gradient g drawn and uploaded; col and dcol; a, dw, db, dx and their downloads
      long layer = 2 * (inputs + weights + shape.filters() + outputs) + 2 * shape.pixels() * shape.patch()
          + 2 * (outputs + weights + shape.filters() + inputs);
      largest = Math.max(largest, layer);
      kept += 2 * (outputs + weights + shape.filters() + inputs);
    }
    dev.cltrain.train.MemoryPlan.checkHeap(4 * (largest + kept),
        Wording.of("bench ", Wording.param("conv"), ": the arrays of its largest layer (or of the matmul at " + size
            + "^3) and every shape's outputs"));
  }

  // ---- one layer's buffers and passes ----

  private record Timed(double[] forward, double[] backward) {}

  private record Outputs(float[] a, float[] dw, float[] db, float[] dx) {}

  private record Shares(Map<String, Double> forward, Map<String, Double> backward) {}

  /** One enqueued kernel call of a pass. */
  private record Step(String name, Runnable call) {}

  /** A layer's buffers on one backend, with random inputs, and its two passes as lists of kernel calls. */
  private static final class Layer<B> {
    private final Backend<B, ?> backend;
    private final ConvShape shape;
    private final B a;
    private final B dw;
    private final B db;
    private final B dx;
    private final List<Step> forward;
    private final List<Step> backward;

    Layer(Backend<B, ?> backend, ConvShape shape) {
      this.backend = backend;
      this.shape = shape;
      Conv c = shape.geometry();
      int rows = shape.rows();
      int pixels = (int) shape.pixels();
      int patch = shape.patch();
      int filters = shape.filters();
      int height = shape.input().height();
      int width = shape.input().width();
      int channels = shape.input().channels();
      NumpyRandom random = new NumpyRandom(31L * rows + 7L * shape.input().size() + 3L * filters + shape.kernel());
      B x = backend.upload(uniform(random, rows * shape.input().size(), 1));
      B w = backend.upload(uniform(random, patch * filters, (float) Math.sqrt(6.0 / patch)));
      B bias = backend.upload(uniform(random, filters, 0.1f));
      B g = backend.upload(uniform(random, pixels * filters, 1));
      B col = backend.allocate(pixels * patch);
      int padded = dev.cltrain.backend.Range.paddedChannels(channels);
      B filterRows = backend.allocate(filters * shape.kernel() * shape.kernel() * padded);
      a = backend.allocate(pixels * filters);
      dw = backend.allocate(patch * filters);
      db = backend.allocate(filters);
      dx = backend.allocate(rows * shape.input().size());
      int relu = Activation.RELU.code;
      float perSample = 1.0f / rows;
      Step im2col = new Step(FORWARD.get(0), () -> backend.im2col(rows, height, width, channels, shape.kernel(),
          shape.stride(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), x, col));
      forward = patch <= Kernels.DIRECT_PATCH // as train.ConvOp: conv_direct writes the patches as it reads them
          ? List.of(new Step(FORWARD.get(2), () -> backend.convDirect(rows, height, width, channels, shape.kernel(),
              shape.stride(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), filters, relu, 1, x, w, bias, a,
              col)))
          : List.of(im2col, new Step(FORWARD.get(1), () -> backend.matmulBiasActivation(pixels, filters, patch, relu,
              col, w, bias, a)));
      // As train.ConvOp
      backward = List.of(
          new Step(BACKWARD.get(0), () -> backend.activationDelta(pixels * filters, relu, a, g)),
          new Step(BACKWARD.get(1), () -> backend.convWeightGradient(patch, filters, pixels, perSample, col, g, dw)),
          new Step(BACKWARD.get(2), () -> backend.columnSum(pixels, filters, perSample, g, db)),
          new Step(BACKWARD.get(3), () -> backend.convFilterRows(filters, shape.kernel() * shape.kernel(), channels,
              padded, w, filterRows)),
          new Step(BACKWARD.get(4), () -> backend.convInputGradient(rows, height, width, channels, shape.kernel(),
              shape.stride(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), filters, padded, g, filterRows,
              dx)));
    }

    /** The forward pass (warm-up, then timed), then the backward pass after it. */
    Timed time(int repeat) {
      float[] one = new float[1];
      double[] f = GemmBench.timeCalls(() -> run(forward), () -> backend.download(a, one), repeat);
      double[] b = GemmBench.timeCalls(() -> run(backward), () -> backend.download(dx, one), repeat);
      return new Timed(f, b);
    }

    /** The last passes' results: the forward output and the backward's dW, db and dX. */
    Outputs outputs() {
      float[] out = new float[(int) shape.pixels() * shape.filters()];
      float[] weights = new float[shape.patch() * shape.filters()];
      float[] biases = new float[shape.filters()];
      float[] input = new float[shape.rows() * shape.input().size()];
      backend.download(a, out);
      backend.download(dw, weights);
      backend.download(db, biases);
      backend.download(dx, input);
      return new Outputs(out, weights, biases, input);
    }

    /** Shares by wall time of each call (the reference's calls return when done); after {@link #time}. */
    Shares wallShares(int repeat) {
      float[] one = new float[1];
      return new Shares(wall(forward, repeat, one), wall(backward, repeat, one));
    }

    private Map<String, Double> wall(List<Step> steps, int repeat, float[] one) {
      long[] nanos = new long[steps.size()];
      for (int r = 0; r < repeat; r++) {
        for (int i = 0; i < steps.size(); i++) {
          long start = System.nanoTime();
          steps.get(i).call().run();
          backend.download(a, one);
          nanos[i] += System.nanoTime() - start;
        }
      }
      return shares(steps, nanos);
    }

    /** Shares by device time of profiling events; on a profiled backend, a few untimed passes first. */
    Shares eventShares(int repeat) {
      for (int w = 0; w < 3; w++) {
        run(forward);
        run(backward);
      }
      backend.takeProfile();
      return new Shares(events(forward, repeat), events(backward, repeat));
    }

    private Map<String, Double> events(List<Step> steps, int repeat) {
      long[] nanos = new long[steps.size()];
      for (int r = 0; r < repeat; r++) {
        for (int i = 0; i < steps.size(); i++) {
          steps.get(i).call().run();
          for (KernelTime t : backend.takeProfile()) {
            nanos[i] += t.nanos();
          }
        }
      }
      return shares(steps, nanos);
    }

    /** Each kernel of the pass's list ({@link #FORWARD} or {@link #BACKWARD}) with its share, 0 where not run. */
    private Map<String, Double> shares(List<Step> steps, long[] nanos) {
      double total = Arrays.stream(nanos).sum();
      Map<String, Double> out = new LinkedHashMap<>();
      for (String kernel : steps == forward ? FORWARD : BACKWARD) {
        out.put(kernel, total > 0 ? 0.0 : null);
      }
      for (int i = 0; i < steps.size(); i++) {
        out.put(steps.get(i).name(), total > 0 ? nanos[i] / total : null);
      }
      return out;
    }

    private static void run(List<Step> steps) {
      for (Step s : steps) {
        s.call().run();
      }
    }
  }

  private static <B> Matmul matmul(Backend<B, ?> backend, String id, String name, Options options) {
    int size = options.matmulSize();
    NumpyRandom random = new NumpyRandom(size);
    B a = backend.upload(uniform(random, size * size, 1));
    B b = backend.upload(uniform(random, size * size, 1));
    B c = backend.allocate(size * size);
    float[] one = new float[1];
    double[] ms = GemmBench.timeCalls(() -> backend.matmul(size, size, size, 1f, a, b, c), () -> backend.download(c, one),
        options.repeat());
    double median = median(ms);
    return new Matmul(id, name, size, "ok", null, median, FlopCount.gemmFlops(size, size, size) / (median / 1000) / 1e9);
  }

  private static Row row(ConvShape shape, String id, String name, Timed t, Matmul yardstick, Double difference,
      Double backwardDifference, Shares shares, String sharesFrom) {
    Conv c = shape.geometry();
    double[] f = t.forward().clone();
    double[] b = t.backward().clone();
    Arrays.sort(f);
    Arrays.sort(b);
    double fMedian = BenchRunner.median(f);
    double bMedian = BenchRunner.median(b);
    double fGflops = shape.forwardFlops() / (fMedian / 1000) / 1e9;
    double bGflops = shape.backwardFlops() / (bMedian / 1000) / 1e9;
    Double mm = yardstick.gflops();
    return new Row(shape.label(), shape.rows(), shape.input().height(), shape.input().width(), shape.input().channels(),
        shape.filters(), shape.kernel(), shape.stride(), shape.same(), c.outHeight(), c.outWidth(), id, name, "ok", null,
        shape.forwardFlops(), shape.backwardFlops(), fMedian, f[0], f[f.length - 1], fGflops, bMedian, b[0],
        b[b.length - 1], bGflops, mm, mm == null ? null : fGflops / mm, mm == null ? null : bGflops / mm, difference,
        backwardDifference, shares == null ? null : shares.forward(), shares == null ? null : shares.backward(),
        shares == null ? null : sharesFrom);
  }

  private static Row failed(ConvShape shape, ClDevice device, String error) {
    Conv c = shape.geometry();
    return new Row(shape.label(), shape.rows(), shape.input().height(), shape.input().width(), shape.input().channels(),
        shape.filters(), shape.kernel(), shape.stride(), shape.same(), c.outHeight(), c.outWidth(), device.ref(),
        device.name(), "failed", error, shape.forwardFlops(), shape.backwardFlops(), null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null);
  }

  private static double median(double[] ms) {
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    return BenchRunner.median(sorted);
  }

  private static float[] uniform(NumpyRandom random, int count, float scale) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return values;
  }

  private static double difference(float[] actual, float[] expected) {
    return GemmBench.difference(actual, expected);
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
