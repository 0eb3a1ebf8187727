package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * A dense layer's op.
 * <pre>
 * forward   a = f(x·W + b)   (softmax: x·W, then bias and softmax)      matmul_bias_activation | matmul, bias_softmax
 * backward  dW = xᵀ·g / n;  db = Σ g / n                                 matmul_transpose_a, column_sum
 *           g_in = g·Wᵀ, times f'(a_prev) when the layer before is dense  matmul_transpose_b | matmul_transpose_b_delta
 * </pre>
 * Here g is the gradient with respect to z (the output delta, or what the layer after passed back with this
 * layer's activation derivative already applied).
 */
final class DenseOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Dense d;
  final B weights;
  final B biases;
  /** The activations of the last forward pass, capacity × outputs. */
  final B out;
  /** The gradients of the weights and biases; null outside training. */
  private final B weightGradient;
  private final B biasGradient;
  private final long floats;

  DenseOp(Backend<B, ?> backend, Dense d, int capacity, boolean training) {
    this.backend = backend;
    this.d = d;
    this.weights = backend.upload(d.weights());
    this.biases = backend.upload(d.bias());
    this.out = backend.allocate(capacity * d.outputs());
    this.weightGradient = training ? backend.allocate(d.weightCount()) : null;
    this.biasGradient = training ? backend.allocate(d.outputs()) : null;
    this.floats = floats(d, capacity, training);
  }

  /** {@return floats the op of {@code d} allocates: parameters (and their gradients), outputs} */
  static long floats(Dense d, long capacity, boolean training) {
    return d.parameterCount() * (training ? 2 : 1) + capacity * d.outputs();
  }

  @Override
  public B forward(B in, int rows, long step) {
    if (d.activation() == Activation.SOFTMAX) {
      backend.matmul(rows, d.outputs(), d.inputs(), 1.0f, in, weights, out);
      backend.biasSoftmax(rows, d.outputs(), out, biases, out);
    } else {
      backend.matmulBiasActivation(rows, d.outputs(), d.inputs(), d.activation().code, in, weights, biases, out);
    }
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    backward(rows, perSample, in, g, gIn, null, 0);
  }

  /**
   * The backward pass, with g_in also times f'(a_prev) when {@code previous} is given (the dense layer before,
   * whose activations are {@code previous.out} and activation {@code activationCode}).
   */
  void backward(int rows, float perSample, B in, B g, B gIn, DenseOp<B> previous, int activationCode) {
    backend.matmulTransposeA(d.inputs(), d.outputs(), rows, perSample, in, g, weightGradient);
    backend.columnSum(rows, d.outputs(), perSample, g, biasGradient);
    if (gIn == null) {
      return;
    }
    if (previous != null) {
      backend.matmulTransposeBDelta(rows, d.inputs(), d.outputs(), activationCode, g, weights, previous.out, gIn);
    } else {
      backend.matmulTransposeB(rows, d.inputs(), d.outputs(), 1.0f, g, weights, gIn);
    }
  }

  @Override
  public List<B> parameters() {
    return List.of(weights, biases);
  }

  @Override
  public List<B> gradients() {
    return weightGradient == null ? List.of() : List.of(weightGradient, biasGradient);
  }

  @Override
  public void addParameters(ParameterTable<B> table) {
    table.add(d.weightCount(), true, weights, weightGradient);
    table.add(d.outputs(), false, biases, biasGradient);
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, d, parameters());
  }
}
