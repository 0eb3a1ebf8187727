package dev.cltrain.backend;

import dev.cltrain.backend.ConvKernelsTest.Geometry;
import dev.cltrain.device.Device;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.Tolerances;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv_backward.cl: each new kernel stores exactly what the kernels a convolution's backward pass used before it
 * (bit for bit, on every backend, the reference included), so that training's bits do not move: conv_weight_gradient
 * is matmul_transpose_a, conv_input_gradient (after conv_filter_rows) is matmul_transpose_b into a patch-gradient
 * buffer then col2im. Geometries: ConvKernelsTest's (ones, primes, strides 2 and 3, even kernels, a kernel larger
 * than the image, 17 channels) with filter counts that are not multiples of a vector (1, 5, 37), and 33 channels
 * (a partial second channel block); plus the recipe's second layer at 2 samples (32 channels, 64 filters).
 */
class ConvBackwardKernelsTest {
  private static final Backends.Opened OPEN = new Backends.Opened();

  @AfterAll
  static void release() {
    OPEN.close();
  }

  static Stream<Arguments> backends() {
    return Backends.all().stream().map(d -> Arguments.of(d.id(), d));
  }

  /** The geometries, each with its filters. */
  private static List<Object[]> cases() {
    List<Object[]> cases = new ArrayList<>();
    int[] filters = {1, 5, 37};
    int i = 0;
    for (Geometry g : ConvKernelsTest.geometries()) {
      cases.add(new Object[] {g, filters[i++ % filters.length]});
    }
    cases.add(new Object[] {Geometry.same(3, 5, 4, 33, 3, 1), 7});
    cases.add(new Object[] {Geometry.same(2, 14, 14, 32, 3, 1), 64});
    return cases;
  }

  private static float[] nan(int length) {
    float[] v = new float[length];
    Arrays.fill(v, Float.NaN);
    return v;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void convWeightGradientHasMatmulTransposeAsBits(String name, Device device) {
    Backend<?, ?> k = OPEN.on(device);
    long seed = 100;
    for (Object[] c : cases()) {
      Geometry g = (Geometry) c[0];
      int filters = (int) c[1];
      int pixels = g.rows() * g.outHeight() * g.outWidth();
      float[] col = KernelsVsReferenceTest.random(++seed, pixels * g.patch(), -1, 1);
      float[] grad = KernelsVsReferenceTest.random(++seed, pixels * filters, -1, 1);
      int outputs = g.patch() * filters;
      float[] before = Backends.run(k, (b, buf) -> b.matmulTransposeA(g.patch(), filters, pixels, 0.125f, buf.get(0),
          buf.get(1), buf.get(2)), 2, outputs, col, grad, nan(outputs));
      float[] after = Backends.run(k, (b, buf) -> b.convWeightGradient(g.patch(), filters, pixels, 0.125f, buf.get(0),
          buf.get(1), buf.get(2)), 2, outputs, col, grad, nan(outputs));
      Tolerances.assertSameBits("conv_weight_gradient " + g + " filters " + filters + " on " + name, before, after);
      float[] reference = Backends.run(new ReferenceKernels(), (b, buf) -> b.convWeightGradient(g.patch(), filters,
          pixels, 0.125f, buf.get(0), buf.get(1), buf.get(2)), 2, outputs, col, grad, nan(outputs));
      Tolerances.assertSameBits("conv_weight_gradient " + g + " against the reference on " + name, reference, after);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void convInputGradientHasMatmulTransposeBThenCol2imsBits(String name, Device device) {
    Backend<?, ?> k = OPEN.on(device);
    long seed = 200;
    for (Object[] c : cases()) {
      Geometry g = (Geometry) c[0];
      int filters = (int) c[1];
      int pixels = g.rows() * g.outHeight() * g.outWidth();
      int positions = g.kernel() * g.kernel();
      int padded = Range.paddedChannels(g.channels());
      float[] grad = KernelsVsReferenceTest.random(++seed, pixels * filters, -1, 1);
      float[] w = KernelsVsReferenceTest.random(++seed, g.patch() * filters, -1, 1);
      float[] before = Backends.run(k, (b, buf) -> {
        b.matmulTransposeB(pixels, g.patch(), filters, 1.0f, buf.get(0), buf.get(1), buf.get(2));
        b.col2im(g.rows(), g.height(), g.width(), g.channels(), g.kernel(), g.stride(), g.padTop(), g.padLeft(),
            g.outHeight(), g.outWidth(), buf.get(2), buf.get(3));
      }, 3, g.inputs(), grad, w, nan(g.columns()), nan(g.inputs()));
      Backends.Op fused = (b, buf) -> {
        b.convFilterRows(filters, positions, g.channels(), padded, buf.get(1), buf.get(2));
        b.convInputGradient(g.rows(), g.height(), g.width(), g.channels(), g.kernel(), g.stride(), g.padTop(),
            g.padLeft(), g.outHeight(), g.outWidth(), filters, padded, buf.get(0), buf.get(2), buf.get(3));
      };
      float[] after = Backends.run(k, fused, 3, g.inputs(), grad, w, nan(filters * positions * padded),
          nan(g.inputs()));
      Tolerances.assertSameBits("conv_input_gradient " + g + " filters " + filters + " on " + name, before, after);
      float[] reference = Backends.run(new ReferenceKernels(), fused, 3, g.inputs(), grad, w,
          nan(filters * positions * padded), nan(g.inputs()));
      Tolerances.assertSameBits("conv_input_gradient " + g + " against the reference on " + name, reference, after);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void convFilterRowsTransposesAndPadsWithZeros(String name, Device device) {
    Backend<?, ?> k = OPEN.on(device);
    // 2 positions (k·k is never 2, but the kernel does not care), 3 channels, 2 filters: w(6, 2) = 1..12
    float[] w = new float[12];
    for (int i = 0; i < w.length; i++) {
      w[i] = i + 1;
    }
    float[] wt = Backends.run(k, (b, buf) -> b.convFilterRows(2, 2, 3, 16, buf.get(0), buf.get(1)), 1, 64, w, nan(64));
    float[] expected = new float[64];
    for (int f = 0; f < 2; f++) {
      for (int p = 0; p < 2; p++) {
        for (int c = 0; c < 3; c++) {
          expected[(f * 2 + p) * 16 + c] = w[(p * 3 + c) * 2 + f]; // row f, position p: filter f's weights
        }
      }
    }
    Tolerances.assertSameBits("conv_filter_rows of w = 1..12 on " + name, expected, wt);
  }
}
