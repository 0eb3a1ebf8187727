package dev.cltrain.train;

import dev.cltrain.core.Notices;

import dev.cltrain.device.Trainer;
import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.opencl.JvmSignals;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.reference.ReferenceKernels;

import dev.cltrain.core.DeviceException;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.device.Device;
import dev.cltrain.device.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code cltrain verify}: every kernel on a device against its reference method at a set of shapes that reach
 * every code path (ones, primes, edges of every tile, vector block and reduction group, real layer widths),
 * then a short mini-batch training in lockstep with the reference. The kernels do the reference's float
 * operations in its order, so on a device with correctly rounded division and sqrt
 * ({@code CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT}) and a hardware fused multiply-add ({@code CL_FP_FMA}) they agree
 * exactly, and there the judgement is bit equality:
 * every kernel but the two loss reductions (which sum in a tree) must give the reference's bits, and the
 * lockstep training's weights must be identical. On any other device the tolerances apply (2.5 ulp per
 * division is OpenCL's limit; without an FMA the products round each multiply and add) and nothing more.
 */
public final class DeviceCheck {
  /** Kernel against reference: |device − reference| ≤ ATOL + RTOL·|reference|, element by element. */
  public static final float ATOL = 1e-6f;
  /** The relative part of the kernel tolerance (see {@link #ATOL}); the loss kernels use REDUCTION_RTOL. */
  public static final float RTOL = 1e-5f;
  /**
   * On a device without a hardware FMA the products multiply and add separately (ProgramOptions#multiplyAdd),
   * each product rounded before its sum: an element of a matmul kernel may then also differ by PRODUCT_RTOL ×
   * Σ_p |a_ip·b_pj| (with alpha), the usual gemm error measure |A|·|B|, at four float roundings (2^-22); at
   * 784-deep sums whose partial sums cancel, ATOL + RTOL·|c| alone is too tight for this.
   */
  public static final float PRODUCT_RTOL = 0x1p-22f;
  /** Reductions (the loss kernels) sum in a tree on the device, in sequence on the reference. */
  public static final float REDUCTION_RTOL = 1e-5f;
  /** Largest |w_device − w_reference| (and loss difference) after the lockstep training: --verify's tolerance. */
  public static final float TRAINING_TOLERANCE = Verification.TOLERANCE;

