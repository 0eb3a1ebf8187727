package dev.cltrain.bench;

import dev.cltrain.Training;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Architecture;
import dev.cltrain.nn.Network;

/**
 * A training workload to time: a short name and the {@link Training} it runs. The same workload trains the
 * same way on every device.
 *
 * @param name     short name for tables and charts, e.g. "xor" or "random:4096x784x10"
 * @param training the network, data, optimizer, batch size and shuffling
 */
public record Workload(String name, Training training) {
  /** @return the data: the training set, and any test and validation sets */
  public TrainingData data() {
    return training.data();
  }

  /** @return the training set */
  public DataSet train() {
    return training.data().train();
  }

  /** @return the network before the first epoch */
  public Network initial() {
    return training.initial();
  }

  /** @return backprop iterations per epoch: 1 for a full batch, else ⌈rows / batch size⌉ */
  public int batchesPerEpoch() {
    return training.batchesPerEpoch();
  }

  /**
   * @return the workload in one line: widths, the first layer's activation, loss, optimizer and rate, the batch size
   *     unless full-batch, rows; e.g. "784,512,512,10 relu, xent, adam η 0.001, batch 128, 4096 rows" (for a
   *     network with features, its {@link Architecture#describe} line in place of the widths and activation)
   */
  public String describe() {
    StringBuilder s = new StringBuilder(initial().hasFeatures() ? Architecture.describe(initial())
        : joined(initial().widths()) + " " + initial().dense().get(0).activation().id);
    s.append(", ").append(initial().loss().id)
        .append(", ").append(training.optimizer().kind().id).append(" η ").append(dev.cltrain.nn.Optimizer.decimal(training.optimizer().learningRate()));
    if (batchesPerEpoch() > 1) {
      s.append(", batch ").append(training.batchSize());
    }
    return s.append(", ").append(train().rows()).append(" rows").toString();
  }

  /**
   * @param widths layer widths
   * @return "2,4,1"
   */
  public static String joined(int[] widths) {
    return dev.cltrain.NetworkRecipe.joined(widths);
  }
}
