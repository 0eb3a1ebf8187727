package dev.cltrain.spark;

import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.train.Settings;
import java.io.Serializable;

/**
 * What every executor needs to know of a run, shipped with each step's tasks.
 *
 * @param runId         the run (the workers' cache key)
 * @param dataName      the data's name
 * @param inputs        inputs per row
 * @param outputs       targets per row
 * @param partitionRows each partition's rows
 * @param batchSize     rows per step, all partitions together (0: the whole set)
 * @param seed          the seed of the partitions' row orders
 * @param device        the device spec each executor opens (auto: a GPU where it has one, else the reference)
 * @param optimizer     the optimizer with its hyper-parameters
 */
record RunSpec(String runId, String dataName, int inputs, int outputs, int[] partitionRows, int batchSize, long seed,
    String device, Optimizer optimizer) implements Serializable {
  private static final long serialVersionUID = 1L;

  static RunSpec of(String runId, String dataName, int inputs, int outputs, int[] partitionRows, Settings settings,
      long seed, String device) {
    return new RunSpec(runId, dataName, inputs, outputs, partitionRows, settings.batchSize(), seed, device,
        settings.optimizer());
  }

  Settings settings() {
    return new Settings(optimizer, batchSize, new NumpyRandom(seed));
  }
}