  /**
   * (rows, cols, depth) of every kernel check; for the matmuls (m, n, k), for gather_rows depth more source
   * rows than rows, for the element-wise kernels rows × cols elements. Ones and primes; past the 16-wide tile
   * of the tiled matmul (whose local-memory blocks then end part-way) and past the 32-column, 8-row blocks of
   * the blocked one (full blocks and edge blocks, every vector width); past the 256 work-items of the loss
   * reductions' group, in elements and in rows, with one column too (count_correct's threshold path); and
   * real layer shapes: batches of 128 rows, 784 inputs (gather_rows reaches column 783), 10 classes; and a
   * layer wider than 1,024 (the work-group limit of many devices, so a 2-D range that wraps its columns).
   */
  static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {17, 13, 29}, {33, 31, 16}, {65, 47, 9}, {130, 100, 67},
      {128, 784, 37}, {257, 10, 784}, {300, 1, 3}, {5, 1031, 3}};

  /**
   * The convolution kernels' cases (im2col, col2im, the pools, dropout): (rows, height, width, channels, kernel,
   * stride, same), HWC samples. The pools take kernel as their window (and stride), dropout all rows·height·
   * width·channels values. Ones; odd sizes and 1 channel; more channels than rows; a kernel as large as the
   * input with valid padding (one output pixel); same padding with strides 2 and 3 and an even kernel (uneven
   * padding); pools that leave rows and columns over; a prime number of rows; and MNIST's first layer (32
   * samples of 28x28, k = 5).
   */
  static final int[][] CONV_SHAPES = {{1, 1, 1, 1, 1, 1, 0}, {3, 5, 7, 1, 3, 1, 0}, {1, 7, 5, 4, 3, 2, 1},
      {2, 5, 5, 3, 5, 1, 0}, {2, 7, 11, 5, 3, 3, 1}, {3, 8, 6, 1, 4, 2, 1}, {13, 6, 6, 2, 2, 2, 0},
      {32, 28, 28, 1, 5, 1, 1}, {16, 13, 13, 17, 3, 2, 1}};

  /**
   * conv.cl's kernels, as the file has them, augment.cl's (images too: pad = the case's kernel), sequence1d.cl's
   * (a case's height·width as the steps, its channels as the features) and conv_backward.cl's (a layer's backward
   * products at the case, with 2·channels + 3 filters).
   */
  private static final List<String> CONV_KERNELS = java.util.stream.Stream.of("conv.cl", "augment.cl",
      "sequence1d.cl", "conv_backward.cl", "conv_direct.cl").flatMap(f -> OpenClKernels.kernelNames(f).stream()).toList();

  /** {@return whether {@code kernel} is one of conv.cl's, checked at {@link #CONV_SHAPES}} */
  static boolean conv(String kernel) {
    return CONV_KERNELS.contains(kernel);
  }

  /** {@return the shapes {@code kernel} is checked at: {@link #CONV_SHAPES} for conv.cl's, else {@link #SHAPES}} */
  static int[][] shapesFor(String kernel) {
    return conv(kernel) ? CONV_SHAPES
        : SequenceCases.RECURRENT_KERNELS.contains(kernel) ? SequenceCases.RECURRENT_SHAPES
        : SHAPES;
  }

  /** {@return a case as verify names it: "17x13x29" (rows x cols x depth), "2x7x11x5 k3 s3 same" for conv.cl's} */
  static String describe(String kernel, int[] s) {
    if (conv(kernel)) {
      return s[0] + "x" + s[1] + "x" + s[2] + "x" + s[3] + " k" + s[4] + " s" + s[5] + (s[6] != 0 ? " same" : " valid");
    }
    if (SequenceCases.RECURRENT_KERNELS.contains(kernel)) {
      return "rows " + s[0] + " T " + s[1] + " H " + s[2] + " F " + s[3] + " V " + s[4] + (s[5] != 0 ? " seq" : "");
    }
    return s[0] + "x" + s[1] + "x" + s[2];
  }

  /** {@return the conv kernels' cases as verify prints them, e.g. "1x1x1x1 k1 s1 valid, ..." (rows x H x W x C)} */
  public static String convShapes() {
    StringBuilder b = new StringBuilder();
    for (int[] s : CONV_SHAPES) {
      b.append(b.length() == 0 ? "" : ", ").append(describe("im2col", s));
    }
    return b.toString();
  }

  /** {@return recurrent.cl's cases as verify prints them, e.g. "rows 1 T 1 H 1 F 1 V 1, ..."} */
  public static String recurrentShapes() {
    StringBuilder b = new StringBuilder();
    for (int[] s : SequenceCases.RECURRENT_SHAPES) {
      b.append(b.length() == 0 ? "" : ", ").append(describe(SequenceCases.RECURRENT_KERNELS.get(0), s));
    }
    return b.toString();
  }

  /** {@return the shapes as verify prints them, e.g. "1x1x1, 3x5x7, ..." (rows x cols x depth)} */
  public static String shapes() {
    StringBuilder b = new StringBuilder();
    for (int[] s : SHAPES) {
      b.append(b.length() == 0 ? "" : ", ").append(s[0]).append('x').append(s[1]).append('x').append(s[2]);
    }
    return b.toString();
  }

  /** The kernels whose reference promises no bits: they reduce in a tree on the device, in sequence on the host. */
  static boolean reduction(String kernel) {
    return kernel.equals("mse_loss") || kernel.equals("xent_loss");
  }

  /**
   * Every kernel checked: every kernel of the kernel files, in their order ({@link OpenClKernels#kernelNames()});
   * DeviceCheckCoverageTest ties the list to {@link Kernels}' methods.
   */
  static final String[] KERNELS = OpenClKernels.kernelNames().toArray(String[]::new);

  /**
   * One kernel's worst case over the shapes (and activations).
   *
   * @param kernel the kernel's name in its .cl file, e.g. "matmul_transpose_a"
   * @param cases shapes times activations checked
   * @param worstExcess judged by tolerance: largest |device − reference| − (ATOL + RTOL·|reference|) over every
   *     element of every case, at most 0 passes; judged by bits: the largest |device − reference| among the
   *     elements whose bits differ (the smallest positive double for a zero of the other sign), 0 passes.
   *     +∞ when one side is NaN and the other not
   * @param worstCase the case with that excess, e.g. "17x13x29 activation 2" (rows x cols x depth)
   * @param largestDifference largest |device − reference| over every element, +∞ for NaN against a number
   * @param pass whether {@code worstExcess} is at most 0
   * @param exact whether judged by bit equality (a device that rounds correctly, any kernel but a loss
   *     reduction), else by the tolerance
   * @param differing elements of the worst case whose bits differ from the reference's
   */
  public record KernelResult(String kernel, int cases, double worstExcess, String worstCase, double largestDifference,
      boolean pass, boolean exact, long differing) {}

  /**
   * One device's result; {@code error} (with the OpenCL error constant) when it could not run at all.
   *
   * @param id the device's id, e.g. "cl:0:0"
   * @param name the device's name
   * @param kernels one result per kernel, in the order checked; only those checked before the failure when
   *     {@code error} is set
   * @param trainingWeightDifference largest |w_device − w_reference| after the lockstep training; NaN when
   *     {@code error} is set
   * @param trainingLossDifference largest |loss_device − loss_reference| over the lockstep training's epochs;
   *     NaN when {@code error} is set or either loss was NaN
   * @param error the first line of the device's failure, or null when every check ran
   * @param exact whether the device rounds division and sqrt correctly and is judged by bit equality
   * @param plans the matmul plans checked (specs, e.g. "blocked:4x16x4/128x128"); empty for the reference
   */
  public record Report(String id, String name, List<KernelResult> kernels, double trainingWeightDifference,
      double trainingLossDifference, String error, boolean exact, List<String> plans) {
    /**
     * Whether the device passed.
     *
     * @return true when every check ran, every kernel passed, the training's weights agree (exactly when
     *     {@code exact}, else within {@link DeviceCheck#TRAINING_TOLERANCE}) and its loss is within the tolerance
     */
    public boolean pass() {
      return error == null && kernels.stream().allMatch(KernelResult::pass) && weightsPass()
          && trainingLossDifference <= TRAINING_TOLERANCE;
    }

    /** {@return whether the lockstep training's weights agree: identical when exact, else within the tolerance} */
    public boolean weightsPass() {
      return exact ? trainingWeightDifference == 0 : trainingWeightDifference <= TRAINING_TOLERANCE;
    }

    /** {@return "bits" or "tolerance": how this device is judged} */
    public String judgement() {
      return exact ? "bits" : "tolerance";
    }

    /**
     * The first thing that failed, in one line, or null when the device passed.
     *
     * @return e.g. "gather_rows differs from the reference at 128x784x37: 128 of 100352 elements not bit for bit
     *     the reference's (largest difference 9.8e-01)"
     */
    public String firstFailure() {
      if (error != null) {
        return error;
      }
      for (KernelResult k : kernels) {
        if (!k.pass()) {
          return describeFailure(k);
        }
      }
      if (!weightsPass()) {
        return "the lockstep training's weights differ from the reference's by " + String.format(Locale.ROOT, "%.2e",
            trainingWeightDifference) + (exact ? " (must be 0 on a device that rounds correctly)" : " (tolerance "
            + String.format(Locale.ROOT, "%.1e", TRAINING_TOLERANCE) + ")");
      }
      if (!(trainingLossDifference <= TRAINING_TOLERANCE)) {
        return "the lockstep training's loss differs from the reference's by " + String.format(Locale.ROOT, "%.2e",
            trainingLossDifference) + " (tolerance " + String.format(Locale.ROOT, "%.1e", TRAINING_TOLERANCE) + ")";
      }
      return null;
    }
  }

  /**
   * One failing kernel in one line.
   *
   * @param k a kernel's result that did not pass
   * @return e.g. "adam_update differs from the reference at 33x31x16: 12 elements not bit for bit the
   *     reference's (largest difference 2.4e-07)"
   */
  public static String describeFailure(KernelResult k) {
    if (k.exact()) {
      return k.kernel() + " differs from the reference at " + k.worstCase() + ": " + k.differing() + " element"
          + (k.differing() == 1 ? "" : "s") + " not bit for bit the reference's (largest difference "
          + String.format(Locale.ROOT, "%.2e", k.largestDifference()) + ")";
    }
    return k.kernel() + " differs from the reference at " + k.worstCase() + " by "
        + String.format(Locale.ROOT, "%.2e", k.worstExcess()) + " beyond the tolerance";
  }

  private DeviceCheck() {}

  /**
   * Checks {@code device} with every matmul plan it will use, the large products' plan included (tuned now if
   * it has not been): what {@code cltrain verify} runs. Never throws for what the device does wrong: that is
   * in the report.
   *
   * @param device the device to check (checking the reference against itself passes trivially)
   * @return every kernel's worst case and the lockstep training's differences
   */
  public static Report check(Device device) {
    return check(device, true);
  }

  /**
   * Checks {@code device}; never throws for what the device does wrong: that is in the report. The matmul
   * kernels run at every shape with each plan of the device's backend (a second plan for large products; see
   * {@link OpenClKernels#plans()}).
   *
   * @param device the device to check (checking the reference against itself passes trivially)
   * @param tuneLarge whether a large-product plan not yet tuned is tuned now and checked (verify); else only the
   *     plans known are (the first-use check: a plan tuned later is checked against them before its first use)
   * @return every kernel's worst case, the plans checked and the lockstep training's differences
   */
  public static Report check(Device device, boolean tuneLarge) {
    boolean exact = roundsCorrectly(device);
    List<KernelResult> kernels = new ArrayList<>();
    List<String> plans = new ArrayList<>();
    ReferenceKernels reference = new ReferenceKernels();
    boolean separate = !Boolean.TRUE.equals(device.properties().get("fma")); // ProgramOptions#multiplyAdd
    try (Backend<?, ?> cl = device.openBackend(false)) {
      // each plan the products take, forced for every product (null: the device has one way to multiply)
      List<Boolean> forcings = new ArrayList<>();
      forcings.add(null);
      if (cl instanceof OpenClKernels k) {
        if (tuneLarge) {
          k.largePlan();
        }
        k.plans().forEach(p -> plans.add(p.spec()));
        if (k.plans().size() > 1) {
          forcings.set(0, false);
          forcings.add(true);
        }
      }
      // a driver may compile as the kernels first run, printing to fd 2 (Rusticl): shown only with --verbose
      Notices.driverOutput("the kernels' first runs on " + device.id(), JvmSignals.captureStderr(() -> {
      for (String kernel : KERNELS) {
        boolean bits = exact && !reduction(kernel);
        int cases = 0;
        double worst = Double.NEGATIVE_INFINITY;
        String worstCase = "";
        double largest = 0;
        long differing = 0;
        for (Boolean forcing : kernel.startsWith("matmul") ? forcings : java.util.Collections.<Boolean>singletonList(null)) {
          if (cl instanceof OpenClKernels k) {
            k.forcePlan(forcing);
          }
          String plan = forcing == null ? "" : ", plan " + plans.get(forcing ? 1 : 0);
          for (int[] s : shapesFor(kernel)) {
            for (int activation : takesActivation(kernel) ? new int[] {0, 1, 2, 3} : new int[] {-1}) {
              long seed = 31L * cases + kernel.hashCode();
              float[] expected = KernelCases.exec(kernel, reference, s, activation, seed);
              float[] actual = KernelCases.exec(kernel, cl, s, activation, seed);
              float[] magnitudes = !separate ? null : kernel.startsWith("matmul") ? productMagnitudes(kernel, s, seed)
                  : KernelCases.PRODUCT_SUMS.contains(kernel) ? KernelCases.productMagnitudes(kernel, s, seed) : null;
              // recurrent.cl's cases chain T steps, each step's rounding fed to the next: T times the tolerance
              int chain = SequenceCases.RECURRENT_KERNELS.contains(kernel) ? s[1] : 1;
              double excess = bits ? bitExcess(expected, actual) : excess(kernel, expected, actual, magnitudes, chain);
              largest = Math.max(largest, largestDifference(expected, actual));
              cases++;
              if (excess > worst) {
                worst = excess;
                differing = differingBits(expected, actual);
                worstCase = describe(kernel, s) + (activation >= 0 ? " activation " + activation : "") + plan;
              }
            }
          }
        }
        if (cl instanceof OpenClKernels k) {
          k.forcePlan(null);
        }
        kernels.add(new KernelResult(kernel, cases, worst, worstCase, largest, worst <= 0, bits, differing));
      }
      }));
    } catch (DeviceException e) {
      return new Report(device.id(), device.name(), kernels, Double.NaN, Double.NaN, firstLine(e.getMessage()), exact, plans);
    }
    double[] training;
    try {
      double[][] result = new double[1][];
      Notices.driverOutput("the lockstep training on " + device.id(),
          JvmSignals.captureStderr(() -> result[0] = lockstep(device)));
      training = result[0];
    } catch (DeviceException e) {
      return new Report(device.id(), device.name(), kernels, Double.NaN, Double.NaN, firstLine(e.getMessage()), exact, plans);
    }
    return new Report(device.id(), device.name(), kernels, training[0], training[1], null, exact, plans);
  }

  /**
   * Whether {@code device} is judged by bit equality: it reports correctly rounded division and sqrt
   * ({@code correctlyRoundedDivideSqrt} in its properties), so the kernels are built to round them correctly,
   * and has a hardware fused multiply-add ({@code fma}; without one the products multiply and add separately,
   * see ProgramOptions#multiplyAdd): {@link dev.cltrain.opencl.ClDevice#roundsAsTheReference} by properties.
   *
   * @param device an OpenCL device (or the reference, which is its own judge and always exact)
   * @return true for bit equality, false for the tolerances
   */
  public static boolean roundsCorrectly(Device device) {
    return device.isReference() || (Boolean.TRUE.equals(device.properties().get("correctlyRoundedDivideSqrt"))
        && Boolean.TRUE.equals(device.properties().get("fma")));
  }

  /** Five epochs of a small relu/softmax net with Adam in batches of 32 on the device and on the reference. */
  static double[] lockstep(Device device) {
    DataSet data = Generated.load("random:200x13x3", 7);
    Network initial = Network.init(new int[] {13, 16, 3}, Activation.RELU, Loss.XENT, Init.HE, new NumpyRandom(7));
    Settings settings = new Settings(Optimizer.adam(0.01f).withWeightDecay(1e-4f), 32, new NumpyRandom(7));
    double lossDifference = 0;
    try (Trainer onDevice = new Backprop<>(device.openBackend(false), initial, data, settings);
         Trainer judge = new Backprop<>(new ReferenceKernels(), initial, data, settings)) {
      for (int e = 0; e < 5; e++) {
        float a = onDevice.epoch(true).loss();
        float b = judge.epoch(true).loss();
        lossDifference = Math.max(lossDifference, Float.isNaN(a) || Float.isNaN(b) ? Double.NaN : Math.abs(a - b));
      }
      return new double[] {Network.maxAbsDifference(onDevice.network(), judge.network()), lossDifference};
    }
  }

  private static boolean takesActivation(String kernel) {
    return switch (kernel) {
      case "matmul_bias_activation", "matmul_transpose_b_delta", "bias_activation", "activation_delta", "mse_delta",
          "train_small", "conv_direct", "conv_direct_max_pool" -> true;
      default -> false;
    };
  }

  static double largestDifference(float[] expected, float[] actual) {
    double largest = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) actual[i] - expected[i]);
      largest = Double.isNaN(d) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i])) ? Double.POSITIVE_INFINITY
          : Math.max(largest, Double.isNaN(d) ? 0 : d);
    }
    return largest;
  }

  /** Elements whose bits differ (every NaN counts as the same bits). */
  static long differingBits(float[] expected, float[] actual) {
    long n = 0;
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        n++;
      }
    }
    return n;
  }

  /**
   * Bit equality as an excess: 0 when every element has the reference's bits, else the largest difference among
   * those that do not (at least the smallest positive double, for +0 against −0), +∞ for NaN against a number.
   */
  static double bitExcess(float[] expected, float[] actual) {
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        double d = Math.abs((double) actual[i] - expected[i]);
        worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(d, Double.MIN_VALUE));
      }
    }
    return worst;
  }

  /**
   * Σ_p |a_ip·b_pj| (times alpha) for each element of a matmul kernel's case in {@link KernelCases#exec}: the same seeded
   * operands, their magnitudes multiplied on the reference.
   */
  static float[] productMagnitudes(String kernel, int[] s, long seed) {
    int rows = s[0];
    int cols = s[1];
    int depth = s[2];
    KernelCases.Draws draws = new KernelCases.Draws(new Random(seed), false);
    float[] a = magnitudes(KernelCases.uniform(draws, rows * depth));
    float[] b = magnitudes(KernelCases.uniform(draws, depth * cols));
    float[] c = new float[rows * cols];
    ReferenceKernels reference = new ReferenceKernels();
    switch (kernel) {
      case "matmul" -> reference.matmul(rows, cols, depth, 0.5f, a, b, c);
      case "matmul_transpose_a" -> reference.matmulTransposeA(rows, cols, depth, 0.5f, a, b, c);
      case "matmul_transpose_b" -> reference.matmulTransposeB(rows, cols, depth, 0.5f, a, b, c);
      case "matmul_transpose_b_delta" -> reference.matmulTransposeB(rows, cols, depth, 1f, a, b, c);
      default -> reference.matmul(rows, cols, depth, 1f, a, b, c); // matmul_bias_activation
    }
    return c;
  }

  private static float[] magnitudes(float[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.abs(v[i]);
    }
    return v;
  }

  /** As {@link #excess(String, float[], float[], float[])} with no product magnitudes. */
  static double excess(String kernel, float[] expected, float[] actual) {
    return excess(kernel, expected, actual, null);
  }

  /**
   * max over elements of |actual − expected| − (ATOL + RTOL·|expected| + PRODUCT_RTOL·magnitudes): ≤ 0 passes;
   * NaN against a number fails.
   *
   * @param magnitudes Σ_p |a_ip·b_pj| per element on a device that multiplies and adds separately, else null
   */
  static double excess(String kernel, float[] expected, float[] actual, float[] magnitudes) {
    return excess(kernel, expected, actual, magnitudes, 1);
  }

  /**
   * {@link #excess(String, float[], float[], float[])} with the tolerance times {@code chain}: a case that chains
   * that many dependent launches (recurrent.cl's T steps).
   */
  static double excess(String kernel, float[] expected, float[] actual, float[] magnitudes, int chain) {
    float rtol = kernel.endsWith("_loss") ? REDUCTION_RTOL : RTOL;
    double worst = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(expected[i]) != Float.isNaN(actual[i])) {
        return Double.POSITIVE_INFINITY;
      }
      double tolerance = chain * (ATOL + rtol * Math.abs(expected[i])
          + (magnitudes == null ? 0 : PRODUCT_RTOL * magnitudes[i]));
      if (Float.isNaN(expected[i]) || expected[i] == actual[i]) {
        worst = Math.max(worst, -tolerance);
        continue;
      }
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]) - tolerance);
    }
    return worst;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
