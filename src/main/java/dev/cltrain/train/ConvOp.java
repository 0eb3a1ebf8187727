package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Conv1d;
import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * A convolution's op, 2-D ({@link Conv}: conv.cl's patches) or 1-D ({@link Conv1d}: sequence1d.cl's windows).
 * <pre>
 * forward   col = patches of the input                                   im2col (im2col1d)
 *           out = f(col·W + b)   (rows·oh·ow × filters = HWC per sample)   matmul_bias_activation
 * backward  g ⊙= f'(out);  dW = colᵀ·g / n;  db = Σ g / n                  activation_delta, conv_weight_gradient,
 *                                                                          column_sum
 *           g_in = col2im(g·Wᵀ)   (not for the first layer)                2-D, 16 channels or more: conv_filter_rows,
 *                                                                          conv_input_gradient (one pass, no patch
 *                                                                          gradient); else matmul_transpose_b, col2im
 *                                                                          (col2im1d)
 * </pre>
 */
final class ConvOp<B> implements LayerOp<B> {
  /** How the patches are gathered from the input and their gradient scattered back. */
  private interface Patches<B> {
    void gather(int rows, B in, B col);

    void scatter(int rows, B col, B gIn);

    /**
     * gIn = the patches' adjoint of g·Wᵀ: scatter of matmul_transpose_b's product (col as its buffer), or in
     * one pass where the layout has a kernel for it (the same bits either way).
     */
    void inputGradient(int rows, B g, B weights, B col, B gIn);
  }

  private final Backend<B, ?> backend;
  private final Layer layer;
  private final int windows;
  private final int patch;
  private final int filters;
  private final Activation activation;
  private final Patches<B> patches;
  private final B weights;
  private final B biases;
  private final B col;
  private final B out;
  private final B weightGradient;
  private final B biasGradient;
  private final long floats;
  /** The direct forward pass (2-D, small patches), else null: im2col + matmul_bias_activation. */
  private ConvDirect<B> direct;

  ConvOp(Backend<B, ?> backend, Conv c, int capacity, boolean training) {
    this(backend, c, c.outHeight() * c.outWidth(), c.patch(), c.filters(), c.activation(), c.weights(), c.bias(),
        capacity, training, new Patches<>() {
          @Override
          public void gather(int rows, B in, B col) {
            backend.im2col(rows, c.input().height(), c.input().width(), c.input().channels(), c.kernel(), c.stride(),
                c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), in, col);
          }

          @Override
          public void scatter(int rows, B col, B gIn) {
            backend.col2im(rows, c.input().height(), c.input().width(), c.input().channels(), c.kernel(), c.stride(),
                c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), col, gIn);
          }

          /** The weights as conv_input_gradient reads them (filter rows), rewritten every backward pass. */
          private final B filterRows = training ? backend.allocate(filterRowFloats(c)) : null;

          /**
           * conv_input_gradient computes whole blocks of channels (16 padded, 32 or more per vector block): below
           * {@link dev.cltrain.backend.Kernels#CONV_CHANNEL_BLOCK} channels most of its lanes would be padding (the
           * bench's 1-channel layer ran 2-5x slower), so there the product and col2im run as before (same bits).
           */
          @Override
          public void inputGradient(int rows, B g, B weights, B col, B gIn) {
            int channels = c.input().channels();
            if (channels < dev.cltrain.backend.Kernels.CONV_CHANNEL_BLOCK) {
              backend.matmulTransposeB(rows * c.outHeight() * c.outWidth(), c.patch(), c.filters(), 1.0f, g, weights,
                  col);
              scatter(rows, col, gIn);
              return;
            }
            int padded = dev.cltrain.backend.Range.paddedChannels(channels);
            backend.convFilterRows(c.filters(), c.kernel() * c.kernel(), channels, padded, weights, filterRows);
            backend.convInputGradient(rows, c.input().height(), c.input().width(), channels, c.kernel(), c.stride(),
                c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), c.filters(), padded, g, filterRows, gIn);
          }
        });
    this.direct = ConvDirect.forLayer(backend, c);
  }

  /** {@return the direct forward pass, or null where this op runs im2col + matmul_bias_activation} */
  ConvDirect<B> direct() {
    return direct;
  }

  ConvOp(Backend<B, ?> backend, Conv1d c, int capacity, boolean training) {
    this(backend, c, c.outSteps(), c.patch(), c.filters(), c.activation(), c.weights(), c.bias(), capacity, training,
        new Patches<>() {
          @Override
          public void gather(int rows, B in, B col) {
            backend.im2col1d(rows, c.steps(), c.input().channels(), c.kernel(), c.stride(), c.padLeft(), c.outSteps(),
                in, col);
          }

          @Override
          public void scatter(int rows, B col, B gIn) {
            backend.col2im1d(rows, c.steps(), c.input().channels(), c.kernel(), c.stride(), c.padLeft(), c.outSteps(),
                col, gIn);
          }

          @Override
          public void inputGradient(int rows, B g, B weights, B col, B gIn) {
            backend.matmulTransposeB(rows * c.outSteps(), c.patch(), c.filters(), 1.0f, g, weights, col);
            scatter(rows, col, gIn);
          }
        });
  }

  private ConvOp(Backend<B, ?> backend, Layer layer, int windows, int patch, int filters, Activation activation,
      float[] w, float[] b, int capacity, boolean training, Patches<B> patches) {
    this.backend = backend;
    this.layer = layer;
    this.windows = windows;
    this.patch = patch;
    this.filters = filters;
    this.activation = activation;
    this.patches = patches;
    this.weights = backend.upload(w);
    this.biases = backend.upload(b);
    this.col = backend.allocate((int) ((long) capacity * windows * patch));
    this.out = backend.allocate(capacity * layer.output().size());
    this.weightGradient = training ? backend.allocate(w.length) : null;
    this.biasGradient = training ? backend.allocate(filters) : null;
    this.floats = floats(layer, windows, patch, capacity, training);
  }

  /** {@return floats the op of {@code c} allocates: parameters (and their gradients), patches, output} */
  static long floats(Conv c, long capacity, boolean training) {
    return floats(c, (long) c.outHeight() * c.outWidth(), c.patch(), capacity, training)
        + (training ? filterRowFloats(c) : 0);
  }

  /** {@return the floats of {@code c}'s weights as conv_filter_rows lays them out: filters × k·k × padded channels} */
  private static int filterRowFloats(Conv c) {
    return c.filters() * c.kernel() * c.kernel() * dev.cltrain.backend.Range.paddedChannels(c.input().channels());
  }

  /** {@return floats the op of {@code c} allocates: parameters (and their gradients), windows, output} */
  static long floats(Conv1d c, long capacity, boolean training) {
    return floats(c, c.outSteps(), c.patch(), capacity, training);
  }

  private static long floats(Layer layer, long windows, int patch, long capacity, boolean training) {
    return layer.parameterCount() * (training ? 2 : 1) + capacity * windows * patch
        + capacity * layer.output().size();
  }

  /** {@return the larger of its windows and its output, in floats} */
  static long largestBuffer(Conv1d c, long capacity) {
    return Math.max(capacity * c.outSteps() * c.patch(), capacity * c.output().size());
  }

  @Override
  public B forward(B in, int rows, long step) {
    if (direct != null) {
      direct.forward(rows, in, weights, biases, out, col, weightGradient != null); // patches for dW in training
      return out;
    }
    patches.gather(rows, in, col);
    backend.matmulBiasActivation(rows * windows, filters, patch, activation.code, col, weights, biases, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    int pixels = rows * windows;
    if (activation.code != 0) {
      backend.activationDelta(pixels * filters, activation.code, out, g);
    }
    backend.convWeightGradient(patch, filters, pixels, perSample, col, g, weightGradient);
    backend.columnSum(pixels, filters, perSample, g, biasGradient);
    if (gIn != null) {
      patches.inputGradient(rows, g, weights, col, gIn);
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
    table.add(patch * filters, true, weights, weightGradient);
    table.add(filters, false, biases, biasGradient);
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, layer, parameters());
  }
}
