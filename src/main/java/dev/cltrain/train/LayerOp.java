package dev.cltrain.train;

import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * One layer's work on one backend, as {@link Stages} runs it: its forward pass, its backward pass, its
 * trainable buffers and their gradients, and the buffers it allocates. Made per kind by {@link LayerOps}; an
 * op holds its own buffers for {@code capacity} rows.
 *
 * @param <B> the backend's float buffer type
 */
interface LayerOp<B> {
  /**
   * Enqueues the forward pass.
   *
   * @param in   the input, rows × the layer's input size
   * @param rows rows to run, 1 to capacity
   * @param step the optimizer step whose dropout masks to use; negative outside training
   * @return the buffer holding the output (may be {@code in} itself for a layer that passes it through)
   */
  B forward(B in, int rows, long step);

  /**
   * Enqueues the backward pass of the last {@link #forward}.
   *
   * @param rows      the rows of that pass
   * @param step      the step it used
   * @param perSample what the parameter gradients are scaled by (1 / batch rows)
   * @param in        what that pass read
   * @param g         the gradient with respect to the output (may be overwritten)
   * @param gIn       where to put the gradient with respect to the input; null when none is needed
   */
  void backward(int rows, long step, float perSample, B in, B g, B gIn);

  /** @return the trainable buffers, weights then biases (empty for a layer without parameters) */
  default List<B> parameters() {
    return List.of();
  }

  /** @return the gradients of {@link #parameters()}, in the same order (empty outside training) */
  default List<B> gradients() {
    return List.of();
  }

  /**
   * @return the buffers of the layer's state ({@link Layer#state()}, e.g. running statistics), in that order:
   *     not trained, but changed by the forward pass while training, saved and restored with the parameters
   */
  default List<B> state() {
    return List.of();
  }

  /**
   * Adds this op's trainable arrays to the run's table, in {@link #parameters()}'s order: weights (decayed), then
   * biases, each with its gradient. The op owns the buffers; the table runs the update on them.
   *
   * @param table the training run's parameter table
   */
  default void addParameters(ParameterTable<B> table) {}

  /** @return floats this op allocated, for the memory count */
  long floats();

  /** @return the layer with its parameters as they are now on the device (waits for the work enqueued) */
  Layer current();
}
