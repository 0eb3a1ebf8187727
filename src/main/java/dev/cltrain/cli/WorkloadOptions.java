package dev.cltrain.cli;

import dev.cltrain.cmd.CsvOptions;
import dev.cltrain.cmd.OptionNames;

import dev.cltrain.core.InputException;
import dev.cltrain.data.Builtins;
import dev.cltrain.data.DataOptions;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.data.LossInference;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Augment;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.InputScale;
import dev.cltrain.nn.Loss;
import dev.cltrain.Data;
import dev.cltrain.Model;
import dev.cltrain.NetworkRecipe;
import dev.cltrain.Training;
import dev.cltrain.TrainingRecipe;
import dev.cltrain.nn.AdamW;
import dev.cltrain.nn.Regularization;
import dev.cltrain.backend.AdamConstants;
import dev.cltrain.bench.Workload;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Adam;
import dev.cltrain.nn.Momentum;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Sgd;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that say what to train, shared by {@code train} and {@code bench}: data, network, optimizer,
 * batch size and seed. An option left out is null and takes the default its description states, so
 * {@code bench} can tell "nothing given" (run its default workloads) from an explicit choice.
 */
final class WorkloadOptions {
  @Option(names = "--data", paramLabel = "xor|and|or|FILE.csv|DIR|random:RxIxC",
      description = "Data: a built-in truth table, a CSV file, a folder of MNIST IDX files, a folder of class "
          + "subfolders of PNG, JPEG, BMP or GIF images (with optional test/ and val/ folders), or generated classes "
          + "(random:ROWSxINPUTSxCLASSES). Default: xor.")
  String data;

  @Option(names = "--skip-bad-files", arity = "0", description = "Image folder: leave out the image files that "
      + "cannot be decoded (counted in one line) instead of refusing the first.")
  Boolean skipBadFiles;

  @Option(names = "--targets", paramLabel = "K", description = "CSV with --loss mse: the last K columns are targets (default: 1).")
  Integer targets;

  @Mixin
  CsvOptions csv = new CsvOptions();

  @Mixin
  TextOptions text = new TextOptions();

  @Option(names = "--test", paramLabel = "FILE.csv", description = "A test set, evaluated at each log line and at the end.")
  String test;

  @Option(names = "--validation-split", paramLabel = "F", description = "Hold out this fraction of the training set (seeded) and evaluate on it.")
  Double validationSplit;

  @Mixin
  StreamOptions rows = new StreamOptions();

  /** Hears the row cache's conversions as they go (progress lines); by default they join {@link #notes}. */
  java.util.function.Consumer<String> progress = line -> this.notes.add(line);

  @Option(names = "--net", paramLabel = "SPEC", description = "The network as items from input to output, e.g. "
      + "conv:32:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10. Items: conv:FILTERS:K[:sS][:valid] "
      + "(same padding, stride 1 unless given), maxpool:P, avgpool:P, dropout:RATE, gap (global average pooling), "
      + "bn[:MOMENTUM:EPSILON] (batch normalization: per channel, or per unit after a dense item), residual(ITEMS) "
      + "(conv, pool and bn items plus the shortcut: x, or a 1x1 conv, and a bn when the items hold one, when the "
      + "shape changes; quote the parentheses), resblock:FILTERS[:sS] (residual(conv:F:3[:sS],bn,relu,conv:F:3,bn),"
      + "relu), lstm:H[:seq], gru:H[:seq] (PyTorch's LSTM and GRU over the input's steps: the last step's state, or "
      + "every step's with :seq), embedding:V:D (the first item: a row of token ids 0..V-1 to D-vectors, 0 padding), "
      + "flatten, "
      + "dense:N; relu, sigmoid, tanh or identity after a conv, bn, residual or dense item is its activation (default identity). "
      + "The last dense item is "
      + "the output layer (one unit per target or class; its activation follows --loss and --output). Not with --layers.")
  String net;

