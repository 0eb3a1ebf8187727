package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.data.Builtins;
import dev.cltrain.data.DataOptions;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.DataSets;
import dev.cltrain.data.Loaded;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.AtomicFiles;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.train.Devices;
import dev.cltrain.train.Optimizer;
import dev.cltrain.train.ReferenceTrainer;
import dev.cltrain.train.Settings;
import dev.cltrain.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cltrain train}: with no options, the seed's program (XOR, layers 2,1, sigmoid, MSE, η = 0.1, 10000
 * epochs, seed 0), printing the seed's ten lines; then a summary. Epoch lines and the summary go to stdout;
 * which device was taken, warnings and the progress bar go to stderr.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a dense network by backpropagation on an OpenCL device or the Java reference.")
final class TrainCommand implements Callable<Integer> {
  /**
   * Largest |device − reference| allowed by --verify, for weights and for the loss. The kernels use only
   * correctly rounded float operations in the reference's order (exp and tanh written out in prelude.cl,
   * divisions and sqrt built with -cl-fp32-correctly-rounded-divide-sqrt), so on such devices training is
   * bit for bit the reference's and the difference is 0; only the loss's summation order differs (~1e-7).
   * 1e-4 leaves room for a device without correctly rounded division, while still catching any wrong
   * kernel (a 1 % error in one update is caught, see TrainCommandTest).
   */
  static final float VERIFY_TOLERANCE = 1e-4f;

  @Option(names = "--data", paramLabel = "xor|and|or|FILE.csv|DIR",
      description = "Data: a built-in truth table, a CSV file, or a folder of MNIST IDX files (default: ${DEFAULT-VALUE}).")
  String data = "xor";

  @Option(names = "--targets", paramLabel = "K", description = "CSV with --loss mse: the last K columns are targets (default: ${DEFAULT-VALUE}).")
  int targets = 1;

  @Option(names = "--test", paramLabel = "FILE.csv", description = "A test set, evaluated at each log line and at the end.")
  String test;

  @Option(names = "--validation-split", paramLabel = "F", description = "Hold out this fraction of the training set (seeded) and evaluate on it.")
  double validationSplit;

  @Option(names = "--layers", paramLabel = "W0,W1,...", description = "Widths from input to output, e.g. 2,4,1 (default: inputs,outputs of the data).")
  String layers;

  @Option(names = "--activation", paramLabel = "sigmoid|tanh|relu|identity", description = "Hidden layers' activation (default: ${DEFAULT-VALUE}); the output layer's follows --loss.")
  String activation = "sigmoid";

  @Option(names = "--loss", paramLabel = "mse|xent", description = "mse (sigmoid outputs) or xent (softmax with cross-entropy; CSV's last column is a class label). Default: xent for IDX folders, else mse.")
  String loss;

  @Option(names = "--init", paramLabel = "normal|xavier|he", description = "Initial weights (default: normal for sigmoid with mse, the seed's; he for relu; else xavier).")
  String init;

  @Option(names = "--optimizer", paramLabel = "sgd|momentum|adam", description = "Update rule (default: ${DEFAULT-VALUE}).")
  String optimizer = "sgd";

  @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate η (default: 0.1 for sgd, 0.01 for momentum, 0.001 for adam).")
  Float learningRate;

  @Option(names = "--momentum", paramLabel = "MU", description = "Momentum μ (default: ${DEFAULT-VALUE}).")
  float momentum = 0.9f;

  @Option(names = "--beta1", paramLabel = "B1", description = "Adam β1 (default: ${DEFAULT-VALUE}).")
  float beta1 = 0.9f;

  @Option(names = "--beta2", paramLabel = "B2", description = "Adam β2 (default: ${DEFAULT-VALUE}).")
  float beta2 = 0.999f;

  @Option(names = "--eps", paramLabel = "EPS", description = "Adam ε (default: ${DEFAULT-VALUE}).")
  float epsilon = 1e-8f;

  @Option(names = "--weight-decay", paramLabel = "L2", description = "L2 weight decay added to weight gradients (default: ${DEFAULT-VALUE}).")
  float weightDecay = 0;

