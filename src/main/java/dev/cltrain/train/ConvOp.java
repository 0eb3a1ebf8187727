package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * A convolution's op.
 * <pre>
 * forward   col = patches of the input                                   im2col
 *           out = f(col·W + b)   (rows·oh·ow × filters = HWC per sample)   matmul_bias_activation
 * backward  g ⊙= f'(out);  dW = colᵀ·g / n;  db = Σ g / n                  activation_delta, matmul_transpose_a,
 *                                                                          column_sum
 *           g_in = col2im(g·Wᵀ)   (not for the first layer)                matmul_transpose_b, col2im
 * </pre>
 */
final class ConvOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Conv c;
  private final B weights;
  private final B biases;
  private final B col;
  private final B out;
  private final B weightGradient;
  private final B biasGradient;
  private final long floats;

  ConvOp(Backend<B, ?> backend, Conv c, int capacity, boolean training) {
    this.backend = backend;
    this.c = c;
    this.weights = backend.upload(c.weights());
    this.biases = backend.upload(c.bias());
    long patches = (long) capacity * c.outHeight() * c.outWidth() * c.patch();
    this.col = backend.allocate((int) patches);
    this.out = backend.allocate(capacity * c.output().size());
    this.weightGradient = training ? backend.allocate(c.weightCount()) : null;
    this.biasGradient = training ? backend.allocate(c.filters()) : null;
    this.floats = floats(c, capacity, training);
  }

  /** {@return floats the op of {@code c} allocates: parameters (and their gradients), patches, output} */
  static long floats(Conv c, long capacity, boolean training) {
    return c.parameterCount() * (training ? 2 : 1) + capacity * c.outHeight() * c.outWidth() * c.patch()
        + capacity * c.output().size();
  }

  @Override
  public B forward(B in, int rows, long step) {
    backend.im2col(rows, c.input().height(), c.input().width(), c.input().channels(), c.kernel(), c.stride(),
        c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), in, col);
    backend.matmulBiasActivation(rows * c.outHeight() * c.outWidth(), c.filters(), c.patch(), c.activation().code,
        col, weights, biases, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    int pixels = rows * c.outHeight() * c.outWidth();
    if (c.activation().code != 0) {
      backend.activationDelta(pixels * c.filters(), c.activation().code, out, g);
    }
    backend.matmulTransposeA(c.patch(), c.filters(), pixels, perSample, col, g, weightGradient);
    backend.columnSum(pixels, c.filters(), perSample, g, biasGradient);
    if (gIn != null) {
      backend.matmulTransposeB(pixels, c.patch(), c.filters(), 1.0f, g, weights, col);
      backend.col2im(rows, c.input().height(), c.input().width(), c.input().channels(), c.kernel(), c.stride(),
          c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), col, gIn);
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
    table.add(c.weightCount(), true, weights, weightGradient);
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
