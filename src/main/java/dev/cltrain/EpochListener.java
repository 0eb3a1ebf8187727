package dev.cltrain;

import java.util.function.Supplier;

/**
 * Hears of a training run's progress, on the thread that runs it. {@link #onEpoch} can stop training.
 *
 * <pre>{@code
 * TrainingData xor = Data.builtin("xor");
 * Training.of(Network.builder(2, 4, 1).build(), xor).epochs(10000).statsEvery(100)
 *     .listener(report -> {
 *       if (!report.measured()) {
 *         return true; // statistics every 100 epochs
 *       }
 *       System.out.println(report.epoch() + " " + report.loss());
 *       return report.loss() > 0.01f; // stop once the loss is small
 *     })
 *     .run();
 * }</pre>
 */
@FunctionalInterface
public interface EpochListener {
  /**
   * After each epoch, before its checkpoint (if one is due): what the listener records of the epoch is done
   * before a checkpoint counts the epoch as trained.
   *
   * @param report what the epoch did
   * @return true to go on, false to stop training after this epoch
   */
  boolean onEpoch(EpochReport report);

  /**
   * Whether this listener needs only the measured epochs (those with statistics), checkpointed ones and the
   * last: then the run may train the epochs in between together, in fewer launches, and calls
   * {@link #onEpoch} only at the end of each such run of epochs. The weights are the same either way.
   *
   * @return false (the default) to hear every epoch
   */
  default boolean measuredOnly() {
    return false;
  }

  /**
   * After each mini-batch is enqueued, e.g. to move a progress bar; not called for full-batch epochs.
   *
   * @param epoch       0-based epoch
   * @param batch       0-based batch within the epoch
   * @param batches     batches per epoch
   * @param runningLoss the mean loss of the epoch's batches so far; asking waits for the device
   */
  default void onBatch(int epoch, int batch, int batches, Supplier<Float> runningLoss) {}

  /**
   * When a checkpoint could not be written (a full disk, say): the file keeps the last good checkpoint and
   * training goes on.
   *
   * @param epochs epochs done in the state that was not written
   * @param reason why, in one line
   */
  default void onCheckpointFailed(int epochs, String reason) {}

  /**
   * When training is over and the final figures are computed: a forward pass over every row of the training set
   * and of the held-out sets, which for a large network takes a while with nothing else to show.
   *
   * @param rows the rows evaluated, training and held-out sets together
   */
  default void onFinalEvaluation(long rows) {}
}
