package dev.cltrain.train;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The matmul kernels' extra tolerance on a device that multiplies and adds separately (no hardware FMA, e.g.
 * Rusticl's llvmpipe): DeviceCheck.PRODUCT_RTOL × Σ_p |a_ip·b_pj|, the magnitudes computed from the very operands
 * the check draws.
 */
class ProductToleranceTest {
  @Test
  void theProductTermAdmitsACancellingSumsRoundingAndNothingTwiceItsSize() {
    float[] expected = {0f};
    float[] actual = {1.6e-6f}; // 257x10x784 on llvmpipe: 6.4e-7 beyond ATOL + RTOL·|c| where the sum cancels
    assertTrue(DeviceCheck.excess("matmul", expected, actual) > 0, "ATOL + RTOL·|c| alone");
    float[] magnitudes = {196f}; // 784 products of two uniform(-1, 1) draws: Σ|a·b| about 784/4
    assertTrue(DeviceCheck.excess("matmul", expected, actual, magnitudes) <= 0, "with 2^-22 · 196");
    float limit = DeviceCheck.ATOL + DeviceCheck.PRODUCT_RTOL * magnitudes[0];
    assertTrue(DeviceCheck.excess("matmul", expected, new float[] {2 * limit}, magnitudes) > 0, "twice the bound");
  }

  @Test
  void theMagnitudesAreTheSumsOfTheAbsoluteProductsOfTheCheckedOperandsTimesAlpha() {
    int rows = 3;
    int cols = 5;
    int depth = 7;
    long seed = 42;
    float[] magnitudes = DeviceCheck.productMagnitudes("matmul_transpose_a", new int[] {rows, cols, depth}, seed);
    Random random = new Random(seed); // exec's draws: a (depth x rows, transposed), then b (depth x cols)
    float[] a = new float[rows * depth];
    float[] b = new float[depth * cols];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextFloat() * 2 - 1;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextFloat() * 2 - 1;
    }
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double sum = 0;
        for (int p = 0; p < depth; p++) {
          sum += Math.abs(a[p * rows + i]) * Math.abs(b[p * cols + j]);
        }
        assertEquals(0.5 * sum, magnitudes[i * cols + j], 1e-5, "element " + i + "," + j);
      }
    }
  }
}
