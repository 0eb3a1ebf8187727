package dev.cltrain;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.device.Trainer;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.nn.Network;
import dev.cltrain.onnx.Onnx;
import dev.cltrain.train.ModelPass;
import java.nio.file.Path;

/**
 * A trained network, ready to use: save and load it as model JSON, predict from raw inputs (on the Java
 * reference with no device, or on any device), evaluate it on labelled data. Inputs are raw: the model
 * applies its own input scale (1/255 for a model trained on IDX pixels), as {@code cltrain predict} does.
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("fashion.json"));
 * float[] pixels = new float[784];                        // raw pixel values 0..255
 * float[] probabilities = model.predict(pixels);
 * int label = model.predictClass(pixels);
 * }</pre>
 *
 * <p>Thread-safe: an immutable value. Predictions on the reference need no OpenCL at all.
 */
public final class Model {
  private final Network network;
  private final String origin;
  private final TrainingFacts facts;
  /** Whether the file said its input scale (an ONNX graph with no Div or Mul on its input does not: 1 assumed). */
  private final boolean scaleStated;
  /** Whether the output is logits that an ONNX file left to be read as mse (no Softmax, no declared loss). */
  private final boolean logits;
  /** A line saying what was inferred of the file and how to say otherwise, or null. */
  private final Wording note;

  private Model(Network network, String origin, TrainingFacts facts) {
    this(network, origin, facts, true, false, null);
  }

  private Model(Network network, String origin, TrainingFacts facts, boolean scaleStated, boolean logits,
      Wording note) {
    this.network = InputException.require(network, "the network");
    this.origin = origin;
    this.facts = InputException.require(facts, "the training facts");
    this.scaleStated = scaleStated;
    this.logits = logits;
    this.note = note;
  }

  /**
   * @param network the weights and biases, loss and input scale
   * @return the model of that network
   */
  public static Model of(Network network) {
    return new Model(network, "the model", TrainingFacts.UNKNOWN);
  }

  /**
   * @param trainingFacts what training said of this model (kept in its JSON and ONNX files)
   * @return this model with those facts
   */
  public Model withFacts(TrainingFacts trainingFacts) {
    return new Model(network, origin, trainingFacts, scaleStated, logits, note);
  }

  /**
   * States what raw inputs are multiplied by before the first layer, for a model whose file does not say it: an
   * ONNX graph with no Div or Mul on its input, e.g. a PyTorch model trained on pixels / 255
   * ({@code withInputScale(1 / 255f)}). The scale is kept when the model is saved.
   *
   * @param scale the input scale, positive and finite ({@link dev.cltrain.nn.InputScale#parse} reads "1/255")
   * @return this model with that input scale, stated: data at another scale is brought to it
   * @throws InputException when the scale is not positive and finite, or the file states another (to change a
   *     network's scale on purpose, take {@code Model.of(network().withInputScale(scale))})
   */
  public Model withInputScale(float scale) {
    if (!(scale > 0) || Float.isInfinite(scale)) {
      throw new InputException("input scale " + scale + " is not positive and finite");
    }
    if (scaleStated && scale != network.inputScale()) {
      throw new InputException("input scale " + dev.cltrain.nn.InputScale.describe(scale) + " given, but " + origin
          + " states its own, " + dev.cltrain.nn.InputScale.describe(network.inputScale()));
    }
    return new Model(network.withInputScale(scale), origin, facts, true, logits, note);
  }

