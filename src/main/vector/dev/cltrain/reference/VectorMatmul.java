package dev.cltrain.reference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MatmulRows} with the Vector API's preferred vectors (16 floats with AVX-512), blocked as matmul.cl's
 * blocked strategy is ({@link VectorBlocks}): panels of four vectors, swept four rows at a time with 4 × 4 vector
 * accumulators in registers (16 of AVX-512's 32). Loaded only when the JVM has jdk.incubator.vector (see
 * {@link MatmulRows#best()}); where the preferred vectors hold 8 floats (AVX2, 16 registers) {@link VectorMatmul8}
 * runs instead.
 */
final class VectorMatmul extends VectorBlocks {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Columns of a panel: four vectors. */
  private static final int W = 4 * L;

  VectorMatmul() {
    super(W);
  }

  @Override
  void sweep(int rows, int cols, int rowFrom, int rowTo, int kb, int depth, float[] a, int ars, int acs, float[] panel,
      float[] sums) {
    for (int r = 0; r < rows; r += 4) {
      if (cols <= L) {
        rows4x1(r, rowFrom, rowTo, kb, depth, a, ars, acs, panel, sums);
      } else {
        rows4x4(r, rowFrom, rowTo, kb, depth, a, ars, acs, panel, sums);
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
