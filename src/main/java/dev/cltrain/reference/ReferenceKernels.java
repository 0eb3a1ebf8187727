package dev.cltrain.reference;

import dev.cltrain.backend.Kernels;

/**
 * The CPU reference: each method is the loop every work-item of the same-named kernel runs, in the same
 * order, in float32, with nothing clever added. Matmuls run rows in parallel when the product is big enough
 * to pay for it, and walk memory row by row (i-k-j) — each element still sums its products in ascending k,
 * the kernel's order, so results depend neither on threads nor on loop order. The momentum and Adam loops
 * ({@link UpdateLoops}) use the Vector API where the JVM has it, the same operations lane by lane.
 *
 * <p>The twins live by kernel file in a chain of package-private classes this one extends: {@code MatmulTwins}
 * (matmul.cl, prelude.cl's functions), {@code ActivationTwins} (activation.cl, loss.cl), {@code UpdateTwins}
 * (update.cl), {@code ConvTwins} (conv.cl, batch.cl, augment.cl), {@code SmallNetTwin} (small_net.cl), {@code RecurrentTwins} (recurrent.cl).
 * <b>Adding a kernel</b> takes ONE file here: its twin, an {@code @Override} of its {@code Kernels} method, goes
 * in the class of its .cl file; the twins of a new .cl file go in this class, below (and move to a class of
 * their own, inserted into the chain, once this file nears 500 lines). KernelSignatureTest fails while a
 * {@code Kernels} method has no twin.
 */
public final class ReferenceKernels extends RecurrentTwins {
  /** The reference with the fastest matrix-product and optimizer loops this JVM offers (same bits either way). */
  public ReferenceKernels() {
    this(MatmulRows.best(), UpdateLoops.best());
  }

  ReferenceKernels(MatmulRows loops) {
    this(loops, UpdateLoops.best());
  }

