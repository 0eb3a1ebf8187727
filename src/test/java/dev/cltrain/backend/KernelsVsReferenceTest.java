package dev.cltrain.backend;

import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.reference.ReferenceKernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cltrain.opencl.ClBuffer;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.testing.Tolerances;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel on every OpenCL device against its ReferenceKernels method, on seeded inputs, at awkward
 * shapes: 1, primes, and one less / equal / one more than each tile edge the devices use (and twice it).
 */
class KernelsVsReferenceTest {
  private static final Map<ClDevice, OpenClKernels> OPEN = new HashMap<>();
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
    return OpenClDevices.all().stream().flatMap(d -> shapes().stream().map(s -> Arguments.of(d, s[0], s[1], s[2])));
  }

  private static synchronized OpenClKernels kernelsOn(ClDevice device) {
    return OPEN.computeIfAbsent(device, d -> new OpenClKernels(d, KernelSource.classpath()));
  }

  @AfterAll
  static synchronized void release() {
    OPEN.values().forEach(OpenClKernels::close);
    OPEN.clear();
  }

  private static float[] random(long seed, int length, float low, float high) {
    Random r = new Random(seed * 7919 + length);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = low + (high - low) * r.nextFloat();
    }
    return v;
  }

  /** Runs {@code op} on the device with {@code inputs} uploaded and returns output buffer {@code outIndex}. */
  private interface DeviceOp {
    void run(OpenClKernels k, ClBuffer[] buffers);
  }

  private static float[] onDevice(ClDevice device, DeviceOp op, int outIndex, int outLength, float[]... inputs) {
    OpenClKernels k = kernelsOn(device);
    ClBuffer[] buffers = new ClBuffer[inputs.length];
    try {
      for (int i = 0; i < inputs.length; i++) {
        buffers[i] = k.upload(inputs[i]);
      }
      op.run(k, buffers);
      float[] out = new float[outLength];
      k.download(buffers[outIndex], out);
      return out;
    } finally {
      for (ClBuffer b : buffers) {
        if (b != null) {
          b.close();
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} matmul {1}x{2}x{3}")
  @MethodSource("cases")
  void matmulMatchesReference(ClDevice device, int m, int n, int k) {
    float[] a = random(1, m * k, -1, 1);
    float[] b = random(2, k * n, -1, 1);
    float[] expected = new float[m * n];
    REFERENCE.matmul(m, n, k, 0.5f, a, b, expected);
    float[] actual = onDevice(device, (kk, buf) -> kk.matmul(m, n, k, 0.5f, buf[0], buf[1], buf[2]), 2, m * n,
        a, b, new float[m * n]);
    Tolerances.assertMatchesReference(device, "matmul", expected, actual);
  }

  @ParameterizedTest(name = "{0} matmul_transpose_a {1}x{2}x{3}")
  @MethodSource("cases")
  void matmulTransposeAMatchesReference(ClDevice device, int m, int n, int k) {
    float[] a = random(3, k * m, -1, 1);
    float[] b = random(4, k * n, -1, 1);
    float[] expected = new float[m * n];
    REFERENCE.matmulTransposeA(m, n, k, 0.25f, a, b, expected);
    float[] actual = onDevice(device, (kk, buf) -> kk.matmulTransposeA(m, n, k, 0.25f, buf[0], buf[1], buf[2]), 2,
        m * n, a, b, new float[m * n]);
    Tolerances.assertMatchesReference(device, "matmul_transpose_a", expected, actual);
  }

  @ParameterizedTest(name = "{0} matmul_transpose_b {1}x{2}x{3}")
  @MethodSource("cases")
  void matmulTransposeBMatchesReference(ClDevice device, int m, int n, int k) {
    float[] a = random(5, m * k, -1, 1);
    float[] b = random(6, n * k, -1, 1);
    float[] expected = new float[m * n];
    REFERENCE.matmulTransposeB(m, n, k, 1.0f, a, b, expected);
    float[] actual = onDevice(device, (kk, buf) -> kk.matmulTransposeB(m, n, k, 1.0f, buf[0], buf[1], buf[2]), 2,
        m * n, a, b, new float[m * n]);
    Tolerances.assertMatchesReference(device, "matmul_transpose_b", expected, actual);
  }

  private static void check(ClDevice device, String what, float[] expected, DeviceOp op, int outIndex,
      float[]... inputs) {
    Tolerances.assertMatchesReference(device, what, expected, onDevice(device, op, outIndex, expected.length, inputs));
  }

  @ParameterizedTest(name = "{0} activations {1}x{2}")
  @MethodSource("cases")
  void activationKernelsMatchReferenceForEveryActivation(ClDevice device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] z = random(seed, count, -6, 6);
    float[] bias = random(seed + 1, cols, -2, 2);
    float[] dz = random(seed + 4, count, -1, 1);
    for (int code = 0; code <= 3; code++) {
      int activation = code;
      float[] a = new float[count];
      REFERENCE.biasActivation(rows, cols, activation, z, bias, a);
      check(device, "bias_activation " + code, a,
          (k, b) -> k.biasActivation(rows, cols, activation, b[0], b[1], b[2]), 2, z, bias, new float[count]);
      float[] expected = dz.clone();
      REFERENCE.activationDelta(count, activation, a, expected);
      check(device, "activation_delta " + code, expected, (k, b) -> k.activationDelta(count, activation, b[0], b[1]),
          1, a, dz);
      expected = new float[count];
      float[] y = random(seed + 3, count, 0, 1);
      REFERENCE.mseDelta(count, activation, a, y, expected);
      check(device, "mse_delta " + code, expected, (k, b) -> k.mseDelta(count, activation, b[0], b[1], b[2]), 2,
          a, y, new float[count]);
    }
    float[] p = new float[count];
    REFERENCE.biasSoftmax(rows, cols, z, bias, p);
    check(device, "bias_softmax", p, (k, b) -> k.biasSoftmax(rows, cols, b[0], b[1], b[2]), 2, z, bias,
        new float[count]);
    float[] big = random(seed + 9, count, 80, 100); // exp(100) overflows float: only a max-subtracted softmax survives
    REFERENCE.biasSoftmax(rows, cols, big, bias, p);
    check(device, "bias_softmax of large inputs", p, (k, b) -> k.biasSoftmax(rows, cols, b[0], b[1], b[2]), 2, big,
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
  void lossKernelsMatchReference(ClDevice device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] a = random(seed + 2, count, 0.01f, 0.99f);
    float[] y = random(seed + 3, count, 0, 1);
    float[] hot = oneHot(rows, cols);
    float[] expected = new float[3];
    REFERENCE.mseLoss(count, 2, a, y, expected);
    Tolerances.assertClose("mse_loss", expected, onDevice(device, (k, b) -> k.mseLoss(count, 2, b[0], b[1], b[2]), 2, 3, a, y,
        new float[3]), 0, Tolerances.LOSS_RTOL);
    expected = new float[3];
    REFERENCE.xentLoss(rows, cols, 1, a, hot, expected);
    Tolerances.assertClose("xent_loss", expected, onDevice(device, (k, b) -> k.xentLoss(rows, cols, 1, b[0], b[1], b[2]), 2, 3,
        a, hot, new float[3]), 0, Tolerances.LOSS_RTOL);
    expected = new float[count];
    REFERENCE.xentDelta(count, a, hot, expected);
    check(device, "xent_delta", expected, (k, b) -> k.xentDelta(count, b[0], b[1], b[2]), 2, a, hot,
        new float[count]);
    float[] correct = new float[2];
    REFERENCE.countCorrect(rows, cols, 1, a, hot, correct);
    Tolerances.assertClose("count_correct", correct, onDevice(device, (k, b) -> k.countCorrect(rows, cols, 1, b[0], b[1], b[2]),
        2, 2, a, hot, new float[2]), 0, 0);
  }

  @ParameterizedTest(name = "{0} updates {1}x{2}")
  @MethodSource("cases")
  void gradientAndOptimizerKernelsMatchReference(ClDevice device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] w = random(seed, count, -3, 3);
    float[] dz = random(seed + 4, count, -1, 1);
    float[] state1 = random(seed + 5, count, -0.1f, 0.1f);
    float[] state2 = random(seed + 6, count, 0, 0.01f);

    float[] expected = new float[cols];
    REFERENCE.columnSum(rows, cols, 1.0f / rows, dz, expected);
    check(device, "column_sum", expected, (k, b) -> k.columnSum(rows, cols, 1.0f / rows, b[0], b[1]), 1, dz,
        new float[cols]);

    expected = w.clone();
    REFERENCE.sgdUpdate(count, 0.3f, 0.01f, dz, expected);
    check(device, "sgd_update", expected, (k, b) -> k.sgdUpdate(count, 0.3f, 0.01f, b[0], b[1]), 1, dz, w);

    expected = w.clone();
    float[] velocity = state1.clone();
    REFERENCE.momentumUpdate(count, 0.1f, 0.9f, 0.001f, dz, velocity, expected);
    check(device, "momentum_update weights", expected,
        (k, b) -> k.momentumUpdate(count, 0.1f, 0.9f, 0.001f, b[0], b[1], b[2]), 2, dz, state1, w);
    check(device, "momentum_update velocity", velocity,
        (k, b) -> k.momentumUpdate(count, 0.1f, 0.9f, 0.001f, b[0], b[1], b[2]), 1, dz, state1, w);

    expected = w.clone();
    float[] m = state1.clone();
    float[] v = state2.clone();
    float c1 = (float) (1 - Math.pow(0.9, 3));
    float c2 = (float) (1 - Math.pow(0.999, 3));
    REFERENCE.adamUpdate(count, 0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, c1, c2, dz, m, v, expected);
    DeviceOp adam = (k, b) -> k.adamUpdate(count, 0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, c1, c2, b[0], b[1], b[2], b[3]);
    check(device, "adam_update weights", expected, adam, 3, dz, state1, state2, w);
    check(device, "adam_update m", m, adam, 1, dz, state1, state2, w);
    check(device, "adam_update v", v, adam, 2, dz, state1, state2, w);
  }

  @ParameterizedTest(name = "{0} gather_rows {1}x{2}")
  @MethodSource("cases")
  void gatherRowsPicksTheIndexedRows(ClDevice device, int rows, int cols, int seed) {
    float[] source = random(seed, rows * cols, -1, 1);
    int[] order = new dev.cltrain.nn.NumpyRandom(seed).permutation(rows);
    int offset = rows / 3;
    int n = rows - offset;
    float[] expected = new float[n * cols];
    REFERENCE.gatherRows(n, cols, offset, order, source, expected);
    OpenClKernels k = kernelsOn(device);
    try (ClBuffer indices = k.uploadIndices(order); ClBuffer src = k.upload(source);
         ClBuffer target = k.allocate(n * cols)) {
      k.gatherRows(n, cols, offset, indices, src, target);
      float[] actual = new float[n * cols];
      k.download(target, actual);
      Tolerances.assertClose("gather_rows", expected, actual, 0, 0);
    }
  }
}
