package dev.cltrain.nn;

/**
 * One layer of a {@link Network}, from a {@link Shape} to a {@link Shape}: a {@link Dense} layer, a {@link Conv}
 * convolution, a {@link Pool} pooling, a {@link Dropout}, a {@link GlobalPool}, a {@link BatchNorm}, a {@link Residual} block, a {@link Recurrent} layer (LSTM, GRU) or an {@link Embedding}. An immutable value. Each kind is registered once, in
 * {@link LayerKind}: its id, its {@code --net} item and its model-JSON form; the ONNX mapping and the training
 * op of a kind are each one row of a table keyed by {@link #kind()} (see {@code onnx.LayerMappings} and
 * {@code train.LayerOps}).
 *
 * <pre>{@code
 * Layer hidden = new Dense(2, 4, Activation.SIGMOID, new float[8], new float[4]);
 * String item = hidden.spec(); // "dense:4"
 * }</pre>
 */
public sealed interface Layer permits Dense, Conv, Pool, Dropout, GlobalPool, BatchNorm, Residual, Conv1d, Pool1d,
    Recurrent, Embedding {
  /** @return the shape this layer takes (a dense layer: 1 × 1 × inputs, read from any shape of that size) */
  Shape input();

  /**
   * @param at the shape the layers before it give
   * @return whether this layer takes it: its {@link #input()} (a dense layer: any shape of its input size)
   */
  default boolean takes(Shape at) {
    return input().equals(at);
  }

  /** @return the shape this layer gives */
  Shape output();

  /** @return its row in the registry of layer kinds */
  LayerKind kind();

  /**
   * @return whether it takes its input as one flat vector (a dense layer): a version 2 model file has "flatten"
   *     before the first such layer, and the layers from there on are the network's dense head
   */
  default boolean takesFlatInput() {
    return false;
  }

  /** @return weights and biases this layer has (0 for pooling and dropout) */
  default long parameterCount() {
    return 0;
  }

  /** @return copies of its trainable arrays, weights then biases (none for pooling and dropout) */
  default java.util.List<float[]> parameters() {
    return java.util.List.of();
  }

  /**
   * @param values new trainable arrays, as many and as long as {@link #parameters()} gives
   * @return this layer with those values
   */
  default Layer withParameters(java.util.List<float[]> values) {
    return this;
  }

  /**
   * @return the layers whose parameters the optimizer keeps as one entry each (its table's and a checkpoint's
   *     optimizer state, in this order): this layer, or a block's inner layers then its shortcut's
   */
  default java.util.List<Layer> trainedParts() {
    return java.util.List.of(this);
  }

  /**
   * The layer's state: arrays it keeps that are not trained by the optimizer but change while training (a batch
   * norm's running statistics). They are saved with the model and in checkpoints, loaded back when a run resumes
   * and copied off the device with the parameters ({@link Parameters#state}); each op keeps their buffers in
   * this order.
   *
   * @return copies of its state arrays (none for most kinds)
   */
  default java.util.List<float[]> state() {
    return java.util.List.of();
  }

  /**
   * @param values new state arrays, as many and as long as {@link #state()} gives
   * @return this layer with that state
   */
  default Layer withState(java.util.List<float[]> values) {
    return this;
  }

  /** @return the item of {@code --net} that describes this layer, e.g. "conv:32:3", "maxpool:2", "dense:10" */
  String spec();

  /**
   * @return its {@code --net} items: {@link #spec()}, then its activation item when it has one other than
   *     identity, e.g. "conv:32:3,relu" ({@link NetSpec#of} joins them)
   */
  default String netItems() {
    return spec();
  }

  /**
   * @return the layer as summaries print it ({@link Architecture#describe}): its {@code --net} item, and the
   *     activation of a layer that has one, e.g. "conv:32:3 relu", "dense 784x128 relu", "maxpool:2"
   */
  default String describe() {
    return spec();
  }
}
