package dev.cltrain.nn;

import dev.cltrain.core.InputException;

/**
 * How initial weights are drawn, all from the NumPy-compatible generator, layer by layer in order.
 * {@code normal} is the seed's: weights then bias, each {@code np.random.randn}. {@code xavier} (Glorot
 * normal) scales the weights' draws by sqrt(2 / (inputs + outputs)), {@code he} by sqrt(2 / inputs); both
 * start biases at zero and draw nothing for them.
 */
public enum Init {
  /** Weights then bias, each standard normal (the seed's {@code np.random.randn}). */
  NORMAL("normal"),
  /** Glorot normal: weights standard normal × sqrt(2 / (inputs + outputs)), biases zero. */
  XAVIER("xavier"),
  /** He normal: weights standard normal × sqrt(2 / inputs), biases zero. */
  HE("he");

  /** The name on the command line ({@code --init}). */
  public final String id;

  Init(String id) {
    this.id = id;
  }

  /**
   * The initialisation named {@code id}.
   *
   * @param id the name given to {@code --init}
   * @return the initialisation with that {@link #id}
   * @throws InputException if no initialisation has that name
   */
  public static Init parse(String id) {
    for (Init i : values()) {
      if (i.id.equals(id)) {
        return i;
      }
    }
    throw InputException.parameter("init", ": unknown initialisation '" + id + "' (supported: normal, xavier, he)");
  }

  /**
   * The sensible default: the seed's normal for sigmoid nets under MSE; he for relu; xavier otherwise.
   *
   * @param hidden the hidden layers' activation
   * @param loss   the loss the network is trained with
   * @return the initialisation to use when none is given
   */
  public static Init defaultFor(Activation hidden, Loss loss) {
    if (hidden == Activation.RELU) {
      return HE;
    }
    return hidden == Activation.SIGMOID && loss == Loss.MSE ? NORMAL : XAVIER;
  }

  /** One layer's weights (inputs × outputs, row-major) and bias, drawn in that order. */
  float[][] draw(NumpyRandom random, int inputs, int outputs) {
    float[] weights = random.randnFloats(inputs * outputs);
    if (this == NORMAL) {
      return new float[][] {weights, random.randnFloats(outputs)};
    }
    double scale = this == HE ? Math.sqrt(2.0 / inputs) : Math.sqrt(2.0 / (inputs + outputs));
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (weights[i] * scale);
    }
    return new float[][] {weights, new float[outputs]};
  }
}