  /**
   * This model with its output layer replaced by a fresh one of {@code outputs} units ({@link
   * dev.cltrain.nn.Network#withNewHead}: Glorot-normal weights from {@code np.random.seed(seed)}, biases zero,
   * the old head's activation), for fine-tuning on new classes, as {@code cltrain train --init-model FILE
   * --new-head K --seed S}. Its class names are dropped; a run takes its data's.
   *
   * <pre>{@code
   * Model pretrained = Model.of(Network.builder(4, 8, 3).hidden(Activation.RELU).loss(Loss.XENT).build());
   * Model fresh = pretrained.withNewHead(5, 0);
   * }</pre>
   *
   * @param outputs the new head's units, at least 1
   * @param seed    {@code np.random.seed} of its weights, 0 to 2³²−1
   * @return this model with the new head
   * @throws InputException naming "newHead" when {@code outputs} is not positive
   */
  public Model withNewHead(int outputs, long seed) {
    return new Model(network.withNewHead(outputs, seed), origin, facts, scaleStated, logits, note);
  }

  /**
   * This model read with {@code loss}: {@code xent} puts softmax on an output layer that has no activation
   * (logits, as PyTorch exports a classifier trained with CrossEntropyLoss); the model's own loss gives it back.
   *
   * @param loss the loss to read it with
   * @return the model with that loss
   * @throws InputException for another change (a sigmoid or softmax output read as the other loss), naming both
   */
  public Model withLoss(dev.cltrain.nn.Loss loss) {
    if (loss == network.loss()) {
      return logits ? new Model(network, origin, facts, scaleStated, false, null) : this;
    }
    java.util.List<dev.cltrain.nn.Dense> layers = new java.util.ArrayList<>(network.dense());
    dev.cltrain.nn.Dense out = layers.get(layers.size() - 1);
    if (loss != dev.cltrain.nn.Loss.XENT || out.activation() != dev.cltrain.nn.Activation.IDENTITY
        || out.outputs() < 2) {
      throw new InputException(origin + " has loss " + network.loss().id + " (" + out.outputs() + " "
          + out.activation().id + " output" + (out.outputs() == 1 ? "" : "s") + "); it reads as " + loss.id
          + " only from " + (loss == dev.cltrain.nn.Loss.XENT ? "two or more outputs with no activation (logits)"
          : "its own loss"));
    }
    layers.set(layers.size() - 1, new dev.cltrain.nn.Dense(out.inputs(), out.outputs(),
        dev.cltrain.nn.Activation.SOFTMAX, out.weights(), out.bias()));
    return new Model(new Network(network.input(), network.withDense(layers).layers(), loss, network.inputScale(),
        network.classNames(), network.standardization(), network.dropoutSeed(), network.vocabulary()), origin, facts, scaleStated, false, null);
  }

  /**
   * {@return a "note:" line saying what was inferred of the file where it did not say (an ONNX graph ending in
   * logits, read as an mse regression), and how to say otherwise; null when there is nothing to say}
   */
  public Wording note() {
    return note;
  }

  /** This logits model as a classifier (softmax outputs) for {@code data}, which holds class labels; else this. */
  Model classifierFor(String data) {
    if (!logits) {
      return this;
    }
    return new Model(withLoss(dev.cltrain.nn.Loss.XENT).network, origin, facts, scaleStated, false, Wording.of("note: "
        + origin + " ends in logits (no Softmax or Sigmoid): read as a classifier of " + outputs() + " classes "
        + "(softmax on its outputs) for the class labels of " + data + "; ", Wording.param("loss"),
        " mse reads it as a regression"));
  }

  /**
   * Fails when data at {@code dataScale} meets a model whose file states no input scale (1 assumed) and the two
   * differ: which scale the model wants cannot be known, so it must be stated ({@link #withInputScale}).
   *
   * @param dataScale what the data's raw values were multiplied by (1/255 for IDX pixels, 1 for CSV)
   * @param data      the data's name, for the message
   * @throws InputException one line saying what to add
   */
  public void checkInputScale(float dataScale, String data) {
    if (!scaleStated && dataScale != network.inputScale()) {
      String have = dev.cltrain.nn.InputScale.describe(dataScale);
      throw new InputException(Wording.of(data + " holds inputs at scale " + have + " but " + origin + " states no "
          + "input scale (no Div or Mul on its input); say what its training inputs were: ",
          Wording.param("inputScale"), " " + have + " if at that scale, ", Wording.param("inputScale"),
          " " + dev.cltrain.nn.InputScale.describe(network.inputScale()) + " if raw values (Model.withInputScale)"));
    }
  }

