package dev.cltrain.backend;

import dev.cltrain.device.Device;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.opencl.ProgramOptions;
import dev.cltrain.reference.ReferenceKernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.MatmulPlan;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.testing.Tolerances;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel on every backend but the reference ({@link Backends#others()}: every OpenCL device) against its
 * ReferenceKernels method, on seeded inputs, at awkward shapes: 1, primes, and one less / equal / one more than
 * each tile edge the devices use (and twice it). Typed on the kernel contract ({@link Device}, {@link Kernels}),
 * but for one OpenCL-only check: the *_layers kernels built with update chunks other than the device's own.
 */
class KernelsVsReferenceTest {
  private static final Backends.Opened OPEN = new Backends.Opened();
  /** Kernels built with an update chunk other than the device's own, by device and chunk. */
  private static final Map<String, OpenClKernels> CHUNKED = new HashMap<>();
  private static final ReferenceKernels REFERENCE = new ReferenceKernels();

  /** (m, n, k): rows of the result, its columns, and the summed dimension. */
  static List<int[]> shapes() {
    List<int[]> shapes = new ArrayList<>(List.of(
        new int[] {1, 1, 1}, new int[] {3, 5, 7}, new int[] {127, 129, 65}, new int[] {1, 31, 2},
        new int[] {61, 1, 17}, new int[] {4, 2, 1}));
    for (int tile : new int[] {8, 16}) {
      for (int d = -1; d <= 1; d++) {
        shapes.add(new int[] {tile + d, tile - d, tile + d});
        shapes.add(new int[] {2 * tile + d, tile, 2 * tile - d});
      }
    }
    return shapes;
  }

  static Stream<Arguments> cases() {
    return Backends.others().stream().flatMap(d -> shapes().stream().map(s -> Arguments.of(d, s[0], s[1], s[2])));
  }

  @AfterAll
  static synchronized void release() {
    OPEN.close();
    CHUNKED.values().forEach(OpenClKernels::close);
    CHUNKED.clear();
  }

  /** Seeded uniform values in [low, high); ConvKernelsTest draws its inputs with it too. */
  static float[] random(long seed, int length, float low, float high) {
    Random r = new Random(seed * 7919 + length);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = low + (high - low) * r.nextFloat();
    }
    return v;
  }

  /** Runs {@code op} on the device with {@code inputs} uploaded and returns output buffer {@code outIndex}. */
  private static float[] onDevice(Device device, Backends.Op op, int outIndex, int outLength, float[]... inputs) {
    return Backends.run(OPEN.on(device), op, outIndex, outLength, inputs);
  }

  @ParameterizedTest(name = "{0} matmul {1}x{2}x{3}")
  @MethodSource("cases")
  void matmulMatchesReference(Device device, int m, int n, int k) {
    float[] a = random(1, m * k, -1, 1);
    float[] b = random(2, k * n, -1, 1);
    float[] expected = new float[m * n];
    REFERENCE.matmul(m, n, k, 0.5f, a, b, expected);
    float[] actual = onDevice(device, (kk, buf) -> kk.matmul(m, n, k, 0.5f, buf.get(0), buf.get(1), buf.get(2)), 2, m * n,
        a, b, new float[m * n]);
    Tolerances.assertMatchesReference(device, "matmul", expected, actual);
  }

  @ParameterizedTest(name = "{0} matmul_transpose_a {1}x{2}x{3}")
  @MethodSource("cases")
  void matmulTransposeAMatchesReference(Device device, int m, int n, int k) {
    float[] a = random(3, k * m, -1, 1);
    float[] b = random(4, k * n, -1, 1);
    float[] expected = new float[m * n];
    REFERENCE.matmulTransposeA(m, n, k, 0.25f, a, b, expected);
    float[] actual = onDevice(device, (kk, buf) -> kk.matmulTransposeA(m, n, k, 0.25f, buf.get(0), buf.get(1), buf.get(2)), 2,
        m * n, a, b, new float[m * n]);
    Tolerances.assertMatchesReference(device, "matmul_transpose_a", expected, actual);
  }

  @ParameterizedTest(name = "{0} matmul_transpose_b {1}x{2}x{3}")
  @MethodSource("cases")
  void matmulTransposeBMatchesReference(Device device, int m, int n, int k) {
    float[] a = random(5, m * k, -1, 1);
    float[] b = random(6, n * k, -1, 1);
    float[] expected = new float[m * n];
    REFERENCE.matmulTransposeB(m, n, k, 1.0f, a, b, expected);
    float[] actual = onDevice(device, (kk, buf) -> kk.matmulTransposeB(m, n, k, 1.0f, buf.get(0), buf.get(1), buf.get(2)), 2,
        m * n, a, b, new float[m * n]);
    Tolerances.assertMatchesReference(device, "matmul_transpose_b", expected, actual);
  }

  private static void check(Device device, String what, float[] expected, Backends.Op op, int outIndex,
      float[]... inputs) {
    Tolerances.assertMatchesReference(device, what, expected, onDevice(device, op, outIndex, expected.length, inputs));
  }

  @ParameterizedTest(name = "{0} activations {1}x{2}")
  @MethodSource("cases")
  void activationKernelsMatchReferenceForEveryActivation(Device device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] z = random(seed, count, -6, 6);
    float[] bias = random(seed + 1, cols, -2, 2);
    float[] dz = random(seed + 4, count, -1, 1);
    for (int code = 0; code <= 3; code++) {
      int activation = code;
      float[] a = new float[count];
      REFERENCE.biasActivation(rows, cols, activation, z, bias, a);
      check(device, "bias_activation " + code, a,
          (k, b) -> k.biasActivation(rows, cols, activation, b.get(0), b.get(1), b.get(2)), 2, z, bias, new float[count]);
      float[] expected = dz.clone();
      REFERENCE.activationDelta(count, activation, a, expected);
      check(device, "activation_delta " + code, expected, (k, b) -> k.activationDelta(count, activation, b.get(0), b.get(1)),
          1, a, dz);
      expected = new float[count];
      float[] y = random(seed + 3, count, 0, 1);
      REFERENCE.mseDelta(count, activation, a, y, expected);
      check(device, "mse_delta " + code, expected, (k, b) -> k.mseDelta(count, activation, b.get(0), b.get(1), b.get(2)), 2,
          a, y, new float[count]);
    }
    float[] p = new float[count];
    REFERENCE.biasSoftmax(rows, cols, z, bias, p);
    check(device, "bias_softmax", p, (k, b) -> k.biasSoftmax(rows, cols, b.get(0), b.get(1), b.get(2)), 2, z, bias,
        new float[count]);
    float[] big = random(seed + 9, count, 80, 100); // exp(100) overflows float: only a max-subtracted softmax survives
    REFERENCE.biasSoftmax(rows, cols, big, bias, p);
    check(device, "bias_softmax of large inputs", p, (k, b) -> k.biasSoftmax(rows, cols, b.get(0), b.get(1), b.get(2)), 2, big,
        bias, new float[count]);
  }

  /** One-hot rows: class (r · 7) mod cols for row r. */
  private static float[] oneHot(int rows, int cols) {
    float[] y = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      y[r * cols + (r * 7) % cols] = 1;
    }
    return y;
  }

  @ParameterizedTest(name = "{0} losses {1}x{2}")
  @MethodSource("cases")
  void lossKernelsMatchReference(Device device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] a = random(seed + 2, count, 0.01f, 0.99f);
    float[] y = random(seed + 3, count, 0, 1);
    float[] hot = oneHot(rows, cols);
    float[] expected = new float[3];
    REFERENCE.mseLoss(count, 2, a, y, expected);
    Tolerances.assertClose("mse_loss", expected, onDevice(device, (k, b) -> k.mseLoss(count, 2, b.get(0), b.get(1), b.get(2)), 2, 3, a, y,
        new float[3]), 0, Tolerances.LOSS_RTOL);
    expected = new float[3];
    REFERENCE.xentLoss(rows, cols, 1, a, hot, expected);
    Tolerances.assertClose("xent_loss", expected, onDevice(device, (k, b) -> k.xentLoss(rows, cols, 1, b.get(0), b.get(1), b.get(2)), 2, 3,
        a, hot, new float[3]), 0, Tolerances.LOSS_RTOL);
    expected = new float[count];
    REFERENCE.xentDelta(count, a, hot, expected);
    check(device, "xent_delta", expected, (k, b) -> k.xentDelta(count, b.get(0), b.get(1), b.get(2)), 2, a, hot,
        new float[count]);
    float[] correct = new float[2];
    REFERENCE.countCorrect(rows, cols, 1, a, hot, correct);
    Tolerances.assertClose("count_correct", correct, onDevice(device, (k, b) -> k.countCorrect(rows, cols, 1, b.get(0), b.get(1), b.get(2)),
        2, 2, a, hot, new float[2]), 0, 0);
  }

  @ParameterizedTest(name = "{0} updates {1}x{2}")
  @MethodSource("cases")
  void gradientAndOptimizerKernelsMatchReference(Device device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] w = random(seed, count, -3, 3);
    float[] dz = random(seed + 4, count, -1, 1);
    float[] state1 = random(seed + 5, count, -0.1f, 0.1f);
    float[] state2 = random(seed + 6, count, 0, 0.01f);

    float[] expected = new float[cols];
    REFERENCE.columnSum(rows, cols, 1.0f / rows, dz, expected);
    check(device, "column_sum", expected, (k, b) -> k.columnSum(rows, cols, 1.0f / rows, b.get(0), b.get(1)), 1, dz,
        new float[cols]);

    expected = w.clone();
    REFERENCE.sgdUpdate(count, 0.3f, 0.01f, dz, expected);
    check(device, "sgd_update", expected, (k, b) -> k.sgdUpdate(count, 0.3f, 0.01f, b.get(0), b.get(1)), 1, dz, w);

    expected = w.clone();
    float[] velocity = state1.clone();
    REFERENCE.momentumUpdate(count, 0.1f, 0.9f, 0.001f, dz, velocity, expected);
    check(device, "momentum_update weights", expected,
        (k, b) -> k.momentumUpdate(count, 0.1f, 0.9f, 0.001f, b.get(0), b.get(1), b.get(2)), 2, dz, state1, w);
    check(device, "momentum_update velocity", velocity,
        (k, b) -> k.momentumUpdate(count, 0.1f, 0.9f, 0.001f, b.get(0), b.get(1), b.get(2)), 1, dz, state1, w);

    expected = w.clone();
    float[] m = state1.clone();
    float[] v = state2.clone();
    float c1 = (float) (1 - Math.pow(0.9, 3));
    float c2 = (float) (1 - Math.pow(0.999, 3));
    REFERENCE.adamUpdate(count, 0.01f, AdamConstants.DEFAULT, 0.0f, c1, c2, dz, m, v, expected);
    Backends.Op adam = (k, b) -> k.adamUpdate(count, 0.01f, AdamConstants.DEFAULT, 0.0f, c1, c2, b.get(0), b.get(1), b.get(2), b.get(3));
    check(device, "adam_update weights", expected, adam, 3, dz, state1, state2, w);
    check(device, "adam_update m", m, adam, 1, dz, state1, state2, w);
    check(device, "adam_update v", v, adam, 2, dz, state1, state2, w);

    expected = w.clone();
    m = state1.clone();
    v = state2.clone();
    REFERENCE.adamwUpdate(count, 0.01f, AdamConstants.DEFAULT, 0.05f, c1, c2, dz, m, v, expected);
    Backends.Op adamw = (k, b) -> k.adamwUpdate(count, 0.01f, AdamConstants.DEFAULT, 0.05f, c1, c2, b.get(0), b.get(1),
        b.get(2), b.get(3));
    check(device, "adamw_update weights", expected, adamw, 3, dz, state1, state2, w);
    check(device, "adamw_update m", m, adamw, 1, dz, state1, state2, w);
    check(device, "adamw_update v", v, adamw, 2, dz, state1, state2, w);

    int blocks = 1 + (count + Kernels.NORM_BLOCK - 1) / Kernels.NORM_BLOCK;
    float[] partials = new float[blocks];
    REFERENCE.squareSums(count, 1, dz, partials);
    check(device, "square_sums", partials, (k, b) -> k.squareSums(count, 1, b.get(0), b.get(1)), 1, dz,
        new float[blocks]);
    for (float bound : new float[] {0.01f, 1e9f}) { // clips; keeps 1
      float[] factor = new float[1];
      REFERENCE.clipFactor(blocks, bound, partials, factor);
      check(device, "clip_factor " + bound, factor, (k, b) -> k.clipFactor(blocks, bound, b.get(0), b.get(1)), 1,
          partials, new float[1]);
      expected = dz.clone();
      REFERENCE.scaleBy(count, factor, expected);
      check(device, "scale_by", expected, (k, b) -> k.scaleBy(count, b.get(0), b.get(1)), 1, factor, dz);
    }
  }

  static Stream<Arguments> devices() {
    return Backends.others().stream().map(Arguments::of);
  }

  /**
   * Moments just above FLT_MIN with a zero gradient: β·moment is subnormal, so the new moment must be +0 (from
   * either sign) on the reference and on the device, bit for bit; moments further from FLT_MIN keep β·moment.
   */
  @ParameterizedTest(name = "{0} subnormal moments flushed")
  @MethodSource("devices")
  void momentsThatWouldTurnSubnormalBecomePlusZeroOnBothSides(Device device) {
    float min = Float.MIN_NORMAL;
    float[] moment = {1e-38f, -1e-38f, min, -min, 1e-37f, -1e-37f, 0.5f, 0f, -0f, 1.2e-38f / 0.9f, 2e-38f};
    int count = moment.length;
    float[] dw = new float[count];
    float[] w = random(5, count, -1, 1);
    float[] velocity = moment.clone();
    float[] expectedW = w.clone();
    REFERENCE.momentumUpdate(count, 0.1f, 0.9f, 0f, dw, velocity, expectedW);
    float[] m = moment.clone();
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = Math.abs(moment[i]);
    }
    float[] v0 = v.clone();
    float[] adamW = w.clone();
    float c1 = (float) (1 - Math.pow(0.9, 5));
    float c2 = (float) (1 - Math.pow(0.999, 5));
    REFERENCE.adamUpdate(count, 0.01f, AdamConstants.DEFAULT, 0f, c1, c2, dw, m, v, adamW);
    for (int i = 0; i < count; i++) {
      float decayed = 0.9f * moment[i];
      float expected = Math.abs(decayed) < Float.MIN_NORMAL ? 0f : decayed;
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(velocity[i]), "reference velocity " + i);
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(m[i]), "reference m " + i);
      float decayedV = 0.999f * v0[i];
      assertEquals(Float.floatToIntBits(decayedV < Float.MIN_NORMAL ? 0f : decayedV), Float.floatToIntBits(v[i]),
          "reference v " + i);
    }
    assertEquals(0, Float.floatToIntBits(m[0]), "9e-39 is subnormal: +0");
    assertEquals(0, Float.floatToIntBits(m[1]), "−9e-39 is subnormal: +0, not −0");
    assertEquals(0, Float.floatToIntBits(m[8]), "−0 becomes +0");
    assertEquals(0.9f * 1e-37f, m[4], 0f, "a normal moment keeps β1·m");

    Tolerances.assertSameBits("momentum_update velocity on " + device.id(), velocity,
        onDevice(device, (k, b) -> k.momentumUpdate(count, 0.1f, 0.9f, 0f, b.get(0), b.get(1), b.get(2)), 1, count, dw, moment, w));
    check(device, "momentum_update weights", expectedW,
        (k, b) -> k.momentumUpdate(count, 0.1f, 0.9f, 0f, b.get(0), b.get(1), b.get(2)), 2, dw, moment, w);
    Backends.Op adam = (k, b) -> k.adamUpdate(count, 0.01f, AdamConstants.DEFAULT, 0f, c1, c2, b.get(0), b.get(1), b.get(2), b.get(3));
    Tolerances.assertSameBits("adam_update m on " + device.id(), m, onDevice(device, adam, 1, count, dw, moment, v0, w));
    Tolerances.assertSameBits("adam_update v on " + device.id(), v, onDevice(device, adam, 2, count, dw, moment, v0, w));
    check(device, "adam_update weights", adamW, adam, 3, dw, moment, v0, w);
  }

  /** Slot counts of the *_layers checks: one slot of one, primes, empty slots, all eight, and tile-edged sizes. */
  static List<int[]> slotCounts() {
    return List.of(new int[] {1}, new int[] {7, 0, 13}, new int[] {0, 0, 1}, new int[] {0},
        new int[] {1, 2, 3, 5, 7, 11, 13, 17}, new int[] {127 * 129, 129, 65, 0, 1, 31, 16, 4099},
        new int[] {784 * 3, 3, 0, 0, 0, 0, 0, 0}, new int[] {15, 17});
  }

  static Stream<Arguments> slotCases() {
    return Backends.others().stream().flatMap(d -> slotCounts().stream().map(c -> Arguments.of(d, c)));
  }

  /**
   * sgd/momentum/adam_update_layers on the device against the reference's, bit for bit where the device rounds
   * correctly, and the reference's *_layers against its single-array methods slot by slot, bit for bit always.
   * Slots alternate weight decay 0.01 and 0; moments near FLT_MIN (flushed) are mixed in.
   */
  @ParameterizedTest(name = "{0} update_layers {1}")
  @MethodSource("slotCases")
  void layeredUpdatesMatchReferenceAndTheSingleArrayKernels(Device device, int[] count) {
    checkLayeredUpdates(device, OPEN.on(device), count, "");
  }

  // ---- OpenCL only: the *_layers kernels built with other update chunks than the device's own ----

  /** OpenCL devices, slot counts, and update chunks (elements per work-item) other than the device's own. */
  static Stream<Arguments> chunkCases() {
    return OpenClDevices.all().stream().flatMap(d -> slotCounts().stream().flatMap(c -> IntStream.of(1, 3)
        .filter(chunk -> chunk != ProgramOptions.updateChunk(d)).mapToObj(chunk -> Arguments.of(d, c, chunk))));
  }

  /** The kernels with the *_layers kernels built for {@code chunk} elements per work-item (matmuls tiled). */
  private static synchronized OpenClKernels kernelsOn(ClDevice device, int chunk) {
    return CHUNKED.computeIfAbsent(device.ref() + " chunk " + chunk,
        key -> new OpenClKernels(device, KernelSource.classpath(), false, MatmulPlan.tiled(16), chunk));
  }

  /** {@link #layeredUpdatesMatchReferenceAndTheSingleArrayKernels} with the *_layers kernels built for a chunk. */
  @ParameterizedTest(name = "{0} update_layers {1}, {2} per work-item")
  @MethodSource("chunkCases")
  void layeredUpdatesWithOtherUpdateChunksMatchReference(ClDevice device, int[] count, int chunk) {
    checkLayeredUpdates(new OpenClDevice(device), kernelsOn(device, chunk), count, ", chunk " + chunk);
  }

  @SuppressWarnings("unchecked")
  private static void checkLayeredUpdates(Device device, Backend<?, ?> backend, int[] count, String label) {
    Backend<Object, Object> k = (Backend<Object, Object>) backend;
    int slots = count.length;
    float[] decay = new float[slots];
    float[][] dw = new float[slots][];
    float[][] w = new float[slots][];
    float[][] m = new float[slots][];
    float[][] v = new float[slots][];
    for (int s = 0; s < slots; s++) {
      decay[s] = s % 2 == 0 ? 0.01f : 0f;
      dw[s] = random(40 + s, count[s], -1, 1);
      w[s] = random(50 + s, count[s], -3, 3);
      m[s] = random(60 + s, count[s], -0.1f, 0.1f);
      v[s] = random(70 + s, count[s], 0, 0.01f);
      for (int i = 2; i < count[s]; i += 5) {
        dw[s][i] = 0;
        m[s][i] = (i % 2 == 0 ? 1.1f : -1.1f) * Float.MIN_NORMAL;
        v[s][i] = Float.MIN_NORMAL;
      }
    }
    float c1 = (float) (1 - Math.pow(0.9, 4));
    float c2 = (float) (1 - Math.pow(0.999, 4));
    for (String kernel : List.of("sgd_update_layers", "momentum_update_layers", "adam_update_layers",
        "adamw_update_layers")) {
      float[][] singleW = copy(w);
      float[][] singleM = copy(m);
      float[][] singleV = copy(v);
      for (int s = 0; s < slots; s++) {
        switch (kernel) {
          case "sgd_update_layers" -> REFERENCE.sgdUpdate(count[s], 0.3f, decay[s], dw[s], singleW[s]);
          case "momentum_update_layers" -> REFERENCE.momentumUpdate(count[s], 0.1f, 0.9f, decay[s], dw[s],
              singleM[s], singleW[s]);
          case "adamw_update_layers" -> REFERENCE.adamwUpdate(count[s], 0.01f, AdamConstants.DEFAULT, decay[s], c1, c2,
              dw[s], singleM[s], singleV[s], singleW[s]);
          default -> REFERENCE.adamUpdate(count[s], 0.01f, AdamConstants.DEFAULT, decay[s], c1, c2, dw[s], singleM[s],
              singleV[s], singleW[s]);
        }
      }
      List<float[]> refW = Arrays.asList(copy(w));
      List<float[]> refM = Arrays.asList(copy(m));
      List<float[]> refV = Arrays.asList(copy(v));
      List<float[]> refDw = Arrays.asList(dw);
      runLayers(REFERENCE, kernel, count, decay, c1, c2, refDw, refM, refV, refW);
      List<Object> all = new ArrayList<>();
      try {
        List<Object> dDw = uploadAll(k, dw, all);
        List<Object> dW = uploadAll(k, w, all);
        List<Object> dM = uploadAll(k, m, all);
        List<Object> dV = uploadAll(k, v, all);
        runLayers(k, kernel, count, decay, c1, c2, dDw, dM, dV, dW);
        for (int s = 0; s < slots; s++) {
          String what = kernel + " slot " + s + " of " + Arrays.toString(count) + label;
          Tolerances.assertSameBits(what + " w: reference against single-array", singleW[s], refW.get(s));
          Tolerances.assertSameBits(what + " m: reference against single-array", singleM[s], refM.get(s));
          Tolerances.assertSameBits(what + " v: reference against single-array", singleV[s], refV.get(s));
          Tolerances.assertMatchesReference(device, what + " w", refW.get(s), download(k, dW.get(s), count[s]));
          Tolerances.assertMatchesReference(device, what + " m", refM.get(s), download(k, dM.get(s), count[s]));
          Tolerances.assertMatchesReference(device, what + " v", refV.get(s), download(k, dV.get(s), count[s]));
        }
      } finally {
        all.forEach(Backends::free);
      }
    }
  }

  private static <B> void runLayers(Backend<B, ?> k, String kernel, int[] count, float[] decay, float c1, float c2,
      List<B> dw, List<B> m, List<B> v, List<B> w) {
    switch (kernel) {
      case "sgd_update_layers" -> k.sgdUpdateLayers(count, 0.3f, decay, dw, w);
      case "momentum_update_layers" -> k.momentumUpdateLayers(count, 0.1f, 0.9f, decay, dw, m, w);
      case "adamw_update_layers" -> k.adamwUpdateLayers(count, 0.01f, AdamConstants.DEFAULT, decay, c1, c2, dw, m, v, w);
      default -> k.adamUpdateLayers(count, 0.01f, AdamConstants.DEFAULT, decay, c1, c2, dw, m, v, w);
    }
  }

  private static float[][] copy(float[][] arrays) {
    float[][] c = new float[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      c[i] = arrays[i].clone();
    }
    return c;
  }

  /** Each array uploaded (an empty one as a one-element buffer: OpenCL has no empty buffers), kept in all. */
  private static List<Object> uploadAll(Backend<Object, Object> k, float[][] arrays, List<Object> all) {
    List<Object> buffers = new ArrayList<>();
    for (float[] a : arrays) {
      Object b = k.upload(a.length == 0 ? new float[1] : a);
      all.add(b);
      buffers.add(b);
    }
    return buffers;
  }

  private static float[] download(Backend<Object, Object> k, Object buffer, int length) {
    float[] out = new float[length];
    if (length > 0) {
      k.download(buffer, out);
    }
    return out;
  }

  @ParameterizedTest(name = "{0} gather_rows {1}x{2}")
  @MethodSource("cases")
  void gatherRowsPicksTheIndexedRows(Device device, int rows, int cols, int seed) {
    float[] source = random(seed, rows * cols, -1, 1);
    int[] order = new dev.cltrain.nn.NumpyRandom(seed).permutation(rows);
    int offset = rows / 3;
    int n = rows - offset;
    float[] expected = new float[n * cols];
    REFERENCE.gatherRows(n, cols, offset, order, source, expected);
    @SuppressWarnings("unchecked")
    Backend<Object, Object> k = (Backend<Object, Object>) OPEN.on(device);
    List<Object> buffers = new ArrayList<>();
    try {
      Object indices = k.uploadIndices(order);
      buffers.add(indices);
      Object src = k.upload(source);
      buffers.add(src);
      Object target = k.allocate(n * cols);
      buffers.add(target);
      k.gatherRows(n, cols, offset, indices, src, target);
      float[] actual = new float[n * cols];
      k.download(target, actual);
      Tolerances.assertClose("gather_rows", expected, actual, 0, 0);
    } finally {
      buffers.forEach(Backends::free);
    }
  }

  /**
   * batchnorm.cl at (rows, pixels, channels) = the case's (m, n, k): batch 1, 1×1 images (one pixel) and prime
   * channel counts among them. Each kernel's every output, the statistics' in-place running ones included.
   */
  @ParameterizedTest(name = "{0} gap and batch norm {1}x{2}x{3}")
  @MethodSource("cases")
  void globalPoolAndBatchNormKernelsMatchReference(Device device, int rows, int pixels, int channels) {
    int count = rows * pixels;
    int values = count * channels;
    float[] x = random(rows + 11, values, -3, 3);
    float[] pooled = new float[rows * channels];
    REFERENCE.globalAvgPool(rows, pixels, channels, x, pooled);
    check(device, "global_avg_pool", pooled, (k, b) -> k.globalAvgPool(rows, pixels, channels, b.get(0), b.get(1)), 1, x,
        new float[rows * channels]);
    float[] dx = new float[values];
    REFERENCE.globalAvgPoolBackward(rows, pixels, channels, pooled, dx);
    check(device, "global_avg_pool_backward", dx,
        (k, b) -> k.globalAvgPoolBackward(rows, pixels, channels, b.get(0), b.get(1)), 1, pooled, new float[values]);
    float[] runningMean = random(rows + 12, channels, -1, 1);
    float[] runningVariance = random(rows + 13, channels, 0.1f, 2);
    int blocks = Kernels.normBlocks(count) * channels;
    float[] sums = new float[blocks];
    REFERENCE.batchNormSums(count, channels, x, sums);
    check(device, "batch_norm_sums", sums, (k, b) -> k.batchNormSums(count, channels, b.get(0), b.get(1)), 1, x,
        new float[blocks]);
    float[][] stats = {new float[channels], new float[channels], runningMean.clone(), runningVariance.clone()};
    REFERENCE.batchNormMean(count, channels, sums, stats[0]);
    check(device, "batch_norm_mean", stats[0], (k, b) -> k.batchNormMean(count, channels, b.get(0), b.get(1)), 1, sums,
        new float[channels]);
    float[] squares = new float[blocks];
    REFERENCE.batchNormSquares(count, channels, x, stats[0], squares);
    check(device, "batch_norm_squares", squares, (k, b) -> k.batchNormSquares(count, channels, b.get(0), b.get(1),
        b.get(2)), 2, x, stats[0], new float[blocks]);
    REFERENCE.batchNormStatistics(count, channels, 0.1f, squares, stats[0], stats[1], stats[2], stats[3]);
    for (int out = 1; out < 4; out++) {
      check(device, "batch_norm_statistics output " + out, stats[out], (k, b) -> k.batchNormStatistics(count, channels,
          0.1f, b.get(0), b.get(1), b.get(2), b.get(3), b.get(4)), out + 1, squares, stats[0], new float[channels],
          runningMean, runningVariance);
    }
    float[] gamma = random(rows + 14, channels, -2, 2);
    float[] beta = random(rows + 15, channels, -1, 1);
    float[] dy = random(rows + 16, values, -1, 1);
    for (int code = 0; code <= 3; code++) {
      int activation = code;
      float[] y = new float[values];
      REFERENCE.batchNormForward(count, channels, activation, 1e-5f, x, stats[0], stats[1], gamma, beta, y);
      check(device, "batch_norm_forward " + code, y, (k, b) -> k.batchNormForward(count, channels, activation, 1e-5f,
          b.get(0), b.get(1), b.get(2), b.get(3), b.get(4), b.get(5)), 5, x, stats[0], stats[1], gamma, beta,
          new float[values]);
    }
    float[] partials = new float[2 * blocks];
    REFERENCE.batchNormGradientSums(count, channels, 1e-5f, x, stats[0], stats[1], dy, partials);
    check(device, "batch_norm_gradient_sums", partials, (k, b) -> k.batchNormGradientSums(count, channels, 1e-5f,
        b.get(0), b.get(1), b.get(2), b.get(3), b.get(4)), 4, x, stats[0], stats[1], dy, new float[2 * blocks]);
    float[][] grads = {new float[2 * channels], new float[channels], new float[channels]};
    REFERENCE.batchNormBackward(count, channels, 1.0f / rows, partials, grads[0], grads[1], grads[2]);
    for (int out = 0; out < 3; out++) {
      check(device, "batch_norm_backward output " + out, grads[out], (k, b) -> k.batchNormBackward(count, channels,
          1.0f / rows, b.get(0), b.get(1), b.get(2), b.get(3)), out + 1, partials, new float[2 * channels],
          new float[channels], new float[channels]);
    }
    float[] gIn = new float[values];
    REFERENCE.batchNormBackwardInput(count, channels, 1e-5f, x, stats[0], stats[1], gamma, dy, grads[0], gIn);
    check(device, "batch_norm_backward_input", gIn, (k, b) -> k.batchNormBackwardInput(count, channels, 1e-5f, b.get(0),
        b.get(1), b.get(2), b.get(3), b.get(4), b.get(5), b.get(6)), 6, x, stats[0], stats[1], gamma, dy, grads[0],
        new float[values]);
  }

  /** residual.cl on every device, every hidden activation: the block's sum and its gradient copy, bit for bit. */
  @ParameterizedTest(name = "{0} residual {1}x{2}")
  @MethodSource("cases")
  void residualKernelsMatchReferenceForEveryActivation(Device device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] x = random(seed, count, -6, 6);
    float[] y = random(seed + 1, count, -6, 6);
    float[] g = random(seed + 2, count, -1, 1);
    for (int code = 0; code <= 3; code++) {
      int activation = code;
      float[] out = new float[count];
      REFERENCE.residualAdd(count, activation, x, y, out);
      check(device, "residual_add " + code, out,
          (k, b) -> k.residualAdd(count, activation, b.get(0), b.get(1), b.get(2)), 2, x, y, new float[count]);
      float[] delta = g.clone();
      float[] copy = new float[count];
      REFERENCE.residualDelta(count, activation, out, delta, copy);
      Backends.Op op = (k, b) -> k.residualDelta(count, activation, b.get(0), b.get(1), b.get(2));
      check(device, "residual_delta g " + code, delta, op, 1, out, g, new float[count]);
      check(device, "residual_delta copy " + code, copy, op, 2, out, g, new float[count]);
    }
  }
}
