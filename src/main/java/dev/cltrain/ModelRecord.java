package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Network;

/**
 * What a trained model records besides its weights, for the library and {@code cltrain train} alike: of the data,
 * carried by the network from the start ({@link #ofData}: the input scale, the class names, a text's vocabulary);
 * of the run, written into the model at the end ({@link #ofRun}: the {@link TrainingFacts}).
 */
final class ModelRecord {
  private ModelRecord() {
  }

  /**
   * The network {@link Training#of} trains: {@code initial}, which must fit the data's inputs and outputs, carrying
   * what the data says of its inputs ({@link #ofData}), its token ids checked against an embedding before any
   * epoch.
   *
   * @param initial the network before the first epoch
   * @param data    the data it trains on
   * @return the network carrying the data's facts
   * @throws InputException when the network does not fit the data
   */
  static Network start(Network initial, TrainingData data) {
    // inputs(): a network with stages (--net) takes its features' input, not the first dense layer's width
    if (initial.inputs() != data.train().inputs() || initial.outputs() != data.train().outputs()) {
      throw new InputException("a network with " + initial.inputs() + " inputs and " + initial.outputs()
          + " outputs does not fit " + data.train().name() + " (" + data.train().inputs() + " inputs, "
          + data.train().outputs() + " targets)");
    }
    Network network = ofData(initial, data); // a text's vocabulary against the embedding first
    if (initial.layers().get(0) instanceof Embedding e) { // token ids: refused before any epoch
      for (DataSet set : new DataSet[] {data.train(), data.test(), data.validation()}) {
        if (set != null && !set.isStreamed()) {
          e.checkIds(set.x(), set.rows(), set.name());
        }
      }
    }
    return network;
  }

  /**
   * What a trained model records of its training data: the data's input scale (refused when the network was
   * already scaled otherwise), its class names when there is one per output, and a text's vocabulary.
   *
   * @param initial the network to train
   * @param data    the data it trains on
   * @return the network carrying them
   * @throws InputException when the network expects inputs scaled otherwise than the data's, or the text's
   *     vocabulary holds more ids than the network's first layer, an embedding, takes
   */
  static Network ofData(Network initial, TrainingData data) {
    Network network = initial;
    if (initial.inputScale() != data.inputScale()) {
      if (initial.inputScale() != 1f) {
        throw new InputException("the network expects inputs scaled by " + initial.inputScale() + " but the data ("
            + data.train().name() + ") is scaled by " + data.inputScale());
      }
      network = network.withInputScale(data.inputScale());
    }
    if (data.classNames() != null && data.classNames().size() == network.outputs()) {
      network = network.withClassNames(data.classNames());
    }
    if (data.vocabulary() != null) {
      if (network.layers().get(0) instanceof Embedding e && data.vocabulary().size() > e.vocabulary()) {
        throw InputException.parameter("vocabSize", "gives " + data.vocabulary().size() + " ids (padding and "
            + "unknown counted), more than the network's embedding of " + e.vocabulary() + " ids takes");
      }
      network = network.withVocabulary(data.vocabulary());
    }
    return network;
  }

  /**
   * What the model will carry of a run: the data, its shape, the epochs trained in all, the final loss, and the
   * run's augmentation, frozen layers and new head. The loss is rounded to 4 significant digits: devices sum it
   * in different orders, and a model trained to the same weights on any device must be the same file, byte for
   * byte.
   *
   * @param t         the run
   * @param epochs    the epochs trained in all
   * @param finalLoss the last epoch's loss, or NaN for none
   * @return the facts
   */
  static TrainingFacts ofRun(Training t, int epochs, float finalLoss) {
    DataSet train = t.data.train();
    String row = t.data.imageShape() != null ? t.data.imageShape().toString() : Integer.toString(train.inputs());
    float rounded = Float.isFinite(finalLoss) ? Float.parseFloat(String.format(java.util.Locale.ROOT, "%.4g", finalLoss))
        : Float.NaN;
    return new TrainingFacts(train.name(), train.rows() + "x" + row, epochs, rounded,
        t.augment == null ? null : t.augment.spec(), t.frozen, t.newHead);
  }
}