  ReferenceKernels(MatmulRows loops, UpdateLoops updates) {
    super(loops, updates);
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
  public Mapped map(float[] buffer, int count) {
    java.nio.FloatBuffer view = java.nio.FloatBuffer.wrap(buffer, 0, count).slice();
    return new Mapped() {
      @Override
      public java.nio.FloatBuffer await() {
        return view;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public void close() {}

  @Override
  public void globalAvgPool(int rows, int pixels, int channels, float[] x, float[] y) {
    overSamples(rows, (long) pixels * channels, n -> {
      for (int c = 0; c < channels; c++) {
        float sum = 0.0f;
        for (int p = 0; p < pixels; p++) {
          sum += x[(n * pixels + p) * channels + c];
        }
        y[n * channels + c] = sum / (float) pixels;
      }
    });
  }

  @Override
  public void globalAvgPoolBackward(int rows, int pixels, int channels, float[] dy, float[] dx) {
    overSamples(rows, (long) pixels * channels, n -> {
      for (int p = 0; p < pixels; p++) {
        for (int c = 0; c < channels; c++) {
          dx[(n * pixels + p) * channels + c] = dy[n * channels + c] / (float) pixels;
        }
      }
    });
  }

  /**
   * Runs {@code block} for each of the ⌈count / NORM_BLOCK⌉ blocks of a per-channel reduction, with the first
   * and the end value of the block: in parallel when the values are many (each block writes its own partials).
   */
  private static void overNormBlocks(int count, int channels, BlockBody block) {
    overSamples(Kernels.normBlocks(count), (long) NORM_BLOCK * channels,
        b -> block.run(b, b * NORM_BLOCK, Math.min((b + 1) * NORM_BLOCK, count)));
  }

  /** One block of a per-channel reduction: block b covers the values [from, to). */
  private interface BlockBody {
    void run(int b, int from, int to);
  }

  @Override
  public void batchNormSums(int count, int channels, float[] x, float[] partials) {
    overNormBlocks(count, channels, (b, from, to) -> {
      int row = b * channels;
      java.util.Arrays.fill(partials, row, row + channels, 0.0f);
      for (int i = from; i < to; i++) {
        for (int c = 0; c < channels; c++) {
          partials[row + c] += x[i * channels + c];
        }
      }
    });
  }

  /** Σ_b partials(b, at + c) over the blocks, b ascending, for each channel c: the blocked sums' second step. */
  private static float[] blockTotals(int count, int channels, int stride, int at, float[] partials) {
    float[] total = new float[channels];
    for (int b = 0; b < Kernels.normBlocks(count); b++) {
      for (int c = 0; c < channels; c++) {
        total[c] += partials[b * stride + at + c];
      }
    }
    return total;
  }

  @Override
  public void batchNormMean(int count, int channels, float[] partials, float[] mean) {
    float[] sum = blockTotals(count, channels, channels, 0, partials);
    for (int c = 0; c < channels; c++) {
      mean[c] = sum[c] / (float) count;
    }
  }

  @Override
  public void batchNormSquares(int count, int channels, float[] x, float[] mean, float[] partials) {
    overNormBlocks(count, channels, (b, from, to) -> {
      int row = b * channels;
      java.util.Arrays.fill(partials, row, row + channels, 0.0f);
      for (int i = from; i < to; i++) {
        for (int c = 0; c < channels; c++) {
          float d = x[i * channels + c] - mean[c];
          partials[row + c] += d * d;
        }
      }
    });
  }

  @Override
  public void batchNormStatistics(int count, int channels, float momentum, float[] partials, float[] mean,
      float[] variance, float[] runningMean, float[] runningVariance) {
    float[] squares = blockTotals(count, channels, channels, 0, partials);
    for (int c = 0; c < channels; c++) {
      variance[c] = squares[c] / (float) count;
      float unbiased = count > 1 ? squares[c] / (float) (count - 1) : 0.0f;
      float keep = 1.0f - momentum;
      runningMean[c] = keep * runningMean[c] + momentum * mean[c];
      runningVariance[c] = keep * runningVariance[c] + momentum * unbiased;
    }
  }

  /** batchnorm.cl's inv: 1 / sqrt(variance + ε) in float (a double sqrt of a float rounds as a float sqrt). */
  private static float inverseDeviation(float variance, float epsilon) {
    return 1.0f / (float) Math.sqrt(variance + epsilon);
  }

  /** {@link #inverseDeviation} of each channel's variance. */
  private static float[] inverseDeviations(int channels, float[] variance, float epsilon) {
    float[] inv = new float[channels];
    for (int c = 0; c < channels; c++) {
      inv[c] = inverseDeviation(variance[c], epsilon);
    }
    return inv;
  }

  @Override
  public void batchNormForward(int count, int channels, int activation, float epsilon, float[] x, float[] mean,
      float[] variance, float[] gamma, float[] beta, float[] y) {
    float[] inv = inverseDeviations(channels, variance, epsilon);
    overSamples(count, channels, i -> {
      for (int c = 0; c < channels; c++) {
        int at = i * channels + c;
        y[at] = activate(activation, gamma[c] * ((x[at] - mean[c]) * inv[c]) + beta[c]);
      }
    });
  }

  @Override
  public void batchNormGradientSums(int count, int channels, float epsilon, float[] x, float[] mean,
      float[] variance, float[] dy, float[] partials) {
    float[] inv = inverseDeviations(channels, variance, epsilon);
    overNormBlocks(count, channels, (b, from, to) -> {
      int row = 2 * b * channels;
      java.util.Arrays.fill(partials, row, row + 2 * channels, 0.0f);
      for (int i = from; i < to; i++) {
        for (int c = 0; c < channels; c++) {
          int at = i * channels + c;
          partials[row + c] += dy[at];
          partials[row + channels + c] += dy[at] * ((x[at] - mean[c]) * inv[c]);
        }
      }
    });
  }

  @Override
  public void batchNormBackward(int count, int channels, float scale, float[] partials, float[] sums,
      float[] dgamma, float[] dbeta) {
    float[] sum = blockTotals(count, channels, 2 * channels, 0, partials);
    float[] dot = blockTotals(count, channels, 2 * channels, channels, partials);
    for (int c = 0; c < channels; c++) {
      sums[c] = sum[c];
      sums[channels + c] = dot[c];
      dgamma[c] = scale * dot[c];
      dbeta[c] = scale * sum[c];
    }
  }

  @Override
  public void batchNormBackwardInput(int count, int channels, float epsilon, float[] x, float[] mean, float[] variance,
      float[] gamma, float[] dy, float[] sums, float[] dx) {
    float[] inv = inverseDeviations(channels, variance, epsilon);
    overSamples(count, channels, i -> {
      for (int c = 0; c < channels; c++) {
        int at = i * channels + c;
        float xhat = (x[at] - mean[c]) * inv[c];
        dx[at] = gamma[c] * inv[c] * ((dy[at] - sums[c] / (float) count) - xhat * (sums[channels + c] / (float) count));
      }
    });
  }

  @Override
  public void residualAdd(int count, int activation, float[] x, float[] y, float[] out) {
    for (int i = 0; i < count; i++) {
      out[i] = activate(activation, x[i] + y[i]);
    }
  }

  @Override
  public void residualDelta(int count, int activation, float[] out, float[] g, float[] copy) {
    for (int i = 0; i < count; i++) {
      float d = g[i] * slope(activation, out[i]);
      g[i] = d;
      copy[i] = d;
    }
  }

  @Override
  public void im2col1d(int rows, int steps, int features, int kernelSize, int stride, int padLeft, int outSteps,
      float[] x, float[] col) {
    int patch = kernelSize * features;
    for (int p = 0; p < rows * outSteps; p++) {
      int n = p / outSteps;
      int o = p - n * outSteps;
      for (int k = 0; k < kernelSize; k++) {
        int t = o * stride + k - padLeft;
        int to = p * patch + k * features;
        if (t >= 0 && t < steps) {
          System.arraycopy(x, (n * steps + t) * features, col, to, features);
        } else {
          java.util.Arrays.fill(col, to, to + features, 0.0f);
        }
      }
    }
  }

  @Override
  public void col2im1d(int rows, int steps, int features, int kernelSize, int stride, int padLeft, int outSteps,
      float[] col, float[] dx) {
    int patch = kernelSize * features;
    for (int q = 0; q < rows * steps; q++) {
      int n = q / steps;
      int at = q - n * steps + padLeft;
      for (int c = 0; c < features; c++) {
        float sum = 0.0f;
        for (int k = 0; k < kernelSize && k <= at; k++) {
          int o = (at - k) / stride;
          if (o * stride == at - k && o < outSteps) {
            sum += col[(n * outSteps + o) * patch + k * features + c];
          }
        }
        dx[q * features + c] = sum;
      }
    }
  }

  @Override
  public void maxPool1d(int rows, int steps, int features, int pool, float[] x, float[] y) {
    int outSteps = steps / pool;
    for (int p = 0; p < rows * outSteps; p++) {
      int n = p / outSteps;
      int o = p - n * outSteps;
      int window = (n * steps + o * pool) * features;
      for (int c = 0; c < features; c++) {
        float best = x[window + c];
        for (int j = 0; j < pool; j++) {
          float v = x[window + j * features + c];
          if (v > best) {
            best = v;
          }
        }
        y[p * features + c] = best;
      }
    }
  }

  @Override
  public void maxPool1dBackward(int rows, int steps, int features, int pool, float[] x, float[] dy, float[] dx) {
    int outSteps = steps / pool;
    for (int q = 0; q < rows * steps; q++) {
      int n = q / steps;
      int t = q - n * steps;
      int w = t / pool;
      int window = (n * steps + w * pool) * features;
      for (int c = 0; c < features; c++) {
        float g = 0.0f;
        if (w < outSteps) {
          float best = x[window + c];
          int at = 0;
          for (int j = 0; j < pool; j++) {
            float v = x[window + j * features + c];
            if (v > best) {
              best = v;
              at = j;
            }
          }
          g = t - w * pool == at ? dy[(n * outSteps + w) * features + c] : 0.0f;
        }
        dx[q * features + c] = g;
      }
    }
  }

  /** conv_backward.cl's conv_weight_gradient: matmul_transpose_a's sums, the same loop. */
  @Override
  public void convWeightGradient(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulTransposeA(m, n, k, alpha, a, b, c);
  }

  @Override
  public void convFilterRows(int filters, int positions, int channels, int paddedChannels, float[] w, float[] wt) {
    for (int f = 0; f < filters; f++) {
      for (int position = 0; position < positions; position++) {
        int row = (f * positions + position) * paddedChannels;
        for (int c = 0; c < paddedChannels; c++) {
          wt[row + c] = c < channels ? w[(position * channels + c) * filters + f] : 0.0f;
        }
      }
    }
  }

  /** The patches' gradient of {@link #convInputGradient}, pixels × k·k·paddedChannels, kept between calls. */
  private float[] patchGradient = new float[0];

  /**
   * conv_backward.cl's conv_input_gradient as the kernel's two parts: g · wt, a plain product whose element
   * (pixel, position·paddedChannels + c) is matmul_transpose_b's (pixel, position·channels + c), the same fma
   * chain over the filters (the matmul loops, Vector API included), then col2im's gather over rows of that layout.
   */
  @Override
  public synchronized void convInputGradient(int rows, int height, int width, int channels, int kernelSize,
      int stride, int padTop, int padLeft, int outHeight, int outWidth, int filters, int paddedChannels, float[] g,
      float[] wt, float[] dx) {
    int pixels = rows * outHeight * outWidth;
    int row = kernelSize * kernelSize * paddedChannels;
    if (patchGradient.length < (long) pixels * row) {
      patchGradient = new float[Math.multiplyExact(pixels, row)];
    }
    matmul(pixels, row, filters, 1.0f, g, wt, patchGradient);
    gatherPatches(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth,
        paddedChannels, patchGradient, dx);
  }

  @Override
  public void convDirect(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, int filters, int activation, int storePatches, float[] x, float[] w,
      float[] bias, float[] y, float[] col) {
    convDirect(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, filters,
        activation, x, w, bias, y, null);
    if (storePatches != 0) {
      im2col(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, x, col);
    }
  }

  @Override
  public void convDirectMaxPool(int rows, int height, int width, int channels, int kernelSize, int stride,
      int padTop, int padLeft, int outHeight, int outWidth, int filters, int activation, int storePatches, float[] x,
      float[] w, float[] bias, float[] y, float[] pooled, float[] col) {
    convDirect(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, filters,
        activation, x, w, bias, y, pooled);
    if (storePatches != 0) {
      im2col(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, x, col);
    }
  }

  /**
   * conv_direct.cl's twin: each output's sum from 0 over the patch columns in ascending order, {@code Math.fma}
   * each (a padded position's product with 0.0f, as im2col's zero), then f(sum + bias): im2col then
   * matmul_bias_activation's bits, filters side by side ({@link ConvLoops#direct}). With {@code pooled}, then
   * {@link #maxPool} of y at pool 2.
   */
  private void convDirect(int rows, int height, int width, int channels, int kernelSize, int stride,
      int padTop, int padLeft, int outHeight, int outWidth, int filters, int activation, float[] x, float[] w,
      float[] bias, float[] y, float[] pooled) {
    int patch = kernelSize * kernelSize * channels;
    overSamples(rows, (long) outHeight * outWidth * patch * filters, n -> convLoops.direct(n, height, width, channels,
        kernelSize, stride, padTop, padLeft, outHeight, outWidth, filters, activation, x, w, bias, y));
    if (pooled != null) {
      maxPool(rows, outHeight, outWidth, filters, 2, y, pooled);
    }
  }
}
