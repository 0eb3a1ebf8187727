package dev.cltrain.reference;

import java.util.Arrays;

/**
 * The reference's loops for one sample of conv_direct.cl's convolution and of conv.cl's max pooling, forward and
 * backward (samples are HWC rows; the twins in {@link ReferenceKernels} and {@link ConvTwins} run the samples on
 * threads). {@link #plain()} is the loops themselves; {@link #best()} adds SIMD through the Vector API when the JVM has
 * the jdk.incubator.vector module: lanes are filters or channels side by side, each computing what the plain loop
 * computes for it, in the same order, so the bits are the same. Issue 28 timed the plain loops at 13 and 9 ms per
 * batch of 128 at the CNN recipe's first layer, a third of the reference's epoch under AVX2.
 */
interface ConvLoops {
  /**
   * conv_direct's outputs of sample n: y(n, oy, ox, f) = f(sum + bias[f]), where each sum starts at 0 and takes
   * its k·k·C products in ascending patch column ((ky, kx, c): w's row), {@code Math.fma} each, a padded position
   * contributing its product with 0.0f as im2col's zero does.
   */
  void direct(int n, int height, int width, int channels, int kernelSize, int stride, int padTop, int padLeft,
      int outHeight, int outWidth, int filters, int activation, float[] x, float[] w, float[] bias, float[] y);

  /** max_pool of sample n: each output the first maximum of its whole pool × pool window, (ky, kx) row-major. */
  void maxPool(int n, int height, int width, int channels, int pool, float[] x, float[] y);

  /**
   * max_pool_backward of sample n: in each whole window, dy to the position max_pool chose and 0 to the others; 0
   * in the partial windows at the bottom and right edges.
   */
  void maxPoolBackward(int n, int height, int width, int channels, int pool, float[] x, float[] dy, float[] dx);

  /** "plain Java" or "Vector API, 16 lanes". */
  String describe();

  /** The loops one value after another. */
  static ConvLoops plain() {
    return Plain.INSTANCE;
  }

  /** The Vector API loops when the module is present (and the plain loops were not asked for), else {@link #plain()}. */
  static ConvLoops best() {
    return Best.INSTANCE;
  }

  /** Holder: decides once, on first use, whether the Vector API is there. */
  final class Best {
    static final ConvLoops INSTANCE = load();

    private Best() {}

    private static ConvLoops load() {
      return MatmulRows.vectorLoops(ConvLoops.class, "VectorConv", plain());
    }
  }

  /** The plain loops; their per-window pieces over a range of channels also finish the vector loops' last channels. */
  final class Plain implements ConvLoops {
    static final Plain INSTANCE = new Plain();

    private Plain() {}

    @Override
    public void direct(int n, int height, int width, int channels, int kernelSize, int stride, int padTop,
        int padLeft, int outHeight, int outWidth, int filters, int activation, float[] x, float[] w, float[] bias,
        float[] y) {
      float[] sum = new float[filters];
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          Arrays.fill(sum, 0.0f);
          int column = 0;
          for (int ky = 0; ky < kernelSize; ky++) {
            int iy = oy * stride + ky - padTop;
            for (int kx = 0; kx < kernelSize; kx++) {
              int ix = ox * stride + kx - padLeft;
              boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
              int from = ((n * height + iy) * width + ix) * channels;
              for (int c = 0; c < channels; c++, column++) {
                float value = inside ? x[from + c] : 0.0f;
                int row = column * filters;
                for (int f = 0; f < filters; f++) {
                  sum[f] = Math.fma(value, w[row + f], sum[f]);
                }
              }
            }
          }
          int out = ((n * outHeight + oy) * outWidth + ox) * filters;
          for (int f = 0; f < filters; f++) {
            y[out + f] = MatmulTwins.activate(activation, sum[f] + bias[f]);
          }
        }
      }
    }

    @Override
    public void maxPool(int n, int height, int width, int channels, int pool, float[] x, float[] y) {
      int outHeight = height / pool;
      int outWidth = width / pool;
      for (int oy = 0; oy < outHeight; oy++) {
        for (int ox = 0; ox < outWidth; ox++) {
          int first = ((n * height + oy * pool) * width + ox * pool) * channels;
          int out = ((n * outHeight + oy) * outWidth + ox) * channels;
          maxPoolWindow(first, out, width, channels, pool, 0, channels, x, y);
        }
      }
    }

    /** One window's maxima for channels [from, to): each channel's comparisons in (ky, kx) order. */
    static void maxPoolWindow(int first, int out, int width, int channels, int pool, int from, int to, float[] x,
        float[] y) {
      System.arraycopy(x, first + from, y, out + from, to - from);
      for (int ky = 0; ky < pool; ky++) {
        for (int kx = 0; kx < pool; kx++) {
          int at = first + (ky * width + kx) * channels;
          for (int c = from; c < to; c++) {
            float v = x[at + c];
            if (v > y[out + c]) {
              y[out + c] = v;
            }
          }
        }
      }
    }

    @Override
    public void maxPoolBackward(int n, int height, int width, int channels, int pool, float[] x, float[] dy,
        float[] dx) {
      int outHeight = height / pool;
      int outWidth = width / pool;
      int windowsY = (height + pool - 1) / pool;
      int windowsX = (width + pool - 1) / pool;
      for (int wy = 0; wy < windowsY; wy++) {
        for (int wx = 0; wx < windowsX; wx++) {
          int first = ((n * height + wy * pool) * width + wx * pool) * channels;
          if (wy < outHeight && wx < outWidth) {
            int g = ((n * outHeight + wy) * outWidth + wx) * channels;
            maxPoolBackwardWindow(first, g, width, channels, pool, 0, channels, x, dy, dx);
          } else {
            clearWindow(first, Math.min(pool, height - wy * pool), Math.min(pool, width - wx * pool), width,
                channels, dx);
          }
        }
      }
    }

    /**
     * One whole window's gradients for channels [from, to): max_pool_backward's search per channel in (ky, kx)
     * order, then dy[g + c] to the position found and 0 to the others.
     */
    static void maxPoolBackwardWindow(int first, int g, int width, int channels, int pool, int from, int to,
        float[] x, float[] dy, float[] dx) {
      for (int c = from; c < to; c++) {
        float best = x[first + c];
        int where = 0;
        for (int ky = 0; ky < pool; ky++) {
          for (int kx = 0; kx < pool; kx++) {
            float v = x[first + (ky * width + kx) * channels + c];
            if (v > best) {
              best = v;
              where = ky * pool + kx;
            }
          }
        }
        for (int ky = 0; ky < pool; ky++) {
          for (int kx = 0; kx < pool; kx++) {
            dx[first + (ky * width + kx) * channels + c] = ky * pool + kx == where ? dy[g + c] : 0.0f;
          }
        }
      }
    }

    /** Zeros for a partial window's rowsIn × colsIn positions (no output reads them). */
    static void clearWindow(int first, int rowsIn, int colsIn, int width, int channels, float[] dx) {
      for (int ky = 0; ky < rowsIn; ky++) {
        int at = first + ky * width * channels;
        Arrays.fill(dx, at, at + colsIn * channels, 0.0f);
      }
    }

    @Override
    public String describe() {
      return "plain Java";
    }
  }
}
