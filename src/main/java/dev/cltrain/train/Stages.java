package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.Features;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Stage;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages of a network before its dense layers (convolutions, pooling, dropout) on one backend, forward and,
 * when training, backward. Written once for every backend, like {@link Inference} and {@link Backprop}.
 *
 * <pre>
 * conv      col = patches of the input                                   im2col
 *           out = f(col·W + b)   (rows·oh·ow × filters = HWC per sample)   matmul_bias_activation
 * backward  g ⊙= f'(out);  dW = colᵀ·g / n;  db = Σ g / n                  activation_delta, matmul_transpose_a,
 *                                                                          column_sum
 *           g_in = col2im(g·Wᵀ)   (not for the first convolution)          matmul_transpose_b, col2im
 * maxpool   out = window maxima;  g_in = g at each window's first maximum  max_pool, max_pool_backward
 * avgpool   out = window means;   g_in = g / p²                            avg_pool, avg_pool_backward
 * dropout   out = x · mask · 1/(1−rate);  g_in = g · mask · 1/(1−rate)     dropout (the same mask both ways)
 * </pre>
 *
 * <p>The gradient is carried back only as far as the first convolution: nothing before it has parameters.
 * A dropout of rate 0, and every dropout outside training, passes its input through.
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int buffer type
 */
final class Stages<B, I> {
  private final Backend<B, I> backend;
  private final Features features;
  private final boolean training;
  /** Per stage: its output for capacity rows; null for a dropout that passes its input through. */
  private final List<B> outputs = new ArrayList<>();
  /** Per stage: a convolution's patches (reused for their gradient going back); null for other stages. */
  private final List<B> cols = new ArrayList<>();
  /** Per stage, training only: the gradient with respect to its output; null where none is needed. */
  private final List<B> grads = new ArrayList<>();
  /** Each convolution's weights, biases and (training) their gradients, in stage order. */
  final List<B> weights = new ArrayList<>();
  final List<B> biases = new ArrayList<>();
  final List<B> weightGradients = new ArrayList<>();
  final List<B> biasGradients = new ArrayList<>();
  /** The index of the first convolution among the stages, −1 for none. */
  private final int firstConv;
  /** The dropout stream of each stage (dropout stages only), counted from 0 in stage order. */
  private final int[] streams;
  /** The dropout streams the stages use; the dense layers' dropouts continue the count from here. */
  final int streamCount;
  /** What each stage read in the last forward pass (the input or an earlier stage's output). */
  private final List<B> inputs = new ArrayList<>();

  /**
   * Uploads the convolutions' parameters and allocates every stage's buffers for {@code capacity} rows.
   *
   * @param backend  where the buffers live
   * @param features the stages
   * @param capacity the most rows one pass takes
   * @param training whether to allocate the backward pass's buffers and apply dropout
   */
  Stages(Backend<B, I> backend, Features features, int capacity, boolean training) {
    this.backend = backend;
    this.features = features;
    this.training = training;
    List<Stage> stages = features.stages();
    int first = -1;
    this.streams = new int[stages.size()];
    int stream = 0;
    for (int s = 0; s < stages.size(); s++) {
      Stage stage = stages.get(s);
      int out = stage.output().size();
      if (stage instanceof Conv c) {
        first = first < 0 ? s : first;
        weights.add(backend.upload(c.weights()));
        biases.add(backend.upload(c.bias()));
        cols.add(backend.allocate(capacity * c.outHeight() * c.outWidth() * c.patch()));
        outputs.add(backend.allocate(capacity * out));
        if (training) {
          weightGradients.add(backend.allocate(c.weightCount()));
          biasGradients.add(backend.allocate(c.filters()));
        }
      } else {
        cols.add(null);
        boolean passes = stage instanceof Dropout d && (d.rate() == 0f || !training);
        outputs.add(passes ? null : backend.allocate(capacity * out));
      }
      if (stage instanceof Dropout) {
        streams[s] = stream++;
      }
    }
    this.streamCount = stream;
    this.firstConv = first;
    for (int s = 0; s < stages.size(); s++) {
      boolean needed = training && first >= 0 && s >= first;
      grads.add(needed ? backend.allocate(capacity * stages.get(s).output().size()) : null);
    }
  }

  /**
   * Floats of device memory the constructor allocates: each convolution's parameters, patches and output, each
   * other stage's output (none for a dropout that passes its input through) and, when training, the
   * convolutions' parameter gradients and the gradient of every stage from the first convolution on.
   *
   * @param features the stages
   * @param capacity the most rows one pass takes
   * @param training whether the backward pass's buffers are allocated
   * @return the floats
   */
  static long bufferFloats(Features features, long capacity, boolean training) {
    List<Stage> stages = features.stages();
    long floats = 0;
    int first = -1;
    for (int s = 0; s < stages.size(); s++) {
      Stage stage = stages.get(s);
      long out = capacity * stage.output().size();
      if (stage instanceof Conv c) {
        first = first < 0 ? s : first;
        floats += c.parameterCount() * (training ? 2 : 1) + capacity * c.outHeight() * c.outWidth() * c.patch() + out;
      } else {
        boolean passes = stage instanceof Dropout d && (d.rate() == 0f || !training);
        floats += passes ? 0 : out;
      }
    }
    for (int s = 0; s < stages.size(); s++) {
      floats += training && first >= 0 && s >= first ? capacity * stages.get(s).output().size() : 0;
    }
    return floats;
  }

