package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link UpdateLoops} with the Vector API: the plain loop's operations, in its order, lane by lane (each lane is
 * one element; add, multiply, divide and sqrt are IEEE-exact per lane, no fused multiply-add), and the flush
 * as a compare and a blend. Elements past the last whole vector take the plain step. Used only when the JVM
 * has jdk.incubator.vector (see {@link UpdateLoops#best()}).
 */
final class VectorUpdate implements UpdateLoops {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** flush_moment lane by lane: lanes with −FLT_MIN &lt; x &lt; FLT_MIN become +0. */
  private static FloatVector flush(FloatVector x) {
    VectorMask<Float> small = x.compare(VectorOperators.GT, -Float.MIN_NORMAL)
        .and(x.compare(VectorOperators.LT, Float.MIN_NORMAL));
    return x.blend(0.0f, small);
  }

  @Override
  public void momentum(int from, int to, float learningRate, float momentum, float weightDecay, float[] dw,
      float[] velocity, float[] w) {
    int i = from;
    for (; i + L <= to; i += L) {
      FloatVector wi = FloatVector.fromArray(S, w, i);
      FloatVector g = FloatVector.fromArray(S, dw, i).add(wi.mul(weightDecay));
      FloatVector v = flush(FloatVector.fromArray(S, velocity, i).mul(momentum).add(g));
      v.intoArray(velocity, i);
      wi.sub(v.mul(learningRate)).intoArray(w, i);
    }
    for (; i < to; i++) {
      UpdateLoops.momentumStep(i, learningRate, momentum, weightDecay, dw, velocity, w);
    }
  }

  @Override
  public void adam(int from, int to, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, float[] dw, float[] m, float[] v, float[] w) {
    float beta1 = adam.beta1();
    float beta2 = adam.beta2();
    float epsilon = adam.epsilon();
    float keep1 = 1.0f - beta1;
    float keep2 = 1.0f - beta2;
    int i = from;
    for (; i + L <= to; i += L) {
      FloatVector wi = FloatVector.fromArray(S, w, i);
      FloatVector g = FloatVector.fromArray(S, dw, i).add(wi.mul(weightDecay));
      FloatVector m1 = flush(FloatVector.fromArray(S, m, i).mul(beta1).add(g.mul(keep1)));
      FloatVector v1 = flush(FloatVector.fromArray(S, v, i).mul(beta2).add(g.mul(g).mul(keep2)));
      m1.intoArray(m, i);
      v1.intoArray(v, i);
      FloatVector step = m1.div(correction1).div(v1.div(correction2).lanewise(VectorOperators.SQRT).add(epsilon));
      wi.sub(step.mul(learningRate)).intoArray(w, i);
    }
    for (; i < to; i++) {
      UpdateLoops.adamStep(i, learningRate, adam, weightDecay, correction1, correction2, dw, m, v, w);
    }
  }

  @Override
  public String describe() {
    return "Vector API, " + L + " lanes";
  }
}
