package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.cmd.MetricsCsv;
import dev.cltrain.cmd.OutputFiles;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.Checkpoint;
import dev.cltrain.cmd.OptionNames;
import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;
import dev.cltrain.Training;
import dev.cltrain.TrainingResult;
import dev.cltrain.TrainingRun;
import dev.cltrain.device.Verification;
import dev.cltrain.bench.Workload;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Network;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    description = {"Train a network by backpropagation on an OpenCL device or the Java reference: dense layers "
        + "(--layers), or convolutions, pooling, dropout and dense layers (--net, e.g. "
        + "conv:32:3,relu,maxpool:2,dense:128,relu,dense:10; the items are listed under --net below).",
        "IDX images are HxWx1; an image folder's are the first image's size, or --input-shape; a CSV row of image "
            + "pixels needs --input-shape HxWxC (HWC order, channels fastest)."})
final class TrainCommand implements Callable<Integer> {
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

  @Option(names = "--shards", paramLabel = "S1,S2,...|auto", description = "With a --device list: each device's share "
      + "of a batch's rows, e.g. 3,1 (default: an even split, the same on every run; auto: each device's speed "
      + "measured before training, printed with the --shards that repeats it). --resume keeps the checkpoint's "
      + "devices and split.")
  String shards;

  @Option(names = "--save", paramLabel = "FILE", description = "Write the trained model as JSON, or as ONNX when FILE ends in .onnx (atomically).")
  Path save;