  @Option(names = "--input-shape", paramLabel = "HxWxC|TxF", description = "The image shape of a CSV row for --net's "
      + "conv and pool items, height x width x channels, stored HWC (channels fastest); IDX images give theirs (HxWx1). "
      + "TxF: a row (or an IDX image) read as a sequence of T steps of F features for lstm and gru items (Fashion-MNIST "
      + "row by row: 28x28); they read an image's rows as their steps without it. "
      + "An image folder's images are resized to it (bilinear; C 1: grayscale, 3: RGB); default: the first "
      + "image's size, grayscale if it is.")
  String inputShape;

  @Option(names = "--layers", paramLabel = "W0,W1,...", description = "Widths from input to output, e.g. 2,4,1 (default: inputs,outputs of the data); shorthand for a --net of dense items.")
  String layers;

  @Option(names = "--activation", paramLabel = "sigmoid|tanh|relu|identity", description = "Hidden layers' activation (default: sigmoid); the output layer's follows --loss.")
  String activation;

  @Option(names = "--loss", paramLabel = "mse|xent", description = "mse (sigmoid outputs) or xent (softmax with cross-entropy; CSV's last column is a class label). Default: xent for IDX folders and random:, else mse.")
  String loss;

  @Option(names = "--output", paramLabel = "sigmoid|identity",
      description = "The output layer's activation under --loss mse: sigmoid (outputs in (0, 1)) or identity (regression). "
          + "Default: sigmoid, or identity when a CSV's targets leave [0, 1].")
  String output;

  @Option(names = "--standardize", description = "Standardize each input column with the training rows' mean and "
      + "standard deviation; kept in the model, which applies them in eval, predict and Model.predict.")
  Boolean standardize;

  @Option(names = "--init", paramLabel = "normal|xavier|he", description = "Initial weights (default: normal for sigmoid with mse, the seed's; he for relu; else xavier).")
  String init;

  @Option(names = "--optimizer", paramLabel = Optimizer.NAMES, description = "Update rule (default: sgd).")
  String optimizer;

  @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate η (default: " + Sgd.DEFAULT_LEARNING_RATE + " for sgd, "
      + Momentum.DEFAULT_LEARNING_RATE + " for momentum, " + Adam.DEFAULT_LEARNING_RATE + " for adam and adamw).")
  Float learningRate;

  @Option(names = "--momentum", paramLabel = "MU", description = "Momentum μ (default: " + Momentum.DEFAULT_MOMENTUM + ").")
  Float momentum;

  @Option(names = "--beta1", paramLabel = "B1", description = "Adam β1 (default: " + AdamConstants.DEFAULT_BETA1 + ").")
  Float beta1;

  @Option(names = "--beta2", paramLabel = "B2", description = "Adam β2 (default: " + AdamConstants.DEFAULT_BETA2 + ").")
  Float beta2;

  @Option(names = "--eps", paramLabel = "EPS", description = "Adam ε (default: " + AdamConstants.DEFAULT_EPSILON + ").")
  Float epsilon;

  @Option(names = "--weight-decay", paramLabel = "L2", description = "L2 weight decay added to weight gradients; with adamw, "
      + "its decoupled decay w·(1 − lr·L2) (default: 0; adamw " + AdamW.DEFAULT_WEIGHT_DECAY + ").")
  Float weightDecay;

  @Option(names = "--decay-all", arity = "0", description = "Weight decay for biases and batch norms' gamma and beta too "
      + "(default: weights only); needs --weight-decay or adamw.")
  Boolean decayAll;

  @Option(names = "--clip-norm", paramLabel = "C", description = "Scale all gradients of a step by min(1, C/‖g‖), ‖g‖ their "
      + "global L2 norm (default: no clipping).")
  Float clipNorm;

  @Option(names = "--label-smoothing", paramLabel = "E", description = "With --loss xent: train on targets (1 − E)·onehot "
      + "+ E/classes, E in [0, 1) (default: 0).")
  Float labelSmoothing;

  @Option(names = "--batch-size", paramLabel = "B", description = "Rows per backprop iteration (default: the whole training set, the seed's full batch).")
  Integer batchSize;

  @Option(names = "--seed", paramLabel = "S", description = "np.random.seed of one generator that draws the initial weights, then shuffles the mini-batches "
      + "(as Training.of(Network.builder(...).seed(S), data) in Java), and the seed of --net's dropout masks (default: 0).")
  Long seed;

