package dev.cltrain.device;

/**
 * How a run on a device compared with the Java reference run in lockstep ({@link dev.cltrain.Training#verify}).
 *
 * <p>Thread-safe: an immutable value.
 *
 * @param weightDifference the largest |device − reference| of any weight or bias, over the measured epochs
 *                         and the end (NaN if either side produced a NaN)
 * @param lossDifference   the largest |device − reference| of the loss, likewise
 * @param tolerance        the largest difference allowed: {@link #TOLERANCE}
 */
public record Verification(float weightDifference, float lossDifference, float tolerance) {
  /**
   * Largest |device − reference| allowed for weights and for the loss. The kernels use only correctly
   * rounded float operations in the reference's order (exp and tanh written out in prelude.cl, divisions and
   * sqrt built with -cl-fp32-correctly-rounded-divide-sqrt), so on such devices training is bit for bit the
   * reference's and the weight difference is 0; only the loss's summation order differs (~1e-7). 1e-4 leaves
   * room for a device without correctly rounded division while still catching a wrong kernel (a 1 % error in
   * one update is caught). The one place this number is written: {@code cltrain verify}, {@code train
   * --verify} and the tests read it from here.
   */
  public static final float TOLERANCE = 1e-4f;

  /** {@return whether both differences are within the tolerance (a NaN fails)} */
  public boolean pass() {
    return weightDifference <= tolerance && lossDifference <= tolerance;
  }
}
