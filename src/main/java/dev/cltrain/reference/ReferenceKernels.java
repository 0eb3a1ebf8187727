package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Range;
import dev.cltrain.backend.Segments;
import dev.cltrain.backend.SmallNetOptimizer;

import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Adam;
import dev.cltrain.nn.AdamW;
import dev.cltrain.nn.Momentum;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The CPU reference: each method is the loop every work-item of the same-named kernel runs, in the same
 * order, in float32, with nothing clever added. Matmuls run rows in parallel when the product is big enough
 * to pay for it, and walk memory row by row (i-k-j) — each element still sums its products in ascending k,
 * the kernel's order, so results depend neither on threads nor on loop order. The momentum and Adam loops
 * ({@link UpdateLoops}) use the Vector API where the JVM has it, the same operations lane by lane.
 */
public final class ReferenceKernels implements Backend<float[], int[]> {
  /** Multiply-adds below which a matmul runs on one thread (thread start-up would cost more). */
  private static final long PARALLEL_WORK = 1 << 16;
  /** Multiply-adds below which the plain loop runs (the SIMD loops' set-up would cost more; same bits). */
  private static final long SMALL_WORK = 1 << 12;
  /** Rows and columns of c per task of a matmul: the unit handed to threads. */
  private static final int PANEL_ROWS = 64;
  private static final int PANEL_COLUMNS = 256;

  private final MatmulRows loops;
  private final UpdateLoops updates;
  /** Whether the first product big enough for the Vector API loops is still to say that they are missing. */
  private boolean noticeDue;

  /** The reference with the fastest matrix-product and optimizer loops this JVM offers (same bits either way). */
  public ReferenceKernels() {
    this(MatmulRows.best(), UpdateLoops.best());
  }

  ReferenceKernels(MatmulRows loops) {
    this(loops, UpdateLoops.best());
  }

  ReferenceKernels(MatmulRows loops, UpdateLoops updates) {
    this.loops = loops;
    this.updates = updates;
  }

  /**
   * The reference a {@link ReferenceDevice} opens to train or predict on: its first matrix product large
   * enough for the Vector API loops logs, once per JVM, that the JVM lacks them ({@link MatmulRows.VectorNotice}).
   */
  static ReferenceKernels opened() {
    ReferenceKernels kernels = new ReferenceKernels();
    kernels.noticeDue = true;
    return kernels;
  }

  @Override
  public String name() {
    return "Java reference";
  }

  /** The reference runs each kernel's twin and launches nothing by name. */
  @Override
  public void launch(String kernel, Range range, Object... args) {
    throw new UnsupportedOperationException("the reference has no kernel " + kernel + " to launch: each Kernels"
        + " method is overridden by its twin");
  }

