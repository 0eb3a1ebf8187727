package dev.cltrain.cli;

import dev.cltrain.cmd.EpochLines;

import dev.cltrain.EpochReport;
import dev.cltrain.device.Trainer;
import dev.cltrain.TrainingResult;
import dev.cltrain.bench.Workload;
import dev.cltrain.data.DataSet;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code cltrain train}'s summary after the epoch lines: device, epochs and time, losses, held-out sets, predictions. */
final class TrainSummary {
  private final PrintWriter out;
  private final int epochs;
  /** The last epoch's report with statistics (its loss is the mean over the epoch's batches), or null. */
  private final EpochReport lastMeasured;

  /**
   * @param out          stdout
   * @param epochs       --epochs, the total
   * @param lastMeasured the last measured epoch, or null
   */
  TrainSummary(PrintWriter out, int epochs, EpochReport lastMeasured) {
    this.out = out;
    this.epochs = epochs;
    this.lastMeasured = lastMeasured;
  }

  /** Rows of predictions the summary shows; larger data sets are summarised by loss and accuracy alone. */
  static final int PREDICTIONS_SHOWN = 8;

  void print(TrainingResult r, DataSet train, boolean classification, Workload work) {
    out.println();
    out.println("device:      " + r.deviceName());
    int epochsRun = r.epochsRun();
    double seconds = r.seconds();
    if (epochsRun == 0) {
      out.println("epochs:      none left to train (resumed at epoch " + r.firstEpoch() + " of " + epochs + ")");
    } else {
      printEpochs(r.firstEpoch(), epochsRun, seconds);
    }
    printFigures(r, train, classification, work);
  }

  private void printEpochs(int first, int epochsRun, double seconds) {
    String rate = epochsRun / seconds >= 1 ? Format.rate(epochsRun / seconds, "epochs/s")
        : Format.fixed(seconds / epochsRun, 2) + " s/epoch";
    out.println("epochs:      " + (epochsRun == epochs ? String.valueOf(epochs)
        : epochsRun + " (epochs " + first + " to " + (first + epochsRun - 1)
            + (first > 0 ? ", resumed" : "") + (first + epochsRun < epochs ? ", stopped early" : "") + ")")
        + " in " + Format.fixed(seconds, 3) + " s (" + rate + ")");
  }

  private void printFigures(TrainingResult r, DataSet train, boolean classification, Workload work) {
    if (work.batchesPerEpoch() > 1) {
      out.println("training:    " + work.training().optimizer().describe() + ", batches of " + work.training().batchSize()
          + " from " + train.rows() + " rows");
    }
    Trainer.Evaluation result = r.train();
    // two different figures: say which is which (the log's "Loss" is an epoch's mean over its batches)
    if (work.batchesPerEpoch() > 1 && lastMeasured != null && lastMeasured.epoch() == r.firstEpoch() + r.epochsRun() - 1) {
      out.println("last epoch:  loss " + Format.fixed(lastMeasured.loss(), 4)
          + (classification ? ", accuracy " + Format.fixed(lastMeasured.accuracy(), 4) : "")
          + " (epoch " + lastMeasured.epoch() + ": the mean over its batches, as the weights moved)");
    }
    out.println("final loss:  " + Format.fixed(result.loss(), 4)
        + (classification ? ", accuracy " + Format.fixed(result.accuracy(), 4) : "")
        + " (the end weights on the " + train.rows() + " training rows)");
    Map<String, DataSet> sets = new LinkedHashMap<>();
    if (work.data().test() != null) {
      sets.put("Test", work.data().test());
    }
    if (work.data().validation() != null) {
      sets.put("Validation", work.data().validation());
    }
    r.heldOut().forEach((name, e) -> out.println(EpochLines.heldOut(name, e, classification, sets.get(name).rows())));
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