  /** {@return what training said of this model: data, epochs, final loss (each possibly unknown)} */
  public TrainingFacts facts() {
    return facts;
  }

  /**
   * Reads a model: model JSON written by {@link #save} or {@code cltrain train --save}, or an ONNX file (a name
   * ending in .onnx, or ONNX content) of the operators and arrangement {@link Onnx} reads, e.g. one cltrain
   * exported or a plain MLP or small CNN exported from PyTorch or Keras.
   *
   * @param file the model file
   * @return the model
   * @throws InputException naming the file and what is wrong with it (for ONNX, the first unsupported operator or
   *     attribute and its node)
   */
  public static Model load(Path file) {
    if (Onnx.isOnnx(InputException.require(file, "the model file"))) {
      Onnx.Imported read = Onnx.readImported(file);
      String origin = "the model " + file;
      Wording note = read.logits() ? Wording.of("note: " + origin + " ends in logits (no Softmax or Sigmoid): read "
          + "as an mse regression of " + read.network().outputs() + " identity outputs; ", Wording.param("loss"),
          " xent makes it a classifier (softmax on the outputs, what PyTorch's CrossEntropyLoss means)") : null;
      return new Model(read.network(), origin, TrainingFacts.fromMetadata(read.metadata()), read.inputScaleStated(),
          read.logits(), note);
    }
    com.fasterxml.jackson.databind.JsonNode root = ModelJson.readTree(file);
    Network network = ModelJson.parse(root, file.toString());
    return new Model(network, "the model " + file, TrainingFacts.fromNode(root.get("training")));
  }

  /**
   * Writes this model atomically (a crash while writing leaves any previous file whole): as ONNX when the name
   * ends in .onnx ({@link #saveOnnx}), else as model JSON with its training facts.
   *
   * @param file where to write it
   * @throws InputException when the file cannot be written
   */
  public void save(Path file) {
    if (Onnx.hasOnnxName(file)) {
      saveOnnx(file);
    } else {
      AtomicFiles.writeString(file, toJson());
    }
  }

  /**
   * Writes this model as a standard ONNX file (opset {@value Onnx#OPSET}) that ONNX Runtime runs: input
   * {@code "input"} [batch, inputs] of raw values (the input scale and standardization are nodes of the graph),
   * output {@code "output"} [batch, outputs]; the training facts go in its metadata. Atomic, as {@link #save}.
   *
   * @param file where to write it
   * @throws InputException when the file cannot be written
   */
  public void saveOnnx(Path file) {
    Onnx.save(network, file, facts.toMetadata());
  }

  /** {@return this model as an ONNX file's bytes, as {@link #saveOnnx} writes them} */
  public byte[] toOnnx() {
    return Onnx.toBytes(network, facts.toMetadata());
  }

  /** {@return this model as the JSON text {@link #save} writes: the network and its "training" facts} */
  public String toJson() {
    com.fasterxml.jackson.databind.node.ObjectNode root = ModelJson.toNode(network);
    com.fasterxml.jackson.databind.node.ObjectNode training = facts.toNode();
    if (training != null) {
      root.set("training", training);
    }
    return ModelJson.toJson(root);
  }

  /** {@return how messages name this model: "the model FILE"} */
  String origin() {
    return origin;
  }

  /** {@return the network: layers, weights, loss and input scale} */
  public Network network() {
    return network;
  }

  /** {@return inputs per row} */
  public int inputs() {
    return network.inputs();
  }

  /** {@return outputs per row (one per class for an xent model)} */
  public int outputs() {
    return network.outputs();
  }

