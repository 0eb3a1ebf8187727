package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Backend.Mapped;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import java.util.List;

/**
 * One replica of data-parallel training ({@link ShardedTrainer}, {@link PartitionWorker}, {@link PartitionDriver}):
 * a {@link Backprop} that trains on rows the caller picks, with batch buffers even for the full batch, layer by
 * layer, its dropout masks drawn from streams offset by {@code shard << 16}; the caller adds the replicas'
 * gradients, in the {@link ParameterTable}'s order, between the backward pass and the update.
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int (row index) buffer type
 */
final class Replica<B, I> extends Backprop<B, I> {
  private final float[] shardScratch = new float[1];

  /**
   * Uploads the network and the training set and allocates every buffer. Takes ownership of {@code backend}.
   *
   * @param backend  where the buffers live and the kernels run
   * @param initial  the network to start from
   * @param train    the rows this replica's shards are drawn from
   * @param settings the optimizer, the batch size and the shuffling generator
   * @param shard    this replica's index (≥ 0), which offsets its dropout streams
   * @param shardStatistics whether its batch norms may use its shard's own statistics ({@link ShardedTrainer});
   *                 else a network with batch norms is refused (a cluster's executors)
   */
  Replica(Backend<B, I> backend, Network initial, DataSet train, Settings settings, int shard,
      boolean shardStatistics) {
    super(backend, initial, train, settings, shard, shardStatistics);
  }

  /**
   * Starts an epoch of shards in {@code rowOrder} (a permutation of the training rows): uploaded, or for streamed
   * rows kept on the host, which gathers each shard's rows.
   */
  void shardEpoch(int[] rowOrder) {
    small.useLayers();
    if (streamed()) {
      hostOrder = rowOrder;
    }
    if (!streamed() || augmented()) { // streamed and augmented: the order gives each row's draws
      backend.writeIndices(order, rowOrder);
    }
  }

  /** Streamed rows: the epoch's order, from {@link #shardEpoch}. */
  private int[] hostOrder;

  /**
   * Enqueues one shard of a mini-batch: rows {@code order[offset .. offset+rows)}, forward, their loss and hits
   * into {@code slot}, backward with gradients scaled by 1/{@code batchRows}, so that the shards' gradients add
   * up to the batch's. No update: the caller adds the shards' gradients ({@link #downloadGradients}), gives the
   * sum back ({@link #uploadGradients}) and then updates ({@link #shardUpdate}).
   */
  void shardStep(int offset, int rows, int batchRows, int slot) {
    if (streamed()) { // read here; a ShardedTrainer reads its batches ahead and gives them (the other shardStep)
      DataSet set = trainingSet();
      float[] x = new float[rows * set.inputs()];
      float[] y = new float[rows * set.outputs()];
      set.gather(hostOrder, offset, rows, x, y);
      java.util.function.UnaryOperator<float[]> change = streamedBatches().targetChange();
      shardStep(offset, x, change == null ? y : change.apply(y), rows, batchRows, slot);
      return;
    }
    gatherInputs(rows, offset);
    backend.gatherRows(rows, widths[layerCount()], offset, order, train.y, batchY);
    shardCompute(rows, batchRows, slot);
  }

  /**
   * {@link #shardStep(int, int, int, int)} on rows read on the host (streamed): {@code x} and {@code y} hold
   * exactly the shard's {@code rows} rows, order[offset ..), targets as {@link StreamedBatches#targetChange()} leaves
   * them.
   */
  void shardStep(int offset, float[] x, float[] y, int rows, int batchRows, int slot) {
    streamedBatches().writeInputs(x, rows, offset, epochsDone, order, batchX);
    backend.write(batchY, y);
    shardCompute(rows, batchRows, slot);
  }

  private void shardCompute(int rows, int batchRows, int slot) {
    if (exchange != null) {
      exchange.startStep();
    }
    forward(batchX, rows, step);
    stats(batchY, rows, slot, train.lossSlots, train.correctSlots);
    backward(batchY, rows, 1.0f / batchRows);
    backend.flush(); // every device starts on its shard before the host waits for any
  }

  /**
   * From now on every shard's backward pass reads its gradients back in buckets as it goes ({@link Exchange}), for
   * a {@link ShardedTrainer} that adds them while the devices still compute.
   */
  void exchangeInBuckets() {
    if (exchange == null) {
      exchange = new Exchange();
    }
  }

  /** The bucketed exchange's reads, when {@link #exchangeInBuckets} was called; else null. */
  private Exchange exchange;

  /** {@return the last shard's gradient buckets, as {@link #exchangeInBuckets} reads them back} */
  Exchange exchange() {
    return exchange;
  }

  @Override
  void gradientsEnqueued(int firstEntry) {
    if (exchange != null) {
      exchange.enqueued(firstEntry);
    }
  }

