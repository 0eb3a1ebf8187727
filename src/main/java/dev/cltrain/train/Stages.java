package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers of a network before its first dense layer (convolutions, pooling, dropout) on one backend, forward
 * and, when training, backward: the loop over their ops ({@link LayerOps}, one {@link LayerOp} per layer).
 * Written once for every backend, like {@link Inference} and {@link Backprop}.
 *
 * <p>The gradient is carried back only as far as the first layer with parameters: nothing before it has any.
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int buffer type
 */
final class Stages<B, I> {
  /** The network's dropout masks, which the dense layers' dropouts share. */
  final DropoutMasks<B> masks;
  /** The op of each layer before the first dense layer, in order. */
  final List<LayerOp<B>> ops = new ArrayList<>();
  /** Per op, training only: the gradient with respect to its output; null where none is needed. */
  private final List<B> grads = new ArrayList<>();
  /** The index of the first op with parameters (that is trained: {@link #trainFrom}), −1 for none. */
  private int firstTrained;
  private final boolean training;
  /** The first ops whose running statistics are frozen ({@link #freezeStatistics}); 0 for none. */
  private int frozenStatistics;
  /** The dropout streams the stages use; the dense layers' dropouts continue the count from here. */
  final int streamCount;
  /** What each op read in the last forward pass (the input or an earlier op's output). */
  private final List<B> inputs = new ArrayList<>();

  /**
   * Makes the ops of the layers before the first dense layer, each allocating its buffers for {@code capacity}
   * rows.
   *
   * @param backend  where the buffers live
   * @param network  the network
   * @param capacity the most rows one pass takes
   * @param training whether to allocate the backward pass's buffers and apply dropout
   */
  Stages(Backend<B, I> backend, Network network, int capacity, boolean training) {
    this.masks = new DropoutMasks<>(backend, network.dropoutSeed());
    this.training = training;
    LayerOps.Context<B, I> context = new LayerOps.Context<>(backend, capacity, training, masks);
    List<Layer> stages = network.stages();
    int first = -1;
    int stream = 0;
    for (int s = 0; s < stages.size(); s++) {
      Layer layer = stages.get(s);
      LayerOp<B> op = LayerOps.make(context, layer, LayerOps.drawsMasks(layer) ? stream++ : -1);
      ops.add(op);
      first = first < 0 && !op.parameters().isEmpty() ? s : first;
    }
    ConvDirect.fusePools(ops);
    this.streamCount = stream;
    this.firstTrained = first;
    if (!ops.isEmpty() && ops.get(0) instanceof EmbeddingOp<B> embedding) { // masks by its rows' lengths
      ops.stream().filter(op -> op instanceof RecurrentOp).forEach(op -> ((RecurrentOp<B>) op).maskWith(
          embedding.lengths()));
    }
    for (int s = 0; s < stages.size(); s++) {
      boolean needed = training && first >= 0 && s >= first;
      grads.add(needed ? backend.allocate(capacity * stages.get(s).output().size()) : null);
    }
  }

  /**
   * Floats of device memory the constructor allocates: what each layer's op allocates ({@link LayerOps#floats},
   * its kind's row) and, when training, the gradient of every stage from the first with parameters on.
   *
   * @param stages   the layers before the first dense layer ({@link Network#stages()})
   * @param capacity the most rows one pass takes
   * @param training whether the backward pass's buffers are allocated
   * @return the floats
   */
  static long bufferFloats(List<Layer> stages, long capacity, boolean training) {
    long floats = 0;
    int first = -1;
    for (int s = 0; s < stages.size(); s++) {
      floats += LayerOps.floats(stages.get(s), capacity, training);
      first = first < 0 && stages.get(s).parameterCount() > 0 ? s : first;
    }
    for (int s = 0; s < stages.size(); s++) {
      floats += training && first >= 0 && s >= first ? capacity * stages.get(s).output().size() : 0;
    }
    return floats;
  }

  /**
   * Trains the stages from layer {@code first} on only (frozen layers below it: {@link Network#firstTrainable}):
   * the backward pass stops there, and none reaches the stages when {@code first} is past them.
   *
   * @param first the index of the first trained layer with parameters in the network's layer list
   */
  void trainFrom(int first) {
    firstTrained = first < ops.size() ? Math.max(firstTrained, first) : -1;
  }

  /**
   * Freezes the first {@code count} layers' statistics: a frozen op with running statistics (a bn, or a residual
   * block holding one) normalizes with them in training too and leaves them as they are, as a frozen batch norm
   * does in PyTorch's fine-tuning recipes ({@code module.eval()}).
   *
   * @param count the first layers of the network's list not trained ({@code Training.freeze})
   */
  void freezeStatistics(int count) {
    frozenStatistics = Math.min(count, ops.size());
  }

  /** @return whether the dense layers must pass a gradient back into the stages */
  boolean needsGradient() {
    return training && firstTrained >= 0;
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
    for (int s = 0; s < ops.size(); s++) {
      LayerOp<B> op = ops.get(s);
      inputs.add(in);
      in = op.forward(in, rows, s < frozenStatistics && !op.state().isEmpty() ? -1 : step);
    }
    return in;
  }

  /**
   * Enqueues the stages' backward pass from {@link #outputGradient()} (filled by the first dense layer), down to
   * the first layer with parameters, filling their gradients. Uses the buffers of the last {@link #forward}.
   *
   * @param rows the rows of the last forward pass
   * @param step the step the forward pass used (the same dropout masks)
   * @param perSample what the parameter gradients are scaled by
   */
  void backward(int rows, long step, float perSample) {
    for (int s = ops.size() - 1; s >= firstTrained; s--) {
      ops.get(s).backward(rows, step, perSample, inputs.get(s), grads.get(s), s > firstTrained ? grads.get(s - 1) : null);
    }
  }
}
