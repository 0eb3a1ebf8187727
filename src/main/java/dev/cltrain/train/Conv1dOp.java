package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Conv1d;
import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * A 1-D convolution's op: {@link ConvOp}'s steps with sequence1d.cl's windows in place of conv.cl's patches.
 * <pre>
 * forward   col = windows of the input                                   im2col1d
 *           out = f(col·W + b)   (rows·outSteps × filters)                matmul_bias_activation
 * backward  g ⊙= f'(out);  dW = colᵀ·g / n;  db = Σ g / n                  activation_delta, matmul_transpose_a,
 *                                                                          column_sum
 *           g_in = col2im1d(g·Wᵀ)   (not for the first layer)            matmul_transpose_b, col2im1d
 * </pre>
 */
final class Conv1dOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Conv1d c;
  private final B weights;
  private final B biases;
  private final B col;
  private final B out;
  private final B weightGradient;
  private final B biasGradient;
  private final long floats;

  Conv1dOp(Backend<B, ?> backend, Conv1d c, int capacity, boolean training) {
    this.backend = backend;
    this.c = c;
    this.weights = backend.upload(c.weights());
    this.biases = backend.upload(c.bias());
    this.col = backend.allocate((int) ((long) capacity * c.outSteps() * c.patch()));
    this.out = backend.allocate(capacity * c.output().size());
    this.weightGradient = training ? backend.allocate(c.patch() * c.filters()) : null;
    this.biasGradient = training ? backend.allocate(c.filters()) : null;
    this.floats = floats(c, capacity, training);
  }

  /** {@return floats the op of {@code c} allocates: parameters (and their gradients), windows, output} */
  static long floats(Conv1d c, long capacity, boolean training) {
    return c.parameterCount() * (training ? 2 : 1) + capacity * c.outSteps() * c.patch()
        + capacity * c.output().size();
  }

  /** {@return the larger of its windows and its output, in floats} */
  static long largestBuffer(Conv1d c, long capacity) {
    return Math.max(capacity * c.outSteps() * c.patch(), capacity * c.output().size());
  }

  @Override
  public B forward(B in, int rows, long step) {
    backend.im2col1d(rows, c.steps(), c.input().channels(), c.kernel(), c.stride(), c.padLeft(), c.outSteps(), in,
        col);
    backend.matmulBiasActivation(rows * c.outSteps(), c.filters(), c.patch(), c.activation().code, col, weights,
        biases, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    int windows = rows * c.outSteps();
    if (c.activation().code != 0) {
      backend.activationDelta(windows * c.filters(), c.activation().code, out, g);
    }
    backend.matmulTransposeA(c.patch(), c.filters(), windows, perSample, col, g, weightGradient);
    backend.columnSum(windows, c.filters(), perSample, g, biasGradient);
    if (gIn != null) {
      backend.matmulTransposeB(windows, c.patch(), c.filters(), 1.0f, g, weights, col);
      backend.col2im1d(rows, c.steps(), c.input().channels(), c.kernel(), c.stride(), c.padLeft(), c.outSteps(), col,
          gIn);
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
    table.add(c.patch() * c.filters(), true, weights, weightGradient);
    table.add(c.filters(), false, biases, biasGradient);
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, c, parameters());
  }
}
