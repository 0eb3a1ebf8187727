package dev.cltrain.reference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MatmulRows} for CPUs whose vectors hold 8 floats (AVX2: 16 registers of 256 bits), where
 * {@link VectorMatmul}'s 4 × 4 accumulators of 8 floats and its 4 vectors of b would not fit the registers: panels
 * of two 8-float vectors swept six rows at a time, 6 × 2 accumulators (12 of the 16 registers; the 6 × 16
 * micro-kernel of BLAS libraries for Haswell and Zen, and matmul.cl's {@code blocked:6x8x2} plan). The same order
 * of additions per element as every other loop ({@link VectorBlocks}), so the same bits.
 */
final class VectorMatmul8 extends VectorBlocks {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final int L = S.length();
  /** Columns of a panel: two vectors. */
  private static final int W = 2 * L;

  VectorMatmul8() {
    super(W);
  }

  @Override
  void sweep(int rows, int cols, int rowFrom, int rowTo, int kb, int depth, float[] a, int ars, int acs, float[] panel,
      float[] sums) {
    for (int r = 0; r < rows; r += 6) {
      rows6x2(r, rowFrom, rowTo, kb, depth, a, ars, acs, panel, sums);
    }
  }

  /** Rows r .. r+5 of the task (clamped to its last row for reading a) × the panel's two vectors. */
  private static void rows6x2(int r, int rowFrom, int rowTo, int kb, int depth, float[] a, int ars, int acs,
      float[] panel, float[] sums) {
    int a0 = rowFrom + r;
    int r1 = Math.min(a0 + 1, rowTo - 1) * ars;
    int r2 = Math.min(a0 + 2, rowTo - 1) * ars;
    int r3 = Math.min(a0 + 3, rowTo - 1) * ars;
    int r4 = Math.min(a0 + 4, rowTo - 1) * ars;
    int r5 = Math.min(a0 + 5, rowTo - 1) * ars;
    int r0 = a0 * ars;
    int s0 = r * W;
    FloatVector c00 = FloatVector.fromArray(S, sums, s0 + 0 * W + 0 * L);
    FloatVector c01 = FloatVector.fromArray(S, sums, s0 + 0 * W + 1 * L);
    FloatVector c10 = FloatVector.fromArray(S, sums, s0 + 1 * W + 0 * L);
    FloatVector c11 = FloatVector.fromArray(S, sums, s0 + 1 * W + 1 * L);
    FloatVector c20 = FloatVector.fromArray(S, sums, s0 + 2 * W + 0 * L);
    FloatVector c21 = FloatVector.fromArray(S, sums, s0 + 2 * W + 1 * L);
    FloatVector c30 = FloatVector.fromArray(S, sums, s0 + 3 * W + 0 * L);
    FloatVector c31 = FloatVector.fromArray(S, sums, s0 + 3 * W + 1 * L);
    FloatVector c40 = FloatVector.fromArray(S, sums, s0 + 4 * W + 0 * L);
    FloatVector c41 = FloatVector.fromArray(S, sums, s0 + 4 * W + 1 * L);
    FloatVector c50 = FloatVector.fromArray(S, sums, s0 + 5 * W + 0 * L);
    FloatVector c51 = FloatVector.fromArray(S, sums, s0 + 5 * W + 1 * L);
    for (int p = 0; p < depth; p++) {
      int at = p * W;
      FloatVector b0 = FloatVector.fromArray(S, panel, at);
      FloatVector b1 = FloatVector.fromArray(S, panel, at + L);
      int ap = (kb + p) * acs;
      FloatVector x0 = FloatVector.broadcast(S, a[r0 + ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      FloatVector x1 = FloatVector.broadcast(S, a[r1 + ap]);
      c10 = b0.fma(x1, c10);
      c11 = b1.fma(x1, c11);
      FloatVector x2 = FloatVector.broadcast(S, a[r2 + ap]);
      c20 = b0.fma(x2, c20);
      c21 = b1.fma(x2, c21);
      FloatVector x3 = FloatVector.broadcast(S, a[r3 + ap]);
      c30 = b0.fma(x3, c30);
      c31 = b1.fma(x3, c31);
      FloatVector x4 = FloatVector.broadcast(S, a[r4 + ap]);
      c40 = b0.fma(x4, c40);
      c41 = b1.fma(x4, c41);
      FloatVector x5 = FloatVector.broadcast(S, a[r5 + ap]);
      c50 = b0.fma(x5, c50);
      c51 = b1.fma(x5, c51);
    }
    c00.intoArray(sums, s0 + 0 * W + 0 * L);
    c01.intoArray(sums, s0 + 0 * W + 1 * L);
    c10.intoArray(sums, s0 + 1 * W + 0 * L);
    c11.intoArray(sums, s0 + 1 * W + 1 * L);
    c20.intoArray(sums, s0 + 2 * W + 0 * L);
    c21.intoArray(sums, s0 + 2 * W + 1 * L);
    c30.intoArray(sums, s0 + 3 * W + 0 * L);
    c31.intoArray(sums, s0 + 3 * W + 1 * L);
    c40.intoArray(sums, s0 + 4 * W + 0 * L);
    c41.intoArray(sums, s0 + 4 * W + 1 * L);
    c50.intoArray(sums, s0 + 5 * W + 0 * L);
    c51.intoArray(sums, s0 + 5 * W + 1 * L);
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
