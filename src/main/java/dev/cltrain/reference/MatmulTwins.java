package dev.cltrain.reference;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Range;
import java.util.stream.IntStream;

/**
 * The bottom of the reference's chain of twins ({@link ReferenceKernels} extends SmallNetTwin extends ConvTwins
 * extends UpdateTwins extends ActivationTwins extends this): matmul.cl's twins, prelude.cl's functions
 * (expCl, tanhCl, activate, slope) and the loops' thread splits that every family shares. The reference never
 * launches a kernel by name: {@link #launch} throws, and each {@code Kernels} method is overridden by its twin.
 */
abstract class MatmulTwins implements Backend<float[], int[]> {
  /** Multiply-adds below which a matmul runs on one thread (thread start-up would cost more). */
  private static final long PARALLEL_WORK = 1 << 16;
  /** Multiply-adds below which the plain loop runs (the SIMD loops' set-up would cost more; same bits). */
  private static final long SMALL_WORK = 1 << 12;
  /** Rows and columns of c per task of a matmul: the unit handed to threads. */
  private static final int PANEL_ROWS = 64;
  private static final int PANEL_COLUMNS = 256;

  private final MatmulRows loops;
  /** Whether the first product big enough for the Vector API loops is still to say that they are missing. */
  boolean noticeDue;

  MatmulTwins(MatmulRows loops) {
    this.loops = loops;
  }

  /** The reference runs each kernel's twin and launches nothing by name. */
  @Override
  public void launch(String kernel, Range range, Object... args) {
    throw new UnsupportedOperationException("the reference has no kernel " + kernel + " to launch: each Kernels"
        + " method is overridden by its twin");
  }