  @Option(names = "--augment", paramLabel = "LIST", description = "Augment the training images on the device: flip "
      + "(random horizontal flip, p = 0.5), crop:P (zero-pad P pixels on each side, then a random crop: a shift by "
      + "-P..P), e.g. flip,crop:2. Drawn per epoch and sample from --seed; needs image rows (IDX, or --net with "
      + "--input-shape).")
  String augment;

  @Option(names = "--init-model", paramLabel = "FILE", description = "Start from the weights of a saved model (JSON, or an ONNX MLP or small CNN) instead of --seed's.")
  Path initModel;

  @Option(names = "--input-scale", paramLabel = "S|1/N", description = "With --init-model only. "
      + ModelFileOptions.INPUT_SCALE_HELP)
  String inputScale;

  @Option(names = "--freeze", paramLabel = "N", description = "Train all but the first N layers (default 0): every "
      + "item of the network's layer list counts once (conv, maxpool, avgpool, dropout, dense; an activation belongs "
      + "to its layer). Frozen layers take no step, no weight decay and no gradient.")
  Integer freeze;

  @Option(names = "--new-head", paramLabel = "K", description = "With --init-model: replace the output layer (the "
      + "last dense layer) by a fresh one of K outputs (Glorot normal from --seed, biases zero) for data of K classes "
      + "or targets.")
  Integer newHead;

  /** Set when these options come from a checkpoint: --new-head is then only recorded (the weights hold the head). */
  boolean fromCheckpoint;

  /**
   * The network of the checkpoint these options come from, or null: an --init-model run records no --net or
   * --layers, so its resumed run starts from this (the checkpoint's state is restored over it).
   */
  Network checkpointNetwork;

  /** Notes on what was inferred from the data (one line each, for stderr), filled in by {@link #load()}. */
  final java.util.List<String> notes = new java.util.ArrayList<>();

  /** The loss inferred from a CSV's target column when --loss is not given, or null. */
  private Loss inferredLoss;

  /** Whether any option of this group that shapes the training was given (--stream and --cache do not: same bits). */
  boolean anyGiven() {
    return Arrays.stream(new Object[] {data, skipBadFiles, targets, test, validationSplit, net, inputShape, layers, activation, loss, output, standardize, init, optimizer,
        learningRate, momentum, beta1, beta2, epsilon, weightDecay, decayAll, clipNorm, labelSmoothing, batchSize, seed, augment, initModel, inputScale, freeze, newHead, csv.label,
        csv.ignore, csv.missing}).anyMatch(v -> v != null);
  }

  String data() {
    return data == null ? "xor" : data;
  }

  /** {@return whether --data names a folder of class subfolders of images} */
  boolean imageFolder() {
    return dev.cltrain.data.DataSets.isImageFolder(data());
  }

  long seed() {
    return seed == null ? TrainingRecipe.DEFAULT_SEED : seed;
  }

  /** {@return how to train as these options say: optimizer, hyper-parameters, batch size and seed} */
  TrainingRecipe recipe() {
    return new TrainingRecipe(optimizer, learningRate, momentum, beta1, beta2, epsilon, weightDecay, batchSize, seed,
        Regularization.given(decayAll, clipNorm, labelSmoothing));
  }

  /** The loss --loss names, else the default for the data. */
  Loss lossKind() {
    if (loss != null) {
      return Loss.parse(loss, "--loss");
    }
    if (inferredLoss != null) {
      return inferredLoss;
    }
    if (text.given()) {
      return Loss.XENT; // a text's label is its class
    }
    return Data.defaultLoss(data());
  }

  /** Checks every option, loads the data and draws (or reads) the initial network: bad input is an {@link InputException}. */
  Workload resolve() {
    return resolve(layers);
  }

  /**
   * {@link #resolve()} with {@code layerSpec} in place of --layers (bench sweeps widths); the data is loaded
   * anew, so prefer {@link #resolve(TrainingData, String)} when it is already at hand.
   */
  Workload resolve(String layerSpec) {
    return resolve(load(), layerSpec);
  }

