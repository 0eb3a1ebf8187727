package dev.cltrain.train;

import dev.cltrain.nn.Network;

/** Trains one network on one data set on one device, one backprop iteration per {@link #epoch}. */
public interface Trainer extends AutoCloseable {
  /** Where this trainer runs, e.g. "Java reference". */
  String deviceName();

  /**
   * One backprop iteration: forward, loss (only when {@code wantLoss}), backward, update.
   *
   * @return the loss of the weights this epoch started from (the seed's printed loss), or NaN when not wanted
   */
  float epoch(boolean wantLoss);

  /** A copy of the weights as they are now. */
  Network network();

  /** A forward pass with the current weights: the loss and the outputs, rows × outputs. */
  Evaluation evaluate();

  @Override
  void close();

  /** The loss and the network's outputs for every sample. */
  record Evaluation(float loss, float[] outputs) {}
}
