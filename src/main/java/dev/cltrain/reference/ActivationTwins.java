package dev.cltrain.reference;

/** The twins of activation.cl and loss.cl: the activations, the output deltas and the loss reductions. */
abstract class ActivationTwins extends MatmulTwins {
  ActivationTwins(MatmulRows loops) {
    super(loops);
  }

  @Override
  public void biasActivation(int rows, int cols, int activation, float[] z, float[] bias, float[] a) {
    inParts(rows * cols, (from, to) -> biasActivationRange(cols, activation, z, bias, a, from, to));
  }

  @Override
  public void activationDelta(int count, int activation, float[] a, float[] dz) {
    inParts(count, (from, to) -> activationDeltaRange(activation, a, dz, from, to));
  }

  @Override
  public void biasSoftmax(int rows, int cols, float[] z, float[] bias, float[] p) {
    for (int row = 0; row < rows; row++) {
      int at = row * cols;
      float top = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < cols; c++) {
        top = Math.max(top, z[at + c] + bias[c]);
      }
      float sum = 0.0f;
      for (int c = 0; c < cols; c++) {
        float e = expCl(z[at + c] + bias[c] - top);
        p[at + c] = e;
        sum += e;
      }
      for (int c = 0; c < cols; c++) {
        p[at + c] = p[at + c] / sum;
      }
    }
  }

  @Override
  public void mseDelta(int count, int activation, float[] a, float[] y, float[] dz) {
    for (int i = 0; i < count; i++) {
      float error = a[i] - y[i];
      dz[i] = error * slope(activation, a[i]);
    }
  }

  @Override
  public void xentDelta(int count, float[] p, float[] y, float[] dz) {
    for (int i = 0; i < count; i++) {
      dz[i] = p[i] - y[i];
    }
  }

  /** The kernel reduces in a tree in float32; here the sum runs in double, which is at least as accurate. */
  @Override
  public void mseLoss(int count, int slot, float[] a, float[] y, float[] loss) {
    double sum = 0.0;
    for (int i = 0; i < count; i++) {
      float error = a[i] - y[i];
      sum += 0.5f * (error * error);
    }
    loss[slot] = (float) (sum / count);
  }

  @Override
  public void xentLoss(int rows, int cols, int slot, float[] p, float[] y, float[] loss) {
    double sum = 0.0;
    for (int i = 0; i < rows * cols; i++) {
      if (y[i] != 0.0f) {
        sum -= y[i] * (float) Math.log(Math.max(p[i], Float.MIN_NORMAL));
      }
    }
    loss[slot] = (float) (sum / rows);
  }

  @Override
  public void countCorrect(int rows, int cols, int slot, float[] a, float[] y, float[] correct) {
    int hits = 0;
    for (int r = 0; r < rows; r++) {
      int at = r * cols;
      if (cols == 1) {
        hits += (a[at] >= 0.5f) == (y[at] >= 0.5f) ? 1 : 0;
      } else {
        int bestA = 0;
        int bestY = 0;
        for (int c = 1; c < cols; c++) {
          if (a[at + c] > a[at + bestA]) {
            bestA = c;
          }
          if (y[at + c] > y[at + bestY]) {
            bestY = c;
          }
        }
        hits += bestA == bestY ? 1 : 0;
      }
    }
    correct[slot] = hits;
  }
}
