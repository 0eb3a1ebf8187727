package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.data.DataOptions;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.DataSets;
import dev.cltrain.data.Loaded;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.train.Devices;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.train.Settings;
import dev.cltrain.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What eval and predict share: data shaped for a saved model, and one forward pass on the chosen device. */
final class Models {
  /** Rows evaluated per chunk: bounds device memory for any data set size. */
  static final int CHUNK_ROWS = 4096;

  private Models() {}

  /** A forward pass's result and where it ran. */
  record Result(Trainer.Evaluation evaluation, String device) {}

  /**
   * Labelled data for a model: a CSV whose last columns are the model's targets (or, for an xent model,
   * its class label), or an IDX folder (its test set when it has one). Inputs are brought to the model's
   * input scale.
   */
  static DataSet labelled(Network network, String data, Path modelFile) {
    boolean classification = network.loss() == Loss.XENT;
    Loaded loaded = DataSets.load(new DataOptions(data, network.outputs(), classification,
        classification ? network.outputs() : 0, null, 0, 0));
    DataSet set = loaded.test() != null ? loaded.test() : loaded.train();
    checkFits(network, set, modelFile);
    return rescale(set, loaded.inputScale(), network.inputScale());
  }

  static void checkFits(Network network, DataSet set, Path modelFile) {
    if (set.inputs() != network.inputs()) {
      throw new InputException(set.name() + ": " + set.inputs() + " input columns, but the model " + modelFile
          + " takes " + network.inputs());
    }
    if (set.outputs() != network.outputs()) {
      throw new InputException(set.name() + ": " + set.outputs() + " targets (classes count one each), but the model "
          + modelFile + " gives " + network.outputs() + " outputs");
    }
  }

  /** Inputs loaded at scale {@code have} brought to scale {@code want}. */
  static DataSet rescale(DataSet set, float have, float want) {
    if (have == want) {
      return set;
    }
    float[] x = set.x().clone();
    if (have == 1f) {
      new Loaded(set, null, null, want, 0).scaleInputs(x); // as the loader scaled the training inputs (÷255 for IDX)
    } else {
      float factor = want / have;
      for (int i = 0; i < x.length; i++) {
        x[i] *= factor;
      }
    }
    return new DataSet(set.name(), set.rows(), set.inputs(), set.outputs(), x, set.y());
  }

  /** One forward pass of the whole set, outputs included, on the device the options choose. */
  static Result run(Network network, DataSet set, DeviceOptions options, PrintWriter err) {
    Settings chunked = new Settings(Optimizer.sgd(1e-3f), Math.min(set.rows(), CHUNK_ROWS), new NumpyRandom(0));
    Devices.Choice choice = options.choice(err);
    try (Trainer trainer = Devices.open(choice, options.source(), network, set, chunked, err::println)) {
      return new Result(trainer.evaluate(set, true), trainer.deviceName());
    }
  }
}