  @Override
  public void matmul(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, k, 1, b, n, 1, c, null);
  }

  @Override
  public void matmulTransposeA(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, 1, m, b, n, 1, c, null);
  }

  @Override
  public void matmulTransposeB(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, k, 1, b, 1, k, c, null);
  }

  /**
   * matmul then bias_activation, as matmul.cl's fused kernel stores it: each block of the product passes through
   * bias_activation's loop as soon as it is computed (alpha 1, so the stored sum is the sum itself), on the thread
   * that computed it, while it is in cache: the same float operations as the two kernels one after the other.
   */
  @Override
  public void matmulBiasActivation(int m, int n, int k, int activation, float[] x, float[] w, float[] bias, float[] a) {
    matmulStrided(m, n, k, 1.0f, x, k, 1, w, n, 1, a, (from, to) -> biasActivationRange(n, activation, a, bias, a, from, to));
  }

  /** matmul_transpose_b then activation_delta, block by block as {@link #matmulBiasActivation} does. */
  @Override
  public void matmulTransposeBDelta(int m, int n, int k, int activation, float[] d, float[] w, float[] a, float[] dz) {
    matmulStrided(m, n, k, 1.0f, d, k, 1, w, 1, k, dz, (from, to) -> activationDeltaRange(activation, a, dz, from, to));
  }

  /**
   * bias_activation's loop over elements [from, to) of z (rows of {@code cols}): a = f(z + bias[column]); a may be z.
   *
   * @param cols columns of z, the length of bias
   * @param activation prelude.cl's code of f
   * @param z the sums
   * @param bias one per column
   * @param a where f(z + bias) goes
   * @param from first element
   * @param to element past the last
   */
  static void biasActivationRange(int cols, int activation, float[] z, float[] bias, float[] a, int from, int to) {
    int c = from % cols; // the column of element i, carried along instead of i % cols per element
    if (activation == 3) {
      for (int i = from; i < to; i++) {
        float x = z[i] + bias[c];
        a[i] = x > 0.0f ? x : 0.0f; // activate(3, x)
        c = c + 1 == cols ? 0 : c + 1;
      }
      return;
    }
    for (int i = from; i < to; i++) {
      a[i] = activate(activation, z[i] + bias[c]);
      c = c + 1 == cols ? 0 : c + 1;
    }
  }

  /** activation_delta's loop over elements [from, to): dz = dz · f'(a). */
  static void activationDeltaRange(int activation, float[] a, float[] dz, int from, int to) {
    for (int i = from; i < to; i++) {
      dz[i] = dz[i] * slope(activation, a[i]);
    }
  }

  /** What a fused product does to elements [from, to) of c once they hold their products. */
  @FunctionalInterface
  interface Epilogue {
    void apply(int from, int to);
  }

  /**
   * matmul.cl without the tiles: element (i, p) of an operand is x[i·rowStride + p·colStride]. Blocks of c
   * (64 rows × 256 columns) are computed by {@link MatmulRows}, across threads when the product is big
   * enough (outputs are independent, so the split changes no bits), each block then passed row by row through
   * {@code epilogue} when there is one. A b read transposed is staged by the loops in its own order. Either way
   * c[i][j] = alpha · fma(a_i(k−1), b_(k−1)j, … fma(a_i1, b_1j, fma(a_i0, b_0j, 0))), the kernel's sum.
   */
  private void matmulStrided(int m, int n, int k, float alpha, float[] a, int aRowStride, int aColStride, float[] b,
      int bRowStride, int bColStride, float[] c, Epilogue epilogue) {
    MatmulRows rows = (long) m * n * k < SMALL_WORK ? MatmulRows.plain() : loops;
    if (noticeDue && (long) m * n * k >= SMALL_WORK) {
      noticeDue = false;
      MatmulRows.VectorNotice.sayOnce();
    }
    int rowBlocks = (m + PANEL_ROWS - 1) / PANEL_ROWS;
    int colBlocks = (n + PANEL_COLUMNS - 1) / PANEL_COLUMNS;
    IntStream range = IntStream.range(0, rowBlocks * colBlocks);
    (((long) m * n * k >= PARALLEL_WORK && rowBlocks * colBlocks > 1) ? range.parallel() : range).forEach(task -> {
      int i = task / colBlocks * PANEL_ROWS;
      int j = task % colBlocks * PANEL_COLUMNS;
      int rowTo = Math.min(m, i + PANEL_ROWS);
      int colTo = Math.min(n, j + PANEL_COLUMNS);
      rows.block(i, rowTo, j, colTo, n, k, alpha, a, aRowStride, aColStride, b, bRowStride, bColStride, c);
      if (epilogue != null) {
        for (int row = i; row < rowTo; row++) {
          epilogue.apply(row * n + j, row * n + colTo);
        }
      }
    });
  }

  /**
   * Which matrix-product loops this reference runs.
   *
   * @return "plain Java" or "Vector API, 16 lanes" (the lanes of the preferred float vector on this CPU)
   */
  public String matmulLoops() {
    return loops.describe();
  }

  /** prelude.cl's exp_cl(): Cephes expf in float operations, bit for bit what the kernels compute. */
  static float expCl(float x) {
    if (x > 88.72283905206835f) {
      return Float.POSITIVE_INFINITY;
    }
    if (x < -87.33654475f) {
      return 0.0f;
    }
    float k = (float) Math.rint(x * 1.44269504088896341f);
    float r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    float z = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * z + r;
    p = p + 1.0f;
    return Math.scalb(p, (int) k);
  }

  /** prelude.cl's tanh_cl(): an odd polynomial near 0, 1 − 2/(e^2|x| + 1) beyond. */
  static float tanhCl(float x) {
    float ax = Math.abs(x);
    if (ax < 0.625f) {
      float z = x * x;
      float p = -5.70498872745e-3f;
      p = p * z + 2.06390887954e-2f;
      p = p * z - 5.37397155531e-2f;
      p = p * z + 1.33314422036e-1f;
      p = p * z - 3.33332819422e-1f;
      return p * z * x + x;
    }
    if (ax > 9.0f) {
      return x > 0.0f ? 1.0f : -1.0f;
    }
    float t = 1.0f - 2.0f / (expCl(2.0f * ax) + 1.0f);
    return x > 0.0f ? t : -t;
  }

  /** prelude.cl's activate(): f(x) in float32. */
  static float activate(int activation, float x) {
    return switch (activation) {
      case 1 -> 1.0f / (1.0f + expCl(-x));
      case 2 -> tanhCl(x);
      case 3 -> x > 0.0f ? x : 0.0f;
      default -> x;
    };
  }

  /** prelude.cl's slope(): f' from the output a. */
  static float slope(int activation, float a) {
    return switch (activation) {
      case 1 -> a * (1.0f - a);
      case 2 -> 1.0f - a * a;
      case 3 -> a > 0.0f ? 1.0f : 0.0f;
      default -> 1.0f;
    };
  }

  /** Elements below which an optimizer step runs on one thread. */
  static final int PARALLEL_ELEMENTS = 1 << 15;

  /**
   * Runs {@code part} over [0, count): in one call, or in parts of 16384 elements across threads when there are
   * many (each element reads and writes only its own index, so the split changes no bits). For the optimizer
   * steps and the element-wise activation kernels.
   */
  static void inParts(int count, java.util.function.BiConsumer<Integer, Integer> part) {
    if (count < PARALLEL_ELEMENTS) {
      part.accept(0, count);
      return;
    }
    int size = 1 << 14;
    IntStream.range(0, (count + size - 1) / size).parallel()
        .forEach(p -> part.accept(p * size, Math.min(count, p * size + size)));
  }

  /**
   * Runs {@code body} for samples [0, rows), split over threads when there are many values ({@code perSample}
   * · rows ≥ 2¹⁵); each sample's values depend on that sample alone, so the split changes no bits.
   */
  static void overSamples(int rows, long perSample, java.util.function.IntConsumer body) {
    if ((long) rows * perSample < PARALLEL_ELEMENTS || rows == 1) {
      for (int n = 0; n < rows; n++) {
        body.accept(n);
      }
      return;
    }
    IntStream.range(0, rows).parallel().forEach(body);
  }
}
