package dev.cltrain.train;

import dev.cltrain.reference.ReferenceDevice;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel training over fixed partitions in one process, on the Java reference: what a cluster run with
 * the same partitions computes (dev.cltrain.spark.SparkTrain), step for step and bit for bit, without a
 * cluster. The comparison its tests make.
 */
public final class PartitionedTraining {
  private PartitionedTraining() {}

  /**
   * Trains {@code epochs} epochs: every step, each partition's gradient at the driver's weights, added in
   * partition order, one optimizer step.
   *
   * @param initial    the network to start from
   * @param partitions the partitions' rows, in partition order
   * @param settings   optimizer and batch size (all partitions together)
   * @param seed       the seed of the partitions' row orders
   * @param epochs     epochs to train
   * @return the trained network
   */
  public static Network runLocal(Network initial, List<DataSet> partitions, Settings settings, long seed, int epochs) {
    return run(initial, partitions, settings, seed, epochs, 0);
  }

  /**
   * Parameter averaging in one process, on the Java reference: what SparkTrain's {@code --average-every K}
   * computes when no worker is lost (a new worker starts its optimizer state afresh). Every K steps of an epoch
   * (fewer at its end), each partition trains K local steps from the averaged weights; the driver averages the
   * partitions' weights in partition order. Not bit-equal to {@link #runLocal}.
   *
   * @param initial      the network to start from
   * @param partitions   the partitions' rows, in partition order
   * @param settings     optimizer and batch size (all partitions together)
   * @param seed         the seed of the partitions' row orders
   * @param epochs       epochs to train
   * @param averageEvery K, local steps between averages (at least 1)
   * @return the trained network
   */
  public static Network runLocalAveraging(Network initial, List<DataSet> partitions, Settings settings, long seed,
      int epochs, int averageEvery) {
    if (averageEvery < 1) {
      throw new IllegalArgumentException("average every " + averageEvery + " steps");
    }
    return run(initial, partitions, settings, seed, epochs, averageEvery);
  }

  /** Synchronous steps ({@code averageEvery} 0) or rounds of parameter averaging. */
  private static Network run(Network initial, List<DataSet> partitions, Settings settings, long seed, int epochs,
      int averageEvery) {
    int[] rows = new int[partitions.size()];
    for (int p = 0; p < rows.length; p++) {
      rows[p] = partitions.get(p).rows();
    }
    PartitionPlan plan = new PartitionPlan(rows, settings.batchSize());
    List<PartitionWorker> workers = new ArrayList<>();
    try (PartitionDriver driver = PartitionDriver.open(initial, settings)) {
      for (int p = 0; p < rows.length; p++) {
        workers.add(PartitionWorker.open(ReferenceDevice.INSTANCE, initial, partitions.get(p), p, settings));
      }
      long step = 0;
      for (int e = 0; e < epochs; e++) {
        int stride = averageEvery > 0 ? averageEvery : 1;
        for (int s = 0; s < plan.stepsPerEpoch(); s += stride) {
          Network weights = driver.network();
          if (averageEvery > 0) {
            int count = Math.min(averageEvery, plan.stepsPerEpoch() - s);
            List<PartitionWorker.LocalResult> results = new ArrayList<>();
            for (PartitionWorker w : workers) {
              results.add(w.localSteps(weights, e, s, count, plan, seed));
            }
            driver.load(PartitionDriver.average(results, "a partition's weights"));
          } else {
            List<PartitionWorker.StepResult> results = new ArrayList<>();
            for (PartitionWorker w : workers) {
              results.add(w.step(weights, step, e, s, plan, seed));
            }
            driver.apply(PartitionDriver.add(results));
            step++;
          }
        }
        driver.epochDone();
      }
      return driver.network();
    } finally {
      for (PartitionWorker w : workers) {
        w.close();
      }
    }
  }
}
