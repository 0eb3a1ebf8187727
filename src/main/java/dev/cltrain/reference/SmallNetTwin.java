package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.SmallNetOptimizer;
import dev.cltrain.nn.Activation;

/** The twin of small_net.cl's train_small: whole epochs of a small network, as Backprop runs them. */
abstract class SmallNetTwin extends ConvTwins {
  SmallNetTwin(MatmulRows loops, UpdateLoops updates) {
    super(loops, updates);
  }

  /**
   * small_net.cl's loops, element by element in order (one work-item, as it were). Each element is computed as
   * the layer-by-layer methods above compute it, so the results are theirs, bit for bit: the loss and the
   * correct count come from {@link #mseLoss}, {@link #xentLoss} and {@link #countCorrect} themselves.
   */
  @Override
  public void trainSmall(int layers, int rows, int epochs, int crossEntropy, int stats, float scale,
      float learningRate, float weightDecay, SmallNetOptimizer rule, int[] shape,
      float[] corrections, float[] x, float[] y, float[] params, float[] state, float[] loss, float[] correct) {
    int outputs = shape[layers];
    int parameters = 0;
    float[][] a = new float[layers][];
    for (int l = 0; l < layers; l++) {
      parameters += shape[l] * shape[l + 1] + shape[l + 1];
      a[l] = new float[rows * shape[l + 1]];
    }
    int widest = 0;
    for (int l = 1; l <= layers; l++) {
      widest = Math.max(widest, shape[l]);
    }
    float[] delta = new float[rows * widest];
    float[] deltaOther = new float[rows * widest];
    float[] output = a[layers - 1];
    int outputActivation = shape[2 * layers];
    int optimizer = rule.optimizer();
    float momentum = rule.momentum();
    AdamConstants adam = rule.adam();
    final int softmax = Activation.SOFTMAX.code;
    for (int e = 0; e < epochs; e++) {
      float[] in = x;
      int at = 0;
      for (int l = 0; l < layers; l++) {
        int k = shape[l];
        int n = shape[l + 1];
        int act = shape[layers + 1 + l];
        float[] out = a[l];
        for (int i = 0; i < rows * n; i++) {
          int r = i / n;
          int j = i - r * n;
          float sum = 0.0f;
          for (int p = 0; p < k; p++) {
            sum = Math.fma(in[r * k + p], params[at + p * n + j], sum);
          }
          out[i] = act == softmax ? 1.0f * sum : activate(act, 1.0f * sum + params[at + k * n + j]);
        }
        if (act == softmax) {
          float[] bias = java.util.Arrays.copyOfRange(params, at + k * n, at + k * n + n);
          biasSoftmax(rows, n, out, bias, out);
        }
        in = out;
        at += k * n + n;
      }
      if (stats != 0 && e == epochs - 1) {
        if (crossEntropy != 0) {
          xentLoss(rows, outputs, 0, output, y, loss);
        } else {
          mseLoss(rows * outputs, 0, output, y, loss);
        }
        countCorrect(rows, outputs, 0, output, y, correct);
      }
      for (int i = 0; i < rows * outputs; i++) {
        delta[i] = crossEntropy != 0 ? output[i] - y[i] : (output[i] - y[i]) * slope(outputActivation, output[i]);
      }
      boolean adamLike = hasTwoMoments(optimizer);
      float correction1 = adamLike ? corrections[2 * e] : 1.0f;
      float correction2 = adamLike ? corrections[2 * e + 1] : 1.0f;
      for (int l = layers - 1; l >= 0; l--) {
        int k = shape[l];
        int n = shape[l + 1];
        at -= k * n + n;
        float[] below = l == 0 ? x : a[l - 1];
        if (l > 0) {
          int act = shape[layers + l];
          for (int i = 0; i < rows * k; i++) {
            int r = i / k;
            int j = i - r * k;
            float sum = 0.0f;
            for (int p = 0; p < n; p++) {
              sum = Math.fma(delta[r * n + p], params[at + j * n + p], sum);
            }
            deltaOther[i] = (1.0f * sum) * slope(act, below[i]);
          }
        }
        for (int i = 0; i < k * n + n; i++) {
          float dw;
          float decay;
          if (i < k * n) {
            int row = i / n;
            int col = i - row * n;
            float sum = 0.0f;
            for (int r = 0; r < rows; r++) {
              sum = Math.fma(below[r * k + row], delta[r * n + col], sum);
            }
            dw = scale * sum;
            decay = weightDecay;
          } else {
            int col = i - k * n;
            float sum = 0.0f;
            for (int r = 0; r < rows; r++) {
              sum += delta[r * n + col];
            }
            dw = scale * sum;
            decay = 0.0f;
          }
          updateOne(optimizer, learningRate, momentum, adam, decay, correction1, correction2, dw, params, state,
              at + i, parameters);
        }
        float[] swap = delta;
        delta = deltaOther;
        deltaOther = swap;
      }
    }
  }

  /** As much as an OpenCL device with 64 KiB of local memory takes (ProgramOptions.smallNetFloats). */
  @Override
  public int smallNetFloats() {
    return (64 * 1024 - 1024 - 4 * 256) / 4;
  }

  /**
   * 2¹³: trainSmall's plain loops beat the layer methods' calls on XOR (0.5 against 3.4 µs per epoch) and at
   * 16 rows of 6-10-3 (4,320 multiply-adds: 13 against 34 µs), and lose to their vectorised matrix loops from
   * about 16 rows of 8-16-4 (9,216: 20 against 12 µs; 61 rows of 17-19-4, 105,000: 74 against 45 µs).
   */
  @Override
  public long smallNetWork() {
    return 1 << 13;
  }
}
