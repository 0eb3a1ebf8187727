package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Segments;
import java.util.List;

/**
 * The twins of update.cl: the column sums, each optimizer's step on one array and on up to
 * {@code Kernels.SEGMENTS} (the {@code *_layers} kernels), and gradient clipping. The momentum and Adam loops
 * ({@link UpdateLoops}) use the Vector API where the JVM has it, the same operations lane by lane.
 */
abstract class UpdateTwins extends ActivationTwins {
  private final UpdateLoops updates;

  UpdateTwins(MatmulRows loops, UpdateLoops updates) {
    super(loops);
    this.updates = updates;
  }

  @Override
  public void columnSum(int rows, int cols, float scale, float[] x, float[] sums) {
    // each column's sum in ascending rows, as the kernel's; the columns side by side, so x is read once in order
    float[] sum = new float[cols];
    for (int r = 0; r < rows; r++) {
      int row = r * cols;
      for (int col = 0; col < cols; col++) {
        sum[col] += x[row + col];
      }
    }
    for (int col = 0; col < cols; col++) {
      sums[col] = scale * sum[col];
    }
  }

  /** update.cl's sgd_step(): element i of sgd_update. */
  static void sgdStep(int i, float learningRate, float weightDecay, float[] dw, float[] w) {
    float g = dw[i] + weightDecay * w[i];
    w[i] = w[i] - learningRate * g;
  }

  @Override
  public void sgdUpdate(int count, float learningRate, float weightDecay, float[] dw, float[] w) {
    for (int i = 0; i < count; i++) {
      sgdStep(i, learningRate, weightDecay, dw, w);
    }
  }

  @Override
  public void momentumUpdate(int count, float learningRate, float momentum, float weightDecay, float[] dw,
      float[] velocity, float[] w) {
    inParts(count, (from, to) -> updates.momentum(from, to, learningRate, momentum, weightDecay, dw, velocity, w));
  }

  @Override
  public void adamUpdate(int count, float learningRate, AdamConstants adam, float weightDecay,
      float correction1, float correction2, float[] dw, float[] m, float[] v, float[] w) {
    inParts(count, (from, to) -> updates.adam(from, to, learningRate, adam, weightDecay, correction1, correction2, dw,
        m, v, w));
  }

  /** The kernel's work-items in the order of its range: slot 0's elements, then slot 1's, and so on. */
  @Override
  public void sgdUpdateLayers(int[] count, float learningRate, float[] weightDecay, List<float[]> dw,
      List<float[]> w) {
    Segments.total(count, weightDecay, dw, w);
    for (int s = 0; s < count.length; s++) {
      sgdUpdate(count[s], learningRate, weightDecay[s], dw.get(s), w.get(s));
    }
  }

  @Override
  public void momentumUpdateLayers(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<float[]> dw, List<float[]> velocity, List<float[]> w) {
    Segments.total(count, weightDecay, dw, velocity, w);
    for (int s = 0; s < count.length; s++) {
      momentumUpdate(count[s], learningRate, momentum, weightDecay[s], dw.get(s), velocity.get(s), w.get(s));
    }
  }

  @Override
  public void adamUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<float[]> dw, List<float[]> m,
      List<float[]> v, List<float[]> w) {
    Segments.total(count, weightDecay, dw, m, v, w);
    for (int s = 0; s < count.length; s++) {
      adamUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2, dw.get(s), m.get(s),
          v.get(s), w.get(s));
    }
  }

  @Override
  public void adamwUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, float[] dw, float[] m, float[] v, float[] w) {
    for (int i = 0; i < count; i++) {
      w[i] = w[i] * (1.0f - learningRate * weightDecay);
      UpdateLoops.adamStep(i, learningRate, adam, 0.0f, correction1, correction2, dw, m, v, w);
    }
  }

  @Override
  public void adamwUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<float[]> dw, List<float[]> m, List<float[]> v,
      List<float[]> w) {
    Segments.total(count, weightDecay, dw, m, v, w);
    for (int s = 0; s < count.length; s++) {
      adamwUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2, dw.get(s), m.get(s),
          v.get(s), w.get(s));
    }
  }

  @Override
  public void squareSums(int count, int first, float[] x, float[] partials) {
    for (int b = 0; b * NORM_BLOCK < count; b++) {
      float sum = 0.0f;
      for (int i = b * NORM_BLOCK; i < Math.min((b + 1) * NORM_BLOCK, count); i++) {
        sum += x[i] * x[i];
      }
      partials[first + b] = sum;
    }
  }

  @Override
  public void clipFactor(int blocks, float maxNorm, float[] partials, float[] factor) {
    float total = 0.0f;
    for (int b = 0; b < blocks; b++) {
      total += partials[b];
    }
    float clip = maxNorm / ((float) Math.sqrt(total) + 1e-6f);
    factor[0] = clip < 1.0f ? clip : 1.0f;
  }

  @Override
  public void scaleBy(int count, float[] factor, float[] x) {
    for (int i = 0; i < count; i++) {
      x[i] = x[i] * factor[0];
    }
  }

  /** Whether small_net.cl's optimizer {@code code} keeps two moments (m, v) and bias corrections: Adam's kind. */
  static boolean hasTwoMoments(int code) {
    return code == dev.cltrain.nn.Adam.CODE || code == dev.cltrain.nn.AdamW.CODE;
  }

  /**
   * small_net.cl's update_one: update.cl's step for params[i], its state at state[i] (and state[i + stride]
   * for Adam's v); a moment below the smallest normal float becomes +0.
   */
  static void updateOne(int optimizer, float learningRate, float momentum, AdamConstants adam,
      float weightDecay, float correction1, float correction2, float dw, float[] params, float[] state, int i,
      int stride) {
    if (optimizer == dev.cltrain.nn.AdamW.CODE) {
      params[i] = params[i] * (1.0f - learningRate * weightDecay);
    }
    float g = optimizer == dev.cltrain.nn.AdamW.CODE ? dw : dw + weightDecay * params[i];
    if (optimizer == dev.cltrain.nn.Momentum.CODE) {
      float v = UpdateLoops.flushMoment(momentum * state[i] + g);
      state[i] = v;
      params[i] = params[i] - learningRate * v;
    } else if (hasTwoMoments(optimizer)) {
      float beta1 = adam.beta1();
      float beta2 = adam.beta2();
      float epsilon = adam.epsilon();
      float m1 = UpdateLoops.flushMoment(beta1 * state[i] + (1.0f - beta1) * g);
      float v1 = UpdateLoops.flushMoment(beta2 * state[i + stride] + (1.0f - beta2) * (g * g));
      state[i] = m1;
      state[i + stride] = v1;
      float step = (m1 / correction1) / ((float) Math.sqrt(v1 / correction2) + epsilon);
      params[i] = params[i] - learningRate * step;
    } else {
      params[i] = params[i] - learningRate * g;
    }
  }
}
