package dev.cltrain.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops must give the plain loop's bits exactly (tolerance 0), at shapes around their blocks:
 * the 4-row sweeps, the four-vector panels (narrow and ragged ones included) and the staged depth of b.
 */
class MatmulRowsTest {
  @Test
  void theTestJvmRunsTheVectorLoops() {
    // surefire passes --add-modules jdk.incubator.vector, as scripts/cltrain does, so the SIMD path is what runs here
    assertTrue(MatmulRows.best().describe().startsWith("Vector API"), MatmulRows.best().describe());
  }

  @Test
  void vectorLoopsEqualThePlainLoopBitForBitInEveryVariant() {
    vectorLoopsEqualThePlainLoop(MatmulRows.best());
  }

  /** The 6 × 2 blocks of 8-float vectors the reference runs on AVX2 CPUs, run here whatever the CPU. */
  @Test
  void theAvx2LoopsEqualThePlainLoopBitForBitInEveryVariant() {
    assertTrue(new VectorMatmul8().describe().endsWith(" 8 lanes"), new VectorMatmul8().describe());
    vectorLoopsEqualThePlainLoop(new VectorMatmul8());
  }

  private static void vectorLoopsEqualThePlainLoop(MatmulRows loops) {
    ReferenceKernels plain = new ReferenceKernels(MatmulRows.plain());
    ReferenceKernels best = new ReferenceKernels(loops);
    int lanes = loops.lanes();
    List<int[]> shapes = List.of(new int[] {1, 1, 1}, new int[] {3, 5, 7}, new int[] {4, 2 * lanes, 3},
        new int[] {5, 2 * lanes + 1, 9}, new int[] {7, lanes - 1, 33}, new int[] {8, 3 * lanes + 5, 1},
        new int[] {127, 129, 65}, new int[] {13, 97, 200}, new int[] {64, 64, 64}, new int[] {6, 10, 300},
        new int[] {129, 4 * lanes + 3, VectorBlocks.DEPTH + 1}, new int[] {70, 300, 2 * VectorBlocks.DEPTH - 1},
        new int[] {3, 1, VectorBlocks.DEPTH}, new int[] {13, 2 * lanes + 3, 17}, new int[] {6, lanes, 5});
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = random(m * k, 1);
      float[] b = random(k * n, 2);
      for (String variant : List.of("nn", "tn", "nt")) {
        float[] expected = new float[m * n];
        float[] actual = new float[m * n];
        run(plain, variant, m, n, k, a, b, expected);
        run(best, variant, m, n, k, a, b, actual);
        assertArrayEquals(expected, actual, 0f, variant + " " + m + "x" + n + "x" + k);
      }
      // the loops themselves, also below the size at which ReferenceKernels hands small products to the plain loop
      float[] expected = new float[m * n];
      float[] actual = new float[m * n];
      MatmulRows.plain().block(0, m, 0, n, n, k, 0.75f, a, k, 1, b, n, 1, expected);
      loops.block(0, m, 0, n, n, k, 0.75f, a, k, 1, b, n, 1, actual);
      assertArrayEquals(expected, actual, 0f, "block " + m + "x" + n + "x" + k);
      int rowFrom = m / 3;
      int colFrom = n / 2;
      java.util.Arrays.fill(expected, 0f);
      java.util.Arrays.fill(actual, 0f);
      MatmulRows.plain().block(rowFrom, m, colFrom, n, n, k, 0.75f, a, k, 1, b, n, 1, expected);
      loops.block(rowFrom, m, colFrom, n, n, k, 0.75f, a, k, 1, b, n, 1, actual);
      assertArrayEquals(expected, actual, 0f, "sub-block from " + rowFrom + "," + colFrom + " of " + m + "x" + n + "x" + k);
      // b stored transposed (n × k), staged in its own order: the plain loop over the same strides
      java.util.Arrays.fill(expected, 0f);
      java.util.Arrays.fill(actual, 0f);
      MatmulRows.plain().block(rowFrom, m, colFrom, n, n, k, 0.75f, a, k, 1, b, 1, k, expected);
      loops.block(rowFrom, m, colFrom, n, n, k, 0.75f, a, k, 1, b, 1, k, actual);
      assertArrayEquals(expected, actual, 0f, "transposed b, sub-block of " + m + "x" + n + "x" + k);
    }
  }

  /**
   * The fused twins store what the product then the element-wise kernel store (tolerance 0), for every activation,
   * at shapes that split into several blocks over threads and ragged ones.
   */
  @Test
  void fusedTwinsEqualTheProductThenTheElementWiseKernel() {
    ReferenceKernels r = new ReferenceKernels(MatmulRows.best());
    for (int[] s : List.of(new int[] {3, 5, 7}, new int[] {130, 300, 40}, new int[] {65, 257, 129})) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] x = random(m * k, 3);
      float[] w = random(k * n, 4);
      float[] wt = random(n * k, 5);
      float[] bias = random(n, 6);
      float[] previous = random(m * n, 7);
      for (int activation = 0; activation <= 3; activation++) {
        float[] expected = new float[m * n];
        float[] actual = new float[m * n];
        r.matmul(m, n, k, 1f, x, w, expected);
        r.biasActivation(m, n, activation, expected, bias, expected);
        r.matmulBiasActivation(m, n, k, activation, x, w, bias, actual);
        assertArrayEquals(expected, actual, 0f, "bias_activation " + activation + " " + m + "x" + n + "x" + k);
        r.matmulTransposeB(m, n, k, 1f, x, wt, expected);
        r.activationDelta(m * n, activation, previous, expected);
        r.matmulTransposeBDelta(m, n, k, activation, x, wt, previous, actual);
        assertArrayEquals(expected, actual, 0f, "delta " + activation + " " + m + "x" + n + "x" + k);
      }
    }
  }

  private static void run(ReferenceKernels r, String variant, int m, int n, int k, float[] a, float[] b, float[] c) {
    switch (variant) {
      case "tn" -> r.matmulTransposeA(m, n, k, 0.75f, a, b, c);
      case "nt" -> r.matmulTransposeB(m, n, k, 0.75f, a, b, c);
      default -> r.matmul(m, n, k, 0.75f, a, b, c);
    }
  }

  /** Floats in [−2, 2) from a seed, the same for the same length and seed. */
  static float[] random(int length, long seed) {
    Random r = new Random(seed * 17 + length);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = r.nextFloat() * 4 - 2;
    }
    return v;
  }
}
