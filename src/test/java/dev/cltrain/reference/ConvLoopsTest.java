package dev.cltrain.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops of the direct convolution and of max pooling give the plain loops' bits exactly (tolerance 0):
 * at filter and channel counts around the vectors' width (1, primes, one past a whole panel), strides 1 and 2,
 * "same" padding with the odd pad row bottom-right, "valid" convolutions, widths that leave a partial block of 6
 * pixels, partial pooling windows, and pooled values with ties, −0, +0 and NaN (the first maximum is kept).
 * Run here on the JVM's preferred vectors; {@code JAVA_TOOL_OPTIONS=-XX:UseAVX=2} runs the 8-lane ones.
 */
class ConvLoopsTest {
  private static final ConvLoops PLAIN = ConvLoops.plain();
  private static final ConvLoops BEST = ConvLoops.best();

  @Test
  void theTestJvmRunsTheVectorLoops() {
    assertTrue(BEST.describe().startsWith("Vector API"), BEST.describe());
  }

  @Test
  void directConvolutionEqualsThePlainLoopBitForBit() {
    // height, width, channels, k, stride, padTop, padLeft, outHeight, outWidth, filters
    List<int[]> shapes = List.of(new int[] {1, 1, 1, 1, 1, 0, 0, 1, 1, 1}, new int[] {5, 7, 3, 3, 1, 1, 1, 5, 7, 17},
        new int[] {28, 28, 1, 3, 1, 1, 1, 28, 28, 32}, new int[] {9, 11, 2, 3, 2, 1, 1, 5, 6, 7},
        new int[] {8, 8, 3, 5, 1, 2, 2, 8, 8, 33}, new int[] {6, 13, 1, 3, 2, 0, 0, 2, 6, 8},
        new int[] {4, 4, 5, 1, 1, 0, 0, 4, 4, 31}, new int[] {14, 14, 3, 3, 2, 0, 0, 7, 7, 16},
        new int[] {3, 2, 1, 3, 1, 1, 1, 3, 2, 65});
    int rows = 3;
    for (int[] s : shapes) {
      float[] x = MatmulRowsTest.random(rows * s[0] * s[1] * s[2], 1);
      float[] w = MatmulRowsTest.random(s[3] * s[3] * s[2] * s[9], 2);
      float[] bias = MatmulRowsTest.random(s[9], 3);
      for (int activation = 0; activation <= 3; activation++) {
        float[] expected = new float[rows * s[7] * s[8] * s[9]];
        float[] actual = new float[expected.length];
        for (int n = 0; n < rows; n++) {
          PLAIN.direct(n, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], activation, x, w, bias, expected);
          BEST.direct(n, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], activation, x, w, bias, actual);
        }
        assertSameBits(expected, actual, "direct, activation " + activation + ", " + java.util.Arrays.toString(s));
      }
    }
  }

  @Test
  void maxPoolingForwardAndBackwardEqualThePlainLoopsBitForBit() {
    // rows, height, width, channels, pool
    List<int[]> shapes = List.of(new int[] {1, 1, 1, 1, 1}, new int[] {2, 4, 4, 16, 2}, new int[] {2, 5, 7, 17, 2},
        new int[] {1, 9, 9, 33, 3}, new int[] {2, 28, 28, 32, 2}, new int[] {1, 3, 5, 1, 2}, new int[] {3, 6, 6, 8, 2},
        new int[] {1, 7, 7, 64, 2}, new int[] {2, 2, 3, 47, 2});
    for (int[] s : shapes) {
      int rows = s[0];
      int height = s[1];
      int width = s[2];
      int channels = s[3];
      int pool = s[4];
      float[] x = levels(rows * height * width * channels, 4);
      float[] dy = MatmulRowsTest.random(rows * (height / pool) * (width / pool) * channels, 5);
      float[] expected = new float[dy.length];
      float[] actual = new float[dy.length];
      float[] expectedDx = new float[x.length];
      float[] actualDx = MatmulRowsTest.random(x.length, 6); // stale values: every position must be written
      for (int n = 0; n < rows; n++) {
        PLAIN.maxPool(n, height, width, channels, pool, x, expected);
        BEST.maxPool(n, height, width, channels, pool, x, actual);
        PLAIN.maxPoolBackward(n, height, width, channels, pool, x, dy, expectedDx);
        BEST.maxPoolBackward(n, height, width, channels, pool, x, dy, actualDx);
      }
      String shape = java.util.Arrays.toString(s);
      assertSameBits(expected, actual, "max_pool " + shape);
      assertSameBits(expectedDx, actualDx, "max_pool_backward " + shape);
    }
  }

  /** Equal bits (NaNs compared as one value; −0 and +0 differ), which a float delta of 0 would not check. */
  private static void assertSameBits(float[] expected, float[] actual, String what) {
    int[] e = new int[expected.length];
    int[] a = new int[actual.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = Float.floatToIntBits(expected[i]);
      a[i] = Float.floatToIntBits(actual[i]);
    }
    assertArrayEquals(e, a, what);
  }

  /** Values from a few levels, so windows hold ties, −0 beside +0, and now and then a NaN. */
  private static float[] levels(int length, long seed) {
    float[] level = {-1f, -0f, 0f, 0.5f, 1f, 1f, Float.NaN, 2f};
    Random r = new Random(seed * 31 + length);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = level[r.nextInt(level.length)];
    }
    return v;
  }
}
