package dev.cltrain.reference;

/**
 * The twins of conv.cl (patches, pooling, dropout), batch.cl (gather_rows) and augment.cl (gather_augment,
 * augment_rows):
 * the kernels that move values rather than multiply them.
 */
abstract class ConvTwins extends UpdateTwins {
  /** The per-sample loops of the direct convolution and of max pooling (same bits with or without SIMD). */
  final ConvLoops convLoops = ConvLoops.best();

  ConvTwins(MatmulRows loops, UpdateLoops updates) {
    super(loops, updates);
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
    gatherPatches(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, channels,
        col, dx);
  }

  /**
   * col2im's loop over patch rows whose positions are {@code positionStride} ≥ channels floats apart (a row of
   * k·k·positionStride floats; col2im's rows have positionStride = channels).
   */
  static void gatherPatches(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, int positionStride, float[] col, float[] dx) {
    int patch = kernelSize * kernelSize * positionStride;
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
              int from = ((n * outHeight + oy) * outWidth + ox) * patch + (ky * kernelSize + kx) * positionStride;
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
    overSamples(rows, (long) height * width * channels,
        n -> convLoops.maxPool(n, height, width, channels, pool, x, y));
  }

  @Override
  public void maxPoolBackward(int rows, int height, int width, int channels, int pool, float[] x, float[] dy,
      float[] dx) {
    overSamples(rows, (long) height * width * channels,
        n -> convLoops.maxPoolBackward(n, height, width, channels, pool, x, dy, dx));
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

  @Override
  public void gatherRows(int rows, int cols, int offset, int[] indices, float[] source, float[] target) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(source, indices[offset + r] * cols, target, r * cols, cols);
    }
  }

  @Override
  public void gatherAugment(int rows, int height, int width, int channels, int pad, int flip, int seedLo,
      int seedHi, int epoch, int offset, int[] indices, float[] source, float[] target) {
    int cols = height * width * channels;
    for (int r = 0; r < rows; r++) {
      int sample = indices[offset + r];
      augment(sample, sample * cols, r * cols, height, width, channels, pad, flip, seedLo, seedHi, epoch, source,
          target);
    }
  }

  @Override
  public void augmentRows(int rows, int height, int width, int channels, int pad, int flip, int seedLo,
      int seedHi, int epoch, int offset, int[] indices, float[] source, float[] target) {
    int cols = height * width * channels;
    for (int r = 0; r < rows; r++) {
      augment(indices[offset + r], r * cols, r * cols, height, width, channels, pad, flip, seedLo, seedHi, epoch,
          source, target);
    }
  }

  /** augment.cl's augmented: sample's image from source[from ..] into target[to ..], flipped and shifted. */
  private static void augment(int sample, int from, int to, int height, int width, int channels, int pad, int flip,
      int seedLo, int seedHi, int epoch, float[] source, float[] target) {
    boolean flipped = flip != 0 && Philox.augmentDraw(sample, epoch, 0, 2, seedLo, seedHi) == 1;
    int dy = pad > 0 ? Philox.augmentDraw(sample, epoch, 1, 2 * pad + 1, seedLo, seedHi) - pad : 0;
    int dx = pad > 0 ? Philox.augmentDraw(sample, epoch, 2, 2 * pad + 1, seedLo, seedHi) - pad : 0;
    int cols = height * width * channels;
    for (int col = 0; col < cols; col++) {
      int pixel = col / channels;
      int c = col - pixel * channels;
      int y = pixel / width;
      int x = pixel - y * width;
      int sy = y + dy;
      int sx = (flipped ? width - 1 - x : x) + dx;
      target[to + col] = sy >= 0 && sy < height && sx >= 0 && sx < width
          ? source[from + (sy * width + sx) * channels + c] : 0.0f;
    }
  }

}
