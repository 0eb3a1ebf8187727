package dev.cltrain.train;

import dev.cltrain.device.TrainerState;

/**
 * The rule for an epoch of mini-batches that a checkpoint took part-way ({@link TrainerState#batch()} &gt; 0): what
 * it must hold to be resumed by a run of {@code chunks} batches over {@code rows} rows. Shared by {@link Backprop}
 * and {@link ShardedTrainer}.
 */
final class UnfinishedEpoch {
  private UnfinishedEpoch() {}

  /**
   * @param state     the state to resume from
   * @param fullBatch whether the run trains on the full batch (which has no unfinished epochs)
   * @param chunks    the run's batches per epoch
   * @param rows      the run's training rows
   * @return whether {@code state} ends part-way through an epoch (checked); false when on a whole epoch
   * @throws IllegalArgumentException if its row order, batch or slots do not fit the run
   */
  static boolean check(TrainerState state, boolean fullBatch, int chunks, int rows) {
    if (state.batch() <= 0) {
      return false;
    }
    if (fullBatch || state.order() == null || state.order().length != rows || state.batch() >= chunks
        || state.lossSlots() == null || state.lossSlots().length != state.batch()
        || state.correctSlots() == null || state.correctSlots().length != state.batch()) {
      throw new IllegalArgumentException("an unfinished epoch at batch " + state.batch() + " does not fit "
          + chunks + " batches of " + rows + " rows");
    }
    checkRowOrder(state.order(), rows);
    return true;
  }

  /**
   * Checks that {@code order} is a permutation of the rows 0..rows−1: these indices go to the gather kernels
   * as they are, and a kernel must never read outside its buffer whatever a checkpoint says.
   */
  static void checkRowOrder(int[] order, int rows) {
    if (order.length != rows) {
      throw new IllegalArgumentException("order holds " + order.length + " row indices, not " + rows);
    }
    boolean[] seen = new boolean[rows];
    for (int i = 0; i < order.length; i++) {
      int row = order[i];
      if (row < 0 || row >= rows) {
        throw new IllegalArgumentException("order holds row index " + row + " at position " + i + ", outside 0.."
            + (rows - 1));
      }
      if (seen[row]) {
        throw new IllegalArgumentException("order holds row index " + row + " twice: not a permutation of 0.."
            + (rows - 1));
      }
      seen[row] = true;
    }
  }
}
