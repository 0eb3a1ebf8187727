package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.tied;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Range;
import dev.cltrain.train.KernelCases.Draws;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for conv.cl, conv_backward.cl and
 * conv_direct.cl's kernels, convolution, pooling and dropout: each kernel run on a backend with inputs drawn from
 * {@link Draws}, its outputs read back. A kernel added to one of those files gets its case here.
 */
final class ConvCases {
  private ConvCases() {}

  /**
   * One of conv.cl's, conv_backward.cl's or conv_direct.cl's kernels (the last: {@link #convDirect}) at case
   * s = (rows, height, width, channels, kernel, stride, same) of {@link DeviceCheck#CONV_SHAPES}, padding as a Conv
   * stage pads (same: ⌈H/s⌉ outputs, the extra zero row at the bottom). max_pool's inputs come from five levels for odd rows (ties in most windows, the gradient to the first
   * maximum). Dropout runs at rate 0, 0.5 or 0.9 by (rows + height) mod 3, with a step whose high word is the
   * height (not 0), in place (x = y) for odd rows.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int height = s[1];
    int width = s[2];
    int channels = s[3];
    int size = s[4];
    int stride = s[5];
    boolean same = s[6] != 0;
    int inputs = rows * height * width * channels;
    int outHeight = same ? (height + stride - 1) / stride : (height - size) / stride + 1;
    int outWidth = same ? (width + stride - 1) / stride : (width - size) / stride + 1;
    int padTop = same ? Math.max((outHeight - 1) * stride + size - height, 0) / 2 : 0;
    int padLeft = same ? Math.max((outWidth - 1) * stride + size - width, 0) / 2 : 0;
    int columns = rows * outHeight * outWidth * size * size * channels;
    int pooled = rows * (height / size) * (width / size) * channels;
    if (kernel.startsWith("conv_direct")) {
      return convDirect(kernel, k, new int[] {rows, height, width, channels, size, stride, outHeight, outWidth, padTop,
          padLeft}, activation, draws);
    }
    switch (kernel) {
      case "im2col" -> {
        B x = k.upload(uniform(draws, inputs));
        B col = poisoned(k, columns);
        k.im2col(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, x, col);
        return read(k, col, columns);
      }
      case "col2im" -> {
        B col = k.upload(uniform(draws, columns));
        B dx = poisoned(k, inputs);
        k.col2im(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, col, dx);
        return read(k, dx, inputs);
      }
      case "conv_weight_gradient" -> {
        // a layer's dW at the case: patches (pixels × k·k·channels) transposed times the gradient (pixels × filters)
        int patch = size * size * channels;
        int pixels = rows * outHeight * outWidth;
        int filters = convFilters(channels);
        B col = k.upload(uniform(draws, pixels * patch));
        B g = k.upload(uniform(draws, pixels * filters));
        B dw = poisoned(k, patch * filters);
        k.convWeightGradient(patch, filters, pixels, 0.25f, col, g, dw);
        return read(k, dw, patch * filters);
      }
      case "conv_filter_rows" -> {
        int filters = convFilters(channels);
        int padded = Range.paddedChannels(channels);
        int count = filters * size * size * padded;
        B w = k.upload(uniform(draws, size * size * channels * filters));
        B wt = poisoned(k, count);
        k.convFilterRows(filters, size * size, channels, padded, w, wt);
        return read(k, wt, count);
      }
      case "conv_input_gradient" -> {
        int filters = convFilters(channels);
        int padded = Range.paddedChannels(channels);
        B g = k.upload(uniform(draws, rows * outHeight * outWidth * filters));
        B wt = k.allocate(filters * size * size * padded);
        k.convFilterRows(filters, size * size, channels, padded, k.upload(uniform(draws, size * size * channels
            * filters)), wt);
        B dx = poisoned(k, inputs);
        k.convInputGradient(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, filters,
            padded, g, wt, dx);
        return read(k, dx, inputs);
      }
      case "max_pool", "max_pool_backward" -> {
        float[] values = tied(draws, inputs, rows % 2 == 1);
        B x = k.upload(values);
        if (kernel.equals("max_pool")) {
          B y = poisoned(k, pooled);
          k.maxPool(rows, height, width, channels, size, x, y);
          return read(k, y, pooled);
        }
        B dy = k.upload(uniform(draws, pooled));
        B dx = poisoned(k, inputs);
        k.maxPoolBackward(rows, height, width, channels, size, x, dy, dx);
        return read(k, dx, inputs);
      }
      case "avg_pool" -> {
        B x = k.upload(uniform(draws, inputs));
        B y = poisoned(k, pooled);
        k.avgPool(rows, height, width, channels, size, x, y);
        return read(k, y, pooled);
      }
      case "avg_pool_backward" -> {
        B dy = k.upload(uniform(draws, pooled));
        B dx = poisoned(k, inputs);
        k.avgPoolBackward(rows, height, width, channels, size, dy, dx);
        return read(k, dx, inputs);
      }
      default -> {
        float rate = new float[] {0f, 0.5f, 0.9f}[(rows + height) % 3];
        int threshold = (int) Math.round(rate * (double) (1 << 24));
        float scale = 1.0f / (1.0f - rate);
        B x = k.upload(uniform(draws, inputs));
        B y = rows % 2 == 1 ? x : poisoned(k, inputs);
        k.dropout(inputs, threshold, scale, random.nextInt(), random.nextInt(), width * 7919, height, channels, x, y);
        return read(k, y, inputs);
      }
    }
  }

  /**
   * The filters of conv_backward.cl's cases for {@code channels} input channels: 2·channels + 3 (5 for one channel,
   * 37 for 17: one full and one partial strip of columns; none a multiple of a vector).
   */
  private static int convFilters(int channels) {
    return 2 * channels + 3;
  }

