package dev.cltrain.train;

import java.util.stream.IntStream;

/**
 * The CPU reference: each method is the loop every work-item of the same-named kernel runs, in the same
 * order, in float32, with nothing clever added. The matmuls run rows in parallel when the product is big
 * enough to pay for it; each element is still summed in ascending k, so results do not depend on threads.
 */
public final class ReferenceKernels implements Backend<float[]> {
  /** Multiply-adds below which a matmul runs on one thread (thread start-up would cost more). */
  private static final long PARALLEL_WORK = 1 << 16;

  @Override
  public String name() {
    return "Java reference";
  }

  @Override
  public void matmul(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, k, 1, b, n, 1, c);
  }

  @Override
  public void matmulTransposeA(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, 1, m, b, n, 1, c);
  }

  @Override
  public void matmulTransposeB(int m, int n, int k, float alpha, float[] a, float[] b, float[] c) {
    matmulStrided(m, n, k, alpha, a, k, 1, b, 1, k, c);
  }

  /** matmul.cl's matmul_tiled without the tiles: element (i, p) of an operand is x[i·rowStride + p·colStride]. */
  private static void matmulStrided(int m, int n, int k, float alpha,
      float[] a, int aRowStride, int aColStride, float[] b, int bRowStride, int bColStride, float[] c) {
    IntStream rows = IntStream.range(0, m);
    ((long) m * n * k >= PARALLEL_WORK ? rows.parallel() : rows).forEach(row -> {
      for (int col = 0; col < n; col++) {
        float sum = 0.0f;
        for (int p = 0; p < k; p++) {
          sum += a[row * aRowStride + p * aColStride] * b[p * bRowStride + col * bColStride];
        }
        c[row * n + col] = alpha * sum;
      }
    });
  }

  /** σ(x) = 1 / (1 + e^−x) in float32; Math.exp is rounded to float as OpenCL's float exp returns. */
  static float sigmoid(float x) {
    return 1.0f / (1.0f + (float) Math.exp(-x));
  }

  @Override
  public void biasSigmoid(int rows, int cols, float[] z, float[] bias, float[] a) {
    for (int i = 0; i < rows * cols; i++) {
      a[i] = sigmoid(z[i] + bias[i % cols]);
    }
  }

  @Override
  public void hiddenDelta(int count, float[] a, float[] dz) {
    for (int i = 0; i < count; i++) {
      float slope = a[i] * (1.0f - a[i]);
      dz[i] = dz[i] * slope;
    }
  }

  @Override
  public void outputDelta(int count, float[] a, float[] y, float[] dz) {
    for (int i = 0; i < count; i++) {
      float error = a[i] - y[i];
      float slope = a[i] * (1.0f - a[i]);
      dz[i] = error * slope;
    }
  }

  /** The kernel reduces in a tree; here the sum runs in double, which is at least as accurate. */
  @Override
  public void mseLoss(int count, float[] a, float[] y, float[] loss) {
    double sum = 0.0;
    for (int i = 0; i < count; i++) {
      float error = a[i] - y[i];
      sum += 0.5f * (error * error);
    }
    loss[0] = (float) (sum / count);
  }

  @Override
  public void columnSum(int rows, int cols, float scale, float[] x, float[] sums) {
    for (int col = 0; col < cols; col++) {
      float sum = 0.0f;
      for (int r = 0; r < rows; r++) {
        sum += x[r * cols + col];
      }
      sums[col] = scale * sum;
    }
  }

  @Override
  public void sgdUpdate(int count, float learningRate, float[] dw, float[] w) {
    for (int i = 0; i < count; i++) {
      w[i] = w[i] - learningRate * dw[i];
    }
  }

  @Override
  public float[] allocate(int length) {
    return new float[length];
  }

  @Override
  public float[] upload(float[] data) {
    return data.clone();
  }

  @Override
  public void download(float[] buffer, float[] out) {
    System.arraycopy(buffer, 0, out, 0, out.length);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