  /**
   * The outputs for one row of raw inputs, computed by the Java reference (no device, no OpenCL).
   *
   * @param rawInputs one value per input
   * @return one value per output (class probabilities for an xent model)
   * @throws InputException when the row has the wrong width or a value that is not finite
   */
  public float[] predict(float... rawInputs) {
    return predict(new float[][] {rawInputs})[0];
  }

  /**
   * The outputs for many rows of raw inputs, computed by the Java reference.
   *
   * @param rawRows rows of raw inputs
   * @return one row of outputs per input row
   * @throws InputException when a row has the wrong width or a value that is not finite
   */
  public float[][] predict(float[][] rawRows) {
    return predict(rawRows, DeviceChoice.of(Devices.reference())).outputs();
  }

  /**
   * The outputs for many rows of raw inputs, on the chosen device ({@code auto} falls back to the reference).
   *
   * @param rawRows rows of raw inputs
   * @param choice  where to run, e.g. {@code Devices.choose("auto")}
   * @return the outputs and where they were computed
   * @throws InputException  when a row has the wrong width or a value that is not finite
   * @throws dev.cltrain.core.DeviceException when an explicitly chosen device cannot be used
   */
  public Predictions predict(float[][] rawRows, DeviceChoice choice) {
    InputException.require(choice, "the device choice");
    if (InputException.require(rawRows, "the rows").length == 0) {
      return new Predictions(new float[0][], choice.device(), null);
    }
    DataSet inputs = Data.of(rawRows, new float[rawRows.length][outputs()]).train();
    if (inputs.inputs() != inputs()) {
      throw new InputException("rows of " + inputs.inputs() + " values, but " + origin + " takes " + inputs()
          + " inputs");
    }
    Scored scored = forward(rescale(inputs, 1f), choice);
    float[] flat = scored.evaluation().outputs();
    float[][] rows = new float[rawRows.length][outputs()];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(flat, r * outputs(), rows[r], 0, outputs());
    }
    return new Predictions(rows, scored.device(), scored.warning());
  }

  /**
   * The class an xent model predicts for one row of raw inputs: the output with the largest probability (the
   * first if tied); for a one-output model, 1 when the output is at least 0.5.
   *
   * @param rawInputs one value per input
   * @return the class index
   */
  public int predictClass(float... rawInputs) {
    return classOf(predict(rawInputs));
  }

  /**
   * The class of one row of outputs, as {@code count_correct} takes it: the first largest output; with one
   * output, 1 when it is at least 0.5.
   *
   * @param outputs one row of outputs
   * @return the class index
   */
  public static int classOf(float[] outputs) {
    if (outputs.length == 1) {
      return outputs[0] >= 0.5f ? 1 : 0;
    }
    int best = 0;
    for (int c = 1; c < outputs.length; c++) {
      if (outputs[c] > outputs[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Loss, accuracy and outputs over labelled data, on the chosen device.
   *
   * @param data   labelled rows whose inputs are at the model's scale (e.g. from {@link Data#labelledFor})
   * @param choice where to run
   * @return the figures and where they were computed
   * @throws InputException  when the data does not fit the model
   * @throws dev.cltrain.core.DeviceException when an explicitly chosen device cannot be used
   */
  public Scored evaluate(DataSet data, DeviceChoice choice) {
    checkFits(data);
    return forward(data, choice);
  }

  /**
   * Loss and accuracy on a training data's test set (or its training set when it has none), on the chosen
   * device; the inputs are brought from the data's scale to the model's.
   *
   * @param data   the data
   * @param choice where to run
   * @return the figures and where they were computed
   */
  public Scored evaluate(TrainingData data, DeviceChoice choice) {
    DataSet set = data.test() != null ? data.test() : data.train();
    checkFits(set);
    return forward(rescale(set, data.inputScale()), choice);
  }

  /**
   * Loss and accuracy over labelled data, each chunk's outputs handed to {@code each} as they are computed and
   * none kept (the evaluation's outputs are null): a streamed set ({@link Data#labelledFor(Model, String,
   * dev.cltrain.data.CsvLayout, dev.cltrain.data.Streaming)}) passes through the heap a chunk at a time.
   *
   * @param data   labelled rows at the model's scale
   * @param choice where to run
   * @param each   gets each chunk's outputs and targets, in row order
   * @return the figures and where they were computed
   */
  public Scored evaluate(DataSet data, DeviceChoice choice, dev.cltrain.device.OutputRows each) {
    checkFits(data);
    return forward(data, choice, InputException.require(each, "the chunk listener"));
  }

  /**
   * The outputs for rows of raw inputs (a {@link Data#inputsFor} set, streamed or not), handed to {@code each}
   * chunk by chunk, in row order, and not kept (the predictions' outputs are null).
   *
   * @param rawInputs rows of raw inputs, no targets
   * @param choice    where to run
   * @param each      gets each chunk's outputs
   * @return where they were computed
   * @throws InputException when the rows' width is not the model's, or they have targets
   */
  public Predictions predict(DataSet rawInputs, DeviceChoice choice, dev.cltrain.device.OutputRows each) {
    InputException.require(choice, "the device choice");
    if (InputException.require(rawInputs, "the rows").outputs() != 0) {
      throw new InputException(rawInputs.name() + ": rows with targets; predict takes inputs only ("
          + "Data.inputsFor reads them)");
    }
    if (rawInputs.inputs() != inputs()) {
      throw new InputException("rows of " + rawInputs.inputs() + " values, but " + origin + " takes " + inputs()
          + " inputs");
    }
    if (rawInputs.rows() == 0) {
      return new Predictions(null, choice.device(), null);
    }
    DataSet withTargets = rawInputs.withZeroTargets(outputs()); // the forward pass scores against something
    Scored scored = forward(rescale(withTargets, 1f), choice, InputException.require(each, "the chunk listener"));
    return new Predictions(null, scored.device(), scored.warning());
  }

  private Scored forward(DataSet set, DeviceChoice choice) {
    return forward(set, choice, null);
  }

  /** The forward pass: every output kept when {@code each} is null, else each chunk's handed to it. */
  private Scored forward(DataSet set, DeviceChoice choice, dev.cltrain.device.OutputRows each) {
    ModelPass.Result pass = ModelPass.run(choice, network, set, each);
    return new Scored(pass.evaluation(), pass.device(), pass.warning());
  }

  /** Fails with one line when {@code set}'s widths differ from this model's. */
  void checkFits(DataSet set) {
    if (set.inputs() != inputs()) {
      throw new InputException(set.name() + ": " + set.inputs() + " input columns, but " + origin + " takes "
          + inputs());
    }
    if (set.outputs() != outputs()) {
      throw new InputException(set.name() + ": " + set.outputs() + " targets (classes count one each), but "
          + origin + " gives " + outputs() + " outputs");
    }
  }

  /** Inputs loaded at scale {@code have} brought to this model's scale, exactly as the loader scales them. */
  DataSet rescale(DataSet set, float have) {
    checkInputScale(have, set.name());
    return ModelPass.rescale(network, set, have);
  }

  /**
   * Outputs computed on a device.
   *
   * @param outputs one row of outputs per input row
   * @param device  where they were computed (the reference after a fallback)
   * @param warning a line about a fallback to the reference, or null
   */
  public record Predictions(float[][] outputs, Device device, String warning) {}

  /**
   * A forward pass over labelled data.
   *
   * @param evaluation loss, accuracy and every row's outputs (rows × outputs, row-major)
   * @param device     where it ran (the reference after a fallback)
   * @param warning    a line about a fallback to the reference, or null
   */
  public record Scored(Trainer.Evaluation evaluation, Device device, String warning) {}

  @Override
  public String toString() {
    return "Model(" + network.loss().id + " " + (!network.hasFeatures() ? java.util.Arrays.toString(network.widths())
        : dev.cltrain.nn.Architecture.describe(network)) + ")";
  }
}
