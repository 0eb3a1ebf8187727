package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.SmallNetOptimizer;
import java.util.List;

/**
 * Adam with bias correction (Kingma and Ba): m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², w −= η·(m/(1 − β1ᵗ))
 * / (√(v/(1 − β2ᵗ)) + ε) with g = dw + λw (update.cl's adam_update); two state buffers, m then v.
 *
 * @param learningRate η, the step size
 * @param constants    β1, β2 and ε
 * @param weightDecay  λ, L2 weight decay added to the weights' gradients; 0 for none
 * @param regularization decay-all, clipping and label smoothing ({@link Regularization#NONE} for none)
 * @serial exclude
 */
public record Adam(float learningRate, AdamConstants constants, float weightDecay, Regularization regularization)
    implements Optimizer {
  /** small_net.cl's OPT_ADAM. */
  public static final int CODE = 2;
  /** η when --lr is not given. */
  public static final float DEFAULT_LEARNING_RATE = 0.001f;
  /** --optimizer adam. */
  public static final Kind KIND = new Kind("adam", CODE, DEFAULT_LEARNING_RATE, given -> new Adam(given.rate(Adam.KIND),
      new AdamConstants(given.beta1() != null ? given.beta1() : AdamConstants.DEFAULT.beta1(),
          given.beta2() != null ? given.beta2() : AdamConstants.DEFAULT.beta2(),
          given.epsilon() != null ? given.epsilon() : AdamConstants.DEFAULT.epsilon()), given.decay()));

  /**
   * @param learningRate η, positive and finite
   * @param constants    β1, β2, ε
   * @param weightDecay  λ, finite and at least 0
   * @throws InputException naming the bad value and its command-line option
   */
  public Adam {
    check(learningRate, constants, weightDecay, regularization);
  }

  /** The checks of Adam's and {@link AdamW}'s values, naming the bad one. */
  static void check(float learningRate, AdamConstants constants, float weightDecay, Regularization regularization) {
    Optimizer.requireRate(learningRate);
    InputException.require(constants, "Adam's constants");
    Optimizer.requireDecay(weightDecay);
    InputException.require(regularization, "the regularization");
    Optimizer.requireDecayToApply(regularization, weightDecay);
  }

  /**
   * @param learningRate η, positive and finite
   * @param constants    β1, β2, ε
   * @param weightDecay  λ, finite and at least 0
   */
  public Adam(float learningRate, AdamConstants constants, float weightDecay) {
    this(learningRate, constants, weightDecay, Regularization.NONE);
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public Adam withWeightDecay(float decay) {
    return new Adam(learningRate, constants, decay, regularization);
  }

  @Override
  public Adam withRegularization(Regularization applied) {
    return new Adam(learningRate, constants, weightDecay, applied);
  }

  @Override
  public int stateBuffers() {
    return 2;
  }

  @Override
  public String describe() {
    return describe("adam", learningRate, constants, Optimizer.decaySuffix(weightDecay) + regularization.suffix());
  }

  /** "NAME (η …, β1 …, β2 …, ε …TAIL)", for {@link #describe()} here and in {@link AdamW}. */
  static String describe(String name, float learningRate, AdamConstants constants, String tail) {
    return name + " (η " + Optimizer.decimal(learningRate) + ", β1 " + Optimizer.decimal(constants.beta1()) + ", β2 "
        + Optimizer.decimal(constants.beta2()) + ", ε " + Optimizer.decimal(constants.epsilon()) + tail + ")";
  }

  @Override
  public <B> void update(Kernels<B, ?> kernels, List<Slots<B>> groups, float rate, long step) {
    float correction1 = constants.correction1(step);
    float correction2 = constants.correction2(step);
    for (Slots<B> g : groups) {
      kernels.adamUpdateLayers(g.count(), rate, constants, g.weightDecay(), correction1, correction2, g.dw(),
          g.state().get(0), g.state().get(1), g.w());
    }
  }

  @Override
  public SmallNetOptimizer smallNet() {
    return new SmallNetOptimizer(CODE, 0, constants);
  }

  @Override
  public float[] corrections(long firstStep, int steps) {
    float[] c = new float[2 * steps];
    for (int e = 0; e < steps; e++) {
      c[2 * e] = constants.correction1(firstStep + e);
      c[2 * e + 1] = constants.correction2(firstStep + e);
    }
    return c;
  }
}