  /** @return the convolutions' count */
  int convCount() {
    return weights.size();
  }

  /** @return whether the dense layers must pass a gradient back into the stages */
  boolean needsGradient() {
    return training && firstConv >= 0;
  }

  /** @return where the first dense layer's backward pass puts the gradient of the stages' output */
  B outputGradient() {
    return grads.get(grads.size() - 1);
  }

  /**
   * Enqueues the stages' forward pass.
   *
   * @param x    the inputs, rows × input size
   * @param rows rows to run, 1 to capacity
   * @param step the optimizer step whose dropout masks to use; negative outside training (no dropout)
   * @return the buffer holding the last stage's output (x itself when every stage passes through)
   */
  B forward(B x, int rows, long step) {
    B in = x;
    inputs.clear();
    List<Stage> stages = features.stages();
    int conv = 0;
    for (int s = 0; s < stages.size(); s++) {
      inputs.add(in);
      Stage stage = stages.get(s);
      B out = outputs.get(s);
      if (stage instanceof Conv c) {
        B col = cols.get(s);
        backend.im2col(rows, c.input().height(), c.input().width(), c.input().channels(), c.kernel(), c.stride(),
            c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), in, col);
        backend.matmulBiasActivation(rows * c.outHeight() * c.outWidth(), c.filters(), c.patch(),
            c.activation().code, col, weights.get(conv), biases.get(conv), out);
        conv++;
      } else if (stage instanceof Pool p) {
        if (p.max()) {
          backend.maxPool(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), in, out);
        } else {
          backend.avgPool(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), in, out);
        }
      } else if (stage instanceof Dropout d) {
        if (out == null || step < 0) {
          out = in;
        } else {
          dropout(rows * d.input().size(), d.rate(), step, streams[s], in, out);
        }
      }
      in = out;
    }
    return in;
  }

  /**
   * Added to every dropout stream: 0, or a shard's {@code shard << 16} in data-parallel training
   * ({@link ShardedTrainer}), so that the shards of one batch draw independent masks.
   */
  int streamOffset;

  /** Enqueues dropout of {@code count} values with the network's seed. */
  void dropout(int count, float rate, long step, int stream, B x, B y) {
    long seed = features.seed();
    backend.dropout(count, Dropout.threshold(rate), Dropout.scale(rate), (int) seed, (int) (seed >>> 32), (int) step,
        (int) (step >>> 32), stream + streamOffset, x, y);
  }

  /**
   * Enqueues the stages' backward pass from {@link #outputGradient()} (filled by the first dense layer), down to
   * the first convolution, filling the convolutions' gradients. Uses the buffers of the last {@link #forward}.
   *
   * @param rows the rows of the last forward pass
   * @param step the step the forward pass used (the same dropout masks)
   */
  void backward(int rows, long step, float perSample) {
    List<Stage> stages = features.stages();
    int conv = convCount() - 1;
    for (int s = stages.size() - 1; s >= firstConv; s--) {
      Stage stage = stages.get(s);
      B g = grads.get(s);
      B gIn = s > firstConv ? grads.get(s - 1) : null;
      if (stage instanceof Conv c) {
        int pixels = rows * c.outHeight() * c.outWidth();
        if (c.activation().code != 0) {
          backend.activationDelta(pixels * c.filters(), c.activation().code, outputs.get(s), g);
        }
        B col = cols.get(s);
        backend.matmulTransposeA(c.patch(), c.filters(), pixels, perSample, col, g, weightGradients.get(conv));
        backend.columnSum(pixels, c.filters(), perSample, g, biasGradients.get(conv));
        if (gIn != null) {
          backend.matmulTransposeB(pixels, c.patch(), c.filters(), 1.0f, g, weights.get(conv), col);
          backend.col2im(rows, c.input().height(), c.input().width(), c.input().channels(), c.kernel(), c.stride(),
              c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), col, gIn);
        }
        conv--;
      } else if (stage instanceof Pool p) {
        if (p.max()) {
          backend.maxPoolBackward(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(),
              inputs.get(s), g, gIn);
        } else {
          backend.avgPoolBackward(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), g, gIn);
        }
      } else if (stage instanceof Dropout d) {
        if (outputs.get(s) == null) {
          copy(rows * d.input().size(), g, gIn);
        } else {
          dropout(rows * d.input().size(), d.rate(), step, streams[s], g, gIn);
        }
      }
    }
  }

  /** A dropout of rate 0 going back: the gradient passes as it is (dropout with rate 0 keeps every value, × 1). */
  private void copy(int count, B from, B to) {
    backend.dropout(count, 0, 1.0f, 0, 0, 0, 0, 0, from, to);
  }

  /**
   * @return the stages with the convolutions' current parameters (waits for the work enqueued)
   */
  Features current() {
    List<Stage> stages = new ArrayList<>();
    int conv = 0;
    for (Stage stage : features.stages()) {
      if (stage instanceof Conv c) {
        float[] w = new float[c.weightCount()];
        float[] b = new float[c.filters()];
        backend.download(weights.get(conv), w);
        backend.download(biases.get(conv), b);
        stages.add(c.withParameters(w, b));
        conv++;
      } else {
        stages.add(stage);
      }
    }
    return features.withStages(stages);
  }
}
