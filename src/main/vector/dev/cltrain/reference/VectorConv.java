package dev.cltrain.reference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvLoops} with the Vector API. The convolution keeps conv_direct.cl's register block: 6 output pixels of
 * a row × two vectors of filters, 12 vectors of sums (AVX2's 16 registers hold them with the two vectors of w and a
 * broadcast input); each lane is one filter's sum, taking the patch columns in ascending order with one lanewise fma
 * (a single rounding, as {@code Math.fma}) each, from 0. The sample is first copied into a zero-bordered image, so
 * a padded position reads the 0.0f im2col writes, with no test per position; w's columns are staged in panels of
 * two vectors, zero past the last filter. Pooling compares whole vectors of channels in the window's (ky, kx) order
 * and keeps the first maximum with a blend, as the plain loops' {@code if (v > best)}; channels past the last whole
 * vector take the plain loops. Used only when the JVM has jdk.incubator.vector (see {@link ConvLoops#best()}).
 */
final class VectorConv implements ConvLoops {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Filters per panel: two vectors. */
  private static final int W = 2 * L;
  /** Output pixels per register block. */
  private static final int PIXELS = 6;

  @Override
  public void direct(int n, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, int filters, int activation, float[] x, float[] w, float[] bias,
      float[] y) {
    int paddedHeight = (outHeight - 1) * stride + kernelSize;
    int paddedWidth = (outWidth - 1) * stride + kernelSize;
    float[] image = new float[paddedHeight * paddedWidth * channels];
    for (int py = 0; py < paddedHeight; py++) {
      int iy = py - padTop;
      for (int px = 0; iy >= 0 && iy < height && px < paddedWidth; px++) {
        int ix = px - padLeft;
        if (ix >= 0 && ix < width) {
          System.arraycopy(x, ((n * height + iy) * width + ix) * channels, image, (py * paddedWidth + px) * channels,
              channels);
        }
      }
    }
    int patch = kernelSize * kernelSize * channels;
    int[] offset = new int[patch];
    for (int ky = 0, column = 0; ky < kernelSize; ky++) {
      for (int kx = 0; kx < kernelSize; kx++) {
        for (int c = 0; c < channels; c++) {
          offset[column++] = (ky * paddedWidth + kx) * channels + c;
        }
      }
    }
    float[] panel = new float[patch * W];
    float[] block = new float[W];
    float[] lanes = new float[W];
    for (int f0 = 0; f0 < filters; f0 += W) {
      int valid = Math.min(W, filters - f0);
      for (int column = 0; column < patch; column++) {
        System.arraycopy(w, column * filters + f0, panel, column * W, valid);
      }
      System.arraycopy(bias, f0, block, 0, valid);
      Out out = new Out(n, outHeight, outWidth, filters, f0, valid, activation, FloatVector.fromArray(S, block, 0),
          FloatVector.fromArray(S, block, L), lanes, y);
      for (int oy = 0; oy < outHeight; oy++) {
        int rowAt = oy * stride * paddedWidth;
        for (int ox = 0; ox < outWidth; ox += PIXELS) {
          pixels6(oy, ox, rowAt, stride, channels, outWidth, patch, offset, image, panel, out);
        }
      }
    }
  }

  /** Where a panel's sums go: y's filters [f0, f0 + valid) of sample n, after the bias and f. */
  private record Out(int n, int outHeight, int outWidth, int filters, int f0, int valid, int activation,
      FloatVector bias0, FloatVector bias1, float[] lanes, float[] y) {
    /** Stores pixel (oy, ox)'s two vectors of sums as f(sum + bias), its first {@code valid} lanes. */
    void store(int oy, int ox, FloatVector s0, FloatVector s1) {
      if (ox >= outWidth) {
        return;
      }
      int at = ((n * outHeight + oy) * outWidth + ox) * filters + f0;
      FloatVector v0 = activate(s0.add(bias0));
      FloatVector v1 = activate(s1.add(bias1));
      if (activation != 0 && activation != 3) {
        v0.intoArray(lanes, 0);
        v1.intoArray(lanes, L);
        for (int q = 0; q < valid; q++) {
          y[at + q] = MatmulTwins.activate(activation, lanes[q]);
        }
      } else if (valid == W) {
        v0.intoArray(y, at);
        v1.intoArray(y, at + L);
      } else {
        v0.intoArray(lanes, 0);
        v1.intoArray(lanes, L);
        System.arraycopy(lanes, 0, y, at, valid);
      }
    }

    /** relu as a select (activate's x &gt; 0 ? x : 0, lane by lane); other activations are applied per lane. */
    private FloatVector activate(FloatVector v) {
      return activation == 3 ? FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0.0f)) : v;
    }
  }

  /** Pixels ox .. ox+5 of output row oy (those past the row's end read its last pixel and are not stored). */
  private static void pixels6(int oy, int ox, int rowAt, int stride, int channels, int outWidth, int patch,
      int[] offset, float[] image, float[] panel, Out out) {
    int last = outWidth - 1;
    int p0 = (rowAt + ox * stride) * channels;
    int p1 = (rowAt + Math.min(ox + 1, last) * stride) * channels;
    int p2 = (rowAt + Math.min(ox + 2, last) * stride) * channels;
    int p3 = (rowAt + Math.min(ox + 3, last) * stride) * channels;
    int p4 = (rowAt + Math.min(ox + 4, last) * stride) * channels;
    int p5 = (rowAt + Math.min(ox + 5, last) * stride) * channels;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c40 = c00;
    FloatVector c41 = c00;
    FloatVector c50 = c00;
    FloatVector c51 = c00;
    for (int column = 0; column < patch; column++) {
      int o = offset[column];
      FloatVector b0 = FloatVector.fromArray(S, panel, column * W);
      FloatVector b1 = FloatVector.fromArray(S, panel, column * W + L);
      FloatVector x0 = FloatVector.broadcast(S, image[p0 + o]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      FloatVector x1 = FloatVector.broadcast(S, image[p1 + o]);
      c10 = b0.fma(x1, c10);
      c11 = b1.fma(x1, c11);
      FloatVector x2 = FloatVector.broadcast(S, image[p2 + o]);
      c20 = b0.fma(x2, c20);
      c21 = b1.fma(x2, c21);
      FloatVector x3 = FloatVector.broadcast(S, image[p3 + o]);
      c30 = b0.fma(x3, c30);
      c31 = b1.fma(x3, c31);
      FloatVector x4 = FloatVector.broadcast(S, image[p4 + o]);
      c40 = b0.fma(x4, c40);
      c41 = b1.fma(x4, c41);
      FloatVector x5 = FloatVector.broadcast(S, image[p5 + o]);
      c50 = b0.fma(x5, c50);
      c51 = b1.fma(x5, c51);
    }
    out.store(oy, ox, c00, c01);
    out.store(oy, ox + 1, c10, c11);
    out.store(oy, ox + 2, c20, c21);
    out.store(oy, ox + 3, c30, c31);
    out.store(oy, ox + 4, c40, c41);
    out.store(oy, ox + 5, c50, c51);
  }

  @Override
  public void maxPool(int n, int height, int width, int channels, int pool, float[] x, float[] y) {
    int outHeight = height / pool;
    int outWidth = width / pool;
    int whole = S.loopBound(channels);
    for (int oy = 0; oy < outHeight; oy++) {
      for (int ox = 0; ox < outWidth; ox++) {
        int first = ((n * height + oy * pool) * width + ox * pool) * channels;
        int out = ((n * outHeight + oy) * outWidth + ox) * channels;
        for (int c = 0; c < whole; c += L) {
          FloatVector best = FloatVector.fromArray(S, x, first + c);
          for (int ky = 0; ky < pool; ky++) {
            for (int kx = 0; kx < pool; kx++) {
              FloatVector v = FloatVector.fromArray(S, x, first + (ky * width + kx) * channels + c);
              best = best.blend(v, v.compare(VectorOperators.GT, best));
            }
          }
          best.intoArray(y, out + c);
        }
        Plain.maxPoolWindow(first, out, width, channels, pool, whole, channels, x, y);
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
    int whole = S.loopBound(channels);
    FloatVector zero = FloatVector.zero(S);
    for (int wy = 0; wy < windowsY; wy++) {
      for (int wx = 0; wx < windowsX; wx++) {
        int first = ((n * height + wy * pool) * width + wx * pool) * channels;
        if (wy >= outHeight || wx >= outWidth) {
          Plain.clearWindow(first, Math.min(pool, height - wy * pool), Math.min(pool, width - wx * pool), width,
              channels, dx);
          continue;
        }
        int g = ((n * outHeight + wy) * outWidth + wx) * channels;
        for (int c = 0; c < whole; c += L) {
          // the position of each lane's first maximum, as a float (exact: below 2^24), 0 = (0, 0)
          FloatVector best = FloatVector.fromArray(S, x, first + c);
          FloatVector where = zero;
          for (int ky = 0; ky < pool; ky++) {
            for (int kx = 0; kx < pool; kx++) {
              FloatVector v = FloatVector.fromArray(S, x, first + (ky * width + kx) * channels + c);
              VectorMask<Float> larger = v.compare(VectorOperators.GT, best);
              best = best.blend(v, larger);
              where = where.blend(ky * pool + kx, larger);
            }
          }
          FloatVector gradient = FloatVector.fromArray(S, dy, g + c);
          for (int ky = 0; ky < pool; ky++) {
            for (int kx = 0; kx < pool; kx++) {
              zero.blend(gradient, where.compare(VectorOperators.EQ, ky * pool + kx))
                  .intoArray(dx, first + (ky * width + kx) * channels + c);
            }
          }
        }
        Plain.maxPoolBackwardWindow(first, g, width, channels, pool, whole, channels, x, dy, dx);
      }
    }
  }

  @Override
  public String describe() {
    return "Vector API, " + L + " lanes";
  }
}
