package dev.cltrain.train;

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

  static void assertClose(String what, float[] expected, float[] actual, float atol, float rtol) {
    assertEquals(expected.length, actual.length, what + ": length");
    float worst = 0;
    int worstAt = -1;
    for (int i = 0; i < expected.length; i++) {
      float diff = Math.abs(actual[i] - expected[i]);
      if (!(diff <= worst)) {
        worst = diff;
        worstAt = i;
      }
    }
    for (int i = 0; i < expected.length; i++) {
      if (!Tolerances.close(actual[i], expected[i], atol, rtol)) {
        fail(what + ": index " + i + " device " + actual[i] + " reference " + expected[i]
            + " (largest difference " + worst + " at " + worstAt + ", tolerance " + atol + " + " + rtol + "·|ref|)");
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
    assertClose("matmul", expected, actual, Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);
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
    assertClose("matmul_transpose_a", expected, actual, Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);
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
    assertClose("matmul_transpose_b", expected, actual, Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);
  }

  @ParameterizedTest(name = "{0} elementwise and reductions {1}x{2}")
  @MethodSource("cases")
  void elementwiseAndReductionKernelsMatchReference(ClDevice device, int rows, int cols, int seed) {
    int count = rows * cols;
    float[] z = random(seed, count, -6, 6);
    float[] bias = random(seed + 1, cols, -2, 2);
    float[] a = random(seed + 2, count, 0.01f, 0.99f);
    float[] y = random(seed + 3, count, 0, 1);
    float[] dz = random(seed + 4, count, -1, 1);

    float[] expected = new float[count];
    REFERENCE.biasSigmoid(rows, cols, z, bias, expected);
    assertClose("bias_sigmoid", expected,
        onDevice(device, (k, b) -> k.biasSigmoid(rows, cols, b[0], b[1], b[2]), 2, count, z, bias, new float[count]),
        Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);

    expected = dz.clone();
    REFERENCE.hiddenDelta(count, a, expected);
    assertClose("hidden_delta", expected,
        onDevice(device, (k, b) -> k.hiddenDelta(count, b[0], b[1]), 1, count, a, dz),
        Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);

    expected = new float[count];
    REFERENCE.outputDelta(count, a, y, expected);
    assertClose("output_delta", expected,
        onDevice(device, (k, b) -> k.outputDelta(count, b[0], b[1], b[2]), 2, count, a, y, new float[count]),
        Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);

    expected = new float[1];
    REFERENCE.mseLoss(count, a, y, expected);
    assertClose("mse_loss", expected,
        onDevice(device, (k, b) -> k.mseLoss(count, b[0], b[1], b[2]), 2, 1, a, y, new float[1]),
        0, Tolerances.LOSS_RTOL);

    expected = new float[cols];
    REFERENCE.columnSum(rows, cols, 1.0f / rows, dz, expected);
    assertClose("column_sum", expected,
        onDevice(device, (k, b) -> k.columnSum(rows, cols, 1.0f / rows, b[0], b[1]), 1, cols, dz, new float[cols]),
        Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);

    expected = z.clone();
    REFERENCE.sgdUpdate(count, 0.3f, dz, expected);
    assertClose("sgd_update", expected,
        onDevice(device, (k, b) -> k.sgdUpdate(count, 0.3f, b[0], b[1]), 1, count, dz, z),
        Tolerances.KERNEL_ATOL, Tolerances.KERNEL_RTOL);
  }
}