  /**
   * conv_direct.cl's kernels at a conv case's geometry g = (rows, height, width, channels, kernel, stride, outHeight,
   * outWidth, padTop, padLeft) (as {@link #run} pads) with rows + 2·channels − 2 filters (1, primes,
   * 15, 32, 48: below, at and past the kernel's chunks of filters), activation {@code activation} (−1, as the
   * simulator's cases give: relu, the CNN recipe's), inputs from five levels for odd rows (relu's zeros and ties
   * in the pooled windows), the patches stored for odd rows + height. Returns y, the pooled maxima (conv_direct_max_pool),
   * then col where stored.
   */
  private static <B, I> float[] convDirect(String kernel, Backend<B, I> k, int[] g, int activation, Draws draws) {
    int rows = g[0];
    int height = g[1];
    int width = g[2];
    int channels = g[3];
    int size = g[4];
    int stride = g[5];
    int outHeight = g[6];
    int outWidth = g[7];
    int padTop = g[8];
    int padLeft = g[9];
    int filters = rows + 2 * channels - 2;
    int f = activation < 0 ? 3 : activation;
    float[] values = tied(draws, rows * height * width * channels, rows % 2 == 1);
    B x = k.upload(values);
    B w = k.upload(uniform(draws, size * size * channels * filters));
    B bias = k.upload(uniform(draws, filters));
    int outputs = rows * outHeight * outWidth * filters;
    int columns = rows * outHeight * outWidth * size * size * channels;
    int store = (rows + height) % 2; // patches stored or not (ConvDirectTest checks that col is then untouched)
    B y = poisoned(k, outputs);
    B col = poisoned(k, columns);
    int pooledCount = kernel.equals("conv_direct") ? 0 : rows * (outHeight / 2) * (outWidth / 2) * filters;
    B pooled = poisoned(k, pooledCount);
    if (kernel.equals("conv_direct")) {
      k.convDirect(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, filters, f, store,
          x, w, bias, y, col);
    } else {
      k.convDirectMaxPool(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, filters,
          f, store, x, w, bias, y, pooled, col);
    }
    int stored = store * columns; // col is compared only where written (its NaN poison would fail a tolerance)
    float[] out = java.util.Arrays.copyOf(read(k, y, outputs), outputs + pooledCount + stored);
    System.arraycopy(read(k, pooled, pooledCount), 0, out, outputs, pooledCount);
    System.arraycopy(read(k, col, columns), 0, out, outputs + pooledCount, stored);
    return out;
  }
}
