package dev.cltrain.nn;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.SmallNetOptimizer;
import java.util.List;

/**
 * Gradient descent with momentum, PyTorch's convention: v = μv + g, w −= η·v with g = dw + λw (update.cl's
 * momentum_update); one state buffer, the velocity.
 *
 * @param learningRate η, the step size
 * @param momentum     μ, the velocity's decay, in [0, 1)
 * @param weightDecay  λ, L2 weight decay added to the weights' gradients; 0 for none
 * @param regularization decay-all, clipping and label smoothing ({@link Regularization#NONE} for none)
 * @serial exclude
 */
public record Momentum(float learningRate, float momentum, float weightDecay, Regularization regularization)
    implements Optimizer {
  /** small_net.cl's OPT_MOMENTUM. */
  public static final int CODE = 1;
  /** η when --lr is not given. */
  public static final float DEFAULT_LEARNING_RATE = 0.01f;
  /** μ when --momentum is not given. */
  public static final float DEFAULT_MOMENTUM = 0.9f;
  /** --optimizer momentum. */
  public static final Kind KIND = new Kind("momentum", CODE, DEFAULT_LEARNING_RATE,
      given -> new Momentum(given.rate(Momentum.KIND),
          given.momentum() != null ? given.momentum() : DEFAULT_MOMENTUM, given.decay()));

  /**
   * @param learningRate η, positive and finite
   * @param momentum     μ, in [0, 1)
   * @param weightDecay  λ, finite and at least 0
   * @throws dev.cltrain.core.InputException naming the bad value and its command-line option
   */
  public Momentum {
    Optimizer.requireRate(learningRate);
    Optimizer.requireFraction("momentum", momentum);
    Optimizer.requireDecay(weightDecay);
    dev.cltrain.core.InputException.require(regularization, "the regularization");
    Optimizer.requireDecayToApply(regularization, weightDecay);
  }

  /**
   * @param learningRate η, positive and finite
   * @param momentum     μ, in [0, 1)
   * @param weightDecay  λ, finite and at least 0
   */
  public Momentum(float learningRate, float momentum, float weightDecay) {
    this(learningRate, momentum, weightDecay, Regularization.NONE);
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public Momentum withWeightDecay(float decay) {
    return new Momentum(learningRate, momentum, decay, regularization);
  }

  @Override
  public Momentum withRegularization(Regularization applied) {
    return new Momentum(learningRate, momentum, weightDecay, applied);
  }

  @Override
  public int stateBuffers() {
    return 1;
  }

  @Override
  public String describe() {
    return "momentum (η " + Optimizer.decimal(learningRate) + ", μ " + Optimizer.decimal(momentum)
        + Optimizer.decaySuffix(weightDecay) + regularization.suffix() + ")";
  }

  @Override
  public <B> void update(Kernels<B, ?> kernels, List<Slots<B>> groups, float rate, long step) {
    for (Slots<B> g : groups) {
      kernels.momentumUpdateLayers(g.count(), rate, momentum, g.weightDecay(), g.dw(), g.state().get(0), g.w());
    }
  }

  @Override
  public SmallNetOptimizer smallNet() {
    return new SmallNetOptimizer(CODE, momentum, AdamConstants.DEFAULT);
  }
}
