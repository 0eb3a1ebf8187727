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
      Out out = new Out(n, outHeight, outWidth, filters, f0, valid, activation, block, lanes, new float[PIXELS * W], y);
      for (int oy = 0; oy < outHeight; oy++) {
        int rowAt = oy * stride * paddedWidth;
        for (int ox = 0; ox < outWidth; ox += PIXELS) {
          pixels6(ox, rowAt, stride, channels, outWidth, patch, offset, image, panel, out.sums);
          out.store(oy, ox);
        }
      }
    }
  }

  /**
   * Where a panel's sums go: y's filters [f0, f0 + valid) of sample n, after the bias and f. The register block
   * leaves its sums in {@code sums} (pixel j's two vectors at j · W), so that no vector crosses a call: a vector
   * passed to a method C2 did not inline is boxed, and the loops then allocate at every block.
   */
  private record Out(int n, int outHeight, int outWidth, int filters, int f0, int valid, int activation, float[] bias,
      float[] lanes, float[] sums, float[] y) {
    /** Stores the block's pixels (oy, ox + j) inside the row as f(sum + bias), their first {@code valid} lanes. */
    void store(int oy, int ox) {
      FloatVector bias0 = FloatVector.fromArray(S, bias, 0);
      FloatVector bias1 = FloatVector.fromArray(S, bias, L);
      for (int j = 0; j < PIXELS && ox + j < outWidth; j++) {
        int at = ((n * outHeight + oy) * outWidth + ox + j) * filters + f0;
        FloatVector v0 = FloatVector.fromArray(S, sums, j * W).add(bias0);
        FloatVector v1 = FloatVector.fromArray(S, sums, j * W + L).add(bias1);
        if (activation == 3) { // relu as a select: activate's x > 0 ? x : 0, lane by lane
          v0 = FloatVector.zero(S).blend(v0, v0.compare(VectorOperators.GT, 0.0f));
          v1 = FloatVector.zero(S).blend(v1, v1.compare(VectorOperators.GT, 0.0f));
        }
        if (valid == W && (activation == 0 || activation == 3)) {
          v0.intoArray(y, at);
          v1.intoArray(y, at + L);
          continue;
        }
        v0.intoArray(lanes, 0);
        v1.intoArray(lanes, L);
        for (int q = 0; q < valid; q++) {
          y[at + q] = activation == 0 || activation == 3 ? lanes[q] : MatmulTwins.activate(activation, lanes[q]);
        }
      }
    }
  }

  /**
   * The sums of pixels ox .. ox+5 of the output row starting at rowAt in the image (those past the row's end read its
   * last pixel) into sums.
   */
  private static void pixels6(int ox, int rowAt, int stride, int channels, int outWidth, int patch, int[] offset,
      float[] image, float[] panel, float[] sums) {
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
    c00.intoArray(sums, 0);
    c01.intoArray(sums, L);
    c10.intoArray(sums, W);
    c11.intoArray(sums, W + L);
    c20.intoArray(sums, 2 * W);
    c21.intoArray(sums, 2 * W + L);
    c30.intoArray(sums, 3 * W);
    c31.intoArray(sums, 3 * W + L);
    c40.intoArray(sums, 4 * W);
    c41.intoArray(sums, 4 * W + L);
    c50.intoArray(sums, 5 * W);
    c51.intoArray(sums, 5 * W + L);
  }

  /**
   * Whole vectors of channels for the 2 × 2 windows of the CNN recipes, in straight-line code: the four positions
   * compared in (ky, kx) order, each taking the lanes where it is larger. Other pool sizes take the plain loops. (A
   * loop over the window's positions carrying the vector of maxima made C2 fall back, at times, to the API's
   * unintrinsified blend: 30 times slower, in bursts of many calls.)
   */
  @Override
  public void maxPool(int n, int height, int width, int channels, int pool, float[] x, float[] y) {
    if (pool != 2) {
      Plain.INSTANCE.maxPool(n, height, width, channels, pool, x, y);
      return;
    }
    int outHeight = height / 2;
    int outWidth = width / 2;
    int whole = S.loopBound(channels);
    int down = width * channels;
    for (int oy = 0; oy < outHeight; oy++) {
      for (int ox = 0; ox < outWidth; ox++) {
        int first = ((n * height + oy * 2) * width + ox * 2) * channels;
        int out = ((n * outHeight + oy) * outWidth + ox) * channels;
        for (int c = 0; c < whole; c += L) {
          FloatVector best = FloatVector.fromArray(S, x, first + c);
          FloatVector v1 = FloatVector.fromArray(S, x, first + channels + c);
          best = best.blend(v1, v1.compare(VectorOperators.GT, best));
          FloatVector v2 = FloatVector.fromArray(S, x, first + down + c);
          best = best.blend(v2, v2.compare(VectorOperators.GT, best));
          FloatVector v3 = FloatVector.fromArray(S, x, first + down + channels + c);
          best = best.blend(v3, v3.compare(VectorOperators.GT, best));
          best.intoArray(y, out + c);
        }
        Plain.maxPoolWindow(first, out, width, channels, 2, whole, channels, x, y);
      }
    }
  }

  /**
   * max_pool_backward for 2 × 2 windows, straight-line as {@link #maxPool}: the first maximum's position per lane
   * as a mask per position (later positions clear the earlier ones' lanes where they are larger), then dy to the
   * lanes of each position's mask and 0 to the others. Other pool sizes take the plain loops.
   */
  @Override
  public void maxPoolBackward(int n, int height, int width, int channels, int pool, float[] x, float[] dy,
      float[] dx) {
    if (pool != 2) {
      Plain.INSTANCE.maxPoolBackward(n, height, width, channels, pool, x, dy, dx);
      return;
    }
    int outHeight = height / 2;
    int outWidth = width / 2;
    int windowsY = (height + 1) / 2;
    int windowsX = (width + 1) / 2;
    int whole = S.loopBound(channels);
    int down = width * channels;
    FloatVector zero = FloatVector.zero(S);
    for (int wy = 0; wy < windowsY; wy++) {
      for (int wx = 0; wx < windowsX; wx++) {
        int first = ((n * height + wy * 2) * width + wx * 2) * channels;
        if (wy >= outHeight || wx >= outWidth) {
          Plain.clearWindow(first, Math.min(2, height - wy * 2), Math.min(2, width - wx * 2), width, channels, dx);
          continue;
        }
        int g = ((n * outHeight + wy) * outWidth + wx) * channels;
        for (int c = 0; c < whole; c += L) {
          FloatVector v0 = FloatVector.fromArray(S, x, first + c);
          FloatVector v1 = FloatVector.fromArray(S, x, first + channels + c);
          FloatVector v2 = FloatVector.fromArray(S, x, first + down + c);
          FloatVector v3 = FloatVector.fromArray(S, x, first + down + channels + c);
          VectorMask<Float> at1 = v1.compare(VectorOperators.GT, v0);
          FloatVector best = v0.blend(v1, at1);
          VectorMask<Float> at2 = v2.compare(VectorOperators.GT, best);
          best = best.blend(v2, at2);
          VectorMask<Float> at3 = v3.compare(VectorOperators.GT, best);
          at2 = at2.andNot(at3);
          at1 = at1.andNot(at2).andNot(at3);
          VectorMask<Float> at0 = at1.or(at2).or(at3).not();
          FloatVector gradient = FloatVector.fromArray(S, dy, g + c);
          zero.blend(gradient, at0).intoArray(dx, first + c);
          zero.blend(gradient, at1).intoArray(dx, first + channels + c);
          zero.blend(gradient, at2).intoArray(dx, first + down + c);
          zero.blend(gradient, at3).intoArray(dx, first + down + channels + c);
        }
        Plain.maxPoolBackwardWindow(first, g, width, channels, 2, whole, channels, x, dy, dx);
      }
    }
  }

  @Override
  public String describe() {
    return "Vector API, " + L + " lanes";
  }
}
