package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.core.KernelTime;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Augment;
import dev.cltrain.nn.Regularization;
import dev.cltrain.nn.Shape;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A trainer's streamed training rows: each epoch's batches read ahead on the host ({@link BatchFeed}), their
 * targets changed as the resident training targets are on the device (label smoothing), their inputs written into
 * the batch buffer (augmented on the device), and the time spent waiting for them, for the profile.
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int (row index) buffer type
 */
final class StreamedBatches<B, I> {
  /** Label of the profile's entry for the time spent waiting for streamed rows (not a kernel). */
  static final String DATA_WAIT = "(waiting for streamed rows)";

  private final Backend<B, I> backend;
  private final DataSet set;
  private final Regularization regularization;
  private final int capacity;
  /** The rows' augmentation, or null. */
  private final Augment augment;
  private final Shape image;
  /** With augmentation: a batch's inputs as read, before {@link #writeInputs} augments them; else null. */
  private final B readX;
  /** The batches of the epoch being read ahead, or null. */
  private BatchFeed feed;
  /** Nanoseconds spent waiting for rows, and the batches taken, since the last {@link #takeWait}. */
  private long waited;
  private int batches;

  /**
   * Allocates, with augmentation, the buffer of a batch's inputs as read.
   *
   * @param backend        where the batch buffers live
   * @param set            the streamed training rows
   * @param regularization the optimizer's (its label smoothing changes each batch's targets)
   * @param augment        the rows' augmentation, or null
   * @param image          the rows' image shape (used with augmentation)
   * @param capacity       rows per batch
   */
  StreamedBatches(Backend<B, I> backend, DataSet set, Regularization regularization, Augment augment, Shape image,
      int capacity) {
    this.backend = backend;
    this.set = set;
    this.regularization = regularization;
    this.capacity = capacity;
    this.augment = augment;
    this.image = image;
    this.readX = augment == null ? null : backend.allocate(capacity * set.inputs());
  }

  /**
   * What a batch's targets go through as they are read, as the resident training targets are changed once on the
   * device (label smoothing), so that streamed rows train as resident ones do.
   *
   * @return the change, or null for none
   */
  UnaryOperator<float[]> targetChange() {
    int outputs = set.outputs();
    return regularization.labelSmoothing() > 0 ? y -> regularization.smoothedTargets(y, outputs) : null;
  }

  /**
   * Checks that the rows' source is unchanged and starts reading the epoch's batches {@code first ..} ahead.
   *
   * @param order the epoch's permutation of the rows
   * @param first the first batch to read (a resumed epoch's)
   */
  void startEpoch(int[] order, int first) {
    set.source().checkUnchanged();
    feed = new BatchFeed(set, order, capacity, first, targetChange());
  }

  /** {@return the epoch's next batch, waiting until it is read} */
  BatchFeed.Batch next() {
    return feed.next();
  }

  /** Stops reading the epoch's batches, if started, and counts its wait and batches for {@link #takeWait}. */
  void endEpoch() {
    if (feed != null) {
      waited += feed.waitedNanos();
      batches += feed.batchesTaken();
      feed.close();
      feed = null;
    }
  }

  /**
   * Adds the time spent waiting for rows since the last call ({@link #DATA_WAIT}) to a profile's kernel times,
   * unless those are empty or no batch was taken (a data-parallel replica reads no rows), and starts counting anew.
   *
   * @param times the kernel times taken from the backend
   */
  void takeWait(List<KernelTime> times) {
    if (!times.isEmpty() && batches > 0) {
      times.add(new KernelTime(DATA_WAIT, batches, waited));
    }
    waited = 0;
    batches = 0;
  }

  /**
   * Writes the inputs of rows order[offset .. offset + rows), read on the host in that order, into {@code into}:
   * as they are, or augmented as {@link Backprop#gatherInputs} augments the same rows resident (the draws of
   * epoch {@code epoch} and of each row's index in the training set, from the epoch's order on the device).
   *
   * @param x      the rows' inputs, rows × inputs
   * @param rows   the rows
   * @param offset the first row's place in the epoch's order
   * @param epoch  the epoch (from 0), for augmentation's draws
   * @param order  the epoch's order on the device
   * @param into   the batch buffer of inputs
   */
  void writeInputs(float[] x, int rows, int offset, int epoch, I order, B into) {
    if (augment == null) {
      backend.write(into, x);
      return;
    }
    backend.write(readX, x);
    long seed = augment.seed();
    backend.augmentRows(rows, image.height(), image.width(), image.channels(), augment.pad(),
        augment.flip() ? 1 : 0, (int) seed, (int) (seed >>> 32), epoch, offset, order, readX, into);
  }
}
