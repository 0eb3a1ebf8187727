package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;

/** Trains one network on one data set on one device: one pass over the training data per {@link #epoch}. */
public interface Trainer extends AutoCloseable {
  /** Where this trainer runs, e.g. "Java reference". */
  String deviceName();

  /**
   * One epoch: with a full batch, one backprop iteration (forward, loss, backward, update); with
   * mini-batches, one per batch over the reshuffled training set.
   *
   * @param wantStats compute the loss and accuracy; with a full batch they are the loss of the weights the
   *     epoch started from (the seed's printed loss); with mini-batches the mean over the epoch's batches.
   *     Without, a full-batch epoch skips them and returns NaN (mini-batch epochs always compute them).
   */
  EpochStats epoch(boolean wantStats);

  /** A copy of the weights as they are now. */
  Network network();

  /**
   * A forward pass with the current weights over {@code set} (uploaded once, then kept on the device):
   * the loss, the accuracy and, when {@code wantOutputs}, the outputs (rows × outputs).
   */
  Evaluation evaluate(DataSet set, boolean wantOutputs);

  @Override
  void close();

  /** Loss and accuracy (fraction of rows predicted right) of one epoch; NaN when not computed. */
  record EpochStats(float loss, float accuracy) {}

  /** Loss, accuracy, and the outputs for every sample (null unless asked for). */
  record Evaluation(float loss, float accuracy, float[] outputs) {}
}
