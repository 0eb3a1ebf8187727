package dev.cltrain.nn;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.SmallNetOptimizer;
import dev.cltrain.core.InputException;
import java.util.List;

/**
 * AdamW, Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW computes it: first
 * w = w·(1 − η·λ), then Adam's step from the decayed w with g = dw (no L2 term): m = β1·m + (1 − β1)·g,
 * v = β2·v + (1 − β2)·g², w −= η·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε) (update.cl's adamw_update); two state
 * buffers, m then v, as Adam's. λ defaults to PyTorch's 0.01 ({@link #DEFAULT_WEIGHT_DECAY}); biases are not
 * decayed unless every parameter is ({@code --decay-all}).
 *
 * @param learningRate η, the step size
 * @param constants    β1, β2 and ε
 * @param weightDecay  λ, the decoupled decay factor; 0 for none
 * @param regularization decay-all, clipping and label smoothing ({@link Regularization#NONE} for none)
 * @serial exclude
 */
public record AdamW(float learningRate, AdamConstants constants, float weightDecay, Regularization regularization)
    implements Optimizer {
  /** small_net.cl's OPT_ADAMW. */
  public static final int CODE = 3;
  /** λ when --weight-decay is not given: torch.optim.AdamW's default. */
  public static final float DEFAULT_WEIGHT_DECAY = 0.01f;
  /** --optimizer adamw; η defaults to Adam's. */
  public static final Kind KIND = new Kind("adamw", CODE, Adam.DEFAULT_LEARNING_RATE, given -> new AdamW(
      given.rate(AdamW.KIND), ((Adam) Adam.KIND.build(given)).constants(),
      given.weightDecay() != null ? given.weightDecay() : DEFAULT_WEIGHT_DECAY));

  /**
   * @param learningRate η, positive and finite
   * @param constants    β1, β2, ε
   * @param weightDecay  λ, finite and at least 0
   * @throws InputException naming the bad value and its command-line option
   */
  public AdamW {
    Adam.check(learningRate, constants, weightDecay, regularization);
  }

  /**
   * @param learningRate η, positive and finite
   * @param constants    β1, β2, ε
   * @param weightDecay  λ, finite and at least 0
   */
  public AdamW(float learningRate, AdamConstants constants, float weightDecay) {
    this(learningRate, constants, weightDecay, Regularization.NONE);
  }

  @Override
  public Kind kind() {
    return KIND;
  }

  @Override
  public AdamW withWeightDecay(float decay) {
    return new AdamW(learningRate, constants, decay, regularization);
  }

  @Override
  public AdamW withRegularization(Regularization applied) {
    return new AdamW(learningRate, constants, weightDecay, applied);
  }

  @Override
  public int stateBuffers() {
    return 2;
  }

  @Override
  public String describe() {
    return Adam.describe("adamw", learningRate, constants, ", decoupled weight decay " + Optimizer.decimal(weightDecay)
        + regularization.suffix());
  }

  @Override
  public <B> void update(Kernels<B, ?> kernels, List<Slots<B>> groups, float rate, long step) {
    float correction1 = constants.correction1(step);
    float correction2 = constants.correction2(step);
    for (Slots<B> g : groups) {
      kernels.adamwUpdateLayers(g.count(), rate, constants, g.weightDecay(), correction1, correction2, g.dw(),
          g.state().get(0), g.state().get(1), g.w());
    }
  }

  @Override
  public SmallNetOptimizer smallNet() {
    return new SmallNetOptimizer(CODE, 0, constants);
  }

  @Override
  public float[] corrections(long firstStep, int steps) {
    return new Adam(learningRate, constants, 0).corrections(firstStep, steps);
  }
}
