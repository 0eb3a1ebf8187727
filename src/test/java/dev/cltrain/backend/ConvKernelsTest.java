package dev.cltrain.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cltrain.device.Device;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.Tolerances;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv.cl's seven kernels (im2col, col2im, max_pool, max_pool_backward, avg_pool, avg_pool_backward, dropout).
 *
 * <p>Typed on the kernel contract and run on {@link Backends}. Against the reference: on every backend but the
 * reference (every OpenCL device present; none: a failure under CI=true), each kernel's output must have its ReferenceKernels twin's exact bits, tolerance 0
 * ({@link Tolerances#assertSameBits}), at awkward shapes: 1 and prime rows, odd sizes, 1 channel, more channels
 * than rows, a kernel as large as the input (valid padding), same padding with strides 2 and 3 and even kernels,
 * pools that do not divide the input, ties in max pool, dropout at rates 0, 0.5 and 0.9, in place, with step
 * words whose high half is not 0. Output buffers start as NaN, so an element a kernel fails to write shows.
 * The one exception: avg_pool and avg_pool_backward multiply by 1/(p·p), a division, so on a device without
 * correctly rounded division they are judged by the kernel tolerance ({@link Tolerances#assertMatchesReference}).
 *
 * <p>Semantics, on the reference and on every device: im2col then a matmul against a direct convolution in
 * float64; col2im as the adjoint of im2col; the pools on hand-computed cases; dropout's keep fraction over
 * 100,000 values and its kept values exactly x·scale.
 */
class ConvKernelsTest {
  private static final Backends.Opened OPEN = new Backends.Opened();
  private static final ReferenceKernels REFERENCE = new ReferenceKernels();
  /** float32's unit roundoff, 2⁻²⁴. */
  private static final double U = 0x1p-24;

  /** A convolution's geometry, padding as Conv computes it (same: TensorFlow's, the extra row at the bottom). */
  record Geometry(int rows, int height, int width, int channels, int kernel, int stride, int padTop, int padLeft,
      int outHeight, int outWidth) {
    static Geometry valid(int rows, int height, int width, int channels, int kernel, int stride) {
      return new Geometry(rows, height, width, channels, kernel, stride, 0, 0, (height - kernel) / stride + 1,
          (width - kernel) / stride + 1);
    }

    static Geometry same(int rows, int height, int width, int channels, int kernel, int stride) {
      int oh = (height + stride - 1) / stride;
      int ow = (width + stride - 1) / stride;
      return new Geometry(rows, height, width, channels, kernel, stride,
          Math.max((oh - 1) * stride + kernel - height, 0) / 2, Math.max((ow - 1) * stride + kernel - width, 0) / 2,
          oh, ow);
    }

    int inputs() {
      return rows * height * width * channels;
    }

    int patch() {
      return kernel * kernel * channels;
    }

    int columns() {
      return rows * outHeight * outWidth * patch();
    }

    @Override
    public String toString() {
      return rows + "x" + height + "x" + width + "x" + channels + " k" + kernel + " s" + stride + " pad " + padTop
          + "," + padLeft + " out " + outHeight + "x" + outWidth;
    }
  }

  static List<Geometry> geometries() {
    return List.of(
        Geometry.valid(1, 1, 1, 1, 1, 1),
        Geometry.valid(1, 5, 7, 1, 3, 1), // odd sizes, 1 channel
        Geometry.same(3, 5, 7, 2, 3, 1),
        Geometry.valid(2, 5, 5, 3, 5, 1), // kernel as large as the input: one output pixel
        Geometry.valid(3, 5, 7, 2, 5, 1), // kernel as tall as the input
        Geometry.same(1, 7, 5, 4, 3, 2), // stride 2, more channels than rows
        Geometry.same(2, 7, 11, 5, 3, 3), // stride 3
        Geometry.same(3, 8, 6, 1, 4, 2), // even kernel: uneven padding
        Geometry.same(5, 5, 7, 3, 7, 2), // kernel larger than the height: padding on every side
        Geometry.same(1, 11, 13, 2, 5, 3),
        Geometry.valid(13, 6, 6, 2, 2, 2), // prime rows, stride = kernel
        Geometry.valid(2, 9, 9, 3, 3, 3),
        Geometry.valid(1, 1, 7, 17, 1, 1)); // height 1, 17 channels
  }

  /** (rows, height, width, channels, pool). */
  static List<int[]> pools() {
    return List.of(new int[] {1, 1, 1, 1, 1}, new int[] {1, 5, 7, 1, 2}, new int[] {3, 5, 7, 2, 3},
        new int[] {2, 7, 5, 4, 2}, new int[] {13, 6, 6, 1, 2}, new int[] {1, 5, 5, 3, 5}, new int[] {2, 4, 9, 5, 4},
        new int[] {7, 3, 3, 11, 1}, new int[] {2, 5, 7, 3, 5});
  }

  /** (count, rate·10, stepLo, stepHi, stream). */
  static List<int[]> dropouts() {
    List<int[]> cases = new ArrayList<>();
    for (int count : new int[] {1, 7, 97, 1031}) {
      for (int tenths : new int[] {0, 5, 9}) {
        cases.add(new int[] {count, tenths, 5, 0, 0});
        cases.add(new int[] {count, tenths, 0xFFFFFFFF, 0x7, 3});
        cases.add(new int[] {count, tenths, 123, 0x80000001, 1});
      }
    }
    return cases;
  }

  static Stream<Arguments> devices() {
    return Backends.others().stream().map(Arguments::of);
  }

  /** The reference and every other backend, for the semantic checks. */
  static Stream<Arguments> backends() {
    return Backends.all().stream().map(d -> Arguments.of(d.id(), d));
  }

  private static Backend<?, ?> backend(Device device) {
    return OPEN.on(device);
  }

  @AfterAll
  static void release() {
    OPEN.close();
  }

  private static float[] random(long seed, int length, float low, float high) {
    return KernelsVsReferenceTest.random(seed, length, low, high);
  }

  /** Values from {-1, -0.5, 0, 0.5, 1}: max pool windows full of ties. */
  private static float[] coarse(long seed, int length) {
    Random r = new Random(seed);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (r.nextInt(5) - 2) * 0.5f;
    }
    return v;
  }

  private static float[] nan(int length) {
    float[] v = new float[length];
    Arrays.fill(v, Float.NaN);
    return v;
  }

  /** Uploads {@code inputs}, runs {@code op}, downloads buffer {@code out}, and frees what it allocated. */
  private static float[] on(Backend<?, ?> k, Backends.Op op, int out, float[]... inputs) {
    return Backends.run(k, op, out, inputs[out].length, inputs);
  }

  private static float[] im2col(Backend<?, ?> k, Geometry g, float[] x) {
    Backends.Op op = (b, buf) -> b.im2col(g.rows, g.height, g.width, g.channels, g.kernel, g.stride, g.padTop,
        g.padLeft, g.outHeight, g.outWidth, buf.get(0), buf.get(1));
    return on(k, op, 1, x, nan(g.columns()));
  }

  private static float[] col2im(Backend<?, ?> k, Geometry g, float[] col) {
    Backends.Op op = (b, buf) -> b.col2im(g.rows, g.height, g.width, g.channels, g.kernel, g.stride, g.padTop,
        g.padLeft, g.outHeight, g.outWidth, buf.get(0), buf.get(1));
    return on(k, op, 1, col, nan(g.inputs()));
  }

  private static float[] maxPool(Backend<?, ?> k, int[] p, float[] x) {
    Backends.Op op = (b, buf) -> b.maxPool(p[0], p[1], p[2], p[3], p[4], buf.get(0), buf.get(1));
    return on(k, op, 1, x, nan(pooled(p)));
  }

  private static float[] maxPoolBackward(Backend<?, ?> k, int[] p, float[] x, float[] dy) {
    Backends.Op op = (b, buf) -> b.maxPoolBackward(p[0], p[1], p[2], p[3], p[4], buf.get(0), buf.get(1), buf.get(2));
    return on(k, op, 2, x, dy, nan(x.length));
  }

  private static float[] avgPool(Backend<?, ?> k, int[] p, float[] x) {
    Backends.Op op = (b, buf) -> b.avgPool(p[0], p[1], p[2], p[3], p[4], buf.get(0), buf.get(1));
    return on(k, op, 1, x, nan(pooled(p)));
  }

  private static float[] avgPoolBackward(Backend<?, ?> k, int[] p, float[] dy) {
    Backends.Op op = (b, buf) -> b.avgPoolBackward(p[0], p[1], p[2], p[3], p[4], buf.get(0), buf.get(1));
    return on(k, op, 1, dy, nan(p[0] * p[1] * p[2] * p[3]));
  }

  private static int threshold(double rate) {
    return (int) Math.round(rate * (1 << 24));
  }

  private static float scale(float rate) {
    return 1.0f / (1.0f - rate);
  }

  private static float[] dropout(Backend<?, ?> k, int[] d, int seedLo, int seedHi, float[] x, boolean inPlace) {
    float rate = d[1] / 10.0f;
    int count = d[0];
    if (inPlace) {
      Backends.Op op = (b, buf) -> b.dropout(count, threshold(rate), scale(rate), seedLo, seedHi, d[2], d[3], d[4],
          buf.get(0), buf.get(0));
      return on(k, op, 0, x);
    }
    Backends.Op op = (b, buf) -> b.dropout(count, threshold(rate), scale(rate), seedLo, seedHi, d[2], d[3], d[4],
        buf.get(0), buf.get(1));
    return on(k, op, 1, x, nan(count));
  }

  private static int pooled(int[] p) {
    return p[0] * (p[1] / p[4]) * (p[2] / p[4]) * p[3];
  }

  // ---- bit for bit against the reference, on every device ----

  @ParameterizedTest(name = "{0} im2col and col2im")
  @MethodSource("devices")
  void im2colAndCol2imHaveTheReferencesBits(Device device) {
    Backend<?, ?> k = backend(device);
    int seed = 0;
    for (Geometry g : geometries()) {
      float[] x = random(++seed, g.inputs(), -1, 1);
      Tolerances.assertSameBits("im2col " + g + " on " + device.id(), im2col(REFERENCE, g, x), im2col(k, g, x));
      float[] col = random(++seed, g.columns(), -1, 1);
      Tolerances.assertSameBits("col2im " + g + " on " + device.id(), col2im(REFERENCE, g, col), col2im(k, g, col));
    }
  }

  @ParameterizedTest(name = "{0} max_pool and max_pool_backward")
  @MethodSource("devices")
  void maxPoolForwardAndBackwardHaveTheReferencesBits(Device device) {
    Backend<?, ?> k = backend(device);
    int seed = 100;
    for (int[] p : pools()) {
      String what = Arrays.toString(p) + " on " + device.id();
      // distinct values, then values from five levels (ties in most windows), then one value everywhere
      int count = p[0] * p[1] * p[2] * p[3];
      for (float[] x : List.of(random(++seed, count, -1, 1), coarse(++seed, count), filled(count, 0.25f))) {
        Tolerances.assertSameBits("max_pool " + what, maxPool(REFERENCE, p, x), maxPool(k, p, x));
        float[] dy = random(++seed, pooled(p), -1, 1);
        Tolerances.assertSameBits("max_pool_backward " + what, maxPoolBackward(REFERENCE, p, x, dy),
            maxPoolBackward(k, p, x, dy));
      }
    }
  }

  private static float[] filled(int length, float value) {
    float[] v = new float[length];
    Arrays.fill(v, value);
    return v;
  }

  /** Bits, tolerance 0, where the device divides correctly (1/(p·p) is a division); else the kernel tolerance. */
  @ParameterizedTest(name = "{0} avg_pool and avg_pool_backward")
  @MethodSource("devices")
  void avgPoolForwardAndBackwardHaveTheReferencesBits(Device device) {
    Backend<?, ?> k = backend(device);
    int seed = 200;
    for (int[] p : pools()) {
      String what = Arrays.toString(p);
      float[] x = random(++seed, p[0] * p[1] * p[2] * p[3], -1, 1);
      Tolerances.assertMatchesReference(device, "avg_pool " + what, avgPool(REFERENCE, p, x), avgPool(k, p, x));
      float[] dy = random(++seed, pooled(p), -1, 1);
      Tolerances.assertMatchesReference(device, "avg_pool_backward " + what, avgPoolBackward(REFERENCE, p, dy),
          avgPoolBackward(k, p, dy));
    }
  }

  @ParameterizedTest(name = "{0} dropout")
  @MethodSource("devices")
  void dropoutHasTheReferencesBitsAlsoInPlaceAndWithLargeSteps(Device device) {
    Backend<?, ?> k = backend(device);
    int seed = 300;
    for (int[] d : dropouts()) {
      String what = "dropout count " + d[0] + " rate " + d[1] / 10.0 + " step " + Integer.toHexString(d[3]) + ":"
          + Integer.toHexString(d[2]) + " stream " + d[4] + " on " + device.id();
      float[] x = random(++seed, d[0], -1, 1);
      int seedLo = 0x9E3779B9 + seed;
      int seedHi = seed % 2 == 0 ? 0 : 0xDEADBEEF;
      float[] expected = dropout(REFERENCE, d, seedLo, seedHi, x, false);
      Tolerances.assertSameBits(what, expected, dropout(k, d, seedLo, seedHi, x, false));
      Tolerances.assertSameBits(what + " in place", expected, dropout(k, d, seedLo, seedHi, x, true));
      Tolerances.assertSameBits(what + " in place on the reference", expected,
          dropout(REFERENCE, d, seedLo, seedHi, x, true));
    }
  }

  // ---- semantics, on the reference and on every device ----

  /**
   * im2col, then the matmul kernel with a (k·k·c × filters) weight matrix, against a direct convolution summed
   * in float64. The float32 matmul sums K = k·k·c products with fused multiply-adds, so each output is within
   * K·u·Σ|x·w| of the exact sum (u = 2⁻²⁴, the standard bound γ_K); the check allows twice that.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void im2colThenMatmulIsTheDirectConvolution(String name, Device device) {
    Backend<?, ?> k = backend(device);
    int filters = 3;
    int seed = 400;
    for (Geometry g : geometries()) {
      float[] x = random(++seed, g.inputs(), -1, 1);
      float[] w = random(++seed, g.patch() * filters, -1, 1);
      int pixels = g.rows * g.outHeight * g.outWidth;
      float[] col = im2col(k, g, x);
      Backends.Op op = (b, buf) -> b.matmul(pixels, filters, g.patch(), 1.0f, buf.get(0), buf.get(1), buf.get(2));
      float[] y = on(k, op, 2, col, w, nan(pixels * filters));
      for (int n = 0; n < g.rows; n++) {
        for (int oy = 0; oy < g.outHeight; oy++) {
          for (int ox = 0; ox < g.outWidth; ox++) {
            for (int f = 0; f < filters; f++) {
              double sum = 0;
              double magnitude = 0;
              for (int ky = 0; ky < g.kernel; ky++) {
                for (int kx = 0; kx < g.kernel; kx++) {
                  int iy = oy * g.stride + ky - g.padTop;
                  int ix = ox * g.stride + kx - g.padLeft;
                  if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) {
                    continue;
                  }
                  for (int c = 0; c < g.channels; c++) {
                    double term = (double) x[((n * g.height + iy) * g.width + ix) * g.channels + c]
                        * w[((ky * g.kernel + kx) * g.channels + c) * filters + f];
                    sum += term;
                    magnitude += Math.abs(term);
                  }
                }
              }
              float actual = y[((n * g.outHeight + oy) * g.outWidth + ox) * filters + f];
              double tolerance = 2 * g.patch() * U * magnitude;
              if (!(Math.abs(actual - sum) <= tolerance)) {
                fail(name + " " + g + ": output (" + n + ", " + oy + ", " + ox + ", " + f + ") is " + actual
                    + ", the direct convolution " + sum + " (tolerance " + tolerance + ")");
              }
            }
          }
        }
      }
    }
  }

  /**
   * ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, both sides summed in float64. im2col only copies, so the left side is
   * exact to float64 rounding; col2im sums at most k² floats per element, each within (k²−1)·u of its exact
   * sum, so the sides differ by at most k²·u·Σ|im2col(x)·c| (plus float64 rounding); the check allows twice that.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void col2imIsTheAdjointOfIm2col(String name, Device device) {
    Backend<?, ?> k = backend(device);
    int seed = 500;
    for (Geometry g : geometries()) {
      float[] x = random(++seed, g.inputs(), -1, 1);
      float[] c = random(++seed, g.columns(), -1, 1);
      float[] col = im2col(k, g, x);
      float[] dx = col2im(k, g, c);
      double left = 0;
      double magnitude = 0;
      for (int i = 0; i < col.length; i++) {
        left += (double) col[i] * c[i];
        magnitude += Math.abs((double) col[i] * c[i]);
      }
      double right = 0;
      for (int i = 0; i < x.length; i++) {
        right += (double) x[i] * dx[i];
      }
      double tolerance = 2 * g.kernel * g.kernel * U * magnitude + 1e-12;
      assertTrue(Math.abs(left - right) <= tolerance,
          name + " " + g + ": <im2col(x), c> = " + left + ", <x, col2im(c)> = " + right + " (tolerance " + tolerance
              + ")");
    }
  }

  /** The reference's and each device's outputs on hand-computed cases, exactly (each is exact in float). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void im2colOfAHandComputedCase(String name, Device device) {
    Backend<?, ?> k = backend(device);
    // one 2x3 sample, 1 channel, k = 2, stride 1, same padding: 2x3 out, pad 0 above, 0 left (the extra at the
    // bottom and right)
    Geometry g = Geometry.same(1, 2, 3, 1, 2, 1);
    assertEquals(List.of(0, 0, 2, 3), List.of(g.padTop, g.padLeft, g.outHeight, g.outWidth));
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] expected = {
        1, 2, 4, 5,
        2, 3, 5, 6,
        3, 0, 6, 0,
        4, 5, 0, 0,
        5, 6, 0, 0,
        6, 0, 0, 0};
    assertEquals(Arrays.toString(expected), Arrays.toString(im2col(k, g, x)), name);
    // col2im of all ones counts the patches reading each pixel
    float[] counts = col2im(k, g, filled(g.columns(), 1));
    assertEquals(Arrays.toString(new float[] {1, 2, 2, 2, 4, 4}), Arrays.toString(counts), name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void poolsOnHandComputedCases(String name, Device device) {
    Backend<?, ?> k = backend(device);
    // one sample, 3x5, 1 channel, pool 2: a 1x2 output; row 2 and column 4 are left over
    int[] p = {1, 3, 5, 1, 2};
    float[] x = {
        1, 9, 3, 2, 7,
        4, 4, 8, 8, 7,
        9, 9, 9, 9, 9};
    assertEquals(Arrays.toString(new float[] {9, 8}), Arrays.toString(maxPool(k, p, x)), name + " max_pool");
    assertEquals(Arrays.toString(new float[] {4.5f, 5.25f}), Arrays.toString(avgPool(k, p, x)),
        name + " avg_pool");
    // window 2 has its maximum 8 twice (row 1, columns 2 and 3): the gradient goes to the first, row-major
    float[] dy = {10, 20};
    assertEquals(Arrays.toString(new float[] {
        0, 10, 0, 0, 0,
        0, 0, 20, 0, 0,
        0, 0, 0, 0, 0}), Arrays.toString(maxPoolBackward(k, p, x, dy)), name + " max_pool_backward");
    assertEquals(Arrays.toString(new float[] {
        2.5f, 2.5f, 5, 5, 0,
        2.5f, 2.5f, 5, 5, 0,
        0, 0, 0, 0, 0}), Arrays.toString(avgPoolBackward(k, p, dy)), name + " avg_pool_backward");

    // two channels interleaved (HWC), 2x2, pool 2: channel 0 all equal (the gradient to the first element),
    // channel 1 with its maximum last; the first window value of a tie that is -0 against +0 is kept
    int[] q = {1, 2, 2, 2, 2};
    float[] h = {3, -1, 3, -2, 3, -3, 3, 5};
    assertEquals(Arrays.toString(new float[] {3, 5}), Arrays.toString(maxPool(k, q, h)), name + " max_pool HWC");
    assertEquals(Arrays.toString(new float[] {3, -0.25f}), Arrays.toString(avgPool(k, q, h)), name + " avg_pool HWC");
    assertEquals(Arrays.toString(new float[] {7, 0, 0, 0, 0, 0, 0, 8}),
        Arrays.toString(maxPoolBackward(k, q, h, new float[] {7, 8})), name + " max_pool_backward HWC");
    float[] zeros = {-0.0f, 0.0f, 0.0f, 0.0f};
    int[] one = {1, 2, 2, 1, 2};
    assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(maxPool(k, one, zeros)[0]),
        name + " max_pool keeps the first of equal values (-0 before +0)");
    assertEquals(Arrays.toString(new float[] {1, 0, 0, 0}),
        Arrays.toString(maxPoolBackward(k, one, zeros, new float[] {1})), name + " max_pool_backward of -0, +0");

    // a pool as large as the input: one output per channel
    int[] whole = {2, 3, 3, 1, 3};
    float[] two = new float[18];
    for (int i = 0; i < 18; i++) {
      two[i] = i;
    }
    assertEquals(Arrays.toString(new float[] {8, 17}), Arrays.toString(maxPool(k, whole, two)), name);
    float[] means = avgPool(k, whole, two);
    // 1/9 is a division: within 2 ulp, which a device without correctly rounded division may differ by
    assertTrue(Math.abs(means[0] - 4.0f) <= 2 * Math.ulp(4.0f) && Math.abs(means[1] - 13.0f) <= 2 * Math.ulp(13.0f),
        name + " avg_pool of a whole 3x3 input: " + Arrays.toString(means));
  }

  /**
   * 100,000 values at rates 0.5 and 0.9: the kept fraction is a binomial proportion with standard deviation
   * √(q(1−q)/n) (0.0016 and 0.00095 for q = 0.5 and 0.1); it must lie within 6 of them of 1 − rate (a false
   * failure about once in 5·10⁸). At rate 0 every value is kept. Every kept value is exactly x·scale, every
   * other exactly +0; the step's high word, the step's low word, the stream and the seed each change the mask.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void dropoutKeepsAboutOneMinusRateAndScalesExactly(String name, Device device) {
    Backend<?, ?> k = backend(device);
    int n = 100_000;
    float[] x = random(600, n, 0.5f, 1.5f); // never 0: a 0 out is a dropped value
    for (float rate : new float[] {0f, 0.5f, 0.9f}) {
      int[] d = {n, Math.round(rate * 10), 77, 1, 2};
      float[] y = dropout(k, d, 12345, 678, x, false);
      float scale = scale(rate);
      int kept = 0;
      for (int i = 0; i < n; i++) {
        if (y[i] != 0) {
          kept++;
          assertEquals(Float.floatToIntBits(x[i] * scale), Float.floatToIntBits(y[i]),
              name + " rate " + rate + ": kept value " + i + " is not x·scale");
        } else {
          assertEquals(Float.floatToIntBits(0.0f), Float.floatToIntBits(y[i]), name + " dropped value " + i);
        }
      }
      double q = 1 - rate;
      double tolerance = 6 * Math.sqrt(q * (1 - q) / n);
      double fraction = kept / (double) n;
      if (rate == 0) {
        assertEquals(n, kept, name + ": rate 0 keeps every value");
      } else {
        assertTrue(Math.abs(fraction - q) <= tolerance,
            name + " rate " + rate + ": kept " + fraction + ", expected " + q + " ± " + tolerance);
      }
    }
    int[] base = {n, 5, 77, 1, 2};
    float[] mask = dropout(k, base, 12345, 678, x, false);
    assertNotEquals(Arrays.toString(mask), Arrays.toString(dropout(k, new int[] {n, 5, 77, 2, 2}, 12345, 678, x,
        false)), name + ": the step's high word changes the mask");
    assertNotEquals(Arrays.toString(mask), Arrays.toString(dropout(k, new int[] {n, 5, 78, 1, 2}, 12345, 678, x,
        false)), name + ": the step's low word changes the mask");
    assertNotEquals(Arrays.toString(mask), Arrays.toString(dropout(k, new int[] {n, 5, 77, 1, 3}, 12345, 678, x,
        false)), name + ": the stream changes the mask");
    assertNotEquals(Arrays.toString(mask), Arrays.toString(dropout(k, base, 12345, 679, x, false)),
        name + ": the seed changes the mask");
    assertEquals(Arrays.toString(mask), Arrays.toString(dropout(k, base, 12345, 678, x, false)),
        name + ": the same call draws the same mask");
  }

  /** Value 0 of the zero key and counter: Random123's first word 0x6627e8d5, top 24 bits 0x6627e8. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void dropoutDecidesOnPhiloxsKnownAnswer(String name, Device device) {
    Backend<?, ?> k = backend(device);
    float[] one = {2};
    Backends.Op keepAt = (b, buf) -> b.dropout(1, 0x6627e8, 1.0f, 0, 0, 0, 0, 0, buf.get(0), buf.get(1));
    Backends.Op dropAt = (b, buf) -> b.dropout(1, 0x6627e9, 1.0f, 0, 0, 0, 0, 0, buf.get(0), buf.get(1));
    assertEquals(2.0f, on(k, keepAt, 1, one, nan(1))[0], name);
    assertEquals(0.0f, on(k, dropAt, 1, one, nan(1))[0], name);
  }

  @Test
  void theTestsGeometryPadsAsSamePaddingDoes() {
    // same padding, 5x7 at stride 2 with k = 3: out 3x4, padding (3-1)·2+3-5 = 2 rows (1 above), (4-1)·2+3-7 = 2
    Geometry g = Geometry.same(1, 5, 7, 1, 3, 2);
    assertEquals(List.of(1, 1, 3, 4), List.of(g.padTop, g.padLeft, g.outHeight, g.outWidth));
    Geometry v = Geometry.valid(1, 5, 5, 1, 5, 1);
    assertEquals(List.of(0, 0, 1, 1), List.of(v.padTop, v.padLeft, v.outHeight, v.outWidth));
  }
}
