package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.io.Serializable;

/**
 * What an {@link Optimizer} applies around its step besides its own rule: whether weight decay reaches every
 * parameter ({@code --decay-all}), global gradient-norm clipping ({@code --clip-norm}) and label smoothing of
 * cross-entropy targets ({@code --label-smoothing}). {@link #NONE}, the default, changes no bit of any run.
 *
 * <pre>
 * decayAll        λ for biases too (without it, weight decay and AdamW's decay skip biases)
 * clipNorm C      every gradient of the batch scaled by min(1, C/‖g‖), ‖g‖ the L2 norm of all of them
 *                 (torch.nn.utils.clip_grad_norm_; after the data-parallel sum); 0 for none
 * labelSmoothing  E: targets (1 − E)·y + E/K for K classes (torch.nn.CrossEntropyLoss(label_smoothing=E)), xent only
 * </pre>
 *
 * @param decayAll       whether weight decay applies to biases as well as weights
 * @param clipNorm       C, positive, or 0 for no clipping
 * @param labelSmoothing E in [0, 1); 0 for none
 * @serial exclude
 */
public record Regularization(boolean decayAll, float clipNorm, float labelSmoothing) implements Serializable {
  /** Nothing applied: every existing run's bits. */
  public static final Regularization NONE = new Regularization(false, 0, 0);

  /**
   * @param decayAll       whether biases decay too
   * @param clipNorm       C, positive and finite, or 0 for none
   * @param labelSmoothing E in [0, 1)
   * @throws InputException naming the bad value (the library's parameter names)
   */
  public Regularization {
    clipNorm = clipNorm + 0.0f; // −0 as 0, so that equals() sees no clipping either way
    labelSmoothing = labelSmoothing + 0.0f;
    if (!(clipNorm >= 0) || Float.isInfinite(clipNorm)) {
      throw InputException.parameter("clipNorm", "must be a positive finite number (0 for none), got " + clipNorm);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw InputException.parameter("labelSmoothing", "must be in [0, 1), got " + labelSmoothing);
    }
  }

  /**
   * The regularization a command line gives ({@code --decay-all}, {@code --clip-norm}, {@code --label-smoothing}),
   * each null where not given; a clipping norm given must be above 0.
   *
   * @param decayAll       whether biases decay too, or null
   * @param clipNorm       C, or null
   * @param labelSmoothing E, or null
   * @return the regularization, or null when none of the three is given (every earlier run's path)
   * @throws InputException naming the bad value
   */
  public static Regularization given(Boolean decayAll, Float clipNorm, Float labelSmoothing) {
    if (decayAll == null && clipNorm == null && labelSmoothing == null) {
      return null;
    }
    if (clipNorm != null && !(clipNorm > 0)) {
      throw InputException.parameter("clipNorm", "must be a positive finite number, got " + clipNorm);
    }
    return new Regularization(Boolean.TRUE.equals(decayAll), clipNorm == null ? 0 : clipNorm,
        labelSmoothing == null ? 0 : labelSmoothing);
  }

  /**
   * The targets cross-entropy trains on with label smoothing E: (1 − E)·y + E/K per element, in float.
   *
   * @param y       one-hot (or soft) targets, rows × classes
   * @param classes K, the targets per row
   * @return the smoothed targets; {@code y} itself when E is 0
   */
  public float[] smoothedTargets(float[] y, int classes) {
    if (labelSmoothing == 0) {
      return y;
    }
    float[] t = new float[y.length];
    float spread = labelSmoothing / classes;
    for (int i = 0; i < y.length; i++) {
      t[i] = (1.0f - labelSmoothing) * y[i] + spread;
    }
    return t;
  }

  /** {@return ", decay all, clip-norm C, label smoothing E" for the parts applied, for {@link Optimizer#describe()}} */
  String suffix() {
    return (decayAll ? ", decay all" : "") + (clipNorm > 0 ? ", clip-norm " + Optimizer.decimal(clipNorm) : "")
        + (labelSmoothing > 0 ? ", label smoothing " + Optimizer.decimal(labelSmoothing) : "");
  }
}
