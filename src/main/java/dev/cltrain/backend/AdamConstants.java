package dev.cltrain.backend;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.io.Serializable;

/**
 * Adam's constants, as the update kernels take them (adam_update's beta1, beta2, epsilon, one named record
 * where the kernels have three arguments): the one place that holds their defaults.
 *
 * @param beta1   β1, the first moment's decay, in [0, 1)
 * @param beta2   β2, the second moment's decay, in [0, 1)
 * @param epsilon ε, added to the denominator, positive and finite
 * @serial exclude
 */
public record AdamConstants(float beta1, float beta2, float epsilon) implements Serializable {
  /** β1 when --beta1 is not given. */
  public static final float DEFAULT_BETA1 = 0.9f;
  /** β2 when --beta2 is not given. */
  public static final float DEFAULT_BETA2 = 0.999f;
  /** ε when --eps is not given. */
  public static final float DEFAULT_EPSILON = 1e-8f;
  /** The usual β1 0.9, β2 0.999, ε 1e-8: Adam's paper's, PyTorch's and Keras's. */
  public static final AdamConstants DEFAULT = new AdamConstants(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);

  /**
   * Checks the constants.
   *
   * @param beta1   β1, in [0, 1)
   * @param beta2   β2, in [0, 1)
   * @param epsilon ε, positive and finite
   * @throws InputException naming the bad value and its command-line option
   */
  public AdamConstants {
    requireBetas(beta1, beta2);
    requireEpsilon(epsilon);
  }

  /**
   * @param beta1 β1
   * @param beta2 β2
   * @throws InputException unless both are in [0, 1)
   */
  public static void requireBetas(float beta1, float beta2) {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new InputException(Wording.of("Adam's beta1 and beta2 (", Wording.param("beta1"), ", ",
          Wording.param("beta2"), ") must be in [0, 1), got ", beta1, " and ", beta2));
    }
  }

  /**
   * @param epsilon ε
   * @throws InputException unless positive and finite
   */
  public static void requireEpsilon(float epsilon) {
    if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
      throw new InputException(Wording.of("Adam's epsilon (", Wording.param("epsilon"),
          ") must be a positive finite number, got ", epsilon));
    }
  }

  /**
   * @param step t, from 1
   * @return 1 − β1ᵗ, as the host computes it for every device: in double, rounded once
   */
  public float correction1(long step) {
    return (float) (1.0 - Math.pow(beta1, step));
  }

  /**
   * @param step t, from 1
   * @return 1 − β2ᵗ, as {@link #correction1}
   */
  public float correction2(long step) {
    return (float) (1.0 - Math.pow(beta2, step));
  }
}
