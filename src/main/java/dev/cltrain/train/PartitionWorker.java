package dev.cltrain.train;

import dev.cltrain.device.Device;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;

/**
 * One partition's part of data-parallel training over fixed partitions (a cluster worker's): its rows stay on
 * its device, and {@link #step} computes their gradient sums at weights it is given, divided by the step's rows
 * in all ({@link PartitionPlan}). It holds no optimizer state and never updates: the weights come from the
 * {@link PartitionDriver} at every step, so a step computed again (a retried task) gives the same bits.
 * Not thread-safe.
 */
public final class PartitionWorker implements AutoCloseable {
  private final Replica<?, ?> replica;
  private final int partition;
  private final int rows;
  private NumpyRandom shuffler;
  private int epoch = -1;

  private PartitionWorker(Replica<?, ?> replica, int partition, int rows) {
    this.replica = replica;
    this.partition = partition;
    this.rows = rows;
  }

  /**
   * Uploads the partition to the device.
   *
   * @param device         where its rows stay and its gradients are computed
   * @param network        the network's shape (its weights are replaced at every step)
   * @param partitionRows  the partition's rows
   * @param partitionIndex p, which also offsets its dropout streams (as a {@link ShardedTrainer} shard's)
   * @param settings       the optimizer and the batch size of the whole step
   * @return the worker
   */
  public static PartitionWorker open(Device device, Network network, DataSet partitionRows, int partitionIndex,
      Settings settings) {
    MemoryPlan.checkFits(device, network, partitionRows, settings, true);
    return new PartitionWorker(replica(device.openBackend(false), network, partitionRows, settings, partitionIndex),
        partitionIndex, partitionRows.rows());
  }

  private static <B, I> Replica<B, I> replica(dev.cltrain.backend.Backend<B, I> backend, Network network,
      DataSet rows, Settings settings, int shard) {
    return new Replica<>(backend, network, rows, settings, shard, false);
  }

  /**
   * What one partition gives a step.
   *
   * @param gradients every gradient in the update's slot order (convolutions first, weights before biases), the
   *                  sum over the partition's rows divided by the step's rows in all; zeros when it gave none
   * @param lossSum   the loss summed over its rows
   * @param hits      its rows predicted right
   * @param rows      its rows in this step
   * @serial exclude
   */
  public record StepResult(float[] gradients, double lossSum, double hits, int rows) implements java.io.Serializable {
    /** The serial form's version. */
    private static final long serialVersionUID = 1L;
  }

  /**
   * The gradient of this partition's rows of step s of epoch e, at {@code weights}.
   *
   * @param weights the network's weights before the step (the driver's)
   * @param step    the optimizer steps taken before this one (dropout masks depend on it)
   * @param epoch   e, from 0
   * @param s       the step in the epoch
   * @param plan    the run's partitions and batch size
   * @param seed    the run's seed (for the partition's row order)
   * @return its gradients, loss and hits
   */
  public StepResult step(Network weights, long step, int epoch, int s, PartitionPlan plan, long seed) {
    int n = plan.rows(partition, s);
    if (n == 0) {
      return new StepResult(new float[replica.gradientFloats()], 0, 0, 0);
    }
    if (epoch != this.epoch) {
      replica.shardEpoch(orderOf(epoch, seed));
      this.epoch = epoch;
    }
    replica.loadParameters(weights, step);
    replica.shardStep(plan.offset(partition, s), n, plan.batchRows(s), 0);
    float[] gradients = new float[replica.gradientFloats()];
    replica.downloadGradients(gradients);
    float[][] slots = replica.slots(1);
    return new StepResult(gradients, (double) slots[0][0] * n, slots[1][0], n);
  }

  /**
   * What one partition gives a round of parameter averaging.
   *
   * @param weights its network after the round's local steps, as model JSON
   * @param lossSum the loss summed over the rows it trained on (each at the weights before that local step)
   * @param hits    those rows predicted right
   * @param rows    rows it trained on in the round
   * @serial exclude
   */
  public record LocalResult(String weights, double lossSum, double hits, int rows) implements java.io.Serializable {
    /** The serial form's version. */
    private static final long serialVersionUID = 1L;
  }

  /**
   * Parameter averaging (Deeplearning4j's scheme, for slow networks; not bit-equal to synchronous training):
   * from {@code weights}, {@code count} local optimizer steps on this partition's rows of steps
   * {@code from .. from+count−1} of epoch e, each gradient the mean over its own rows, with this worker's own
   * optimizer state (kept from round to round on this worker; a worker opened afresh starts it at zero).
   *
   * @param weights the averaged weights the round starts from
   * @param epoch   e, from 0
   * @param from    the round's first step in the epoch
   * @param count   its steps
   * @param plan    the run's partitions and batch size
   * @param seed    the run's seed (for the partition's row order)
   * @return its weights after the round, loss and hits
   */
  public LocalResult localSteps(Network weights, int epoch, int from, int count, PartitionPlan plan, long seed) {
    if (epoch != this.epoch) {
      replica.shardEpoch(orderOf(epoch, seed));
      this.epoch = epoch;
    }
    replica.loadParameters(weights, localSteps);
    double lossSum = 0;
    double hits = 0;
    int trained = 0;
    for (int s = from; s < from + count; s++) {
      int n = plan.rows(partition, s);
      if (n == 0) {
        continue;
      }
      replica.shardStep(plan.offset(partition, s), n, n, 0);
      float[][] slots = replica.slots(1);
      lossSum += (double) slots[0][0] * n;
      hits += slots[1][0];
      trained += n;
      replica.shardUpdate();
      localSteps++;
    }
    return new LocalResult(dev.cltrain.nn.ModelJson.toJson(replica.network()), lossSum, hits, trained);
  }

  private long localSteps;

  /** The partition's order in {@code e}: drawn on from the last epoch's generator when it moves forward. */
  private int[] orderOf(int e, long seed) {
    if (shuffler == null || e <= this.epoch) {
      shuffler = PartitionPlan.generator(seed, partition);
      this.epoch = -1;
    }
    int[] order = null;
    for (int k = this.epoch + 1; k <= e; k++) {
      order = shuffler.permutation(rows);
    }
    return order;
  }

  @Override
  public void close() {
    replica.close();
  }
}
