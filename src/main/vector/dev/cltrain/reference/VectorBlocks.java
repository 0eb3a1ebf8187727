package dev.cltrain.reference;

/**
 * The part of the Vector API loops that does not depend on the vectors' width: c is computed in panels of W columns;
 * for each block of {@link #DEPTH} values of p the panel's piece of b is copied into a small contiguous array
 * (zero-padded past the last column, so narrow and ragged edges take the vector path too; a b stored transposed
 * is read there in its own order, so it is never copied whole), kept per thread between calls, and a subclass's
 * register blocks sweep its rows ({@link #sweep}). Between blocks each element's partial sum waits in a scratch
 * array, stored and reloaded unchanged. Lanes are independent columns, so every element still accumulates its
 * products in ascending p with one fused multiply-add each (lanewise fma, one rounding) from 0, then is multiplied
 * by alpha: the plain loop's bits.
 */
abstract class VectorBlocks implements MatmulRows {
  /** Values of p per staged block of b. */
  static final int DEPTH = 256;
  /** Columns of a panel. */
  private final int W;

  /**
   * The loops for this CPU's preferred vectors: {@link VectorMatmul8}'s 6 × 2 blocks where they hold 8 floats (AVX2's
   * 16 registers), else {@link VectorMatmul}'s 4 × 4 (AVX-512's 32 registers of 16 floats).
   *
   * @return the loops
   */
  static MatmulRows preferred() {
    return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 8 ? new VectorMatmul8() : new VectorMatmul();
  }

  VectorBlocks(int width) {
    this.W = width;
  }

  /**
   * Adds the products of p in [kb, kb + depth) to the sums of rows [0, rows) of the task (row rowFrom + r of a; rows
   * past the last read the last and are not stored) × the panel's W columns, of which the first cols are c's.
   */
  abstract void sweep(int rows, int cols, int rowFrom, int rowTo, int kb, int depth, float[] a, int ars, int acs,
      float[] panel, float[] sums);

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
    int sumsLength = (rows + 7) * W; // whole sweeps of up to 8 rows, the last past the task's rows
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
        sweep(rows, cols, rowFrom, rowTo, kb, depth, a, ars, acs, panel, sums);
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
   * Copies b(kb .. kb+depth−1, j0 .. j0+cols−1) into panel, row p at p·W, zeros past column cols: a row at a
   * time when b's rows are contiguous, else element by element in b's own order (down the columns of a b stored
   * transposed).
   */
  private void stage(float[] b, int brs, int bcs, int kb, int depth, int j0, int cols, float[] panel) {
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
}
