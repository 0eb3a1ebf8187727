package dev.cltrain.nn;

/**
 * One step of a network before its dense layers: a convolution, a pooling or a dropout, each from a
 * {@link Shape} to a {@link Shape} (flatten is implied: samples are stored HWC, one row each, so the last
 * stage's output row is the first dense layer's input). An immutable value.
 */
public sealed interface Stage permits Conv, Pool, Dropout {
  /** @return the shape this stage takes */
  Shape input();

  /** @return the shape this stage gives */
  Shape output();

  /** @return weights and biases this stage has (0 for pooling and dropout) */
  default long parameterCount() {
    return 0;
  }

  /** @return the item of {@code --net} that describes this stage, e.g. "conv:32:3", "maxpool:2", "dropout:0.5" */
  String spec();
}
