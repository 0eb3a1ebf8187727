package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Network;

/**
 * How large a training run's buffers are: the batch rule (how many rows each iteration takes, how many iterations
 * an epoch has) and the bytes of device memory, in {@code long}, that a device checks against its limits before
 * anything is allocated: the sum of what each part says it allocates, next to the code that allocates it
 * ({@link Inference#bufferFloats}, {@link Stages#bufferFloats}, {@link Backprop#bufferFloats},
 * {@link ParameterTable#stateFloats}, {@link SmallNet#bufferFloats}); MemoryPlanTest counts the real allocations.
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
   * Bytes of device memory a network, training set and batch size need: the sum of what the parts of a
   * {@link Backprop} say they allocate (evaluation sets come on top, uploaded when first evaluated, and so do
   * train_small's packed buffers, {@link SmallNet#bufferFloats}, allocated at its first launch and smaller than a
   * work-group's local memory).
   *
   * @param network  the network to train
   * @param data     the training set
   * @param settings the optimizer (its state buffers) and the batch size
   * @return the bytes of float32 buffers a {@link Backprop} allocates
   */
  public static long bytesNeeded(Network network, DataSet data, Settings settings) {
    return 4 * trainingFloats(network, data, settings, false);
  }

  /**
   * Floats of device memory a {@link Backprop}, or a data-parallel {@link Replica}, allocates when it is made:
   * the forward pass's buffers with training's ({@link Inference#bufferFloats}), the training set
   * ({@link Inference#residentFloats}), the gradients, deltas and batch buffers ({@link Backprop#bufferFloats}) and
   * the optimizer state ({@link ParameterTable#stateFloats}).
   *
   * @param network  the network to train
   * @param data     the training set
   * @param settings the optimizer and the batch size
   * @param replica  whether for a replica, which has batch buffers even for the full batch
   * @return the floats (ints counted as floats: both take 4 bytes)
   */
  static long trainingFloats(Network network, DataSet data, Settings settings, boolean replica) {
    int rows = data.rows();
    long capacity = capacity(rows, settings.batchSize());
    boolean streamed = data.isStreamed() && !fullBatch(rows, settings.batchSize()); // a full batch is read whole
    boolean augmented = settings.augment() != null;
    return Inference.bufferFloats(network, capacity, true)
        + Inference.residentFloats(network, rows, capacity, streamed)
        + Backprop.bufferFloats(network, streamed && !augmented ? 0 : rows, capacity, !replica && !augmented
            && fullBatch(rows, settings.batchSize())) // augmented rows are gathered even for the full batch
        + (streamed && augmented ? capacity * data.inputs() : 0) // streamed rows as read, before augmentation
        + ParameterTable.stateFloats(network, settings.optimizer());
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
    boolean streamed = data.isStreamed() && !fullBatch(rows, settings.batchSize());
    long largest = (streamed ? capacity : rows) * Math.max(data.inputs(), data.outputs());
    for (Dense layer : network.dense()) {
      largest = Math.max(largest, Math.max(layer.weightCount(), capacity * layer.outputs()));
    }
    largest = Math.max(largest, largestStageBuffer(network, capacity));
    if (!fullBatch(rows, settings.batchSize()) || settings.augment() != null) {
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
   * @throws dev.cltrain.core.DeviceException naming the bytes needed and the device's limit
   */
  public static void checkFits(dev.cltrain.device.Device device, Network network, DataSet data, Settings settings) {
    checkFits(device, network, data, settings, false);
  }

  /**
   * As {@link #checkFits(dev.cltrain.device.Device, Network, DataSet, Settings)}, for a {@link Replica} when
   * {@code replica}.
   */
  static void checkFits(dev.cltrain.device.Device device, Network network, DataSet data, Settings settings,
      boolean replica) {
    long largest = largestBuffer(network, data, settings);
    device.checkFits(4 * trainingFloats(network, data, settings, replica), largest);
    checkIndexable(largest);
  }

  /**
   * Bytes of device memory a forward pass needs, the sum of what the parts of an {@link Inference} say they
   * allocate: the weights, outputs for {@code capacity} rows per layer, and one data set of {@code rows} rows with,
   * when it takes more than one chunk, the gathered chunk and the identity row order.
   *
   * @param network  the network to run
   * @param rows     the rows of the data set it runs over
   * @param capacity the most rows one forward pass takes
   * @return the bytes of float32 buffers an {@link Inference} allocates for one data set
   */
  public static long inferenceBytes(Network network, int rows, int capacity) {
    return inferenceBytes(network, rows, capacity, false);
  }

  /**
   * {@link #inferenceBytes(Network, int, int)}; a streamed set's rows are not resident, each chunk passes through
   * the batch buffers.
   */
  static long inferenceBytes(Network network, int rows, int capacity, boolean streamed) {
    boolean chunked = rows > capacity;
    return 4 * (Inference.bufferFloats(network, capacity, false)
        + Inference.residentFloats(network, rows, capacity, streamed)
        + (streamed ? Inference.batchFloats(network, capacity) : chunked ? Inference.batchFloats(network, capacity)
            + rows : 0));
  }

  /** Floats a convolution's patches or a stage's output may take in a forward pass over chunks: 2²⁴ (64 MiB). */
  static final long CHUNK_STAGE_FLOATS = 1 << 24;

  /**
   * Rows per chunk of a forward pass over a data set: {@code wanted}, fewer for a network whose stages would
   * otherwise take buffers over {@link #CHUNK_STAGE_FLOATS} (a convolution's patches grow with k²·C per pixel).
   *
   * @param network the network to run
   * @param wanted  the chunk size for a dense network
   * @return rows per chunk, at least 1
   */
  public static int chunkRows(Network network, int wanted) {
    long perRow = largestStageBuffer(network, 1);
    if (perRow == 0) {
      return wanted;
    }
    return (int) Math.max(1, Math.min(wanted, CHUNK_STAGE_FLOATS / perRow));
  }

  /** The largest buffer of the stages: a convolution's patches or a stage's output, for capacity rows. */
  static long largestStageBuffer(Network network, long capacity) {
    long largest = 0;
    if (network.hasFeatures()) {
      for (dev.cltrain.nn.Layer stage : network.stages()) {
        largest = Math.max(largest, LayerOps.largestBuffer(stage, capacity));
      }
    }
    return largest;
  }

  /**
   * @param network  the network to run
   * @param rows     the rows of the data set it runs over
   * @param capacity the most rows one forward pass takes
   * @return the largest single buffer, in bytes, that {@link #inferenceBytes} counts
   */
  public static long inferenceLargestBuffer(Network network, int rows, int capacity) {
    return inferenceLargestBuffer(network, rows, capacity, false);
  }

  /** {@link #inferenceLargestBuffer(Network, int, int)}; a streamed set's chunk of rows in place of the set. */
  static long inferenceLargestBuffer(Network network, int rows, int capacity, boolean streamed) {
    int[] widths = network.widths();
    long largest = (long) (streamed ? Math.min(rows, capacity) : rows) * Math.max(network.inputs(),
        widths[widths.length - 1]);
    for (Dense layer : network.dense()) {
      largest = Math.max(largest, Math.max(layer.weightCount(), (long) capacity * layer.outputs()));
    }
    return 4 * Math.max(largest, largestStageBuffer(network, capacity));
  }

  /**
   * Refuses on {@code device}, before anything is allocated, a forward pass whose buffers do not fit.
   *
   * @param device   where it would run
   * @param network  the network to run
   * @param rows     the rows of the data set it runs over
   * @param capacity the most rows one forward pass takes
   * @throws dev.cltrain.core.DeviceException naming the bytes needed and the device's limit
   */
  public static void checkFits(dev.cltrain.device.Device device, Network network, int rows, int capacity) {
    checkFits(device, network, rows, capacity, false);
  }

  /**
   * {@link #checkFits(dev.cltrain.device.Device, Network, int, int)} for a data set streamed ({@code streamed}) or
   * resident.
   */
  static void checkFits(dev.cltrain.device.Device device, Network network, int rows, int capacity,
      boolean streamed) {
    long largest = inferenceLargestBuffer(network, rows, capacity, streamed);
    device.checkFits(inferenceBytes(network, rows, capacity, streamed), largest);
    checkIndexable(largest);
  }

  /**
   * @param widths a dense network's widths, inputs first
   * @return its parameters: every layer's weights and biases
   */
  public static long parameters(int[] widths) {
    long count = 0;
    for (int l = 0; l + 1 < widths.length; l++) {
      count += (long) widths[l] * widths[l + 1] + widths[l + 1];
    }
    return count;
  }

  /**
   * Bytes of Java heap a training run holds whatever its device: the data (every set's inputs and targets) and
   * the network twice, as drawn and as trained (copied back at the end). The Java reference's training buffers
   * come on top, checked when the run opens ({@link #checkFits}).
   *
   * @param parameters the network's parameters
   * @param data       the training data, already loaded
   * @return the bytes
   */
  public static long heapBytes(long parameters, dev.cltrain.data.TrainingData data) {
    long floats = 2 * parameters;
    for (DataSet set : new DataSet[] {data.train(), data.test(), data.validation()}) {
      if (set != null && !set.isStreamed()) { // streamed: a window of batches, not the set
        floats += (long) set.rows() * (set.inputs() + set.outputs());
      }
    }
    return 4 * floats;
  }

  /**
   * The rule for Java arrays, on any device: refuses, before anything is allocated, work whose arrays need more
   * bytes than the heap's limit ({@code Runtime.maxMemory()}, set with {@code -Xmx}). Without it the JVM
   * allocated gigabytes for half a minute and then ended in a generic out-of-memory line.
   *
   * @param bytes what the arrays need
   * @param what  the work and what its arrays are, e.g. "--layers 2,30000,30000,1: the data and the network (drawn
   *              and trained)"
   * @throws dev.cltrain.core.InputException (exit 2) naming the bytes needed and the heap's limit
   */
  public static void checkHeap(long bytes, String what) {
    checkHeap(bytes, dev.cltrain.core.Wording.of(what));
  }

  /**
   * {@link #checkHeap(long, String)} for work whose description names parameters.
   *
   * @param bytes the bytes the work holds on the heap
   * @param what  the work and what its arrays are, e.g. "bench gemm: the operands at ..."
   * @throws dev.cltrain.core.InputException when the heap cannot hold them
   */
  public static void checkHeap(long bytes, dev.cltrain.core.Wording what) {
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap) {
      throw new dev.cltrain.core.InputException(dev.cltrain.core.Wording.of(what, " need " + bytes
          + " bytes of Java heap but it holds at most " + heap + " (give java a larger -Xmx, or make the work smaller)"));
    }
  }

  /** Every buffer is indexed with int, on every device: one of more than 2³¹−1 floats cannot be (exit 2). */
  private static void checkIndexable(long largestBytes) {
    if (largestBytes / 4 > Integer.MAX_VALUE) {
      throw new dev.cltrain.core.InputException(dev.cltrain.core.Wording.of("the largest buffer would hold " + largestBytes / 4
          + " floats (" + largestBytes + " bytes) but cltrain's buffers hold at most " + Integer.MAX_VALUE
          + " (try a smaller ", dev.cltrain.core.Wording.param("batchSize"), ")"));
    }
  }
}
