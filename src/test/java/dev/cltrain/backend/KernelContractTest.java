package dev.cltrain.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.device.Device;
import dev.cltrain.nn.Activation;
import dev.cltrain.testing.Backends;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel contract on hand-computed cases, each exact in float32, on every backend ({@link Backends#all()}:
 * the reference and every OpenCL device): what {@link Kernels} promises, judged by arithmetic done by hand rather
 * than by the reference, so the reference is under test here too.
 */
class KernelContractTest {
  private static final Backends.Opened OPEN = new Backends.Opened();

  static List<Device> backends() {
    return Backends.all();
  }

  @AfterAll
  static void release() {
    OPEN.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void matmulOfTwoByThreeAndThreeByFourIsTheEjmlExample(Device device) {
    float[] a = {0, 1, 2, 3, 4, 5};
    float[] b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    float[] c = Backends.run(OPEN.on(device), (k, buf) -> k.matmul(2, 4, 3, 1.0f, buf.get(0), buf.get(1), buf.get(2)),
        2, 8, a, b, new float[8]);
    assertArrayEquals(new float[] {20, 23, 26, 29, 56, 68, 80, 92}, c, 0f, device.id());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void transposedVariantsReadTheSameProductWithoutATranspose(Device device) {
    float[] a = {1, 2, 3, 4, 5, 6}; // (2,3)
    float[] aT = {1, 4, 2, 5, 3, 6}; // (3,2) = aᵀ
    float[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // (3,4)
    float[] bT = {1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12}; // (4,3) = bᵀ
    float[] expected = {38, 44, 50, 56, 83, 98, 113, 128};
    assertArrayEquals(expected, Backends.run(OPEN.on(device),
        (k, buf) -> k.matmulTransposeA(2, 4, 3, 1.0f, buf.get(0), buf.get(1), buf.get(2)), 2, 8, aT, b, new float[8]),
        0f, device.id() + " matmul_transpose_a");
    assertArrayEquals(expected, Backends.run(OPEN.on(device),
        (k, buf) -> k.matmulTransposeB(2, 4, 3, 1.0f, buf.get(0), buf.get(1), buf.get(2)), 2, 8, a, bT, new float[8]),
        0f, device.id() + " matmul_transpose_b");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void sigmoidOfZeroIsOneHalfAndItsDerivativeThereIsOneQuarter(Device device) {
    int sigmoid = Activation.SIGMOID.code;
    float[] a = Backends.run(OPEN.on(device), (k, buf) -> k.biasActivation(1, 1, sigmoid, buf.get(0), buf.get(1),
        buf.get(2)), 2, 1, new float[] {0}, new float[] {0}, new float[1]);
    assertEquals(0.5f, a[0], 0f, device.id() + " bias_activation");
    float[] dz = Backends.run(OPEN.on(device), (k, buf) -> k.activationDelta(1, sigmoid, buf.get(0), buf.get(1)), 1,
        1, a, new float[] {1});
    assertEquals(0.25f, dz[0], 0f, device.id() + " activation_delta");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void mseLossIsTheMeanOfHalfSquaredErrors(Device device) {
    float[] loss = Backends.run(OPEN.on(device), (k, buf) -> k.mseLoss(4, 1, buf.get(0), buf.get(1), buf.get(2)), 2,
        2, new float[] {0, 1, 0.5f, 2}, new float[] {1, 1, 0, 0}, new float[2]);
    assertEquals((0.5 + 0 + 0.125 + 2) / 4, loss[1], 1e-7, device.id());
    assertEquals(0f, loss[0], 0f, device.id() + ": other slots untouched");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void columnSumScalesTheSumOfEachColumn(Device device) {
    float[] sums = Backends.run(OPEN.on(device), (k, buf) -> k.columnSum(2, 3, 0.5f, buf.get(0), buf.get(1)), 1, 3,
        new float[] {1, 2, 3, 4, 5, 6}, new float[3]);
    assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, sums, 0f, device.id());
  }
}