  /**
   * A shard's gradients handed to the host in buckets while its backward pass goes on, as PyTorch's
   * DistributedDataParallel does: each time the backward pass has enqueued the last kernel writing some table
   * entries (a dense layer's arrays and its batch norm's, from the last layer down), the maps of their gradients
   * follow at once in the device's queue (non-blocking; on a CPU device the host then reads and writes the device's
   * own memory, no copy), so that the host can add one bucket while the device computes the layers below, write the
   * sum in place and unmap. Before the last bucket's maps it marks the queue: the point where the backward pass is
   * done ({@link #awaitCompute}).
   */
  final class Exchange {
    /** This step's mapping of each table entry's gradient, until released (null: not mapped). */
    private final Mapped[] maps = new Mapped[table.entries().size()];
    /** This step's buckets, from the last entries down: {first, end} each. */
    private final List<int[]> buckets = new java.util.ArrayList<>();
    private Runnable computed;
    /** The first entry mapped this step (the entries from it to the end are). */
    private int mappedFrom;
    /** Whether shards map their gradients ({@link #pause}). */
    private boolean on = true;

    /** Releases what the last step left mapped and forgets its buckets. */
    private void startStep() {
      release(0, maps.length);
      awaitCompute();
      buckets.clear();
      mappedFrom = maps.length;
    }

    private void enqueued(int firstEntry) {
      int first = Math.max(firstEntry, table.firstTrained());
      if (!on || first >= mappedFrom) {
        return;
      }
      if (first == table.firstTrained()) {
        computed = backend.mark();
      }
      map(first, mappedFrom);
      buckets.add(new int[] {first, mappedFrom});
      mappedFrom = first;
    }

    /**
     * Whether the shards' backward passes map their gradients (on from the start): off for work that reads the
     * gradients otherwise ({@link ShardedTrainer#calibrate}).
     */
    void pause(boolean off) {
      release(0, maps.length);
      on = !off;
    }

    /** {@return this step's buckets, in the order mapped: {first entry, end entry} each} */
    List<int[]> buckets() {
      return buckets;
    }

    /** Waits until this step's backward pass has finished on the device (not the last bucket's maps). */
    void awaitCompute() {
      if (computed != null) {
        Runnable r = computed;
        computed = null;
        r.run();
      }
    }

    /**
     * Entry {@code e}'s gradient in host memory, to read and overwrite until {@link #release}: waits for its map,
     * mapping it first where this step's backward pass did not (a device without rows this step).
     */
    java.nio.FloatBuffer gradient(int e) {
      map(e, e + 1);
      return maps[e].await();
    }

    /** Maps the gradients of entries {@code first .. end)} not mapped yet (later entries first). */
    private void map(int first, int end) {
      for (int e = end - 1; e >= first; e--) {
        if (maps[e] == null) {
          maps[e] = backend.map(table.entries().get(e).gradient(), table.entries().get(e).count());
        }
      }
      backend.flush();
    }

    /** Gives the gradients of entries {@code first .. end)} back to the device (unmapped, in order with the queue). */
    void release(int first, int end) {
      for (int e = first; e < end; e++) {
        if (maps[e] != null) {
          maps[e].await();
          maps[e].release();
          maps[e] = null;
        }
      }
    }
  }

  /** Waits until this replica's shard is computed (a blocking read of one batch slot). */
  void awaitShard() {
    backend.download(train.correctSlots, shardScratch);
  }

  /** {@return floats of all gradients, the parameter table's order (convolutions first, weights before biases)} */
  int gradientFloats() {
    return table.gradientFloats();
  }

  /** Copies every gradient, in table order, into {@code into} (waits for the work enqueued before). */
  void downloadGradients(float[] into) {
    table.downloadGradients(into);
  }

  /** Replaces every gradient, in table order, with {@code from}'s values. */
  void uploadGradients(float[] from) {
    table.uploadGradients(from);
  }

  /** The optimizer step with the gradients in place (all replicas hold the same sum). */
  void shardUpdate() {
    update();
    backend.flush();
  }

  /**
   * Replaces the parameters with {@code from}'s (same shapes) and the step count with {@code stepsTaken}: a
   * partition's replica takes the driver's weights before every step ({@link PartitionWorker}).
   */
  void loadParameters(Network from, long stepsTaken) {
    small.useLayers();
    if (from.convs().size() != initial.convs().size() || from.dense().size() != layerCount()) {
      throw new IllegalArgumentException("weights of another network");
    }
    table.load(dev.cltrain.nn.Parameters.arrays(from));
    step = stepsTaken;
  }

  /** Ends an epoch of shards (counted for checkpoints). */
  void shardEpochDone() {
    epochsDone++;
  }

  /** {@return batch slots of this replica's training set} */
  int batchSlots() {
    return train.chunks;
  }
}
