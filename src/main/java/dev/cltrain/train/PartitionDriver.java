package dev.cltrain.train;

import dev.cltrain.reference.ReferenceDevice;
import dev.cltrain.device.TrainerState;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import java.util.List;

/**
 * The driver's part of data-parallel training over fixed partitions: the network and the optimizer state, on
 * the Java reference. Each step it takes the partitions' gradients ({@link PartitionWorker.StepResult}), adds
 * them in partition order ({@link #add}) and applies the optimizer ({@link #apply}), exactly as every replica of
 * a {@link ShardedTrainer} does. Not thread-safe.
 */
public final class PartitionDriver implements AutoCloseable {
  private final Replica<?, ?> replica;

  private PartitionDriver(Replica<?, ?> replica) {
    this.replica = replica;
  }

  /**
   * @param network  the network to start from
   * @param settings the optimizer (and the batch size, unused here)
   * @return the driver
   */
  public static PartitionDriver open(Network network, Settings settings) {
    int outputs = network.outputs();
    DataSet shape = new DataSet("driver", 1, network.inputs(), outputs, new float[network.inputs()], new float[outputs]);
    return new PartitionDriver(new Replica<>(ReferenceDevice.INSTANCE.openBackend(false), network, shape,
        new Settings(settings.optimizer(), 1, settings.shuffler()), 0, false));
  }

  /**
   * The step's gradient: the partitions' added in partition order, starting from the first that gave rows;
   * partitions that gave none are left out (adding their zeros could turn a −0 into +0).
   *
   * @param results each partition's result, in partition order
   * @return the sum
   * @throws IllegalArgumentException when no partition gave rows
   */
  public static float[] add(List<PartitionWorker.StepResult> results) {
    float[] sum = null;
    for (PartitionWorker.StepResult r : results) {
      if (r.rows() == 0) {
        continue;
      }
      if (sum == null) {
        sum = r.gradients().clone();
      } else {
        float[] g = r.gradients();
        for (int k = 0; k < sum.length; k++) {
          sum[k] += g[k];
        }
      }
    }
    if (sum == null) {
      throw new IllegalArgumentException("no partition gave rows to this step");
    }
    return sum;
  }

  /**
   * Parameter averaging: the mean of the partitions' networks, every weight and bias added in partition order
   * and divided by their count (partitions that trained on no rows in the round are left out).
   *
   * @param results each partition's round, in partition order
   * @param name    what to call the networks in messages
   * @return the averaged network
   */
  public static Network average(List<PartitionWorker.LocalResult> results, String name) {
    List<Network> nets = new java.util.ArrayList<>();
    for (PartitionWorker.LocalResult r : results) {
      if (r.rows() > 0) {
        nets.add(dev.cltrain.nn.ModelJson.parse(r.weights(), name));
      }
    }
    if (nets.isEmpty()) {
      throw new IllegalArgumentException("no partition trained in this round");
    }
    Network first = nets.get(0);
    float count = nets.size();
    List<dev.cltrain.nn.Layer> layers = new java.util.ArrayList<>();
    for (int l = 0; l < first.layers().size(); l++) {
      dev.cltrain.nn.Layer layer = first.layers().get(l);
      List<float[]> sums = new java.util.ArrayList<>();
      for (float[] p : layer.parameters()) {
        sums.add(new float[p.length]);
      }
      for (Network n : nets) {
        List<float[]> mine = n.layers().get(l).parameters();
        for (int p = 0; p < sums.size(); p++) {
          addInto(sums.get(p), mine.get(p));
        }
      }
      for (float[] sum : sums) {
        divide(sum, count);
      }
      layers.add(layer.withParameters(sums));
    }
    return first.withLayers(layers);
  }

  private static void addInto(float[] sum, float[] values) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += values[i];
    }
  }

  private static void divide(float[] values, float by) {
    for (int i = 0; i < values.length; i++) {
      values[i] /= by;
    }
  }

  /**
   * Replaces the driver's weights (parameter averaging: the averaged network); the optimizer state and step
   * count stay.
   *
   * @param network a network of the same shapes
   */
  public void load(Network network) {
    replica.loadParameters(network, replica.state().step());
  }

  /** {@return floats of the gradient a step takes} */
  public int gradientFloats() {
    return replica.gradientFloats();
  }

  /**
   * One optimizer step with the summed gradient.
   *
   * @param summedGradients from {@link #add}
   */
  public void apply(float[] summedGradients) {
    if (summedGradients.length != replica.gradientFloats()) {
      throw new IllegalArgumentException(summedGradients.length + " gradients for a network of "
          + replica.gradientFloats());
    }
    replica.uploadGradients(summedGradients);
    replica.shardUpdate();
  }

  /** Counts a finished epoch (for {@link #state}). */
  public void epochDone() {
    replica.shardEpochDone();
  }

  /** {@return optimizer steps taken} */
  public long step() {
    return replica.state().step();
  }

  /** {@return the current network} */
  public Network network() {
    return replica.network();
  }

  /** {@return the weights, optimizer state and counts, as a checkpoint holds them} */
  public TrainerState state() {
    return replica.state();
  }

  /**
   * @param state a state from {@link #state} (or any checkpoint of the same network, at an epoch's end)
   */
  public void restore(TrainerState state) {
    replica.restore(new TrainerState(state.epoch(), 0, state.step(), state.network(), state.optimizerState(),
        state.shuffler(), null, null, null));
  }

  @Override
  public void close() {
    replica.close();
  }
}
