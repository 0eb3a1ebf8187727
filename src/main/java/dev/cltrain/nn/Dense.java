package dev.cltrain.nn;

/**
 * One dense layer: z = a_prev · weights + bias, a = activation(z). It takes its input as one flat row (a
 * layer before it that gives an image, HWC, is read as its {@link Shape#size()} values: flatten is implied).
 * An immutable value: the arrays are copied in and out.
 *
 * @param inputs     the width of the layer's input
 * @param outputs    the number of units
 * @param activation the units' activation function
 * @param weights    inputs × outputs, row-major (the seed's {@code weights} shape)
 * @param bias       outputs
 */
public record Dense(int inputs, int outputs, Activation activation, float[] weights, float[] bias) implements Layer {
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
  public Dense {
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
  public Dense copy() {
    return this;
  }

  /** @return 1 × 1 × inputs: a dense layer reads a flat row */
  @Override
  public Shape input() {
    return new Shape(1, 1, inputs);
  }

  @Override
  public boolean takes(Shape at) {
    return at.size() == inputs;
  }

  @Override
  public Shape output() {
    return new Shape(1, 1, outputs);
  }

  @Override
  public long parameterCount() {
    return (long) weights.length + bias.length;
  }

  @Override
  public java.util.List<float[]> parameters() {
    return java.util.List.of(weights(), bias());
  }

  @Override
  public Dense withParameters(java.util.List<float[]> values) {
    return withParameters(values.get(0), values.get(1));
  }

  @Override
  public String netItems() {
    return spec() + (activation == Activation.IDENTITY ? "" : "," + activation.id);
  }

  @Override
  public LayerKind kind() {
    return LayerKind.DENSE;
  }

  @Override
  public boolean takesFlatInput() {
    return true;
  }

  /** @return its {@code --net} item, e.g. "dense:128" */
  @Override
  public String spec() {
    return "dense:" + outputs;
  }

  /** @return e.g. "dense 784x128 relu" */
  @Override
  public String describe() {
    return "dense " + inputs + "x" + outputs + " " + activation.id;
  }

  /**
   * @param w new weights, same length
   * @param b new biases, same length
   * @return this layer with those parameters
   */
  public Dense withParameters(float[] w, float[] b) {
    return new Dense(inputs, outputs, activation, w, b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dense l && inputs == l.inputs && outputs == l.outputs && activation == l.activation
        && java.util.Arrays.equals(weights, l.weights) && java.util.Arrays.equals(bias, l.bias);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(inputs, outputs, activation, java.util.Arrays.hashCode(weights),
        java.util.Arrays.hashCode(bias));
  }

  @Override
  public String toString() {
    return "Dense(" + inputs + "x" + outputs + " " + activation.id + ")";
  }
}
