package dev.cltrain.train;

import dev.cltrain.backend.Backend;
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
   * From now on every shard's backward pass reads its gradients back in buckets as it goes
   * ({@link GradientExchange.Shard}), for a {@link ShardedTrainer} that adds them while the devices still compute.
   */
  void exchangeInBuckets() {
    if (exchange == null) {
      exchange = new GradientExchange.Shard<>(backend, table);
    }
  }

  /** The bucketed exchange's reads, when {@link #exchangeInBuckets} was called; else null. */
  private GradientExchange.Shard<B> exchange;

  /** {@return the last shard's gradient buckets, as {@link #exchangeInBuckets} reads them back} */
  GradientExchange.Shard<B> exchange() {
    return exchange;
  }

  @Override
  void gradientsEnqueued(int firstEntry) {
    if (exchange != null) {
      exchange.enqueued(firstEntry);
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