  @Option(names = "--batch-size", paramLabel = "B", description = "Rows per backprop iteration (default: the whole training set, the seed's full batch).")
  Integer batchSize;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
  int epochs = 10000;

  @Option(names = "--seed", paramLabel = "S", description = "np.random.seed for initial weights and shuffling (default: ${DEFAULT-VALUE}).")
  long seed = 0;

  @Option(names = "--log-every", paramLabel = "N", description = "Print the loss every N epochs (default: epochs/10).")
  Integer logEvery;

  @Mixin
  DeviceOptions deviceOptions;

  @Option(names = "--verify", description = "Run the Java reference in lockstep and compare weights and loss (exit 1 if over the tolerance).")
  boolean verify;

  @Option(names = "--save", paramLabel = "FILE", description = "Write the trained model as JSON (atomically).")
  Path save;

  @Option(names = "--init-model", paramLabel = "FILE", description = "Start from the weights of a saved model instead of --seed's.")
  Path initModel;

  @Option(names = "--metrics", paramLabel = "FILE.csv", description = "Write one row per epoch: epoch, loss, train accuracy, test loss, test accuracy, seconds.")
  Path metrics;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the loss and accuracy curves.")
  Path plot;

  @Option(names = "--profile", description = "Time every kernel (profiling events on OpenCL) and print a breakdown at the end.")
  boolean profile;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private PrintWriter err;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    Loss lossKind = loss != null ? Loss.parse(loss, "--loss") : Files.isDirectory(Path.of(data)) ? Loss.XENT : Loss.MSE;
    Activation hidden = Activation.parseHidden(activation, "--activation");
    Optimizer.Kind kind = Optimizer.Kind.parse(optimizer);
    float rate = learningRate != null ? learningRate : defaultRate(kind);
    validateOptions(rate);
    Loaded loaded = DataSets.load(new DataOptions(data, targets, lossKind == Loss.XENT, 0, test, validationSplit, seed));
    DataSet train = loaded.train();
    NumpyRandom random = new NumpyRandom(seed);
    Network initial = initialNetwork(loaded, lossKind, hidden, random);
    if (batchSize != null && batchSize <= 0) {
      throw new InputException("--batch-size must be positive, got " + batchSize);
    }
    Optimizer rule = new Optimizer(kind, rate, momentum, beta1, beta2, epsilon, weightDecay);
    Settings settings = new Settings(rule, batchSize == null ? 0 : batchSize, random);
    checkOutputs();
    int every = logEvery != null ? logEvery : Math.max(1, epochs / 10);
    Map<String, DataSet> held = new LinkedHashMap<>();
    if (loaded.test() != null) {
      held.put("Test", loaded.test());
    }
    if (loaded.validation() != null) {
      held.put("Validation", loaded.validation());
    }
    boolean classification = loaded.classes() > 0;

