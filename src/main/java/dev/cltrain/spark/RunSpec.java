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
 * @param kind          the optimizer
 * @param hyper         its learning rate, momentum, beta1, beta2, epsilon, weight decay
 */
record RunSpec(String runId, String dataName, int inputs, int outputs, int[] partitionRows, int batchSize, long seed,
    String device, Optimizer.Kind kind, float[] hyper) implements Serializable {
  private static final long serialVersionUID = 1L;

  static RunSpec of(String runId, String dataName, int inputs, int outputs, int[] partitionRows, Settings settings,
      long seed, String device) {
    Optimizer o = settings.optimizer();
    return new RunSpec(runId, dataName, inputs, outputs, partitionRows, settings.batchSize(), seed, device, o.kind(),
        new float[] {o.learningRate(), o.momentum(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay()});
  }

  Settings settings() {
    return new Settings(new Optimizer(kind, hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5]), batchSize,
        new NumpyRandom(seed));
  }
}
