package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Loaded;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.train.Devices;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.train.ReferenceTrainer;
import dev.cltrain.train.Settings;
import dev.cltrain.Trainer;
import dev.cltrain.train.Workload;
import dev.cltrain.train.Checkpoint;
import dev.cltrain.train.TrainerState;
import java.io.PrintWriter;
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

  @Mixin
  WorkloadOptions workload;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
  int epochs = 10000;

  @Option(names = "--log-every", paramLabel = "N", description = "Print the loss every N epochs (default: epochs/10).")
  Integer logEvery;

  @Mixin
  DeviceOptions deviceOptions;

  @Option(names = "--verify", description = "Run the Java reference in lockstep and compare weights and loss (exit 1 if over the tolerance).")
  boolean verify;

  @Option(names = "--save", paramLabel = "FILE", description = "Write the trained model as JSON (atomically).")
  Path save;

  @Option(names = "--metrics", paramLabel = "FILE.csv", description = "Write one row per epoch: epoch, loss, train accuracy, test loss, test accuracy, seconds.")
  Path metrics;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the loss and accuracy curves.")
  Path plot;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Write a checkpoint (weights, optimizer and generator state, epoch) every --checkpoint-every epochs and when stopped by SIGINT/SIGTERM, atomically.")
  Path checkpoint;

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "Epochs between checkpoints (default: epochs/10, at least 1).")
  Integer checkpointEvery;

  @Option(names = "--resume", paramLabel = "FILE", description = "Go on from a checkpoint: its data, network, optimizer and seed; --epochs is the total.")
  Path resume;

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
    validateOptions();
    Checkpoint resumed = resume == null ? null : Checkpoint.read(resume);
    if (resumed != null) {
      if (workload.anyGiven()) {
        throw new InputException("--resume " + resume + " takes the data, network, optimizer and seed from the checkpoint; "
            + "leave out the options that set them (--data, --layers, --lr, ...)");
      }
      workload = WorkloadOptions.fromJson(resumed.options());
      if (!epochsGiven()) {
        epochs = resumed.options().path("epochs").asInt(epochs);
      }
      if (resumed.state().epoch() >= epochs) {
        throw new InputException("--resume " + resume + " is at epoch " + resumed.state().epoch()
            + ", already past --epochs " + epochs + " (give a larger --epochs to train on)");
      }
    }
    Workload work = workload.resolve();
    Loaded loaded = work.data();
    DataSet train = work.train();
    Network initial = work.initial();
    Settings settings = work.settings();
    Optimizer rule = settings.optimizer();
    float rate = rule.learningRate();
    checkOutputs();
    int every = logEvery != null ? logEvery : Math.max(1, epochs / 10);
    int checkpointInterval = checkpointEvery != null ? checkpointEvery : Math.max(1, epochs / 10);
    com.fasterxml.jackson.databind.node.ObjectNode savedOptions = workload.toJson();
    savedOptions.put("epochs", epochs);
    Map<String, DataSet> held = new LinkedHashMap<>();
    if (loaded.test() != null) {
      held.put("Test", loaded.test());
    }
    if (loaded.validation() != null) {
      held.put("Validation", loaded.validation());
    }
    boolean classification = loaded.classes() > 0;

    Devices.Choice choice = deviceOptions.choice(err);
    List<EpochRecord> records = new ArrayList<>();
    try (Trainer trainer = Devices.open(choice, deviceOptions.source(), initial, train, settings, profile, err::println);
         Trainer judge = verify ? new ReferenceTrainer(initial, train, settings) : null;
         MetricsCsv metricsFile = metrics == null ? null : MetricsCsv.open(metrics)) {
      err.println("device: " + trainer.deviceName() + " (" + choice.why() + ")");
      int firstEpoch = 0;
      if (resumed != null) {
        restore(trainer, resumed.state());
        if (judge != null) {
          restore(judge, resumed.state());
        }
        firstEpoch = resumed.state().epoch();
        err.println("resumed:     " + resume + " at epoch " + firstEpoch
            + (resumed.state().batch() > 0 ? ", batch " + resumed.state().batch() : ""));
      }
      int batches = work.batchesPerEpoch();
      float worstLoss = 0;
      float worstWeight = 0;
      long start = System.nanoTime();
      try (Progress progress = Progress.create(batches > 1 && Progress.onTerminal(), epochs, batches);
           StopSignals signals = StopSignals.install(trainer)) {
        for (int epoch = firstEpoch; epoch < epochs; epoch++) {
          boolean log = epoch % every == 0;
          boolean record = metrics != null || plot != null;
          int current = epoch;
          Trainer.EpochStats stats = trainer.epoch(log || record,
              batches > 1 ? (b, n, running) -> progress.batch(current + 1, b + 1, running) : null);
          if (signals.received() != null) {
            progress.close();
            return stopped(trainer, signals.received(), epoch, stats, savedOptions);
          }
          if (checkpoint != null && ((epoch + 1) % checkpointInterval == 0 || epoch + 1 == epochs)) {
            new Checkpoint(savedOptions, trainer.state()).write(checkpoint);
          }
          if (judge != null) {
            Trainer.EpochStats expected = judge.epoch(log || record);
            if (log) {
              worstLoss = max(worstLoss, Math.abs(stats.loss() - expected.loss()));
              worstWeight = max(worstWeight, Network.maxAbsDifference(trainer.network(), judge.network()));
            }
          }
          boolean measured = log || record || batches > 1; // mini-batch epochs always measure their loss
          if (measured && !Float.isFinite(stats.loss())) {
            return diverged("the loss became " + stats.loss() + " at epoch " + epoch, rate);
          }
          if (!log && !record) {
            continue;
          }
          String bad = Network.firstNonFinite(trainer.network());
          if (bad != null) {
            return diverged(bad + " by epoch " + epoch + " (checked at each logged epoch)", rate);
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
      List<dev.cltrain.backend.KernelTime> kernelTimes = profile ? trainer.takeProfile() : List.of();
      double seconds = (System.nanoTime() - start) / 1e9;
      Trainer.Evaluation result = trainer.evaluate(train, train.rows() <= PREDICTIONS_SHOWN * 2);
      Network trained = trainer.network();
      if (judge != null) {
        worstLoss = max(worstLoss, Math.abs(result.loss() - judge.evaluate(train, false).loss()));
        worstWeight = max(worstWeight, Network.maxAbsDifference(trained, judge.network()));
      }
      if (!Float.isFinite(result.loss())) {
        return diverged("the loss became " + result.loss() + " after the last epoch", rate);
      }
      String bad = Network.firstNonFinite(trained);
      if (bad != null) {
        return diverged(bad + " after the last epoch", rate);
      }
      printSummary(trainer.deviceName(), epochs - firstEpoch, seconds, result, train, classification, trainer, held,
          rule, settings);
      if (profile) {
        out.println();
        out.println("profile of the " + (epochs - firstEpoch) + " epochs (" + (choice.reference() ? "wall time per call" : "device time from profiling events") + "):");
        ProfileTable.print(out, kernelTimes, seconds, epochs - firstEpoch);
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
        CurvePlot.write(plot, work.name() + ": " + Workload.joined(initial.widths()) + " "
            + initial.layers().get(0).activation().id + ", " + initial.loss().id + ", " + rule.kind().id + " η " + rate
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

  /** Training diverged: one line saying where and what to try; --save is not written. Returns exit code 4. */
  private int diverged(String what, float rate) {
    err.println("cltrain train: " + what + "; training diverged: try a smaller --lr (now " + rate + ")"
        + (save != null ? "; " + save + " was not written" : ""));
    return Main.EXIT_DIVERGED;
  }

  /** Stopped by a signal after a batch: writes the checkpoint if one was asked for; returns 130 or 143. */
  private int stopped(Trainer trainer, String signal, int epoch, Trainer.EpochStats stats,
      com.fasterxml.jackson.databind.node.ObjectNode savedOptions) {
    TrainerState state = trainer.state();
    String where = state.batch() > 0 ? "in epoch " + epoch + " after batch " + state.batch()
        : "after epoch " + epoch;
    if (checkpoint != null) {
      new Checkpoint(savedOptions, state).write(checkpoint);
      err.println("cltrain train: stopped by SIG" + signal + " " + where + "; checkpoint written to " + checkpoint
          + " (go on with: cltrain train --resume " + checkpoint + ")");
    } else {
      err.println("cltrain train: stopped by SIG" + signal + " " + where + "; no --checkpoint was asked for, so nothing was saved");
    }
    return StopSignals.exitCode(signal);
  }

  private static void restore(Trainer trainer, TrainerState state) {
    try {
      trainer.restore(state);
    } catch (IllegalArgumentException e) {
      throw new InputException("--resume: the checkpoint does not fit this training: " + e.getMessage());
    }
  }

  private boolean epochsGiven() {
    return spec.commandLine().getParseResult().hasMatchedOption("--epochs");
  }

  private void validateOptions() {
    if (epochs <= 0) {
      throw new InputException("--epochs must be positive, got " + epochs);
    }
    if (logEvery != null && logEvery <= 0) {
      throw new InputException("--log-every must be positive, got " + logEvery);
    }
    if (checkpointEvery != null && checkpointEvery <= 0) {
      throw new InputException("--checkpoint-every must be positive, got " + checkpointEvery);
    }
    if (checkpointEvery != null && checkpoint == null) {
      throw new InputException("--checkpoint-every needs --checkpoint FILE");
    }
  }

  private void checkOutputs() {
    if (save != null) {
      AtomicFiles.checkWritable(save, "--save");
    }
    if (checkpoint != null) {
      AtomicFiles.checkWritable(checkpoint, "--checkpoint");
    }
    if (plot != null) {
      CurvePlot.checkWritable(plot);
    }
  }

  /** Rows of predictions the summary shows; larger data sets are summarised by loss and accuracy alone. */
  private static final int PREDICTIONS_SHOWN = 8;

  private void printSummary(String deviceName, int epochsRun, double seconds, Trainer.Evaluation result, DataSet train,
      boolean classification, Trainer trainer, Map<String, DataSet> held, Optimizer rule, Settings settings) {
    out.println();
    out.println("device:      " + deviceName);
    String rate = epochsRun / seconds >= 1 ? Format.fixed(epochsRun / seconds, 0) + " epochs/s"
        : Format.fixed(seconds / epochsRun, 2) + " s/epoch";
    out.println("epochs:      " + (epochsRun == epochs ? String.valueOf(epochs)
        : epochsRun + " (epochs " + (epochs - epochsRun) + " to " + (epochs - 1) + ", resumed)")
        + " in " + Format.fixed(seconds, 3) + " s (" + rate + ")");
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