  @Override
  public void matmul(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, k, 1, b, n, 1, c);
  }

  @Override
  public void matmulTransposeA(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, 1, m, b, n, 1, c);
  }

  @Override
  public void matmulTransposeB(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, k, 1, b, 1, k, c);
  }

  @Override
  public void matmulBiasActivation(int m, int n, int k, int activation, float[] x, float[] w, float[] bias, float[] a) {
    matmul(m, n, k, 1.0f, x, w, a);
    biasActivation(m, n, activation, a, bias, a);
  }

  @Override
  public void matmulTransposeBDelta(int m, int n, int k, int activation, float[] d, float[] w, float[] a, float[] dz) {
    matmulTransposeB(m, n, k, 1.0f, d, w, dz);
    activationDelta(m * n, activation, a, dz);
  }

  /**
   * matmul.cl without the tiles: element (i, p) of an operand is x[i·rowStride + p·colStride]. Blocks of c
   * (64 rows × 256 columns) are computed by {@link MatmulRows}, across threads when the product is big
   * enough. When b is read transposed its columns are first copied into rows (a copy changes no bits). Either
   * way c[i][j] = alpha · fma(a_i(k−1), b_(k−1)j, … fma(a_i1, b_1j, fma(a_i0, b_0j, 0))), the kernel's sum.
   */
  private void matmulStrided(int m, int n, int k, float alpha,
      float[] a, int aRowStride, int aColStride, float[] b, int bRowStride, int bColStride, float[] c) {
    float[] rowsOfB = b;
    int rowStride = bRowStride;
    if (bColStride != 1) {
      rowsOfB = new float[k * n];
      for (int p = 0; p < k; p++) {
        for (int col = 0; col < n; col++) {
          rowsOfB[p * n + col] = b[p * bRowStride + col * bColStride];
        }
      }
      rowStride = n;
    }
    float[] packed = rowsOfB;
    int stride = rowStride;
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
      rows.block(i, Math.min(m, i + PANEL_ROWS), j, Math.min(n, j + PANEL_COLUMNS), n, k, alpha, a, aRowStride,
          aColStride, packed, stride, c);
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

  @Override
  public void biasActivation(int rows, int cols, int activation, float[] z, float[] bias, float[] a) {
    inParts(rows * cols, (from, to) -> {
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
    });
  }

  @Override
  public void activationDelta(int count, int activation, float[] a, float[] dz) {
    inParts(count, (from, to) -> {
      for (int i = from; i < to; i++) {
        dz[i] = dz[i] * slope(activation, a[i]);
      }
    });
  }

  @Override
  public void biasSoftmax(int rows, int cols, float[] z, float[] bias, float[] p) {
    for (int row = 0; row < rows; row++) {
      int at = row * cols;
      float top = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < cols; c++) {
        top = Math.max(top, z[at + c] + bias[c]);
      }
      float sum = 0.0f;
      for (int c = 0; c < cols; c++) {
        float e = expCl(z[at + c] + bias[c] - top);
        p[at + c] = e;
        sum += e;
      }
      for (int c = 0; c < cols; c++) {
        p[at + c] = p[at + c] / sum;
      }
    }
  }

  @Override
  public void mseDelta(int count, int activation, float[] a, float[] y, float[] dz) {
    for (int i = 0; i < count; i++) {
      float error = a[i] - y[i];
      dz[i] = error * slope(activation, a[i]);
    }
  }

  @Override
  public void xentDelta(int count, float[] p, float[] y, float[] dz) {
    for (int i = 0; i < count; i++) {
      dz[i] = p[i] - y[i];
    }
  }

  /** The kernel reduces in a tree in float32; here the sum runs in double, which is at least as accurate. */
  @Override
  public void mseLoss(int count, int slot, float[] a, float[] y, float[] loss) {
    double sum = 0.0;
    for (int i = 0; i < count; i++) {
      float error = a[i] - y[i];
      sum += 0.5f * (error * error);
    }
    loss[slot] = (float) (sum / count);
  }

  @Override
  public void xentLoss(int rows, int cols, int slot, float[] p, float[] y, float[] loss) {
    double sum = 0.0;
    for (int i = 0; i < rows * cols; i++) {
      if (y[i] != 0.0f) {
        sum -= y[i] * (float) Math.log(Math.max(p[i], Float.MIN_NORMAL));
      }
    }
    loss[slot] = (float) (sum / rows);
  }

  @Override
  public void countCorrect(int rows, int cols, int slot, float[] a, float[] y, float[] correct) {
    int hits = 0;
    for (int r = 0; r < rows; r++) {
      int at = r * cols;
      if (cols == 1) {
        hits += (a[at] >= 0.5f) == (y[at] >= 0.5f) ? 1 : 0;
      } else {
        int bestA = 0;
        int bestY = 0;
        for (int c = 1; c < cols; c++) {
          if (a[at + c] > a[at + bestA]) {
            bestA = c;
          }
          if (y[at + c] > y[at + bestY]) {
            bestY = c;
          }
        }
        hits += bestA == bestY ? 1 : 0;
      }
    }
    correct[slot] = hits;
  }

  @Override
  public void columnSum(int rows, int cols, float scale, float[] x, float[] sums) {
    // each column's sum in ascending rows, as the kernel's; the columns side by side, so x is read once in order
    float[] sum = new float[cols];
    for (int r = 0; r < rows; r++) {
      int row = r * cols;
      for (int col = 0; col < cols; col++) {
        sum[col] += x[row + col];
      }
    }
    for (int col = 0; col < cols; col++) {
      sums[col] = scale * sum[col];
    }
  }

  /** update.cl's sgd_step(): element i of sgd_update. */
  private static void sgdStep(int i, float learningRate, float weightDecay, float[] dw, float[] w) {
    float g = dw[i] + weightDecay * w[i];
    w[i] = w[i] - learningRate * g;
  }

  @Override
  public void sgdUpdate(int count, float learningRate, float weightDecay, float[] dw, float[] w) {
    for (int i = 0; i < count; i++) {
      sgdStep(i, learningRate, weightDecay, dw, w);
    }
  }

  @Override
  public void momentumUpdate(int count, float learningRate, float momentum, float weightDecay, float[] dw,
      float[] velocity, float[] w) {
    inParts(count, (from, to) -> updates.momentum(from, to, learningRate, momentum, weightDecay, dw, velocity, w));
  }

  @Override
  public void adamUpdate(int count, float learningRate, AdamConstants adam, float weightDecay,
      float correction1, float correction2, float[] dw, float[] m, float[] v, float[] w) {
    inParts(count, (from, to) -> updates.adam(from, to, learningRate, adam, weightDecay, correction1, correction2, dw,
        m, v, w));
  }

  /** Elements below which an optimizer step runs on one thread. */
  private static final int PARALLEL_ELEMENTS = 1 << 15;

  /**
   * Runs {@code part} over [0, count): in one call, or in parts of 16384 elements across threads when there are
   * many (each element reads and writes only its own index, so the split changes no bits). For the optimizer
   * steps and the element-wise activation kernels.
   */
  private static void inParts(int count, java.util.function.BiConsumer<Integer, Integer> part) {
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
  private static void overSamples(int rows, long perSample, java.util.function.IntConsumer body) {
    if ((long) rows * perSample < PARALLEL_ELEMENTS || rows == 1) {
      for (int n = 0; n < rows; n++) {
        body.accept(n);
      }
      return;
    }
    IntStream.range(0, rows).parallel().forEach(body);
  }

  @Override
  public void im2col(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, float[] x, float[] col) {
    int patch = kernelSize * kernelSize * channels;
    overSamples(rows, (long) outHeight * outWidth * patch, n -> {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          int row = ((n * outHeight + oy) * outWidth + ox) * patch;
          for (int ky = 0; ky < kernelSize; ky++) {
            int iy = oy * stride + ky - padTop;
            for (int kx = 0; kx < kernelSize; kx++) {
              int ix = ox * stride + kx - padLeft;
              int to = row + (ky * kernelSize + kx) * channels;
              if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                System.arraycopy(x, ((n * height + iy) * width + ix) * channels, col, to, channels);
              } else {
                java.util.Arrays.fill(col, to, to + channels, 0.0f);
              }
            }
          }
        }
      }
    });
  }

  /** conv.cl's first_offset: the first kernel offset that reads position {@code at} (= input + pad). */
  static int firstOffset(int at, int stride, int out) {
    int k = at % stride;
    int lowest = at - (out - 1) * stride;
    if (lowest > k) {
      k += (lowest - k + stride - 1) / stride * stride;
    }
    return k;
  }

  @Override
  public void col2im(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, float[] col, float[] dx) {
    int patch = kernelSize * kernelSize * channels;
    overSamples(rows, (long) height * width * channels * kernelSize * kernelSize, n -> {
      for (int iy = 0; iy < height; iy++) {
        int ty = iy + padTop;
        int kyFirst = firstOffset(ty, stride, outHeight);
        int kyLast = Math.min(kernelSize - 1, ty);
        for (int ix = 0; ix < width; ix++) {
          int tx = ix + padLeft;
          int kxFirst = firstOffset(tx, stride, outWidth);
          int kxLast = Math.min(kernelSize - 1, tx);
          int q = (n * height + iy) * width + ix;
          // each channel's sum in ky, then kx, order; channels side by side (contiguous reads)
          java.util.Arrays.fill(dx, q * channels, q * channels + channels, 0.0f);
          for (int ky = kyFirst; ky <= kyLast; ky += stride) {
            int oy = (ty - ky) / stride;
            for (int kx = kxFirst; kx <= kxLast; kx += stride) {
              int ox = (tx - kx) / stride;
              int from = ((n * outHeight + oy) * outWidth + ox) * patch + (ky * kernelSize + kx) * channels;
              for (int c = 0; c < channels; c++) {
                dx[q * channels + c] += col[from + c];
              }
            }
          }
        }
      }
    });
  }

  @Override
  public void maxPool(int rows, int height, int width, int channels, int pool, float[] x, float[] y) {
    int outHeight = height / pool;
    int outWidth = width / pool;
    overSamples(rows, (long) height * width * channels, n -> {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          int first = ((n * height + oy * pool) * width + ox * pool) * channels;
          int out = ((n * outHeight + oy) * outWidth + ox) * channels;
          // each channel's comparisons in (ky, kx) order, as max_pool's loop; channels side by side
          System.arraycopy(x, first, y, out, channels);
          for (int ky = 0; ky < pool; ky++) {
            for (int kx = 0; kx < pool; kx++) {
              int at = first + (ky * width + kx) * channels;
              for (int c = 0; c < channels; c++) {
                float v = x[at + c];
                if (v > y[out + c]) {
                  y[out + c] = v;
                }
              }
            }
          }
        }
      }
    });
  }

  @Override
  public void maxPoolBackward(int rows, int height, int width, int channels, int pool, float[] x, float[] dy,
      float[] dx) {
    int outHeight = height / pool;
    int outWidth = width / pool;
    int windowsY = (height + pool - 1) / pool;
    int windowsX = (width + pool - 1) / pool;
    overSamples(rows, (long) height * width * channels, n -> {
      float[] best = new float[channels];
      int[] where = new int[channels];
      for (int wy = 0; wy < windowsY; wy++) {
        for (int wx = 0; wx < windowsX; wx++) {
          int first = ((n * height + wy * pool) * width + wx * pool) * channels;
          int rowsIn = Math.min(pool, height - wy * pool);
          int colsIn = Math.min(pool, width - wx * pool);
          if (wy < outHeight && wx < outWidth) {
            // max_pool_backward's search per channel, (ky, kx) order, channels side by side
            System.arraycopy(x, first, best, 0, channels);
            java.util.Arrays.fill(where, 0);
            for (int ky = 0; ky < pool; ky++) {
              for (int kx = 0; kx < pool; kx++) {
                int at = first + (ky * width + kx) * channels;
                for (int c = 0; c < channels; c++) {
                  float v = x[at + c];
                  if (v > best[c]) {
                    best[c] = v;
                    where[c] = ky * pool + kx;
                  }
                }
              }
            }
            int g = ((n * outHeight + wy) * outWidth + wx) * channels;
            for (int ky = 0; ky < pool; ky++) {
              for (int kx = 0; kx < pool; kx++) {
                int at = first + (ky * width + kx) * channels;
                for (int c = 0; c < channels; c++) {
                  dx[at + c] = ky * pool + kx == where[c] ? dy[g + c] : 0.0f;
                }
              }
            }
          } else {
            for (int ky = 0; ky < rowsIn; ky++) {
              for (int kx = 0; kx < colsIn; kx++) {
                int at = first + (ky * width + kx) * channels;
                java.util.Arrays.fill(dx, at, at + channels, 0.0f);
              }
            }
          }
        }
      }
    });
  }

  @Override
  public void avgPool(int rows, int height, int width, int channels, int pool, float[] x, float[] y) {
    int outHeight = height / pool;
    int outWidth = width / pool;
    float inverse = 1.0f / (float) (pool * pool);
    overSamples(rows, (long) height * width * channels, n -> {
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          for (int c = 0; c < channels; c++) {
            int first = ((n * height + oy * pool) * width + ox * pool) * channels + c;
            float sum = 0.0f;
            for (int ky = 0; ky < pool; ky++) {
              for (int kx = 0; kx < pool; kx++) {
                sum += x[first + (ky * width + kx) * channels];
              }
            }
            y[((n * outHeight + oy) * outWidth + ox) * channels + c] = sum * inverse;
          }
        }
      }
    });
  }

  @Override
  public void avgPoolBackward(int rows, int height, int width, int channels, int pool, float[] dy, float[] dx) {
    int outHeight = height / pool;
    int outWidth = width / pool;
    int windowsY = (height + pool - 1) / pool;
    int windowsX = (width + pool - 1) / pool;
    float inverse = 1.0f / (float) (pool * pool);
    overSamples(rows, (long) height * width * channels, n -> {
      for (int wy = 0; wy < windowsY; wy++) {
        for (int wx = 0; wx < windowsX; wx++) {
          int first = ((n * height + wy * pool) * width + wx * pool) * channels;
          boolean whole = wy < outHeight && wx < outWidth;
          for (int c = 0; c < channels; c++) {
            float g = whole ? dy[((n * outHeight + wy) * outWidth + wx) * channels + c] * inverse : 0.0f;
            for (int ky = 0; ky < Math.min(pool, height - wy * pool); ky++) {
              for (int kx = 0; kx < Math.min(pool, width - wx * pool); kx++) {
                dx[first + (ky * width + kx) * channels + c] = g;
              }
            }
          }
        }
      }
    });
  }

  @Override
  public void dropout(int count, int threshold, float scale, int seedLo, int seedHi, int stepLo, int stepHi,
      int stream, float[] x, float[] y) {
    inParts(count, (from, to) -> {
      for (int i = from; i < to; i++) {
        y[i] = Philox.keep(i, threshold, seedLo, seedHi, stepLo, stepHi, stream) ? x[i] * scale : 0.0f;
      }
    });
  }

  /** The kernel's work-items in the order of its range: slot 0's elements, then slot 1's, and so on. */
  @Override
  public void sgdUpdateLayers(int[] count, float learningRate, float[] weightDecay, List<float[]> dw,
      List<float[]> w) {
    Segments.total(count, weightDecay, dw, w);
    for (int s = 0; s < count.length; s++) {
      sgdUpdate(count[s], learningRate, weightDecay[s], dw.get(s), w.get(s));
    }
  }

  @Override
  public void momentumUpdateLayers(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<float[]> dw, List<float[]> velocity, List<float[]> w) {
    Segments.total(count, weightDecay, dw, velocity, w);
    for (int s = 0; s < count.length; s++) {
      momentumUpdate(count[s], learningRate, momentum, weightDecay[s], dw.get(s), velocity.get(s), w.get(s));
    }
  }

  @Override
  public void adamUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<float[]> dw, List<float[]> m,
      List<float[]> v, List<float[]> w) {
    Segments.total(count, weightDecay, dw, m, v, w);
    for (int s = 0; s < count.length; s++) {
      adamUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2, dw.get(s), m.get(s),
          v.get(s), w.get(s));
    }
  }

  @Override
  public void gatherRows(int rows, int cols, int offset, int[] indices, float[] source, float[] target) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(source, indices[offset + r] * cols, target, r * cols, cols);
    }
  }

  /**
   * small_net.cl's loops, element by element in order (one work-item, as it were). Each element is computed as
   * the layer-by-layer methods above compute it, so the results are theirs, bit for bit: the loss and the
   * correct count come from {@link #mseLoss}, {@link #xentLoss} and {@link #countCorrect} themselves.
   */
  @Override
  public void trainSmall(int layers, int rows, int epochs, int crossEntropy, int stats, float scale,
      float learningRate, float weightDecay, SmallNetOptimizer rule, int[] shape,
      float[] corrections, float[] x, float[] y, float[] params, float[] state, float[] loss, float[] correct) {
    int outputs = shape[layers];
    int parameters = 0;
    float[][] a = new float[layers][];
    for (int l = 0; l < layers; l++) {
      parameters += shape[l] * shape[l + 1] + shape[l + 1];
      a[l] = new float[rows * shape[l + 1]];
    }
    int widest = 0;
    for (int l = 1; l <= layers; l++) {
      widest = Math.max(widest, shape[l]);
    }
    float[] delta = new float[rows * widest];
    float[] deltaOther = new float[rows * widest];
    float[] output = a[layers - 1];
    int outputActivation = shape[2 * layers];
    int optimizer = rule.optimizer();
    float momentum = rule.momentum();
    AdamConstants adam = rule.adam();
    final int softmax = Activation.SOFTMAX.code;
    for (int e = 0; e < epochs; e++) {
      float[] in = x;
      int at = 0;
      for (int l = 0; l < layers; l++) {
        int k = shape[l];
        int n = shape[l + 1];
        int act = shape[layers + 1 + l];
        float[] out = a[l];
        for (int i = 0; i < rows * n; i++) {
          int r = i / n;
          int j = i - r * n;
          float sum = 0.0f;
          for (int p = 0; p < k; p++) {
            sum = Math.fma(in[r * k + p], params[at + p * n + j], sum);
          }
          out[i] = act == softmax ? 1.0f * sum : activate(act, 1.0f * sum + params[at + k * n + j]);
        }
        if (act == softmax) {
          float[] bias = java.util.Arrays.copyOfRange(params, at + k * n, at + k * n + n);
          biasSoftmax(rows, n, out, bias, out);
        }
        in = out;
        at += k * n + n;
      }
      if (stats != 0 && e == epochs - 1) {
        if (crossEntropy != 0) {
          xentLoss(rows, outputs, 0, output, y, loss);
        } else {
          mseLoss(rows * outputs, 0, output, y, loss);
        }
        countCorrect(rows, outputs, 0, output, y, correct);
      }
      for (int i = 0; i < rows * outputs; i++) {
        delta[i] = crossEntropy != 0 ? output[i] - y[i] : (output[i] - y[i]) * slope(outputActivation, output[i]);
      }
      boolean adamLike = optimizer == Adam.CODE || optimizer == AdamW.CODE;
      float correction1 = adamLike ? corrections[2 * e] : 1.0f;
      float correction2 = adamLike ? corrections[2 * e + 1] : 1.0f;
      for (int l = layers - 1; l >= 0; l--) {
        int k = shape[l];
        int n = shape[l + 1];
        at -= k * n + n;
        float[] below = l == 0 ? x : a[l - 1];
        if (l > 0) {
          int act = shape[layers + l];
          for (int i = 0; i < rows * k; i++) {
            int r = i / k;
            int j = i - r * k;
            float sum = 0.0f;
            for (int p = 0; p < n; p++) {
              sum = Math.fma(delta[r * n + p], params[at + j * n + p], sum);
            }
            deltaOther[i] = (1.0f * sum) * slope(act, below[i]);
          }
        }
        for (int i = 0; i < k * n + n; i++) {
          float dw;
          float decay;
          if (i < k * n) {
            int row = i / n;
            int col = i - row * n;
            float sum = 0.0f;
            for (int r = 0; r < rows; r++) {
              sum = Math.fma(below[r * k + row], delta[r * n + col], sum);
            }
            dw = scale * sum;
            decay = weightDecay;
          } else {
            int col = i - k * n;
            float sum = 0.0f;
            for (int r = 0; r < rows; r++) {
              sum += delta[r * n + col];
            }
            dw = scale * sum;
            decay = 0.0f;
          }
          updateOne(optimizer, learningRate, momentum, adam, decay, correction1, correction2, dw, params, state,
              at + i, parameters);
        }
        float[] swap = delta;
        delta = deltaOther;
        deltaOther = swap;
      }
    }
  }

  /**
   * small_net.cl's update_one: update.cl's step for params[i], its state at state[i] (and state[i + stride]
   * for Adam's v); a moment below the smallest normal float becomes +0.
   */
  private static void updateOne(int optimizer, float learningRate, float momentum, AdamConstants adam,
      float weightDecay, float correction1, float correction2, float dw, float[] params, float[] state, int i,
      int stride) {
    if (optimizer == AdamW.CODE) {
      params[i] = params[i] * (1.0f - learningRate * weightDecay);
    }
    float g = optimizer == AdamW.CODE ? dw : dw + weightDecay * params[i];
    if (optimizer == Momentum.CODE) {
      float v = UpdateLoops.flushMoment(momentum * state[i] + g);
      state[i] = v;
      params[i] = params[i] - learningRate * v;
    } else if (optimizer == Adam.CODE || optimizer == AdamW.CODE) {
      float beta1 = adam.beta1();
      float beta2 = adam.beta2();
      float epsilon = adam.epsilon();
      float m1 = UpdateLoops.flushMoment(beta1 * state[i] + (1.0f - beta1) * g);
      float v1 = UpdateLoops.flushMoment(beta2 * state[i + stride] + (1.0f - beta2) * (g * g));
      state[i] = m1;
      state[i + stride] = v1;
      float step = (m1 / correction1) / ((float) Math.sqrt(v1 / correction2) + epsilon);
      params[i] = params[i] - learningRate * step;
    } else {
      params[i] = params[i] - learningRate * g;
    }
  }

  /** As much as an OpenCL device with 64 KiB of local memory takes (OpenClKernels.smallNetFloats). */
  @Override
  public int smallNetFloats() {
    return (64 * 1024 - 1024 - 4 * 256) / 4;
  }

  /**
   * 2¹³: trainSmall's plain loops beat the layer methods' calls on XOR (0.5 against 3.4 µs per epoch) and at
   * 16 rows of 6-10-3 (4,320 multiply-adds: 13 against 34 µs), and lose to their vectorised matrix loops from
   * about 16 rows of 8-16-4 (9,216: 20 against 12 µs; 61 rows of 17-19-4, 105,000: 74 against 45 µs).
   */
  @Override
  public long smallNetWork() {
    return 1 << 13;
  }

  @Override
  public float[] allocate(int length) {
    return new float[length];
  }

  @Override
  public float[] upload(float[] data) {
    return data.clone();
  }

  @Override
  public void download(float[] buffer, float[] out) {
    System.arraycopy(buffer, 0, out, 0, out.length);
  }

  @Override
  public int[] uploadIndices(int[] data) {
    return data.clone();
  }

  @Override
  public void write(float[] buffer, float[] data) {
    System.arraycopy(data, 0, buffer, 0, data.length);
  }

  @Override
  public void writeIndices(int[] buffer, int[] data) {
    System.arraycopy(data, 0, buffer, 0, data.length);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public void gatherAugment(int rows, int height, int width, int channels, int pad, int flip, int seedLo,
      int seedHi, int epoch, int offset, int[] indices, float[] source, float[] target) {
    int cols = height * width * channels;
    for (int r = 0; r < rows; r++) {
      int sample = indices[offset + r];
      boolean flipped = flip != 0 && Philox.augmentDraw(sample, epoch, 0, 2, seedLo, seedHi) == 1;
      int dy = pad > 0 ? Philox.augmentDraw(sample, epoch, 1, 2 * pad + 1, seedLo, seedHi) - pad : 0;
      int dx = pad > 0 ? Philox.augmentDraw(sample, epoch, 2, 2 * pad + 1, seedLo, seedHi) - pad : 0;
      for (int col = 0; col < cols; col++) {
        int pixel = col / channels;
        int c = col - pixel * channels;
        int y = pixel / width;
        int x = pixel - y * width;
        int sy = y + dy;
        int sx = (flipped ? width - 1 - x : x) + dx;
        target[r * cols + col] = sy >= 0 && sy < height && sx >= 0 && sx < width
            ? source[sample * cols + (sy * width + sx) * channels + c] : 0.0f;
      }
    }
  }

  @Override
  public void adamwUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, float[] dw, float[] m, float[] v, float[] w) {
    for (int i = 0; i < count; i++) {
      w[i] = w[i] * (1.0f - learningRate * weightDecay);
      UpdateLoops.adamStep(i, learningRate, adam, 0.0f, correction1, correction2, dw, m, v, w);
    }
  }

  @Override
  public void adamwUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<float[]> dw, List<float[]> m, List<float[]> v,
      List<float[]> w) {
    Segments.total(count, weightDecay, dw, m, v, w);
    for (int s = 0; s < count.length; s++) {
      adamwUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2, dw.get(s), m.get(s),
          v.get(s), w.get(s));
    }
  }

  @Override
  public void squareSums(int count, int first, float[] x, float[] partials) {
    for (int b = 0; b * NORM_BLOCK < count; b++) {
      float sum = 0.0f;
      for (int i = b * NORM_BLOCK; i < Math.min((b + 1) * NORM_BLOCK, count); i++) {
        sum += x[i] * x[i];
      }
      partials[first + b] = sum;
    }
  }

  @Override
  public void clipFactor(int blocks, float maxNorm, float[] partials, float[] factor) {
    float total = 0.0f;
    for (int b = 0; b < blocks; b++) {
      total += partials[b];
    }
    float clip = maxNorm / ((float) Math.sqrt(total) + 1e-6f);
    factor[0] = clip < 1.0f ? clip : 1.0f;
  }

  @Override
  public void scaleBy(int count, float[] factor, float[] x) {
    for (int i = 0; i < count; i++) {
      x[i] = x[i] * factor[0];
    }
  }
}
