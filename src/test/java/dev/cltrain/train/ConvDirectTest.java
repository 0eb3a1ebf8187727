package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Device;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Shape;
import dev.cltrain.testing.Backends;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv_direct.cl against what it replaces, on each backend: y = f(patches(x)·W + b), its 2 × 2 max pool and the
 * patches it stores must be im2col + matmul_bias_activation (+ max_pool)'s bits exactly (tolerance 0: the sums run in the same order), at
 * awkward shapes: 1 sample of 1 pixel, odd and prime sizes with pixels left over by the pool, strides 1 to 3, same
 * and valid padding, 1 to 37 filters (below, at and past a chunk of 16 or 32); relu (the kernel's select path) and
 * tanh (through activate()); the inputs from five levels, so that relu's zeros and equal values tie in the pooled
 * windows.
 */
class ConvDirectTest {
  private static final Backends.Opened OPENED = new Backends.Opened();

  @AfterAll
  static void close() {
    OPENED.close();
  }

  /** (rows, height, width, channels, filters, kernel, stride, same). */
  private static final int[][] SHAPES = {{1, 1, 1, 1, 1, 1, 1, 1}, {3, 7, 5, 1, 32, 3, 1, 1},
      {2, 11, 13, 3, 17, 3, 2, 1}, {5, 6, 7, 2, 37, 2, 1, 0}, {1, 9, 9, 1, 16, 3, 3, 1}, {2, 5, 5, 4, 7, 5, 1, 0}};

  static Stream<Arguments> cases() {
    return Backends.all().stream().flatMap(d -> Stream.of(SHAPES).flatMap(s -> Stream.of(Activation.values())
        .filter(a -> a == Activation.RELU || a == Activation.TANH).map(a -> Arguments.of(d, s, a))));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void directConvolutionAndItsPoolAreIm2colMatmulAndMaxPoolBitForBit(Device device, int[] s, Activation a) {
    Conv c = conv(s, a, new Random(s[0] * 31L + s[4]));
    int rows = s[0];
    Random random = new Random(7);
    float[] x = new float[rows * c.input().size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (random.nextInt(5) - 2) * 0.5f + (rows == 2 ? random.nextFloat() : 0.0f);
    }
    int pixels = rows * c.outHeight() * c.outWidth();
    int outputs = pixels * c.filters();
    int pooled = rows * (c.outHeight() / 2) * (c.outWidth() / 2) * c.filters();
    int h = c.input().height();
    int w = c.input().width();
    int ch = c.input().channels();
    var backend = OPENED.on(device);
    // im2col + matmul_bias_activation + max_pool: y (buffer 3), the maxima (5)
    Backends.Op unfused = (k, b) -> {
      k.im2col(rows, h, w, ch, c.kernel(), c.stride(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), b.get(0),
          b.get(4));
      k.matmulBiasActivation(pixels, c.filters(), c.patch(), a.code, b.get(4), b.get(1), b.get(2), b.get(3));
      k.maxPool(rows, c.outHeight(), c.outWidth(), c.filters(), 2, b.get(3), b.get(5));
    };
    float[] expected = Backends.run(backend, unfused, 3, outputs, x, c.weights(), c.bias(), new float[outputs],
        new float[pixels * c.patch()], new float[Math.max(pooled, 1)]);
    float[] expectedPool = Backends.run(backend, unfused, 5, pooled, x, c.weights(), c.bias(), new float[outputs],
        new float[pixels * c.patch()], new float[Math.max(pooled, 1)]);
    float[] patches = Backends.run(backend, (k, b) -> k.im2col(rows, h, w, ch, c.kernel(), c.stride(), c.padTop(),
        c.padLeft(), c.outHeight(), c.outWidth(), b.get(0), b.get(1)), 1, pixels * c.patch(), x,
        new float[pixels * c.patch()]);
    // conv_direct storing the patches: y (buffer 3) and col (buffer 4)
    Backends.Op direct = (k, b) -> k.convDirect(rows, h, w, ch, c.kernel(), c.stride(), c.padTop(), c.padLeft(),
        c.outHeight(), c.outWidth(), c.filters(), a.code, 1, b.get(0), b.get(1), b.get(2), b.get(3), b.get(4));
    float[] directY = Backends.run(backend, direct, 3, outputs, x, c.weights(), c.bias(), nan(outputs),
        nan(pixels * c.patch()));
    float[] directCol = Backends.run(backend, direct, 4, pixels * c.patch(), x, c.weights(), c.bias(), nan(outputs),
        nan(pixels * c.patch()));
    // conv_direct_max_pool not storing them: y (3), the maxima (4), col untouched (5)
    Backends.Op fused = (k, b) -> k.convDirectMaxPool(rows, h, w, ch, c.kernel(), c.stride(), c.padTop(),
        c.padLeft(), c.outHeight(), c.outWidth(), c.filters(), a.code, 0, b.get(0), b.get(1), b.get(2), b.get(3),
        b.get(4), b.get(5));
    float[][] fusedOut = new float[3][];
    for (int i = 0; i < 3; i++) {
      fusedOut[i] = Backends.run(backend, fused, 3 + i, new int[] {outputs, pooled, 1}[i], x, c.weights(), c.bias(),
          nan(outputs), nan(Math.max(pooled, 1)), nan(1));
    }
    assertBits(expected, directY, "conv_direct's y");
    assertBits(patches, directCol, "conv_direct's patches");
    assertBits(expected, fusedOut[0], "conv_direct_max_pool's y");
    assertBits(expectedPool, fusedOut[1], "conv_direct_max_pool's maxima");
    assertTrue(Float.isNaN(fusedOut[2][0]), "col untouched without store_patches");
  }

  private static Conv conv(int[] s, Activation a, Random random) {
    Shape input = new Shape(s[1], s[2], s[3]);
    float[] w = new float[s[5] * s[5] * s[3] * s[4]];
    float[] b = new float[s[4]];
    for (int i = 0; i < w.length; i++) {
      w[i] = random.nextFloat() * 2 - 1;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextFloat() - 0.5f;
    }
    return new Conv(input, s[4], s[5], s[6], s[7] != 0, a, w, b);
  }

  private static float[] nan(int length) {
    float[] a = new float[length];
    java.util.Arrays.fill(a, Float.NaN);
    return a;
  }

  private static void assertBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i]),
          what + " at " + i + ": " + actual[i] + ", expected " + expected[i] + " (tolerance 0)");
    }
  }
}
