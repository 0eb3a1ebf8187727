package dev.cltrain.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 2-D convolution: {@code filters} kernels of kernel × kernel × input channels, stride {@code stride},
 * padding {@code same} (output ⌈H/s⌉ × ⌈W/s⌉, zeros added, the extra one at the bottom and right as
 * TensorFlow does) or valid (output ⌊(H−k)/s⌋+1, no padding), a bias per filter, then {@code activation}.
 * Computed as im2col then our matmul: the weights are a (k·k·C) × filters matrix, row-major, row index
 * (ky·k + kx)·C + c (HWIO), so that a patch row times the weights gives one output pixel's channels.
 *
 * @param input      the shape taken
 * @param filters    output channels, at least 1
 * @param kernel     k, the kernel's side, at least 1 and (valid padding) at most the input's height and width
 * @param stride     s, at least 1
 * @param same       true: "same" padding; false: "valid"
 * @param activation applied to each output (not softmax)
 * @param weights    (k·k·C) × filters, row-major
 * @param bias       filters
 */
public record Conv(Shape input, int filters, int kernel, int stride, boolean same, Activation activation,
    float[] weights, float[] bias) implements Layer {
  /**
   * Checks the shapes; copies the arrays.
   *
   * @param input      the input's shape
   * @param filters    output channels
   * @param kernel     the kernel's side k
   * @param stride     the step between windows
   * @param same       "same" padding (else valid)
   * @param activation the activation after the convolution (not softmax)
   * @param weights    (k·k·C) × filters, HWIO
   * @param bias       one per filter
   * @throws IllegalArgumentException if a size is below 1, the kernel does not fit a valid convolution, the
   *     activation is softmax, or an array's length is wrong
   */
  public Conv {
    if (filters < 1 || kernel < 1 || stride < 1) {
      throw new IllegalArgumentException("conv needs filters, kernel and stride of at least 1, got " + filters + ", "
          + kernel + ", " + stride);
    }
    if (!same && (kernel > input.height() || kernel > input.width())) {
      throw new IllegalArgumentException("a " + kernel + "x" + kernel + " kernel does not fit a " + input.height() + "x"
          + input.width() + " input without padding");
    }
    if (activation == Activation.SOFTMAX) {
      throw new IllegalArgumentException("softmax is only an output activation");
    }
    long patch = (long) kernel * kernel * input.channels();
    if (patch * filters > Network.MAX_LAYER_WEIGHTS || weights.length != patch * filters || bias.length != filters) {
      throw new IllegalArgumentException("conv " + kernel + "x" + kernel + "x" + input.channels() + "->" + filters
          + " given " + weights.length + " weights and " + bias.length + " biases");
    }
    weights = weights.clone();
    bias = bias.clone();
  }

  /** @return a copy of the weights, (k·k·C) × filters, row-major */
  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** @return a copy of the biases, one per filter */
  @Override
  public float[] bias() {
    return bias.clone();
  }

  /** @return values in one patch: k · k · input channels (the rows of the weight matrix) */
  public int patch() {
    return kernel * kernel * input.channels();
  }

  /**
   * @return output rows: ⌈H/s⌉ with same padding (summed in long: a stride near 2³¹ must not wrap), ⌊(H−k)/s⌋ + 1
   *     with valid
   */
  public int outHeight() {
    return same ? (int) (((long) input.height() + stride - 1) / stride) : (input.height() - kernel) / stride + 1;
  }

  /** @return output columns, as {@link #outHeight()} */
  public int outWidth() {
    return same ? (int) (((long) input.width() + stride - 1) / stride) : (input.width() - kernel) / stride + 1;
  }

  /** @return zero rows added above the input: half the padding, rounded down (0 with valid) */
  public int padTop() {
    return same ? Math.max((outHeight() - 1) * stride + kernel - input.height(), 0) / 2 : 0;
  }

  /** @return zero columns added left of the input, as {@link #padTop()} */
  public int padLeft() {
    return same ? Math.max((outWidth() - 1) * stride + kernel - input.width(), 0) / 2 : 0;
  }

  /** {@return zero rows added below the input: the rest of "same" padding after {@link #padTop} (0 for valid)} */
  public int padBottom() {
    return same ? Math.max((outHeight() - 1) * stride + kernel - input.height(), 0) - padTop() : 0;
  }

  /** {@return zero columns added right of the input: the rest of "same" padding after {@link #padLeft}} */
  public int padRight() {
    return same ? Math.max((outWidth() - 1) * stride + kernel - input.width(), 0) - padLeft() : 0;
  }

  @Override
  public Shape output() {
    return new Shape(outHeight(), outWidth(), filters);
  }

  @Override
  public long parameterCount() {
    return (long) weights.length + bias.length;
  }

  /** @return the number of weights */
  public int weightCount() {
    return weights.length;
  }

  /**
   * @param w new weights, same length
   * @param b new biases, same length
   * @return this convolution with those parameters
   */
  public Conv withParameters(float[] w, float[] b) {
    return new Conv(input, filters, kernel, stride, same, activation, w, b);
  }

  @Override
  public java.util.List<float[]> parameters() {
    return java.util.List.of(weights(), bias());
  }

  @Override
  public Conv withParameters(java.util.List<float[]> values) {
    return withParameters(values.get(0), values.get(1));
  }

  @Override
  public String netItems() {
    return spec() + (activation == Activation.IDENTITY ? "" : "," + activation.id);
  }

  @Override
  public LayerKind kind() {
    return LayerKind.CONV;
  }

  /** @return e.g. "conv:32:3 relu" */
  @Override
  public String describe() {
    return spec() + " " + activation.id;
  }

  @Override
  public String spec() {
    return "conv:" + filters + ":" + kernel + (stride != 1 ? ":s" + stride : "") + (same ? "" : ":valid");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Conv c && input.equals(c.input) && filters == c.filters && kernel == c.kernel
        && stride == c.stride && same == c.same && activation == c.activation && Arrays.equals(weights, c.weights)
        && Arrays.equals(bias, c.bias);
  }

  @Override
  public int hashCode() {
    return Objects.hash(input, filters, kernel, stride, same, activation, Arrays.hashCode(weights),
        Arrays.hashCode(bias));
  }

  @Override
  public String toString() {
    return "Conv(" + input + " " + spec() + " " + activation.id + ")";
  }
}
