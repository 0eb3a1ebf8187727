package dev.cltrain.nn;

/**
 * One dense layer: z = a_prev · weights + bias, a = activation(z). An immutable value: the arrays are copied
 * in and out.
 *
 * @param inputs     the width of the layer's input
 * @param outputs    the number of units
 * @param activation the units' activation function
 * @param weights    inputs × outputs, row-major (the seed's {@code weights} shape)
 * @param bias       outputs
 */
public record Layer(int inputs, int outputs, Activation activation, float[] weights, float[] bias) {
  /**
   * Checks the shapes and copies the arrays.
   *
   * @param inputs     the width of the layer's input, at least 1
   * @param outputs    the number of units, at least 1
   * @param activation the units' activation function
   * @param weights    inputs × outputs, row-major; copied
   * @param bias       outputs; copied
   * @throws IllegalArgumentException if a width is below 1 or an array's length does not match them
   */
  public Layer {
    if (inputs <= 0 || outputs <= 0 || (long) inputs * outputs != weights.length || bias.length != outputs) {
      throw new IllegalArgumentException("layer " + inputs + "x" + outputs + " given " + weights.length
          + " weights and " + bias.length + " biases");
    }
    weights = weights.clone();
    bias = bias.clone();
  }

  /** @return a copy of the weights, inputs × outputs, row-major */
  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** @return a copy of the biases, one per output */
  @Override
  public float[] bias() {
    return bias.clone();
  }

  /** @return how many weights: inputs × outputs */
  public int weightCount() {
    return weights.length;
  }

  /**
   * @param i an input, 0 to inputs − 1
   * @param j an output, 0 to outputs − 1
   * @return the weight from input {@code i} to output {@code j}
   */
  public float weight(int i, int j) {
    return weights[i * outputs + j];
  }

  /**
   * @param j an output, 0 to outputs − 1
   * @return the bias of output {@code j}
   */
  public float bias(int j) {
    return bias[j];
  }

  /**
   * Kept for callers that copied layers before; a layer is immutable, so there is nothing to copy.
   *
   * @return this layer
   */
  public Layer copy() {
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Layer l && inputs == l.inputs && outputs == l.outputs && activation == l.activation
        && java.util.Arrays.equals(weights, l.weights) && java.util.Arrays.equals(bias, l.bias);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(inputs, outputs, activation, java.util.Arrays.hashCode(weights),
        java.util.Arrays.hashCode(bias));
  }

  @Override
  public String toString() {
    return "Layer(" + inputs + "x" + outputs + " " + activation.id + ")";
  }
}
