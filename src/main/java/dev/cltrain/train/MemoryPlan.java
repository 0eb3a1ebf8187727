package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Network;

/**
 * The one place that knows how large a training run's buffers are: the batch rule (how many rows each
 * iteration takes, how many iterations an epoch has) and the bytes of device memory, in {@code long}, that a
 * device checks against its limits before anything is allocated.
 */
public final class MemoryPlan {
  private MemoryPlan() {}

  /**
   * @param rows      the training set's rows
   * @param batchSize the batch size asked for
   * @return whether {@code batchSize} means the whole set in one batch: 0 (or less), or at least the set's rows
   */
  public static boolean fullBatch(int rows, int batchSize) {
    return batchSize <= 0 || batchSize >= rows;
  }

  /**
   * @param rows      the training set's rows
   * @param batchSize the batch size asked for
   * @return rows one iteration works on: the batch size, or the whole set for a full batch
   */
  public static int capacity(int rows, int batchSize) {
    return fullBatch(rows, batchSize) ? rows : batchSize;
  }

  /**
   * @param rows      the training set's rows
   * @param batchSize the batch size asked for
   * @return backprop iterations per epoch: 1 for a full batch, else ⌈rows / batch size⌉
   */
  public static int batchesPerEpoch(int rows, int batchSize) {
    return fullBatch(rows, batchSize) ? 1 : (rows + batchSize - 1) / batchSize;
  }

  /**
   * Bytes of device memory a network, training set and batch size need: every buffer above, optimizer
   * state included (evaluation sets come on top, uploaded when first evaluated).
   *
   * @param network  the network to train
   * @param data     the training set
   * @param settings the optimizer (its state buffers) and the batch size
   * @return the bytes of float32 buffers a {@link Backprop} allocates
   */
  public static long bytesNeeded(Network network, DataSet data, Settings settings) {
    int rows = data.rows();
    boolean full = fullBatch(rows, settings.batchSize());
    long capacity = capacity(rows, settings.batchSize());
    long floats = (long) rows * (data.inputs() + data.outputs()) + 2L * ((rows + capacity - 1) / capacity);
    for (Layer layer : network.layers()) {
      long parameters = (long) layer.weightCount() + layer.outputs();
      floats += parameters * (2 + settings.optimizer().stateBuffers()) + 2L * capacity * layer.outputs();
    }
    if (!full) {
      floats += capacity * (data.inputs() + data.outputs()) + rows;
    }
    return 4 * floats;
  }

  /**
   * @param network  the network to train
   * @param data     the training set
   * @param settings the batch size
   * @return the largest single buffer, in bytes, that {@link #bytesNeeded} counts
   */
  public static long largestBuffer(Network network, DataSet data, Settings settings) {
    int rows = data.rows();
    long capacity = capacity(rows, settings.batchSize());
    long largest = (long) rows * Math.max(data.inputs(), data.outputs());
    for (Layer layer : network.layers()) {
      largest = Math.max(largest, Math.max(layer.weightCount(), capacity * layer.outputs()));
    }
    if (!fullBatch(rows, settings.batchSize())) {
      largest = Math.max(largest, capacity * Math.max(data.inputs(), data.outputs()));
    }
    return 4 * largest;
  }

  /**
   * Refuses on {@code device}, before anything is allocated, a training run whose buffers do not fit.
   *
   * @param device   where the run would go
   * @param network  the network to train
   * @param data     the training set
   * @param settings the optimizer and the batch size
   * @throws dev.cltrain.DeviceException naming the bytes needed and the device's limit
   */
  public static void checkFits(dev.cltrain.Device device, Network network, DataSet data, Settings settings) {
    long largest = largestBuffer(network, data, settings);
    device.checkFits(bytesNeeded(network, data, settings), largest);
    checkIndexable(largest);
  }

  /**
   * Bytes of device memory a forward pass needs: the weights, outputs for {@code capacity} rows per layer, and one
   * data set of {@code rows} rows with its gathered chunk.
   *
   * @param network  the network to run
   * @param rows     the rows of the data set it runs over
   * @param capacity the most rows one forward pass takes
   * @return the bytes of float32 buffers an {@link Inference} allocates for one data set
   */
  public static long inferenceBytes(Network network, int rows, int capacity) {
    int[] widths = network.widths();
    int ends = widths[0] + widths[widths.length - 1];
    long floats = ((long) rows + capacity) * ends + 2L * ((rows + (long) capacity - 1) / capacity);
    for (Layer layer : network.layers()) {
      floats += (long) layer.weightCount() + layer.outputs() + (long) capacity * layer.outputs();
    }
    return 4 * floats;
  }

  /**
   * @param network  the network to run
   * @param rows     the rows of the data set it runs over
   * @param capacity the most rows one forward pass takes
   * @return the largest single buffer, in bytes, that {@link #inferenceBytes} counts
   */
  public static long inferenceLargestBuffer(Network network, int rows, int capacity) {
    int[] widths = network.widths();
    long largest = (long) rows * Math.max(widths[0], widths[widths.length - 1]);
    for (Layer layer : network.layers()) {
      largest = Math.max(largest, Math.max(layer.weightCount(), (long) capacity * layer.outputs()));
    }
    return 4 * largest;
  }

  /**
   * Refuses on {@code device}, before anything is allocated, a forward pass whose buffers do not fit.
   *
   * @param device   where it would run
   * @param network  the network to run
   * @param rows     the rows of the data set it runs over
   * @param capacity the most rows one forward pass takes
   * @throws dev.cltrain.DeviceException naming the bytes needed and the device's limit
   */
  public static void checkFits(dev.cltrain.Device device, Network network, int rows, int capacity) {
    long largest = inferenceLargestBuffer(network, rows, capacity);
    device.checkFits(inferenceBytes(network, rows, capacity), largest);
    checkIndexable(largest);
  }

  /** Every buffer is indexed with int, on every device: one of more than 2³¹−1 floats cannot be (exit 2). */
  private static void checkIndexable(long largestBytes) {
    if (largestBytes / 4 > Integer.MAX_VALUE) {
      throw new dev.cltrain.InputException("the largest buffer would hold " + largestBytes / 4 + " floats ("
          + largestBytes + " bytes) but cltrain's buffers hold at most " + Integer.MAX_VALUE + " (try a smaller "
          + "--batch-size)");
    }
  }
}
