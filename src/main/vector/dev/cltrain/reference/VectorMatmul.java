package dev.cltrain.reference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MatmulRows} with the Vector API, blocked as matmul.cl's blocked strategy is: the columns go in panels
 * of four vectors; for each block of {@link #DEPTH} values of p the panel's piece of b is copied into a small
 * contiguous array (zero-padded past the last column, so narrow and ragged edges take the vector path too; a b
 * stored transposed is read there in its own order, so it is never copied whole), kept per thread between calls,
 * and the rows sweep it four at a time, 4 × 4 vector accumulators in registers. Between blocks each element's
 * partial sum waits in a scratch array, stored and reloaded unchanged. Lanes are independent columns, so every
 * element still accumulates its products in ascending p with one fused multiply-add each (lanewise fma, one
 * rounding) from 0, then is multiplied by alpha: the plain loop's bits. Loaded only when the JVM has
 * jdk.incubator.vector (see {@link MatmulRows#best()}).
 */
final class VectorMatmul implements MatmulRows {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Columns of a panel: four vectors. */
  private static final int W = 4 * L;
  /** Values of p per staged block of b. */
  static final int DEPTH = 256;

  /** Each thread's staged panel of b and partial sums, reused from call to call (grown when a call needs more). */
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

  @Override
  public void block(int rowFrom, int rowTo, int colFrom, int colTo, int n, int k, float alpha, float[] a, int ars,
      int acs, float[] b, int brs, int bcs, float[] c) {
    int rows = rowTo - rowFrom;
    if (rows <= 0 || colTo <= colFrom) {
      return;
    }
    float[][] scratch = SCRATCH.get();
    int panelLength = Math.max(1, Math.min(DEPTH, k)) * W;
    int sumsLength = (rows + 3) / 4 * 4 * W;
    if (scratch[0].length < panelLength) {
      scratch[0] = new float[panelLength];
    }
    if (scratch[1].length < sumsLength) {
      scratch[1] = new float[sumsLength];
    }
    float[] panel = scratch[0];
    float[] sums = scratch[1];
    for (int j0 = colFrom; j0 < colTo; j0 += W) {
      int cols = Math.min(W, colTo - j0);
      java.util.Arrays.fill(sums, 0, sumsLength, 0.0f);
      for (int kb = 0; kb < k; kb += DEPTH) {
        int depth = Math.min(DEPTH, k - kb);
        stage(b, brs, bcs, kb, depth, j0, cols, panel);
        for (int r = 0; r < rows; r += 4) {
          if (cols <= L) {
            rows4x1(r, rowFrom, rowTo, kb, depth, a, ars, acs, panel, sums);
          } else {
            rows4x4(r, rowFrom, rowTo, kb, depth, a, ars, acs, panel, sums);
          }
        }
      }
      for (int r = 0; r < rows; r++) {
        int out = (rowFrom + r) * n + j0;
        for (int q = 0; q < cols; q++) {
          c[out + q] = alpha * sums[r * W + q];
        }
      }
    }
  }

  /**
   * Copies b(kb .. kb+depth−1, j0 .. j0+cols−1) into panel, row p at p·W, zeros past column cols: four vector
   * copies a row when b's rows are contiguous and the panel is full, else element by element in b's own order
   * (down the columns of a b stored transposed).
   */
  private static void stage(float[] b, int brs, int bcs, int kb, int depth, int j0, int cols, float[] panel) {
    if (bcs == 1 && cols == W) {
      for (int p = 0; p < depth; p++) {
        int from = (kb + p) * brs + j0;
        int to = p * W;
        FloatVector.fromArray(S, b, from).intoArray(panel, to);
        FloatVector.fromArray(S, b, from + L).intoArray(panel, to + L);
        FloatVector.fromArray(S, b, from + 2 * L).intoArray(panel, to + 2 * L);
        FloatVector.fromArray(S, b, from + 3 * L).intoArray(panel, to + 3 * L);
      }
      return;
    }
    if (bcs == 1) {
      for (int p = 0; p < depth; p++) {
        System.arraycopy(b, (kb + p) * brs + j0, panel, p * W, cols);
        java.util.Arrays.fill(panel, p * W + cols, p * W + W, 0.0f);
      }
      return;
    }
    for (int q = 0; q < W; q++) {
      if (q < cols) {
        int column = (j0 + q) * bcs + kb * brs;
        for (int p = 0; p < depth; p++) {
          panel[p * W + q] = b[column + p * brs];
        }
      } else {
        for (int p = 0; p < depth; p++) {
          panel[p * W + q] = 0.0f;
        }
      }
    }
  }

  /** Rows r .. r+3 of the task (clamped to its last row for reading a) × four vectors of the panel. */
  private static void rows4x4(int r, int rowFrom, int rowTo, int kb, int depth, float[] a, int ars, int acs,
      float[] panel, float[] sums) {
    int a0 = rowFrom + r;
    int a1 = Math.min(a0 + 1, rowTo - 1);
    int a2 = Math.min(a0 + 2, rowTo - 1);
    int a3 = Math.min(a0 + 3, rowTo - 1);
    int s0 = r * W;
    int s1 = s0 + W;
    int s2 = s1 + W;
    int s3 = s2 + W;
    FloatVector c00 = FloatVector.fromArray(S, sums, s0);
    FloatVector c01 = FloatVector.fromArray(S, sums, s0 + L);
    FloatVector c02 = FloatVector.fromArray(S, sums, s0 + 2 * L);
    FloatVector c03 = FloatVector.fromArray(S, sums, s0 + 3 * L);
    FloatVector c10 = FloatVector.fromArray(S, sums, s1);
    FloatVector c11 = FloatVector.fromArray(S, sums, s1 + L);
    FloatVector c12 = FloatVector.fromArray(S, sums, s1 + 2 * L);
    FloatVector c13 = FloatVector.fromArray(S, sums, s1 + 3 * L);
    FloatVector c20 = FloatVector.fromArray(S, sums, s2);
    FloatVector c21 = FloatVector.fromArray(S, sums, s2 + L);
    FloatVector c22 = FloatVector.fromArray(S, sums, s2 + 2 * L);
    FloatVector c23 = FloatVector.fromArray(S, sums, s2 + 3 * L);
    FloatVector c30 = FloatVector.fromArray(S, sums, s3);
    FloatVector c31 = FloatVector.fromArray(S, sums, s3 + L);
    FloatVector c32 = FloatVector.fromArray(S, sums, s3 + 2 * L);
    FloatVector c33 = FloatVector.fromArray(S, sums, s3 + 3 * L);
    int r0 = a0 * ars;
    int r1 = a1 * ars;
    int r2 = a2 * ars;
    int r3 = a3 * ars;
    for (int p = 0; p < depth; p++) {
      int at = p * W;
      FloatVector b0 = FloatVector.fromArray(S, panel, at);
      FloatVector b1 = FloatVector.fromArray(S, panel, at + L);
      FloatVector b2 = FloatVector.fromArray(S, panel, at + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, panel, at + 3 * L);
      int ap = (kb + p) * acs;
      FloatVector x = FloatVector.broadcast(S, a[r0 + ap]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(S, a[r1 + ap]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(S, a[r2 + ap]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(S, a[r3 + ap]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
    }
    c00.intoArray(sums, s0);
    c01.intoArray(sums, s0 + L);
    c02.intoArray(sums, s0 + 2 * L);
    c03.intoArray(sums, s0 + 3 * L);
    c10.intoArray(sums, s1);
    c11.intoArray(sums, s1 + L);
    c12.intoArray(sums, s1 + 2 * L);
    c13.intoArray(sums, s1 + 3 * L);
    c20.intoArray(sums, s2);
    c21.intoArray(sums, s2 + L);
    c22.intoArray(sums, s2 + 2 * L);
    c23.intoArray(sums, s2 + 3 * L);
    c30.intoArray(sums, s3);
    c31.intoArray(sums, s3 + L);
    c32.intoArray(sums, s3 + 2 * L);
    c33.intoArray(sums, s3 + 3 * L);
  }

  /** As {@link #rows4x4} for a panel of at most one vector of columns (narrow outputs). */
  private static void rows4x1(int r, int rowFrom, int rowTo, int kb, int depth, float[] a, int ars, int acs,
      float[] panel, float[] sums) {
    int a0 = rowFrom + r;
    int r0 = a0 * ars;
    int r1 = Math.min(a0 + 1, rowTo - 1) * ars;
    int r2 = Math.min(a0 + 2, rowTo - 1) * ars;
    int r3 = Math.min(a0 + 3, rowTo - 1) * ars;
    int s0 = r * W;
    FloatVector c0 = FloatVector.fromArray(S, sums, s0);
    FloatVector c1 = FloatVector.fromArray(S, sums, s0 + W);
    FloatVector c2 = FloatVector.fromArray(S, sums, s0 + 2 * W);
    FloatVector c3 = FloatVector.fromArray(S, sums, s0 + 3 * W);
    for (int p = 0; p < depth; p++) {
      FloatVector b0 = FloatVector.fromArray(S, panel, p * W);
      int ap = (kb + p) * acs;
      c0 = b0.fma(FloatVector.broadcast(S, a[r0 + ap]), c0);
      c1 = b0.fma(FloatVector.broadcast(S, a[r1 + ap]), c1);
      c2 = b0.fma(FloatVector.broadcast(S, a[r2 + ap]), c2);
      c3 = b0.fma(FloatVector.broadcast(S, a[r3 + ap]), c3);
    }
    c0.intoArray(sums, s0);
    c1.intoArray(sums, s0 + W);
    c2.intoArray(sums, s0 + 2 * W);
    c3.intoArray(sums, s0 + 3 * W);
  }

  @Override
  public int lanes() {
    return L;
  }

  @Override
  public String describe() {
    return "Vector API, " + L + " lanes";
  }
}