    Devices.Choice choice = deviceOptions.choice();
    List<EpochRecord> records = new ArrayList<>();
    try (Trainer trainer = Devices.open(choice, deviceOptions.source(), initial, train, settings, profile, err::println);
         Trainer judge = verify ? new ReferenceTrainer(initial, train, settings) : null;
         MetricsCsv metricsFile = metrics == null ? null : MetricsCsv.open(metrics)) {
      err.println("device: " + trainer.deviceName() + " (" + choice.why() + ")");
      int batches = settings.batchSize() <= 0 || settings.batchSize() >= train.rows() ? 1
          : (train.rows() + settings.batchSize() - 1) / settings.batchSize();
      float worstLoss = 0;
      float worstWeight = 0;
      long start = System.nanoTime();
      try (Progress progress = Progress.create(batches > 1 && Progress.onTerminal(), epochs, batches)) {
        for (int epoch = 0; epoch < epochs; epoch++) {
          boolean log = epoch % every == 0;
          boolean record = metrics != null || plot != null;
          int current = epoch;
          Trainer.EpochStats stats = trainer.epoch(log || record,
              batches > 1 ? (b, n, running) -> progress.batch(current + 1, b + 1, running) : null);
          if (judge != null) {
            Trainer.EpochStats expected = judge.epoch(log || record);
            if (log) {
              worstLoss = max(worstLoss, Math.abs(stats.loss() - expected.loss()));
              worstWeight = max(worstWeight, Network.maxAbsDifference(trainer.network(), judge.network()));
            }
          }
          boolean measured = log || record || batches > 1; // mini-batch epochs always measure their loss
          if (measured && !Float.isFinite(stats.loss())) {
            err.println("cltrain train: the loss became " + stats.loss() + " at epoch " + epoch
                + "; training diverged: try a smaller --lr (now " + rate + ")" + (save != null ? "; " + save + " was not written" : ""));
            return Main.EXIT_DIVERGED;
          }
          if (!log && !record) {
            continue;
          }
          Map<String, Trainer.Evaluation> evaluations = new LinkedHashMap<>();
          held.forEach((name, set) -> evaluations.put(name, trainer.evaluate(set, false)));
          Trainer.Evaluation testEval = evaluations.getOrDefault("Test", evaluations.get("Validation"));
          EpochRecord row = new EpochRecord(epoch, stats.loss(), classification ? stats.accuracy() : Double.NaN,
              testEval == null ? Double.NaN : testEval.loss(),
              testEval == null || !classification ? Double.NaN : testEval.accuracy(),
              (System.nanoTime() - start) / 1e9);
          if (record) {
            records.add(row);
            if (metricsFile != null) {
              metricsFile.append(row);
            }
          }
          if (log) {
            out.println(logLine(epoch, stats, classification, evaluations));
          }
        }
      }
      List<dev.cltrain.train.KernelTime> kernelTimes = profile ? trainer.takeProfile() : List.of();
      double seconds = (System.nanoTime() - start) / 1e9;
      Trainer.Evaluation result = trainer.evaluate(train, train.rows() <= PREDICTIONS_SHOWN * 2);
      Network trained = trainer.network();
      if (judge != null) {
        worstLoss = max(worstLoss, Math.abs(result.loss() - judge.evaluate(train, false).loss()));
        worstWeight = max(worstWeight, Network.maxAbsDifference(trained, judge.network()));
      }
      if (!Float.isFinite(result.loss())) {
        err.println("cltrain train: the loss became " + result.loss() + " after the last epoch; training diverged: "
            + "try a smaller --lr (now " + rate + ")" + (save != null ? "; " + save + " was not written" : ""));
        return Main.EXIT_DIVERGED;
      }
      printSummary(trainer.deviceName(), seconds, result, train, classification, trainer, held, rule, settings);
      if (profile) {
        out.println();
        out.println("profile of the " + epochs + " epochs (" + (choice.reference() ? "wall time per call" : "device time from profiling events") + "):");
        ProfileTable.print(out, kernelTimes, seconds, epochs);
      }
      if (save != null) {
        ModelJson.save(trained, save);
        out.println("saved:       " + save);
      }
      if (metricsFile != null) {
        metricsFile.commit();
        out.println("metrics:     " + metrics);
      }
      if (plot != null) {
        String dataName = Builtins.has(data) ? data : String.valueOf(Path.of(data).getFileName());
        CurvePlot.write(plot, dataName + ": " + joined(initial.widths()) + " " + initial.layers().get(0).activation().id
            + ", " + lossKind.id + ", " + rule.kind().id + " η " + rate
            + (batches > 1 ? ", batch " + settings.batchSize() : ""), records);
        out.println("plot:        " + plot);
      }
      if (judge != null) {
        float tolerance = VERIFY_TOLERANCE;
        boolean pass = worstWeight <= tolerance && worstLoss <= tolerance;
        out.println("verify:      largest weight difference " + scientific(worstWeight)
            + ", largest loss difference " + scientific(worstLoss) + " against the Java reference (tolerance "
            + scientific(tolerance) + "): " + (pass ? "PASS" : "FAIL"));
        return pass ? 0 : Main.EXIT_CHECK_FAILED;
      }
      return 0;
    }
  }

  private static float defaultRate(Optimizer.Kind kind) {
    return switch (kind) {
      case SGD -> 0.1f;
      case MOMENTUM -> 0.01f;
      case ADAM -> 0.001f;
    };
  }

  /** "Epoch 0, Loss: 0.1864" as the seed prints it, then accuracy and held-out sets when there are any. */
  private static String logLine(int epoch, Trainer.EpochStats stats, boolean classification,
      Map<String, Trainer.Evaluation> evaluations) {
    StringBuilder line = new StringBuilder("Epoch " + epoch + ", Loss: " + Format.fixed(stats.loss(), 4));
    if (classification) {
      line.append(", Accuracy: ").append(Format.fixed(stats.accuracy(), 4));
    }
    evaluations.forEach((name, e) -> {
      line.append(", ").append(name).append(" loss: ").append(Format.fixed(e.loss(), 4));
      if (classification) {
        line.append(", ").append(name).append(" accuracy: ").append(Format.fixed(e.accuracy(), 4));
      }
    });
    return line.toString();
  }

  /** max that lets a NaN through, so a diverged run fails verification instead of passing. */
  private static float max(float a, float b) {
    return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
  }

  private static String scientific(float v) {
    return String.format(java.util.Locale.ROOT, "%.1e", v);
  }

  private void validateOptions(float rate) {
    if (epochs <= 0) {
      throw new InputException("--epochs must be positive, got " + epochs);
    }
    if (!(rate > 0) || Float.isInfinite(rate)) {
      throw new InputException("--lr must be a positive finite number, got " + rate);
    }
    if (logEvery != null && logEvery <= 0) {
      throw new InputException("--log-every must be positive, got " + logEvery);
    }
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new InputException("--seed must be between 0 and 4294967295, got " + seed);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new InputException("--momentum must be in [0, 1), got " + momentum);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new InputException("--beta1 and --beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
    }
    if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
      throw new InputException("--eps must be a positive finite number, got " + epsilon);
    }
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new InputException("--weight-decay must be a finite number at least 0, got " + weightDecay);
    }
  }

  private void checkOutputs() {
    if (save != null) {
      AtomicFiles.checkWritable(save, "--save");
    }
    if (plot != null) {
      CurvePlot.checkWritable(plot);
    }
  }

  private Network initialNetwork(Loaded loaded, Loss lossKind, Activation hidden, NumpyRandom random) {
    DataSet train = loaded.train();
    int[] widths = layers == null ? null : parseWidths(layers);
    if (initModel != null) {
      if (init != null) { // --seed still seeds the shuffling, so only --init conflicts
        throw new InputException("--init and --init-model exclude each other (the model gives the initial weights)");
      }
      Network network = ModelJson.read(initModel);
      String origin = "--init-model " + initModel;
      if (widths != null && !Arrays.equals(widths, network.widths())) {
        throw new InputException("--layers " + layers + " does not match " + origin + ", whose layers are "
            + joined(network.widths()));
      }
      if (loss != null && network.loss() != lossKind) {
        throw new InputException("--loss " + loss + " does not match " + origin + ", trained with " + network.loss().id);
      }
      if (network.inputScale() != loaded.inputScale()) {
        throw new InputException(origin + " expects inputs scaled by " + network.inputScale() + " but the data ("
            + train.name() + ") is scaled by " + loaded.inputScale());
      }
      checkFits(network.widths(), train, origin);
      return network;
    }
    if (widths == null) {
      widths = new int[] {train.inputs(), train.outputs()};
    }
    checkFits(widths, train, "--layers " + joined(widths));
    Init how = init != null ? Init.parse(init) : Init.defaultFor(hidden, lossKind);
    return Network.init(widths, hidden, lossKind, how, random).withInputScale(loaded.inputScale());
  }

  private static void checkFits(int[] widths, DataSet dataSet, String origin) {
    if (widths[0] != dataSet.inputs()) {
      throw new InputException(origin + ": the first width is " + widths[0] + " but the data (" + dataSet.name()
          + ") has " + dataSet.inputs() + " input column" + (dataSet.inputs() == 1 ? "" : "s"));
    }
    int last = widths[widths.length - 1];
    if (last != dataSet.outputs()) {
      throw new InputException(origin + ": the last width is " + last + " but the data (" + dataSet.name()
          + ") has " + dataSet.outputs() + " target" + (dataSet.outputs() == 1 ? "" : "s")
          + " (classes count as one output each)");
    }
  }

  static int[] parseWidths(String spec) {
    String[] parts = spec.split(",", -1);
    if (parts.length < 2) {
      throw new InputException("--layers " + spec + ": give at least two widths, input and output (e.g. 2,4,1)");
    }
    int[] widths = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      if (!p.matches("\\d{1,7}") || Integer.parseInt(p) == 0) {
        throw new InputException("--layers " + spec + ": width " + (i + 1) + " '" + p
            + "' is not a positive integer (at most 7 digits)");
      }
      widths[i] = Integer.parseInt(p);
    }
    for (int i = 1; i < widths.length; i++) {
      long weights = (long) widths[i - 1] * widths[i];
      if (weights > Integer.MAX_VALUE / 2) {
        throw new InputException("--layers " + spec + ": widths " + widths[i - 1] + " and " + widths[i] + " make "
            + weights + " weights in one layer, more than " + Integer.MAX_VALUE / 2);
      }
    }
    return widths;
  }

  static String joined(int[] widths) {
    return Arrays.stream(widths).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  /** Rows of predictions the summary shows; larger data sets are summarised by loss and accuracy alone. */
  private static final int PREDICTIONS_SHOWN = 8;

  private void printSummary(String deviceName, double seconds, Trainer.Evaluation result, DataSet train,
      boolean classification, Trainer trainer, Map<String, DataSet> held, Optimizer rule, Settings settings) {
    out.println();
    out.println("device:      " + deviceName);
    String rate = epochs / seconds >= 1 ? Format.fixed(epochs / seconds, 0) + " epochs/s"
        : Format.fixed(seconds / epochs, 2) + " s/epoch";
    out.println("epochs:      " + epochs + " in " + Format.fixed(seconds, 3) + " s (" + rate + ")");
    if (settings.batchSize() > 0 && settings.batchSize() < train.rows()) {
      out.println("training:    " + rule.describe() + ", batches of " + settings.batchSize() + " from " + train.rows() + " rows");
    }
    out.println("final loss:  " + Format.fixed(result.loss(), 4)
        + (classification ? ", accuracy " + Format.fixed(result.accuracy(), 4) : ""));
    held.forEach((name, set) -> {
      Trainer.Evaluation e = trainer.evaluate(set, false);
      out.println(String.format("%-13s", name.toLowerCase(java.util.Locale.ROOT) + ":") + "loss " + Format.fixed(e.loss(), 4)
          + (classification ? ", accuracy " + Format.fixed(e.accuracy(), 4) : "") + " (" + set.rows() + " rows)");
    });
    if (result.outputs() == null) {
      return;
    }
    out.println("predictions:");
    int shown = Math.min(train.rows(), PREDICTIONS_SHOWN);
    int outputs = train.outputs();
    for (int row = 0; row < shown; row++) {
      float[] predicted = Arrays.copyOfRange(result.outputs(), row * outputs, (row + 1) * outputs);
      out.println("  " + compact(train.inputRow(row)) + " -> " + fixed(predicted) + "  (target "
          + compact(train.targetRow(row)) + ")");
    }
    if (train.rows() > shown) {
      out.println("  ... " + (train.rows() - shown) + " more rows");
    }
  }

  /** [0, 1] for whole numbers, the shortest float form otherwise. */
  static String compact(float[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      s.append(i == 0 ? "" : ", ").append(v == Math.rint(v) && Math.abs(v) < 1e7 ? String.valueOf((long) v) : Float.toString(v));
    }
    return s.append(']').toString();
  }

  static String fixed(float[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ", ").append(Format.fixed(values[i], 4));
    }
    return s.append(']').toString();
  }
}
