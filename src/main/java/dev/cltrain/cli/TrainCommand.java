package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.DataSets;
import dev.cltrain.nn.AtomicFiles;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClRuntime;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.train.Devices;
import dev.cltrain.train.ReferenceTrainer;
import dev.cltrain.train.Settings;
import dev.cltrain.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cltrain train}: with no options, the seed's program (XOR, layers 2,1, sigmoid, MSE, η = 0.1, 10000
 * epochs, seed 0), printing the seed's ten lines; then a summary. Epoch lines and the summary go to stdout;
 * which device was taken, and warnings, go to stderr.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a dense sigmoid network with MSE loss by full-batch gradient descent.")
final class TrainCommand implements Callable<Integer> {
  /**
   * Largest |device − reference| allowed by --verify, for weights and for the loss. float32 runs that
   * differ only in exp's last bit and the loss's summation order stay within ~1e-6 over 10000 epochs of
   * the seed's nets; 1e-4 leaves room for deeper nets and long runs while still catching any wrong kernel.
   */
  static final float VERIFY_TOLERANCE = 1e-4f;

  @Option(names = "--data", paramLabel = "xor|and|or|FILE.csv", description = "Data set (default: ${DEFAULT-VALUE}).")
  String data = "xor";

  @Option(names = "--targets", paramLabel = "K", description = "CSV: the last K columns are targets (default: ${DEFAULT-VALUE}).")
  int targets = 1;

  @Option(names = "--layers", paramLabel = "W0,W1,...", description = "Widths from input to output, e.g. 2,4,1 (default: inputs,outputs of the data).")
  String layers;

  @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate η (default: ${DEFAULT-VALUE}).")
  float learningRate = 0.1f;

  @Option(names = "--epochs", paramLabel = "N", description = "Backprop iterations over the whole data set (default: ${DEFAULT-VALUE}).")
  int epochs = 10000;

  @Option(names = "--seed", paramLabel = "S", description = "np.random.seed for the initial weights (default: ${DEFAULT-VALUE}).")
  long seed = 0;

  @Option(names = "--log-every", paramLabel = "N", description = "Print the loss every N epochs (default: epochs/10).")
  Integer logEvery;

  @Option(names = "--device", paramLabel = "auto|gpu|cpu|reference|cl:P:D|INDEX", description = "Where to train (default: ${DEFAULT-VALUE}); see 'cltrain devices'.")
  String device = "auto";

  @Option(names = "--verify", description = "Run the Java reference in lockstep and compare weights and loss (tolerance 1e-4; exit 1 if over).")
  boolean verify;

  @Option(names = "--save", paramLabel = "FILE", description = "Write the trained model as JSON (atomically).")
  Path save;

  @Option(names = "--init-model", paramLabel = "FILE", description = "Start from the weights of a saved model instead of --seed.")
  Path initModel;

  @Option(names = "--kernels", paramLabel = "DIR", description = "Load the OpenCL sources from DIR instead of the jar.")
  Path kernels;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    validateOptions();
    DataSet dataSet = DataSets.load(data, targets);
    Network initial = initialNetwork(dataSet);
    if (save != null) {
      AtomicFiles.checkWritable(save, "--save");
    }
    KernelSource source = kernelSource();
    int every = logEvery != null ? logEvery : Math.max(1, epochs / 10);