  /** Checks the options and loads the data they name, with any test set and validation split. */
  TrainingData load() {
    validate();
    dev.cltrain.data.CsvLayout layout = csv.layout();
    if (targets != null && csv.hasLabel()) {
      throw new InputException("--targets and --label exclude each other (--label names every target column)");
    }
    inferLoss(layout);
    dev.cltrain.data.ImageFolder.Options images = new dev.cltrain.data.ImageFolder.Options(
        inputShape != null && imageFolder() ? NetSpec.parseShape(inputShape, "--input-shape") : null,
        Boolean.TRUE.equals(skipBadFiles));
    // named (in the model's facts too) by the data's real path, as a checkpoint records it: see Data.id
    return Data.loadForTraining(new DataOptions(data(), targets == null ? 1 : targets, lossKind() == Loss.XENT, 0,
        test, validationSplit == null ? 0 : validationSplit, seed(), layout, images, streaming())
        .withText(text.options()));
  }

  /** {@return --stream and --cache: whether and where the data is streamed} */
  dev.cltrain.data.Streaming streaming() {
    return rows.streaming(progress, deviceLimits);
  }

  /** The devices the data will be uploaded to, for {@code --stream auto} ({@link DeviceOptions#limits}); null: none. */
  java.util.function.Supplier<java.util.List<dev.cltrain.data.Streaming.DeviceLimit>> deviceLimits;

  /**
   * With no --loss (nor --targets, --init-model or a text), the loss the CSV's label column suggests
   * ({@link LossInference}), with its notes. A CSV with a bad input cell is reported here, as it would be by
   * {@link #load()}.
   */
  private void inferLoss(dev.cltrain.data.CsvLayout layout) {
    if (loss != null || targets != null || initModel != null || inferredLoss != null || text.given()) {
      return; // an explicit choice, or --init-model's loss, is kept
    }
    LossInference inferred = LossInference.of(data(), layout,
        () -> net != null ? netSpec().outputs() : layers == null ? 0 : lastWidth(layers), net != null);
    inferredLoss = inferred.loss();
    inferred.notes().forEach(n -> notes.add(OptionNames.text(n)));
  }

  /** The last width of a --layers spec, or 0 when it does not parse (resolve reports it). */
  private static int lastWidth(String spec) {
    String[] parts = spec.split(",", -1);
    String last = parts[parts.length - 1].strip();
    return last.matches("\\d{1,7}") ? Integer.parseInt(last) : 0;
  }

  /**
   * The output layer's activation: --output, else identity when MSE's targets leave [0, 1] (with a note), else
   * the loss's own. A sigmoid output asked for with targets it cannot reach gets a warning.
   */
  private Activation outputActivation(Loss lossKind, DataSet train) {
    return outputActivation(lossKind, train, output);
  }

  /** {@link #outputActivation(Loss, DataSet)} with {@code output} in place of --output (an item of --net). */
  private Activation outputActivation(Loss lossKind, DataSet train, String output) {
    float[] span = train.targetRange();
    float min = span[0];
    float max = span[1];
    boolean outside = (long) train.rows() * train.outputs() > 0 && (min < 0 || max > 1);
    String range = "[" + Format.fixed(min, 4) + ", " + Format.fixed(max, 4) + "]";
    if (output != null) {
      Activation a = Activation.parse(output, "--output");
      if (!lossKind.allowsOutput(a)) {
        throw new InputException("--output " + output + " does not go with --loss " + lossKind.id + " (allowed: "
            + (lossKind == Loss.MSE ? "sigmoid, identity" : "softmax") + ")");
      }
      if (a == Activation.SIGMOID && outside) {
        notes.add("warning: the targets of " + train.name() + " span " + range + " but sigmoid outputs stay in (0, 1):"
            + " the loss cannot reach 0; give --output identity for regression");
      }
      return a;
    }
    if (lossKind == Loss.MSE && outside) {
      notes.add("note: the targets of " + train.name() + " span " + range
          + ", outside a sigmoid's (0, 1): using an identity output layer (--output identity)");
      return Activation.IDENTITY;
    }
    return lossKind.output;
  }

