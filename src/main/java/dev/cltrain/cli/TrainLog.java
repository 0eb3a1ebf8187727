package dev.cltrain.cli;

import dev.cltrain.cmd.EpochLines;
import dev.cltrain.cmd.EpochRecord;
import dev.cltrain.cmd.MetricsCsv;

import dev.cltrain.EpochListener;
import dev.cltrain.EpochReport;
import dev.cltrain.core.InputException;
import dev.cltrain.device.Trainer;
import dev.cltrain.TrainingRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code cltrain train} does as its run goes: an epoch line every --log-every epochs, a --metrics row (and
 * the rows --plot draws) for every measured epoch, the progress bar per batch, and one warning when a checkpoint
 * cannot be written.
 */
final class TrainLog implements EpochListener {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Progress progress;
  private final MetricsCsv metricsFile;
  private final Path metrics;
  private final Path checkpoint;
  private final boolean recording;
  private final boolean classification;
  private final boolean quiet;
  private final int every;
  private final int epochs;
  private final List<EpochRecord> records = new ArrayList<>();
  /** The run under way, for how many checkpoints failed. */
  private volatile TrainingRun run;
  /** Installed while training, for {@link TestHooks#termInLastBatch}. */
  private volatile StopSignals signals;
  /** Why --metrics could not be written, once a write failed (training goes on without it). */
  private String metricsFailure;
  /** The last epoch's report with statistics (its loss is the mean over the epoch's batches). */
  private EpochReport lastMeasured;

  /**
   * @param out            the epoch lines
   * @param err            warnings
   * @param progress       the progress bar (disabled or not)
   * @param metricsFile    --metrics, open, or null
   * @param metrics        its path, for messages
   * @param checkpoint     --checkpoint, for messages
   * @param recording      whether measured epochs are kept for --metrics and --plot
   * @param classification whether accuracies are shown
   * @param quiet          no epoch lines
   * @param every          --log-every
   * @param epochs         --epochs, the total
   */
  TrainLog(PrintWriter out, PrintWriter err, Progress progress, MetricsCsv metricsFile, Path metrics, Path checkpoint,
      boolean recording, boolean classification, boolean quiet, int every, int epochs) {
    this.out = out;
    this.err = err;
    this.progress = progress;
    this.metricsFile = metricsFile;
    this.metrics = metrics;
    this.checkpoint = checkpoint;
    this.recording = recording;
    this.classification = classification;
    this.quiet = quiet;
    this.every = every;
    this.epochs = epochs;
  }

  /** @param r the run under way */
  void run(TrainingRun r) {
    this.run = r;
  }

  /** @param s the signal handlers while training, null after */
  void signals(StopSignals s) {
    this.signals = s;
  }

  /** {@return the measured epochs' rows, for --plot} */
  List<EpochRecord> records() {
    return records;
  }

  /** {@return the last measured epoch's report, or null} */
  EpochReport lastMeasured() {
    return lastMeasured;
  }

  /** {@return why --metrics could not be written whole, or null} */
  String metricsFailure() {
    return metricsFailure;
  }

  /** @param why why --metrics could not be committed */
  void metricsFailed(String why) {
    metricsFailure = why;
  }

  @Override
  public boolean onEpoch(EpochReport report) {
    if (!report.measured()) {
      return true;
    }
    progress.clear(); // a log line or warning below starts on a clean line; the next batch redraws the bar
    lastMeasured = report;
    Trainer.Evaluation testEval = report.heldOut().get("Test");
    Trainer.Evaluation valEval = report.heldOut().get("Validation");
    EpochRecord row = new EpochRecord(report.epoch(), report.loss(),
        classification ? report.accuracy() : Double.NaN,
        valEval == null ? Double.NaN : valEval.loss(),
        valEval == null || !classification ? Double.NaN : valEval.accuracy(),
        testEval == null ? Double.NaN : testEval.loss(),
        testEval == null || !classification ? Double.NaN : testEval.accuracy(), report.seconds());
    if (recording) {
      records.add(row);
      if (metricsFile != null && metricsFailure == null) {
        try {
          metricsFile.append(row);
        } catch (InputException e) {
          metricsFailure = e.getMessage();
          err.println("warning: --metrics " + metrics + ": " + e.getMessage()
              + "; training goes on, --save and the other outputs will be written, the metrics file keeps the "
              + "rows before epoch " + report.epoch() + " only");
        }
      }
    }
    if (!quiet && report.epoch() % every == 0) {
      out.println(EpochLines.epoch(report.epoch(), report.loss(), report.accuracy(), classification, report.heldOut()));
    }
    return true;
  }

  @Override
  public boolean measuredOnly() {
    return true; // onEpoch ignores the unmeasured epochs
  }

  @Override
  public void onCheckpointFailed(int epochsDone, String reason) {
    TrainingRun current = run;
    if (current != null && current.checkpointsFailed() == 1) {
      progress.clear();
      err.println("warning: --checkpoint " + checkpoint + " not written at the end of epoch " + (epochsDone - 1)
          + " (" + reason + "); it keeps the last good checkpoint, training goes on and --save will be written"
          + " (later failures are summed up at the end)");
    }
  }

  @Override
  public void onFinalEvaluation(long rows) {
    if (progress.enabled()) { // a finished bar, then minutes of a large network's forward passes: say so
      progress.close();
      err.println("evaluating the trained network on " + rows + " rows (the final loss and accuracy) ...");
    }
  }

  @Override
  public void onBatch(int epoch, int batch, int count, java.util.function.Supplier<Float> runningLoss) {
    progress.batch(epoch, batch + 1, runningLoss); // epochs from 0, as in the log and the metrics
    StopSignals installed = signals;
    if (TestHooks.termInLastBatch && epoch + 1 == epochs && batch + 1 == count && installed != null) {
      installed.simulate("TERM");
    }
  }
}
