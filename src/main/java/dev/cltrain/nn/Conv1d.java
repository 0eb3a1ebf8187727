package dev.cltrain.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 1-D convolution over a sequence of T steps of F features (the shape T×1×F): {@code filters} kernels of
 * kernel steps × F, stride {@code stride}, padding {@code same} (output ⌈T/s⌉ steps, zeros added, the extra one
 * at the end, as {@link Conv} pads) or valid (output ⌊(T−k)/s⌋+1 steps, no padding), a bias per filter, then
 * {@code activation}. Computed as im2col1d (kernels/sequence1d.cl) then our matmul: the weights are a (k·F) ×
 * filters matrix, row-major, row index k·F + c, so that a window row times the weights gives one output step's
 * filters (PyTorch's {@code Conv1d} weight [filters][F][k] transposed).
 *
 * @param input      the shape taken: steps × 1 × features
 * @param filters    output features, at least 1
 * @param kernel     k, the window's steps, at least 1 and (valid padding) at most T
 * @param stride     s, at least 1
 * @param same       true: "same" padding; false: "valid"
 * @param activation applied to each output (not softmax)
 * @param weights    (k·F) × filters, row-major
 * @param bias       filters
 */
public record Conv1d(Shape input, int filters, int kernel, int stride, boolean same, Activation activation,
    float[] weights, float[] bias) implements Layer {
  /**
   * Checks the shapes; copies the arrays.
   *
   * @param input      the input's shape, T×1×F
   * @param filters    output features
   * @param kernel     the window's steps k
   * @param stride     the step between windows
   * @param same       "same" padding (else valid)
   * @param activation the activation after the convolution (not softmax)
   * @param weights    (k·F) × filters
   * @param bias       one per filter
   * @throws IllegalArgumentException if the input is no sequence, a size is below 1, the kernel does not fit a
   *     valid convolution, the activation is softmax, or an array's length is wrong
   */
  public Conv1d {
    if (input.width() != 1) {
      throw new IllegalArgumentException("conv1d takes a sequence T×1×F, got " + input);
    }
    if (filters < 1 || kernel < 1 || stride < 1) {
      throw new IllegalArgumentException("conv1d needs filters, kernel and stride of at least 1, got " + filters
          + ", " + kernel + ", " + stride);
    }
    if (!same && kernel > input.height()) {
      throw new IllegalArgumentException("a kernel of " + kernel + " steps does not fit " + input.height()
          + " steps without padding");
    }
    if (activation == Activation.SOFTMAX) {
      throw new IllegalArgumentException("softmax is only an output activation");
    }
    long patch = (long) kernel * input.channels();
    if (patch * filters > Network.MAX_LAYER_WEIGHTS || weights.length != patch * filters || bias.length != filters) {
      throw new IllegalArgumentException("conv1d " + kernel + "x" + input.channels() + "->" + filters + " given "
          + weights.length + " weights and " + bias.length + " biases");
    }
    weights = weights.clone();
    bias = bias.clone();
  }

  /** @return a copy of the weights, (k·F) × filters, row-major */
  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** @return a copy of the biases, one per filter */
  @Override
  public float[] bias() {
    return bias.clone();
  }

  /** @return T, the input's steps */
  public int steps() {
    return input.height();
  }

  /** @return values in one window: k · F (the rows of the weight matrix) */
  public int patch() {
    return kernel * input.channels();
  }

  /** @return output steps: ⌈T/s⌉ with same padding, ⌊(T−k)/s⌋ + 1 with valid */
  public int outSteps() {
    return same ? (int) (((long) steps() + stride - 1) / stride) : (steps() - kernel) / stride + 1;
  }

  /** @return zero steps added before the input: half the padding, rounded down (0 with valid) */
  public int padLeft() {
    return same ? Math.max((outSteps() - 1) * stride + kernel - steps(), 0) / 2 : 0;
  }

  /** @return zero steps added after the input: the rest of "same" padding (0 with valid) */
  public int padRight() {
    return same ? Math.max((outSteps() - 1) * stride + kernel - steps(), 0) - padLeft() : 0;
  }

  @Override
  public Shape output() {
    return new Shape(outSteps(), 1, filters);
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
  public Conv1d withParameters(java.util.List<float[]> values) {
    return new Conv1d(input, filters, kernel, stride, same, activation, values.get(0), values.get(1));
  }

  @Override
  public String netItems() {
    return spec() + (activation == Activation.IDENTITY ? "" : "," + activation.id);
  }

  @Override
  public LayerKind kind() {
    return LayerKind.CONV1D;
  }

  /** @return e.g. "conv1d:64:5 relu" */
  @Override
  public String describe() {
    return spec() + " " + activation.id;
  }

  @Override
  public String spec() {
    return "conv1d:" + filters + ":" + kernel + (stride != 1 ? ":s" + stride : "") + (same ? "" : ":valid");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Conv1d c && input.equals(c.input) && filters == c.filters && kernel == c.kernel
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
    return "Conv1d(" + input + " " + spec() + " " + activation.id + ")";
  }
}
