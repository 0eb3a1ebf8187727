package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.UnaryOperator;

/**
 * The batches of an epoch on streamed data, read ahead: a background thread gathers batch b + 1's rows (in the
 * permutation's order) into host arrays while the device computes batch b. At most {@link #AHEAD} batches wait
 * ready and one more is being filled, so the heap holds a bounded window of rows. An error in the thread is
 * thrown by {@link #next()}; {@link #close()} stops the thread.
 */
final class BatchFeed implements AutoCloseable {
  /** Batches read ahead and waiting. */
  static final int AHEAD = 2;

  /** One batch's rows: {@code rows} × inputs in {@code x}, rows × outputs in {@code y}, exactly that long. */
  record Batch(float[] x, float[] y, int rows) {}

  private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(AHEAD);
  private final Thread thread;
  private volatile boolean closed;
  /** Nanoseconds {@link #next()} waited for rows that were not ready yet. */
  private long waited;
  private int taken;
  private final int batches;

  /**
   * Starts reading batches {@code first .. batches)} of the epoch.
   *
   * @param set      the streamed rows
   * @param order    the epoch's permutation of them
   * @param capacity rows per batch (the last may have fewer)
   * @param first    the first batch to read (a resumed epoch's)
   * @param targets  changes a batch's targets (label smoothing), or null
   */
  BatchFeed(DataSet set, int[] order, int capacity, int first, UnaryOperator<float[]> targets) {
    int rows = order.length;
    this.batches = (rows + capacity - 1) / capacity;
    this.taken = first;
    this.thread = new Thread(() -> {
      try {
        for (int b = first; b < batches && !closed; b++) {
          int offset = b * capacity;
          int n = Math.min(capacity, rows - offset);
          float[] x = new float[n * set.inputs()];
          float[] y = new float[n * set.outputs()];
          set.gather(order, offset, n, x, y);
          ready.put(new Batch(x, targets == null ? y : targets.apply(y), n));
        }
      } catch (InterruptedException e) {
        // closed
      } catch (RuntimeException | Error e) {
        try {
          ready.put(e);
        } catch (InterruptedException ignored) {
          // closed
        }
      }
    }, "cltrain-batch-feed");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * @return the next batch, waiting until it is read
   * @throws RuntimeException what reading the rows threw
   */
  Batch next() {
    if (taken >= batches) {
      throw new IllegalStateException("every batch of the epoch was taken");
    }
    long start = System.nanoTime();
    Object item;
    try {
      item = ready.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the next batch's rows", e);
    }
    waited += System.nanoTime() - start;
    taken++;
    took++;
    if (item instanceof RuntimeException e) {
      throw e;
    }
    if (item instanceof Error e) {
      throw e;
    }
    return (Batch) item;
  }

  private int took;

  /** {@return the batches {@link #next()} returned} */
  int batchesTaken() {
    return took;
  }

  /** {@return nanoseconds spent waiting for rows in {@link #next()}} */
  long waitedNanos() {
    return waited;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