    Devices.Choice choice = Devices.choose(device, ClRuntime.discover());
    Settings settings = Settings.fullBatchSgd(learningRate);
    try (Trainer trainer = Devices.open(choice, source, initial, dataSet, settings, err::println);
         Trainer judge = verify ? new ReferenceTrainer(initial, dataSet, settings) : null) {
      err.println("device: " + trainer.deviceName() + " (" + choice.why() + ")");
      float worstLoss = 0;
      float worstWeight = 0;
      long start = System.nanoTime();
      for (int epoch = 0; epoch < epochs; epoch++) {
        boolean log = epoch % every == 0;
        float loss = trainer.epoch(log).loss();
        if (judge != null) {
          float expected = judge.epoch(log).loss();
          if (log) {
            worstLoss = max(worstLoss, Math.abs(loss - expected));
            worstWeight = max(worstWeight, Network.maxAbsDifference(trainer.network(), judge.network()));
          }
        }
        if (log) {
          out.println("Epoch " + epoch + ", Loss: " + Format.fixed(loss, 4));
        }
      }
      Trainer.Evaluation result = trainer.evaluate(dataSet, true);
      double seconds = (System.nanoTime() - start) / 1e9;
      Network trained = trainer.network();
      if (judge != null) {
        worstLoss = max(worstLoss, Math.abs(result.loss() - judge.evaluate(dataSet, false).loss()));
        worstWeight = max(worstWeight, Network.maxAbsDifference(trained, judge.network()));
      }
      printSummary(out, trainer.deviceName(), seconds, result, dataSet);
      if (save != null) {
        ModelJson.save(trained, save);
        out.println("saved:       " + save);
      }
      if (judge != null) {
        boolean pass = worstWeight <= VERIFY_TOLERANCE && worstLoss <= VERIFY_TOLERANCE;
        out.println("verify:      largest weight difference " + scientific(worstWeight)
            + ", largest loss difference " + scientific(worstLoss) + " against the Java reference (tolerance "
            + scientific(VERIFY_TOLERANCE) + "): " + (pass ? "PASS" : "FAIL"));
        return pass ? 0 : Main.EXIT_CHECK_FAILED;
      }
      return 0;
    }
  }

  /** max that lets a NaN through, so a diverged run fails verification instead of passing. */
  private static float max(float a, float b) {
    return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
  }

  private static String scientific(float v) {
    return String.format(java.util.Locale.ROOT, "%.1e", v);
  }

  private void validateOptions() {
    if (epochs <= 0) {
      throw new InputException("--epochs must be positive, got " + epochs);
    }
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new InputException("--lr must be a positive finite number, got " + learningRate);
    }
    if (logEvery != null && logEvery <= 0) {
      throw new InputException("--log-every must be positive, got " + logEvery);
    }
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new InputException("--seed must be between 0 and 4294967295, got " + seed);
    }
    if (initModel != null && seed != 0 && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
      throw new InputException("--seed and --init-model exclude each other (the model gives the initial weights)");
    }
  }

  private KernelSource kernelSource() {
    if (kernels == null) {
      return KernelSource.classpath();
    }
    if (!Files.isDirectory(kernels)) {
      throw new InputException("--kernels " + kernels + ": not a directory");
    }
    return KernelSource.folder(kernels);
  }

  private Network initialNetwork(DataSet dataSet) {
    int[] widths = layers == null ? null : parseWidths(layers);
    Network network;
    String origin;
    if (initModel != null) {
      network = ModelJson.read(initModel);
      origin = "--init-model " + initModel;
      if (widths != null && !Arrays.equals(widths, network.widths())) {
        throw new InputException("--layers " + layers + " does not match " + origin + ", whose layers are "
            + joined(network.widths()));
      }
    } else {
      if (widths == null) {
        widths = new int[] {dataSet.inputs(), dataSet.outputs()};
      }
      network = null;
      origin = "--layers " + joined(widths);
      checkFits(widths, dataSet, origin);
      return Network.initNormal(widths, seed);
    }
    checkFits(network.widths(), dataSet, origin);
    return network;
  }

  private static void checkFits(int[] widths, DataSet dataSet, String origin) {
    if (widths[0] != dataSet.inputs()) {
      throw new InputException(origin + ": the first width is " + widths[0] + " but the data (" + dataSet.name()
          + ") has " + dataSet.inputs() + " input column" + (dataSet.inputs() == 1 ? "" : "s"));
    }
    int last = widths[widths.length - 1];
    if (last != dataSet.outputs()) {
      throw new InputException(origin + ": the last width is " + last + " but the data (" + dataSet.name()
          + ") has " + dataSet.outputs() + " target column" + (dataSet.outputs() == 1 ? "" : "s"));
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
    return widths;
  }

  private static String joined(int[] widths) {
    return Arrays.stream(widths).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  /** Rows of predictions the summary shows; larger data sets are summarised by the loss alone. */
  private static final int PREDICTIONS_SHOWN = 8;

  private void printSummary(PrintWriter out, String deviceName, double seconds, Trainer.Evaluation result,
      DataSet dataSet) {
    out.println();
    out.println("device:      " + deviceName);
    out.println("epochs:      " + epochs + " in " + Format.fixed(seconds, 3) + " s ("
        + Format.fixed(epochs / seconds, 0) + " epochs/s)");
    out.println("final loss:  " + Format.fixed(result.loss(), 4));
    out.println("predictions:");
    int shown = Math.min(dataSet.rows(), PREDICTIONS_SHOWN);
    int outputs = dataSet.outputs();
    for (int row = 0; row < shown; row++) {
      float[] predicted = Arrays.copyOfRange(result.outputs(), row * outputs, (row + 1) * outputs);
      out.println("  " + compact(dataSet.inputRow(row)) + " -> " + fixed(predicted) + "  (target "
          + compact(dataSet.targetRow(row)) + ")");
    }
    if (dataSet.rows() > shown) {
      out.println("  ... " + (dataSet.rows() - shown) + " more rows");
    }
  }

  /** [0, 1] for whole numbers, the shortest float form otherwise. */
  private static String compact(float[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      s.append(i == 0 ? "" : ", ").append(v == Math.rint(v) && Math.abs(v) < 1e7 ? String.valueOf((long) v) : Float.toString(v));
    }
    return s.append(']').toString();
  }

  private static String fixed(float[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ", ").append(Format.fixed(values[i], 4));
    }
    return s.append(']').toString();
  }
}
