package dev.cltrain.device;

import dev.cltrain.core.KernelTime;


import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;

/**
 * Trains one network on one data set on one device: one pass over the training data per {@link #epoch}. A
 * trainer holds the device's buffers (weights, optimizer state, the data): close it. {@link dev.cltrain.Training} runs the
 * usual loop on top of one; use a trainer directly to write your own.
 *
 * <p>Not thread-safe: one thread at a time, except {@link #stopAfterBatch()}. Several trainers may run at once
 * in several threads, on one device or several.
 */
public interface Trainer extends AutoCloseable {
  /** {@return where this trainer runs, e.g. "Java reference"} */
  String deviceName();

  /**
   * One epoch: with a full batch, one backprop iteration (forward, loss, backward, update); with
   * mini-batches, one per batch over the reshuffled training set.
   *
   * @param wantStats compute the loss and accuracy; with a full batch they are the loss of the weights the
   *     epoch started from (the seed's printed loss); with mini-batches the mean over the epoch's batches.
   *     Without, a full-batch epoch skips them and returns NaN (mini-batch epochs always compute them).
   * @return the epoch's loss and accuracy
   */
  default EpochStats epoch(boolean wantStats) {
    return epoch(wantStats, null);
  }

  /**
   * {@link #epoch(boolean)}, telling {@code listener} after each mini-batch is enqueued.
   *
   * @param wantStats as for {@link #epoch(boolean)}
   * @param listener  hears each mini-batch, or null
   * @return the epoch's loss and accuracy; {@code complete} false when it stopped early
   */
  EpochStats epoch(boolean wantStats, BatchListener listener);

  /**
   * {@code count} epochs as {@link #epoch(boolean)} runs them one after another, statistics only of the last:
   * the same weights, bit for bit, and the same last statistics. A trainer may run them with fewer launches
   * (Backprop: one train_small launch for many epochs of a small full-batch network). {@link #stopAfterBatch()}
   * may end them early, between epochs: {@code complete} is then false and {@link #state()} says how many ran.
   *
   * @param count       epochs to run, at least 1
   * @param statsOnLast compute the last epoch's loss and accuracy (as {@code epoch(true)} would); else NaN
   * @return the last epoch's loss and accuracy
   */
  default EpochStats epochs(int count, boolean statsOnLast) {
    EpochStats stats = null;
    for (int e = 0; e < count; e++) {
      stats = epoch(statsOnLast && e == count - 1);
      if (!stats.complete()) {
        return stats;
      }
    }
    return stats;
  }

  /**
   * How this trainer launches its epochs, for {@code --profile}.
   *
   * @return e.g. "layer by layer (mini-batches)" or "one launch per up to 4000 epochs (train_small: ...)"
   */
  default dev.cltrain.core.Wording launchPlan() {
    return dev.cltrain.core.Wording.of("layer by layer");
  }

  /** Hears of each mini-batch of an epoch, e.g. to move a progress bar. */
  interface BatchListener {
    /**
     * @param batch       0-based index of the batch just enqueued
     * @param batches     batches in this epoch
     * @param runningLoss the mean loss of this epoch's batches so far; asking waits for the device
     */
    void batchDone(int batch, int batches, java.util.function.Supplier<Float> runningLoss);
  }

  /** {@return a copy of the weights as they are now} */
  /**
   * Sets the learning rate the following updates use (a schedule's rate for the coming epoch); the optimizer's
   * other parameters stay. The float goes to the update kernels as it is.
   *
   * @param rate η for the next updates
   */
  default void learningRate(float rate) {
    throw new UnsupportedOperationException("this trainer has a fixed learning rate");
  }

  /** {@return a copy of the weights as they are now} */
  Network network();

  /**
   * A forward pass with the current weights over {@code set} (uploaded once, then kept on the device):
   * the loss, the accuracy and, when {@code wantOutputs}, the outputs (rows × outputs).
   *
   * @param set         rows of the network's widths, at its input scale
   * @param wantOutputs also copy every row's outputs back
   * @return the loss, accuracy and outputs
   */
  Evaluation evaluate(DataSet set, boolean wantOutputs);

  /** {@return time per kernel since the last call when the trainer was made for profiling (bench, --profile); else empty} */
  default java.util.List<KernelTime> takeProfile() {
    return java.util.List.of();
  }

  /** {@return bytes copied {host → device, device → host} since the trainer was made (0 on the reference)} */
  default long[] transferredBytes() {
    return new long[2];
  }

  @Override
  void close();

  /**
   * Asks the epoch under way (from any thread, e.g. a signal handler) to stop after its current batch; the
   * epoch then returns with {@code complete} false and {@link #state()} holds where it stopped. On an OpenCL
   * device the host enqueues at most one batch (or one quiet full-batch epoch, or one short train_small launch)
   * ahead of the device, so the stop is heard within a batch or two of the device's progress.
   */
  default void stopAfterBatch() {}

  /**
   * Where training stands now, to write a checkpoint; waits for the device.
   *
   * @return the weights, optimizer state, generator state and position in the epoch
   */
  TrainerState state();

  /**
   * Puts this trainer where {@code state} says, so it goes on exactly as the trainer that saved it would.
   *
   * @param state a state taken from a trainer of the same network, data and settings
   * @throws IllegalArgumentException when the state does not fit this trainer's network or data
   */
  void restore(TrainerState state);

  /**
   * Loss and accuracy (fraction of rows predicted right) of one epoch; NaN when not computed. {@code complete}
   * is false when the epoch stopped early ({@link #stopAfterBatch()}); loss and accuracy then cover its batches
   * so far.
   *
   * @param loss     the mean loss
   * @param accuracy the fraction of rows predicted right
   * @param complete whether every batch of the epoch ran
   */
  record EpochStats(float loss, float accuracy, boolean complete) {
    /**
     * The figures of a whole epoch.
     *
     * @param loss     the mean loss
     * @param accuracy the fraction of rows predicted right
     */
    public EpochStats(float loss, float accuracy) {
      this(loss, accuracy, true);
    }
  }

  /**
   * Loss, accuracy, and the outputs for every sample.
   *
   * @param loss     the mean loss over the rows
   * @param accuracy the fraction of rows predicted right (the argmax, or the side of 0.5 for one output)
   * @param outputs  rows × outputs, row-major; null unless asked for
   */
  record Evaluation(float loss, float accuracy, float[] outputs) {}
}