  /** The workload on data already loaded by this group's options, with {@code layerSpec} as --layers. */
  Workload resolve(TrainingData loaded, String layerSpec) {
    validate();
    Loss lossKind = lossKind();
    if (labelSmoothing != null && labelSmoothing != 0 && lossKind != Loss.XENT) {
      throw InputException.parameter("labelSmoothing", "applies to --loss xent only, not " + lossKind.id);
    }
    // the library draws the network, records the data's scale and class names and standardizes, as for SparkTrain
    Training training = recipe().applyTo(initialTraining(loaded, layerSpec, lossKind));
    if (augment != null) {
      training = training.augment(Augment.parse(augment, seed())); // refuses rows that are no images
    }
    if (freeze != null) {
      training = training.freeze(freeze); // refuses a freeze past the layers
    }
    if (newHead != null && (initModel != null || training.initial().outputs() == newHead)) {
      training = training.newHead(newHead); // recorded in the model's facts (a resumed run's too)
    }
    String name = Builtins.has(data()) || Generated.matches(data()) ? data() : String.valueOf(Path.of(data()).getFileName());
    return new Workload(name, training);
  }

  /** The optimizer with its hyper-parameters, defaults filled in. */
  Optimizer optimizer() {
    return recipe().toOptimizer();
  }

  /** The --net last parsed, kept so that one run parses it once (validate() first, before the data is read). */
  private NetSpec parsedNet;

  /** The --net text parsedNet was parsed from (its own spec() may spell the items otherwise: bn, flatten). */
  private String parsedFrom;

  /** The parsed --net: parsed on the first call, and again only if --net has been given another value since. */
  private NetSpec netSpec() {
    if (parsedNet == null || !net.equals(parsedFrom)) {
      parsedNet = NetSpec.parse(net);
      parsedFrom = net;
    }
    return parsedNet;
  }

  private void validate() {
    if (augment != null) {
      Augment.parse(augment, seed()); // a bad item, before the data is read
    }
    if (net != null) {
      if (layers != null) {
        throw new InputException("--net and --layers exclude each other (--layers 2,8,1 --activation tanh is "
            + "--net dense:8,tanh,dense:1)");
      }
      netSpec();
      if (activation != null) {
        throw new InputException("--activation does not apply to --net: give each conv or dense item its "
            + "activation as the next item, e.g. dense:128,relu");
      }
      if (initModel != null) {
        throw new InputException("--net and --init-model exclude each other (the model gives the network)");
      }
    } else if (inputShape != null && !imageFolder()) {
      throw new InputException("--input-shape " + inputShape + " applies to --net or an image folder only (the "
          + "image shape its conv and pool items take, or the images' size)");
    }
    if (inputShape != null) {
      NetSpec.parseInputShape(inputShape, "--input-shape");
    }
    if (newHead != null && initModel == null && !fromCheckpoint) {
      throw InputException.parameter("newHead", "applies to --init-model only (the output layer of a model to "
          + "fine-tune)");
    }
    if (newHead != null && newHead < 1) {
      throw InputException.parameter("newHead", "must be at least 1, got " + newHead);
    }
    if (freeze != null && freeze < 0) {
      throw InputException.parameter("freeze", "must be at least 0, got " + freeze);
    }
    if (inputScale != null && initModel == null) {
      throw new InputException("--input-scale applies to --init-model only (a network drawn here takes the data's "
          + "own scale)");
    }
    // refuses a bad --optimizer, --lr, --momentum, --beta1, --beta2, --eps, --weight-decay, --decay-all,
    // --clip-norm, --label-smoothing or --seed
    recipe().check();
  }

  /**
   * The network these options describe (--net or --layers, --input-shape, --activation, --init, --standardize),
   * as the library draws it; {@code layerSpec} in place of --layers.
   */
  NetworkRecipe networkRecipe(String layerSpec) {
    return new NetworkRecipe(net == null ? null : netSpec(), layerSpec == null ? null : NetSpec.parseLayers(layerSpec),
        inputShape == null || net == null ? null : NetSpec.parseInputShape(inputShape, "--input-shape"),
        Activation.parseHidden(activation == null ? "sigmoid" : activation, "--activation"),
        init != null && initModel == null ? Init.parse(init) : null, Boolean.TRUE.equals(standardize));
  }

