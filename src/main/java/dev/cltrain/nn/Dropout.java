package dev.cltrain.nn;

/**
 * Inverted dropout while training: each value is kept with probability 1 − rate and then multiplied by
 * 1 / (1 − rate), or set to 0; at inference it passes values through. Which values are dropped is a pure
 * function of the network's dropout seed, the optimizer step and the value's index (kernels/conv.cl dropout,
 * Philox-4×32-10), the same on every device.
 *
 * @param input the shape taken (and given)
 * @param rate  the probability of dropping a value, 0 ≤ rate &lt; 1
 */
public record Dropout(Shape input, float rate) implements Layer {
  /**
   * @param input the shape it is applied to
   * @param rate  the probability of dropping a value, 0 ≤ rate &lt; 1
   * @throws IllegalArgumentException if the rate is outside [0, 1)
   */
  public Dropout {
    checkRate(rate);
  }

  /**
   * @param rate a dropout rate
   * @throws IllegalArgumentException if it is outside [0, 1)
   */
  public static void checkRate(float rate) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate " + rate + " is outside [0, 1)");
    }
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public LayerKind kind() {
    return LayerKind.DROPOUT;
  }

  @Override
  public String spec() {
    return "dropout:" + rate;
  }

  /**
   * @param rate the dropout rate
   * @return the integer a 24-bit uniform draw must reach to keep a value: round(rate · 2²⁴)
   */
  public static int threshold(float rate) {
    return (int) Math.round(rate * (double) (1 << 24));
  }

  /**
   * @param rate the dropout rate
   * @return what a kept value is multiplied by: 1 / (1 − rate), as a float
   */
  public static float scale(float rate) {
    return 1.0f / (1.0f - rate);
  }
}
