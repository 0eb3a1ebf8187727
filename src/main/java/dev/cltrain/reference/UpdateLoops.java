package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;

/**
 * The reference's momentum and Adam loops over elements [0, count): update.cl's momentum_step and adam_step
 * for each element, moments flushed (|x| &lt; FLT_MIN becomes +0). {@link #plain()} is the loop itself, one
 * element after another; {@link #best()} adds SIMD through the Vector API when the JVM has the
 * jdk.incubator.vector module, the same IEEE operations lane by lane, so the same bits. The flush's compare
 * keeps the JIT from vectorising the plain loop (Adam on the Fashion-MNIST recipe: 140 ms an epoch before the
 * flush, 880 ms with it in the plain loop).
 */
interface UpdateLoops {
  /** Elements [from, to) of momentum_update. */
  void momentum(int from, int to, float learningRate, float momentum, float weightDecay, float[] dw, float[] velocity,
      float[] w);

  /** Elements [from, to) of adam_update. */
  void adam(int from, int to, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, float[] dw, float[] m, float[] v, float[] w);

  /** "plain Java" or "Vector API, 16 lanes". */
  String describe();

  /** One element after another, nothing clever. */
  static UpdateLoops plain() {
    return Plain.INSTANCE;
  }

  /** The Vector API loops when the module is present, else {@link #plain()}. */
  static UpdateLoops best() {
    return Best.INSTANCE;
  }

  /** update.cl's flush_moment(): a moment's new value, with subnormals and −0 (|x| &lt; FLT_MIN) stored as +0. */
  static float flushMoment(float x) {
    return (x > -Float.MIN_NORMAL && x < Float.MIN_NORMAL) ? 0.0f : x;
  }

  /** update.cl's momentum_step(): element i of momentum_update. */
  static void momentumStep(int i, float learningRate, float momentum, float weightDecay, float[] dw,
      float[] velocity, float[] w) {
    float g = dw[i] + weightDecay * w[i];
    float v = flushMoment(momentum * velocity[i] + g);
    velocity[i] = v;
    w[i] = w[i] - learningRate * v;
  }

  /** update.cl's adam_step(): element i of adam_update. */
  static void adamStep(int i, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, float[] dw, float[] m, float[] v, float[] w) {
    float beta1 = adam.beta1();
    float beta2 = adam.beta2();
    float epsilon = adam.epsilon();
    float g = dw[i] + weightDecay * w[i];
    float m1 = flushMoment(beta1 * m[i] + (1.0f - beta1) * g);
    float v1 = flushMoment(beta2 * v[i] + (1.0f - beta2) * (g * g));
    m[i] = m1;
    v[i] = v1;
    float step = (m1 / correction1) / ((float) Math.sqrt(v1 / correction2) + epsilon);
    w[i] = w[i] - learningRate * step;
  }

  /** Holder: decides once, on first use, whether the Vector API is there. */
  final class Best {
    static final UpdateLoops INSTANCE = load();

    private Best() {}

    private static UpdateLoops load() {
      return MatmulRows.vectorLoops(UpdateLoops.class, "VectorUpdate", plain());
    }
  }

  /** The plain loops. */
  final class Plain implements UpdateLoops {
    static final Plain INSTANCE = new Plain();

    private Plain() {}

    @Override
    public void momentum(int from, int to, float learningRate, float momentum, float weightDecay, float[] dw,
        float[] velocity, float[] w) {
      for (int i = from; i < to; i++) {
        momentumStep(i, learningRate, momentum, weightDecay, dw, velocity, w);
      }
    }

    @Override
    public void adam(int from, int to, float learningRate, AdamConstants adam, float weightDecay, float correction1,
        float correction2, float[] dw, float[] m, float[] v, float[] w) {
      for (int i = from; i < to; i++) {
        adamStep(i, learningRate, adam, weightDecay, correction1, correction2, dw, m, v, w);
      }
    }

    @Override
    public String describe() {
      return "plain Java";
    }
  }
}