  /**
   * The run before its optimizer and batch size: the network --net or --layers describe, drawn from
   * np.random.seed(--seed) and shuffled by the same generator after the draws ({@link NetworkRecipe#start}); or
   * --init-model's weights, shuffled from --seed.
   */
  private Training initialTraining(TrainingData loaded, String layerSpec, Loss lossKind) {
    DataSet train = loaded.train();
    if (net != null && layerSpec != null) {
      throw new InputException("--net and --layers exclude each other");
    }
    NetworkRecipe recipe = networkRecipe(layerSpec);
    if (checkpointNetwork != null && net == null && layerSpec == null
        && (checkpointNetwork.hasFeatures() || checkpointNetwork.dense().size() > 1)) {
      // a resumed --init-model run: the checkpoint's network, not the data's one-layer default
      Training training = Training.of(checkpointNetwork, loaded).seed(seed());
      return recipe.standardize() ? training.standardize() : training;
    }
    if (initModel != null) {
      Training training = fromModel(loaded, recipe.layers(), layerSpec, lossKind);
      return recipe.standardize() ? training.standardize() : training;
    }
    if (net != null) { // the output layer: --output, else the item after the last dense one, else inferred
      return recipe.start(loaded, lossKind,
          item -> outputActivation(lossKind, train, output != null || item == null ? output : item.id), seed());
    }
    int[] widths = recipe.layers();
    if (widths == null) {
      widths = new int[] {train.inputs(), train.outputs()};
      NetSpec.checkLayerSizes(widths, "the data's " + train.inputs() + " inputs and " + train.outputs() + " outputs");
    }
    Training.checkHeap(widths, loaded, "--layers " + Workload.joined(widths));
    return recipe.start(loaded, lossKind, item -> outputActivation(lossKind, train), seed());
  }

  /** --init-model's weights, shuffled from --seed. */
  private Training fromModel(TrainingData loaded, int[] widths, String layerSpec, Loss lossKind) {
    DataSet train = loaded.train();
    if (init != null) { // --seed still seeds the shuffling, so only --init conflicts
      throw new InputException("--init and --init-model exclude each other (the model gives the initial weights)");
    }
    Model model = Model.load(initModel);
    if (inputScale != null) {
      model = model.withInputScale(InputScale.parse(inputScale, "--input-scale"));
    }
    if (loss != null) {
      model = model.withLoss(lossKind);
    } else if (loaded.classes() > 0 && (newHead == null || newHead == model.outputs())) {
      model = Data.readingLabels(model, data()); // logits read as a classifier of the data's labels
    }
    if (newHead != null) {
      if (loaded.classes() > 0 && loaded.classes() != newHead) {
        throw InputException.parameter("newHead", newHead + ": the data (" + train.name() + ") has "
            + loaded.classes() + " classes");
      }
      model = model.withNewHead(newHead, seed()); // Glorot normal from np.random.seed(--seed)
    }
    if (model.note() != null) {
      notes.add(dev.cltrain.cmd.OptionNames.text(model.note()));
    }
    Network network = model.network();
    String origin = "--init-model " + initModel;
    if (widths != null && !Arrays.equals(widths, network.widths())) {
      throw new InputException("--layers " + layerSpec + " does not match " + origin + ", whose layers are "
          + Workload.joined(network.widths()));
    }
    model.checkInputScale(loaded.inputScale(), train.name());
    if (network.inputScale() != loaded.inputScale()) {
      throw new InputException(origin + " expects inputs scaled by " + InputScale.describe(network.inputScale())
          + " but the data (" + train.name() + ") is scaled by " + InputScale.describe(loaded.inputScale()));
    }
    // inputs(), not widths()[0]: with convolutions the first dense width is the stages' output
    NetworkRecipe.checkFits(new int[] {network.inputs(), network.outputs()}, train.inputs(), train.outputs(),
        train.name(), "initModel", initModel.toString());
    return Training.of(network, loaded).seed(seed());
  }
}
