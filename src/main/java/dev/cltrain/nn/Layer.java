package dev.cltrain.nn;

/**
 * One dense layer: z = a_prev · weights + bias, a = activation(z).
 *
 * @param weights inputs × outputs, row-major (the seed's {@code weights} shape)
 * @param bias    outputs
 */
public record Layer(int inputs, int outputs, Activation activation, float[] weights, float[] bias) {
  public Layer {
    if (weights.length != inputs * outputs || bias.length != outputs) {
      throw new IllegalArgumentException("layer " + inputs + "x" + outputs + " given " + weights.length
          + " weights and " + bias.length + " biases");
    }
  }

  /** Weight from input {@code i} to output {@code j}. */
  public float weight(int i, int j) {
    return weights[i * outputs + j];
  }

  public Layer copy() {
    return new Layer(inputs, outputs, activation, weights.clone(), bias.clone());
  }
}