  @Option(names = "--metrics", paramLabel = "FILE.csv", description = "Write one row per epoch (numbered from 0, as in the log): epoch, loss, train accuracy, validation loss and accuracy (val_), test loss and accuracy (test_), seconds; each row is written as its epoch ends, so a stopped run keeps them, and --resume appends to them.")
  Path metrics;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the loss and accuracy curves.")
  Path plot;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Write a checkpoint (weights, optimizer and generator state, epoch) every --checkpoint-every epochs and when stopped by SIGINT/SIGTERM, atomically; one that cannot be written (a full disk) is a warning, the file keeps the last good one and training goes on.")
  Path checkpoint;

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "Epochs between checkpoints (default: epochs/10, at least 1).")
  Integer checkpointEvery;

  @Option(names = "--resume", paramLabel = "FILE", description = "Go on from a checkpoint: its data, network, optimizer and seed (--lr may change the learning rate); --epochs is the total.")
  Path resume;

  @Option(names = "--lr-schedule", paramLabel = "SCHEDULE", description = "The learning rate by epoch: step:EVERY:GAMMA (η·γ^⌊e/EVERY⌋), cosine (η down to 0), exponential:GAMMA (η·γ^e) or constant (default); the same float rate on every device.")
  String lrSchedule;

  @Option(names = "--warmup-epochs", paramLabel = "N", description = "Raise the learning rate linearly over the first N epochs (η·(e+1)/N) before the schedule (default: 0).")
  Integer warmupEpochs;

  @Option(names = "--early-stop", paramLabel = "N", description = "Stop when the monitored figure (--monitor) has not improved for N epochs.")
  Integer earlyStop;

  @Option(names = "--monitor", paramLabel = "FIGURE", description = "What --early-stop and --save-best watch: val_loss, val_accuracy, test_loss, test_accuracy, loss, accuracy (default: val_loss with a validation split, else test_loss with a test set, else loss).")
  String monitor;

  @Option(names = "--save-best", paramLabel = "FILE", description = "Write the model of the best epoch (by --monitor) as JSON (ONNX for a .onnx name), atomically, whenever it improves.")
  Path saveBest;

  @Option(names = "--quiet", description = "No progress bar and no per-epoch lines; the device line, warnings, errors and the summary (final loss, accuracy, saved files) still print.")
  boolean quiet;

  @Option(names = "--profile", description = "Time every kernel (profiling events on OpenCL) and print a breakdown at the end.")
  boolean profile;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private PrintWriter err;
  /** The run under way, for the checkpoint it last wrote when it diverges. */
  private TrainingRun current;
  /** How the run launched its epochs (for --profile). */
  private String launchPlan;
  private dev.cltrain.TrainingRun.Exchange exchange;
  /** What early stopping did, when asked for. */
  private dev.cltrain.EarlyStopping.Outcome earlyOutcome;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    validateOptions();
    Checkpoint resumed = resume == null ? null : Checkpoint.read(resume, "--resume");
    boolean finished = resumed != null && takeOptionsOf(resumed);
    checkOutputs();
    workload.progress = line -> { // the row cache's conversion: heard as it goes
      err.println(line);
      err.flush();
    };
    DeviceSplit split = new DeviceSplit(deviceOptions, shards,
        spec.commandLine().getParseResult().hasMatchedOption("--device"), resume, err);
    java.util.function.Supplier<dev.cltrain.device.DeviceChoice> choice = DeviceOptions.once(() -> split.choice(resumed));
    workload.deviceLimits = () -> DeviceOptions.limits(choice.get()); // --stream auto: do the rows fit the devices?
    Workload work = workload.resolve();
    workload.notes.forEach(err::println); // what was inferred from the data: loss, output layer
    TrainingData loaded = work.data();
    DataSet train = work.train();
    Network initial = work.initial();
    int every = logEvery != null ? logEvery : Math.max(1, epochs / 10);
    boolean record = metrics != null || plot != null;
    ObjectNode savedOptions = WorkloadJson.toJson(workload);
    savedOptions.put("epochs", epochs);
    dev.cltrain.LearningRateSchedule schedule = dev.cltrain.LearningRateSchedule.parse(lrSchedule,
        warmupEpochs == null ? 0 : warmupEpochs);
    if (!schedule.isConstant()) {
      // the schedule is part of the training: recorded in the checkpoint so --resume continues it exactly
      savedOptions.put("lrSchedule", schedule.id());
      savedOptions.put("warmupEpochs", schedule.warmup());
    }
    boolean hasValidation = loaded.validation() != null;
    boolean hasTest = loaded.test() != null;
    dev.cltrain.EarlyStopping stopping = earlyStop == null && saveBest == null ? null
        : new dev.cltrain.EarlyStopping(earlyStop == null ? 0 : earlyStop,
            monitor != null ? monitor : dev.cltrain.EarlyStopping.defaultMonitor(hasValidation, hasTest), saveBest);
    boolean classification = loaded.classes() > 0;
    int batches = work.batchesPerEpoch();
    float rate = work.training().optimizer().learningRate();

    Training training = work.training().epochs(epochs).statsEvery(record ? 1 : every).verify(verify).profile(profile)
        .finalOutputs(train.rows() <= TrainSummary.PREDICTIONS_SHOWN * 2).device(choice.get())
        .schedule(schedule).earlyStopping(stopping);
    if (checkpoint != null) {
      training = training.checkpoint(checkpoint, checkpointEvery != null ? checkpointEvery : Math.max(1, epochs / 10),
          savedOptions);
    }
    if (resumed != null) {
      training = training.resume(resumed.state());
    }
    if (finished) {
      // nothing left to train (e.g. killed after the last checkpoint, before --save): write what the model gives
      if (metrics != null || plot != null) {
        err.println("warning: " + (metrics != null ? "--metrics " + metrics : "")
            + (metrics != null && plot != null ? " and " : "") + (plot != null ? "--plot " + plot : "")
            + " not written: a checkpoint keeps no per-epoch figures to rebuild them from (existing files are left as they were)");
      }
      metrics = null;
      plot = null;
      record = false;
    }
    boolean recording = record;
    try (MetricsCsv metricsFile = metrics == null ? null
            : MetricsCsv.open(metrics, resumed == null ? 0 : resumed.state().epoch());
         Progress progress = Progress.create(!quiet && batches > 1 && Progress.onTerminal(), epochs, batches)) {
      if (metricsFile != null && metricsFile.note() != null) {
        err.println(metricsFile.note());
      }
      TrainLog log = new TrainLog(out, err, progress, metricsFile, metrics, checkpoint, recording, classification, quiet,
          every, epochs);
      training = training.listener(log);
      TrainingResult result;
      try (TrainingRun run = open(training, resumed != null)) {
        current = run;
        log.run(run);
        if (run.fallbackWarning() != null) {
          err.println(run.fallbackWarning());
        }
        err.println("device: " + run.deviceName() + " (" + OptionNames.text(run.reason()) + ")");
        if (run.shares() != null) {
          err.println("shards:      " + DeviceSplit.shardsLine(run, train.rows(), work.training().batchSize()));
        }
        if (resumed != null) {
          err.println("resumed:     " + resume + " at epoch " + run.firstEpoch()
              + (resumed.state().batch() > 0 ? ", batch " + resumed.state().batch() : "")
              + (finished ? (run.firstEpoch() > epochs || resumed.state().batch() > 0 ? ", past" : ", the end of")
                  + " --epochs " + epochs
                  + ": no epoch left to train; the outputs are written from its model" : ""));
        }
        try (StopSignals signals = StopSignals.install(run)) {
          log.signals(signals);
          result = run.run();
          launchPlan = OptionNames.text(run.launchPlan());
          exchange = run.exchange();
          earlyOutcome = run.earlyStopping();
          log.signals(null);
          if (signals.received() != null && result.stop() != null) {
            progress.close();
            return stopped(signals.received(), result.stop());
          }
          if (result.stop() == null && TestHooks.haltAfterFinalCheckpoint()) {
            out.flush();
            err.flush();
            Runtime.getRuntime().halt(137);
          }
        }
      } catch (DivergedException e) {
        progress.close();
        err.println("cltrain train: " + e.what() + "; training diverged: try a smaller --lr (now " + rate + ")"
            + (save != null ? "; " + save + " was not written" : "") + lastGoodCheckpoint(rate));
        return ExitCodes.DIVERGED;
      }
      progress.close();
      new TrainSummary(out, epochs, log.lastMeasured()).print(result, train, classification, work);
      Verification v = printChecks(result, stopping);
      if (save != null) {
        result.model().save(save);
        out.println("saved:       " + save);
      }
      if (metricsFile != null && log.metricsFailure() == null) {
        try {
          metricsFile.commit();
          out.println("metrics:     " + metrics);
        } catch (InputException e) {
          log.metricsFailed(e.getMessage());
        }
      }
      String metricsFailure = log.metricsFailure();
      if (plot != null) {
        CurvePlot.write(plot, work.name() + ": " + (initial.hasFeatures() ? dev.cltrain.nn.Architecture.describe(initial)
            : Workload.joined(initial.widths()) + " " + initial.dense().get(0).activation().id) + ", " + initial.loss().id + ", "
            + work.training().optimizer().kind().id + " η " + dev.cltrain.nn.Optimizer.decimal(rate)
            + (batches > 1 ? ", batch " + work.training().batchSize() : ""), log.records());
        out.println("plot:        " + plot);
      }
      if (metricsFailure != null) {
        err.println("cltrain train: --metrics " + metrics + " was not written whole (" + metricsFailure + ")"
            + (save != null ? "; the model was saved to " + save : ""));
      }
      String checkpointFailure = current == null ? null : checkpointFailure(current);
      if (checkpointFailure != null) {
        err.println("cltrain train: " + checkpointFailure + (save != null ? "; the model was saved to " + save : ""));
      }
      if (metricsFailure != null || checkpointFailure != null) {
        return ExitCodes.BAD_INPUT;
      }
      if (v != null && !v.pass()) {
        return ExitCodes.CHECK_FAILED;
      }
      return 0;
    }
  }

  /**
   * --resume: the checkpoint's options in place of this command's (only --lr may be given), its learning-rate
   * schedule and, unless --epochs is given, its epochs.
   *
   * @return whether the checkpoint is at or past the end of --epochs (nothing left to train)
   */
  private boolean takeOptionsOf(Checkpoint resumed) {
    Float newRate = workload.learningRate; // the one option a resumed run may change, e.g. after a divergence
    workload.learningRate = null;
    boolean others = workload.anyGiven();
    workload.learningRate = newRate;
    if (others) {
      throw new InputException("--resume " + resume + " takes the data, network, optimizer and seed from the checkpoint; "
          + "leave out the options that set them (--data, --layers, --optimizer, ...; only --lr may be given)");
    }
    if (resumed.options() == null) {
      throw new InputException("--resume " + resume + ": the checkpoint records no training options");
    }
    ObjectNode options = resumed.options().deepCopy();
    if (newRate != null) {
      options.put("lr", newRate);
    }
    int recordedEpochs;
    try {
      WorkloadOptions given = workload;
      workload = WorkloadJson.fromJson(options);
      workload.rows = given.rows; // how the rows are read, not what is trained: the resumed run's own choice
      workload.checkpointNetwork = resumed.state().network();
      recordedEpochs = WorkloadJson.epochsFromJson(options, epochs);
    } catch (InputException e) {
      throw new InputException("--resume " + resume + ": " + OptionNames.message(e), e);
    }
    if (lrSchedule != null || warmupEpochs != null) {
      throw new InputException("--resume " + resume + " continues the checkpoint's learning-rate schedule; "
          + "leave out --lr-schedule and --warmup-epochs");
    }
    lrSchedule = options.hasNonNull("lrSchedule") ? options.get("lrSchedule").asText() : null;
    warmupEpochs = options.hasNonNull("warmupEpochs") ? options.get("warmupEpochs").asInt() : null;
    if (!epochsGiven()) {
      epochs = recordedEpochs;
    }
    return resumed.state().epoch() >= epochs;
  }

  /** The summary's lines of early stopping, --profile and --verify; returns the check's figures, or null. */
  private Verification printChecks(TrainingResult result, dev.cltrain.EarlyStopping stopping) {
    if (stopping != null && earlyOutcome != null) {
      String best = earlyOutcome.bestEpoch() < 0 ? "no epoch measured " + stopping.monitor()
          : earlyOutcome.describe(stopping.monitor());
      if (stopping.patience() > 0) {
        out.println("early stop:  " + (earlyOutcome.stopped() ? "stopped after epoch " + earlyOutcome.lastEpoch()
            + ", " + stopping.monitor() + " not improved for " + stopping.patience() + " epochs"
            : "not triggered (patience " + stopping.patience() + ")") + "; " + best);
      }
      if (saveBest != null && earlyOutcome.bestEpoch() >= 0) {
        out.println("best model:  " + saveBest + " (epoch " + earlyOutcome.bestEpoch() + ", " + stopping.monitor()
            + " " + Format.fixed((float) earlyOutcome.bestValue(), 4) + ")");
      }
    }
    if (profile) {
      ProfileTable.printTraining(out, result, launchPlan, exchange);
    }
    Verification v = result.verification();
    if (v != null) {
      // before the outputs: a failed check keeps the model (it may still be useful) but says so first
      out.println("verify:      largest weight difference " + scientific(v.weightDifference())
          + ", largest loss difference " + scientific(v.lossDifference()) + " against the Java reference (tolerance "
          + scientific(v.tolerance()) + "): " + (v.pass() ? "PASS" : "FAIL"
          + (save != null ? " (the model is saved all the same; exit 1)" : " (exit 1)")));
    }
    return v;
  }

  private static String scientific(float v) {
    return String.format(java.util.Locale.ROOT, "%.1e", v);
  }

  /** Stopped by a signal after a batch (the run wrote the checkpoint if one was asked for); returns 130 or 143. */
  private int stopped(String signal, TrainingResult.Stop stop) {
    String where = stop.batch() > 0 ? "in epoch " + stop.epoch() + " after batch " + stop.batch()
        : "after epoch " + stop.epoch();
    if (stop.checkpointWritten()) {
      err.println("cltrain train: stopped by SIG" + signal + " " + where + "; checkpoint written to " + checkpoint
          + " (go on with: " + goOnCommand(null) + ")");
    } else if (checkpoint != null) {
      err.println("cltrain train: stopped by SIG" + signal + " " + where + "; " + checkpointFailure(current));
    } else {
      err.println("cltrain train: stopped by SIG" + signal + " " + where + "; no --checkpoint was asked for, so nothing was saved");
    }
    return StopSignals.exitCode(signal);
  }

  /**
   * "--checkpoint FILE: 2 checkpoints could not be written (why); it keeps the end of epoch 5", or null when every
   * checkpoint of {@code run} was written.
   */
  private String checkpointFailure(TrainingRun run) {
    if (run.checkpointFailure() == null) {
      return null;
    }
    int epoch = run.lastCheckpointEpoch();
    return "--checkpoint " + checkpoint + ": " + run.checkpointsFailed() + " checkpoint"
        + (run.checkpointsFailed() == 1 ? "" : "s") + " could not be written (the last: " + run.checkpointFailure()
        + "); " + (epoch >= 0 ? "it keeps the last one written (" + epoch + (epoch == 1 ? " epoch" : " epochs") + " done)"
        : java.nio.file.Files.exists(checkpoint) ? "it is as it was before this run" : "none was written");
  }

  /**
   * After a divergence: where the last good state is, and the command that goes on from it at a tenth of the
   * learning rate; empty without --checkpoint.
   */
  private String lastGoodCheckpoint(float rate) {
    if (checkpoint == null) {
      return "";
    }
    int epoch = current == null ? -1 : current.lastCheckpointEpoch();
    boolean kept = epoch >= 0 || java.nio.file.Files.exists(checkpoint);
    if (!kept) {
      return "; no checkpoint had been written yet";
    }
    return "; " + checkpoint + " keeps the last good state" + (epoch > 0 ? " (the end of epoch " + (epoch - 1) + ")" : "")
        + " (go on with: " + goOnCommand(rate / 10) + ")";
  }

  /**
   * The command that goes on from --checkpoint with this run's outputs (and {@code --lr rate} when not null):
   * every word shell-quoted where needed, so it can be pasted as it is.
   */
  String goOnCommand(Float rate) {
    List<String> words = new ArrayList<>(List.of("cltrain", "train", "--resume", checkpoint.toString()));
    if (rate != null) {
      words.addAll(List.of("--lr", Float.toString(rate)));
    }
    if (epochsGiven()) {
      words.addAll(List.of("--epochs", String.valueOf(epochs)));
    }
    int[] split = current == null ? null : current.shares();
    if (split != null) { // data-parallel: the devices and the split this run used, measured or not
      words.addAll(List.of("--device", String.join(",", current.deviceIds()), "--shards", DeviceSplit.joinedShares(split)));
    } else if (spec.commandLine().getParseResult().hasMatchedOption("--device")) {
      words.addAll(List.of("--device", deviceOptions.device));
    }
    if (deviceOptions.kernels != null) {
      words.addAll(List.of("--kernels", deviceOptions.kernels.toString()));
    }
    if (verify) {
      words.add("--verify");
    }
    if (logEvery != null) {
      words.addAll(List.of("--log-every", String.valueOf(logEvery)));
    }
    for (Object[] output : new Object[][] {{"--save", save}, {"--metrics", metrics}, {"--plot", plot},
        {"--checkpoint", checkpoint}}) {
      if (output[1] != null) {
        words.addAll(List.of((String) output[0], output[1].toString()));
      }
    }
    if (checkpointEvery != null) {
      words.addAll(List.of("--checkpoint-every", String.valueOf(checkpointEvery)));
    }
    if (earlyStop != null) {
      words.addAll(List.of("--early-stop", String.valueOf(earlyStop)));
    }
    if (monitor != null) {
      words.addAll(List.of("--monitor", monitor));
    }
    if (saveBest != null) {
      words.addAll(List.of("--save-best", saveBest.toString()));
    }
    StringBuilder line = new StringBuilder();
    for (String word : words) {
      line.append(line.length() == 0 ? "" : " ").append(word.matches("[A-Za-z0-9_./:=,+@%-]+") ? word
          : "'" + word.replace("'", "'\\''") + "'");
    }
    return line.toString();
  }

  /** Opens the run; a checkpoint that does not fit the network is bad --resume input. */
  private TrainingRun open(Training training, boolean resuming) {
    try {
      return training.open();
    } catch (InputException e) {
      throw resuming ? new InputException("--resume: " + OptionNames.message(e), e) : e;
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
    if (monitor != null && earlyStop == null && saveBest == null) {
      throw new InputException("--monitor needs --early-stop N or --save-best FILE");
    }
    if (checkpointEvery != null && checkpoint == null) {
      throw new InputException("--checkpoint-every needs --checkpoint FILE");
    }
  }

  /**
   * Before any work: no output is an input or another output (--checkpoint may be the --resume file: that is how
   * a run goes on), and every output can be written.
   */
  private void checkOutputs() {
    new OutputFiles()
        .data("--data", workload.data).data("--test", workload.test).input("--init-model", workload.initModel)
        .input("--resume", resume).allow("--checkpoint", "--resume")
        .output("--save", save).output("--save-best", saveBest).output("--checkpoint", checkpoint).output("--metrics", metrics).output("--plot", plot)
        .check();
  }
}
