package dev.cltrain.reference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MatmulRows} with the Vector API: blocks of 4 rows × 2 vectors of c stay in registers over the whole
 * sum, so each loaded vector of b serves four rows. Lanes are independent columns, so every element still
 * accumulates its products in ascending p with one fused multiply-add each (lanewise fma, one rounding), the
 * plain loop's bits. Rows and columns left over at the edges take the plain loop's scalar path. TrainingData only when the JVM
 * has jdk.incubator.vector (see {@link MatmulRows#best()}).
 */
final class VectorMatmul implements MatmulRows {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public void rows(int from, int to, int n, int k, float alpha, float[] a, int ars, int acs, float[] b, int brs,
      float[] c) {
    int row = from;
    for (; row + 4 <= to; row += 4) {
      int col = 0;
      for (; col + 2 * L <= n; col += 2 * L) {
        block4x2(row, col, n, k, alpha, a, ars, acs, b, brs, c);
      }
      for (; col + L <= n; col += L) {
        for (int r = row; r < row + 4; r++) {
          block1x1(r, col, n, k, alpha, a, ars, acs, b, brs, c);
        }
      }
      scalarColumns(row, row + 4, col, n, k, alpha, a, ars, acs, b, brs, c);
    }
    for (; row < to; row++) {
      int col = 0;
      for (; col + L <= n; col += L) {
        block1x1(row, col, n, k, alpha, a, ars, acs, b, brs, c);
      }
      scalarColumns(row, row + 1, col, n, k, alpha, a, ars, acs, b, brs, c);
    }
  }

  private static void block4x2(int row, int col, int n, int k, float alpha, float[] a, int ars, int acs,
      float[] b, int brs, float[] c) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int a0 = row * ars;
    int a1 = a0 + ars;
    int a2 = a1 + ars;
    int a3 = a2 + ars;
    for (int p = 0; p < k; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, p * brs + col);
      FloatVector b1 = FloatVector.fromArray(S, b, p * brs + col + L);
      int ap = p * acs;
      FloatVector x0 = FloatVector.broadcast(S, a[a0 + ap]);
      FloatVector x1 = FloatVector.broadcast(S, a[a1 + ap]);
      FloatVector x2 = FloatVector.broadcast(S, a[a2 + ap]);
      FloatVector x3 = FloatVector.broadcast(S, a[a3 + ap]);
      c00 = b0.fma(x0, c00);
      c01 = b1.fma(x0, c01);
      c10 = b0.fma(x1, c10);
      c11 = b1.fma(x1, c11);
      c20 = b0.fma(x2, c20);
      c21 = b1.fma(x2, c21);
      c30 = b0.fma(x3, c30);
      c31 = b1.fma(x3, c31);
    }
    int out = row * n + col;
    c00.mul(alpha).intoArray(c, out);
    c01.mul(alpha).intoArray(c, out + L);
    c10.mul(alpha).intoArray(c, out + n);
    c11.mul(alpha).intoArray(c, out + n + L);
    c20.mul(alpha).intoArray(c, out + 2 * n);
    c21.mul(alpha).intoArray(c, out + 2 * n + L);
    c30.mul(alpha).intoArray(c, out + 3 * n);
    c31.mul(alpha).intoArray(c, out + 3 * n + L);
  }

  private static void block1x1(int row, int col, int n, int k, float alpha, float[] a, int ars, int acs,
      float[] b, int brs, float[] c) {
    FloatVector sum = FloatVector.zero(S);
    for (int p = 0; p < k; p++) {
      sum = FloatVector.fromArray(S, b, p * brs + col).fma(FloatVector.broadcast(S, a[row * ars + p * acs]), sum);
    }
    sum.mul(alpha).intoArray(c, row * n + col);
  }

  private static void scalarColumns(int fromRow, int toRow, int fromCol, int n, int k, float alpha, float[] a,
      int ars, int acs, float[] b, int brs, float[] c) {
    for (int row = fromRow; row < toRow; row++) {
      for (int col = fromCol; col < n; col++) {
        float sum = 0.0f;
        for (int p = 0; p < k; p++) {
          sum = Math.fma(a[row * ars + p * acs], b[p * brs + col], sum);
        }
        c[row * n + col] = alpha * sum;
      }
    }
  }

  @Override
  public String describe() {
    return "Vector API, " + L + " lanes";
  }
}
