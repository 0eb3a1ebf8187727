package dev.cltrain.nn;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.SmallNetOptimizer;
import dev.cltrain.core.InputException;
import java.util.List;

/**
 * Plain gradient descent, the seed's: w −= η·g with g = dw + λw (update.cl's sgd_update).
 *
 * @param learningRate η, the step size
 * @param weightDecay  λ, L2 weight decay added to the weights' gradients; 0 for none
 * @param regularization decay-all, clipping and label smoothing ({@link Regularization#NONE} for none)
 * @serial exclude
 */
public record Sgd(float learningRate, float weightDecay, Regularization regularization) implements Optimizer {
  /** small_net.cl's OPT_SGD. */
  public static final int CODE = 0;
  /** η when --lr is not given. */
  public static final float DEFAULT_LEARNING_RATE = 0.1f;
  /** --optimizer sgd. */
  public static final Kind KIND = new Kind("sgd", CODE, DEFAULT_LEARNING_RATE,
      given -> new Sgd(given.rate(Sgd.KIND), given.decay()));

  /**
   * @param learningRate η, positive and finite
   * @param weightDecay  λ, finite and at least 0
   * @throws dev.cltrain.core.InputException naming the bad value and its command-line option
   */
  public Sgd {
    Optimizer.requireRate(learningRate);
    Optimizer.requireDecay(weightDecay);
    InputException.require(regularization, "the regularization");
    Optimizer.requireDecayToApply(regularization, weightDecay);
  }

  /**
   * @param learningRate η, positive and finite
   * @param weightDecay  λ, finite and at least 0
   */
  public Sgd(float learningRate, float weightDecay) {
    this(learningRate, weightDecay, Regularization.NONE);
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public Sgd withWeightDecay(float decay) {
    return new Sgd(learningRate, decay, regularization);
  }

  @Override
  public Sgd withRegularization(Regularization applied) {
    return new Sgd(learningRate, weightDecay, applied);
  }

  @Override
  public int stateBuffers() {
    return 0;
  }

  @Override
  public String describe() {
    return "sgd (η " + Optimizer.decimal(learningRate) + Optimizer.decaySuffix(weightDecay) + regularization.suffix() + ")";
  }

  @Override
  public <B> void update(Kernels<B, ?> kernels, List<Slots<B>> groups, float rate, long step) {
    for (Slots<B> g : groups) {
      kernels.sgdUpdateLayers(g.count(), rate, g.weightDecay(), g.dw(), g.w());
    }
  }

  @Override
  public SmallNetOptimizer smallNet() {
    return new SmallNetOptimizer(CODE, 0, AdamConstants.DEFAULT);
  }
}
