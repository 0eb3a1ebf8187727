package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.device.OutputRows;
import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Network;

/**
 * A trained network's forward pass over a data set, in memory or streamed, on a chosen device (what
 * {@code dev.cltrain.Model}'s evaluate and predict run): the set's inputs brought to the network's scale and
 * standardization, exactly as the loader brings them, then {@link Inference#evaluate} over chunks of at most
 * {@link #CHUNK_ROWS} rows (fewer where {@link MemoryPlan#chunkRows} says so).
 */
public final class ModelPass {
  /** Rows per forward pass on a device: bounds device memory for any number of rows. */
  public static final int CHUNK_ROWS = 4096;

  private ModelPass() {}

  /**
   * The outcome of a pass.
   *
   * @param evaluation loss, accuracy and, when kept, every row's outputs
   * @param device     where it ran (the reference after a fallback)
   * @param warning    a line about a fallback to the reference, or null
   */
  public record Result(Trainer.Evaluation evaluation, Device device, String warning) {}

  /**
   * The forward pass of {@code network} over {@code set}, whose inputs are at the network's scale.
   *
   * @param choice  where to run
   * @param network the network
   * @param set     labelled rows (zero targets for a prediction), in memory or streamed
   * @param each    gets each chunk's outputs, none kept; null keeps every output in the evaluation
   * @return the evaluation and where it ran
   */
  public static Result run(DeviceChoice choice, Network network, DataSet set, OutputRows each) {
    if (network.layers().get(0) instanceof Embedding e && !set.isStreamed()) {
      e.checkIds(set.x(), set.rows(), set.name());
    }
    Opening<Inference<?, ?>> opening = Opening.inference(choice, network, set,
        MemoryPlan.chunkRows(network, CHUNK_ROWS));
    try (Inference<?, ?> inference = opening.opened()) {
      return new Result(each == null ? inference.evaluate(set, true) : inference.evaluate(set, each),
          opening.device(), opening.warning());
    }
  }

  /**
   * Inputs loaded at scale {@code have} brought to {@code network}'s scale, exactly as the loader scales them,
   * then standardized as the network's training rows were ({@code --standardize}); a streamed set chunk by
   * chunk as the whole array would be.
   *
   * @param network the network whose input scale and standardization the rows are brought to
   * @param set     the rows
   * @param have    what the rows' raw values were multiplied by
   * @return the rows at the network's scale (the same set when nothing changes)
   */
  public static DataSet rescale(Network network, DataSet set, float have) {
    return standardize(network, scaled(network, set, have));
  }

  private static DataSet standardize(Network network, DataSet set) {
    return network.standardization() == null ? set : set.standardized(network.standardization());
  }

  private static DataSet scaled(Network network, DataSet set, float have) {
    float want = network.inputScale();
    if (have == want) {
      return set;
    }
    if (set.isStreamed()) { // each chunk's inputs as the whole array's would be
      return DataSet.streamed(set.name(), set.source().mapInputs(x -> {
        scale(x, set, have, want);
        return x;
      }));
    }
    float[] x = set.x().clone();
    scale(x, set, have, want);
    return new DataSet(set.name(), set.rows(), set.inputs(), set.outputs(), x, set.y());
  }

  private static void scale(float[] x, DataSet set, float have, float want) {
    if (have == 1f) {
      new TrainingData(set, null, null, want, 0).scaleInputs(x); // ÷255 for IDX, bit for bit as the loader
    } else {
      float factor = want / have;
      for (int i = 0; i < x.length; i++) {
        x[i] *= factor;
      }
    }
  }
}
