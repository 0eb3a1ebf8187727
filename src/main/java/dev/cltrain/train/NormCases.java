package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.scaled;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.train.KernelCases.Draws;
import java.util.List;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for batchnorm.cl's kernels, global average
 * pooling and batch normalization: each kernel run on a backend with inputs drawn from {@link Draws}, its outputs
 * read back. A kernel added to batchnorm.cl gets its case here.
 */
final class NormCases {
  private NormCases() {}

  /**
   * One of batchnorm.cl's kernels at shape s = (rows, cols, depth): the global pool over rows samples of cols
   * pixels and depth channels; batch normalization over count = rows·cols values of depth channels, with
   * variances in [0.05, 1.05) (ε 1e-5), momentum 0.1; the block kernels' partials read back whole, the statistics
   * kernel's outputs (the variance, then the running ones updated in place) as one array, the backward kernel's
   * as sums, dgamma, dbeta; the finishing kernels take partials of a block's magnitude.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int pixels = s[1];
    int channels = s[2];
    int count = rows * pixels;
    float epsilon = 1e-5f;
    switch (kernel) {
      case "global_avg_pool" -> {
        B x = k.upload(uniform(draws, count * channels));
        B y = poisoned(k, rows * channels);
        k.globalAvgPool(rows, pixels, channels, x, y);
        return read(k, y, rows * channels);
      }
      case "global_avg_pool_backward" -> {
        B dy = k.upload(uniform(draws, rows * channels));
        B dx = poisoned(k, count * channels);
        k.globalAvgPoolBackward(rows, pixels, channels, dy, dx);
        return read(k, dx, count * channels);
      }
      case "batch_norm_sums", "batch_norm_squares" -> {
        B x = k.upload(scaled(draws, count * channels, 3));
        B mean = k.upload(uniform(draws, channels));
        int blocks = Kernels.normBlocks(count) * channels;
        B partials = poisoned(k, blocks);
        if (kernel.equals("batch_norm_sums")) {
          k.batchNormSums(count, channels, x, partials);
        } else {
          k.batchNormSquares(count, channels, x, mean, partials);
        }
        return read(k, partials, blocks);
      }
      case "batch_norm_mean" -> {
        B partials = k.upload(scaled(draws, Kernels.normBlocks(count) * channels, Kernels.NORM_BLOCK));
        B mean = poisoned(k, channels);
        k.batchNormMean(count, channels, partials, mean);
        return read(k, mean, channels);
      }
      case "batch_norm_statistics" -> {
        float[] squares = positive(random, Kernels.normBlocks(count) * channels);
        for (int i = 0; i < squares.length; i++) {
          squares[i] *= Kernels.NORM_BLOCK;
        }
        B partials = k.upload(squares);
        B mean = k.upload(uniform(draws, channels));
        B variance = poisoned(k, channels);
        B runningMean = k.upload(uniform(draws, channels));
        B runningVariance = k.upload(positive(random, channels));
        k.batchNormStatistics(count, channels, 0.1f, partials, mean, variance, runningMean, runningVariance);
        return concat(k, List.of(variance, runningMean, runningVariance), channels, channels, channels);
      }
      case "batch_norm_backward" -> {
        B partials = k.upload(scaled(draws, 2 * Kernels.normBlocks(count) * channels, Kernels.NORM_BLOCK));
        B sums = poisoned(k, 2 * channels);
        B dgamma = poisoned(k, channels);
        B dbeta = poisoned(k, channels);
        k.batchNormBackward(count, channels, 1.0f / rows, partials, sums, dgamma, dbeta);
        return concat(k, List.of(sums, dgamma, dbeta), 2 * channels, channels, channels);
      }
      default -> {
        B x = k.upload(scaled(draws, count * channels, 3));
        B mean = k.upload(uniform(draws, channels));
        B variance = k.upload(positive(random, channels));
        B gamma = k.upload(scaled(draws, channels, 2));
        B beta = k.upload(uniform(draws, channels));
        B dy = k.upload(uniform(draws, count * channels));
        B sums = k.upload(scaled(draws, 2 * channels, count));
        switch (kernel) {
          case "batch_norm_forward" -> {
            B y = poisoned(k, count * channels);
            k.batchNormForward(count, channels, activation, epsilon, x, mean, variance, gamma, beta, y);
            return read(k, y, count * channels);
          }
          case "batch_norm_gradient_sums" -> {
            int blocks = 2 * Kernels.normBlocks(count) * channels;
            B partials = poisoned(k, blocks);
            k.batchNormGradientSums(count, channels, epsilon, x, mean, variance, dy, partials);
            return read(k, partials, blocks);
          }
          default -> {
            B dx = poisoned(k, count * channels);
            k.batchNormBackwardInput(count, channels, epsilon, x, mean, variance, gamma, dy, sums, dx);
            return read(k, dx, count * channels);
          }
        }
      }
    }
  }

  /** {@return the first lengths[i] values of each buffer, one buffer after the other} */
  private static <B, I> float[] concat(Backend<B, I> k, List<B> buffers, int... lengths) {
    float[] out = new float[java.util.Arrays.stream(lengths).sum()];
    int at = 0;
    for (int i = 0; i < lengths.length; i++) {
      System.arraycopy(read(k, buffers.get(i), lengths[i]), 0, out, at, lengths[i]);
      at += lengths[i];
    }
    return out;
  }

  /** n values in [0.05, 1.05): variances. */
  private static float[] positive(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 0.05f + r.nextFloat();
    }
    return v;
  }
}
