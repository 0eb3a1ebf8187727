package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.Loaded;
import dev.cltrain.nn.Network;

/**
 * What to train, resolved from the command line: the data, the starting network and how to train it. The
 * same workload trains the same way on every device: each trainer copies the settings' shuffler.
 *
 * @param name     short name for tables and charts, e.g. "xor" or "random:4096x784x10"
 * @param data     training data and any held-out sets
 * @param initial  the network before the first epoch
 * @param settings optimizer, batch size and the seeded shuffler
 */
public record Workload(String name, Loaded data, Network initial, Settings settings) {
  public DataSet train() {
    return data.train();
  }

  /** Backprop iterations per epoch: 1 for a full batch, else ⌈rows / batch size⌉. */
  public int batchesPerEpoch() {
    int rows = train().rows();
    int batch = settings.batchSize();
    return batch <= 0 || batch >= rows ? 1 : (rows + batch - 1) / batch;
  }

  /** "784,512,512,10 relu, xent, adam η 0.001, batch 128, 4096 rows": the workload in one line. */
  public String describe() {
    StringBuilder s = new StringBuilder(joined(initial.widths()));
    s.append(' ').append(initial.layers().get(0).activation().id).append(", ").append(initial.loss().id).append(", ")
        .append(settings.optimizer().kind().id).append(" η ").append(settings.optimizer().learningRate());
    if (batchesPerEpoch() > 1) {
      s.append(", batch ").append(settings.batchSize());
    }
    return s.append(", ").append(train().rows()).append(" rows").toString();
  }

  /** "2,4,1". */
  public static String joined(int[] widths) {
    return java.util.Arrays.stream(widths).mapToObj(String::valueOf)
        .collect(java.util.stream.Collectors.joining(","));
  }
}
