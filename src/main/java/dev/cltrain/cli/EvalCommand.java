package dev.cltrain.cli;

import dev.cltrain.Data;
import dev.cltrain.Device;
import dev.cltrain.Model;
import dev.cltrain.bench.Workload;
import dev.cltrain.data.DataSet;
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

/** {@code cltrain eval}: a saved model's loss, accuracy and confusion matrix on a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Evaluate a saved model on a data set: loss, accuracy and a confusion matrix.")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'cltrain train --save'.")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv|DIR",
      description = "A CSV file (targets, or class labels for an xent model, in the last columns) or an MNIST IDX folder (its t10k test set if present).")
  String data;

  @Mixin
  DeviceOptions deviceOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Model loaded = Model.load(model);
    Network network = loaded.network();
    DataSet set = Data.labelledFor(loaded, data);
    Model.Scored result = loaded.evaluate(set, deviceOptions.choice());
    if (result.warning() != null) {
      err.println(result.warning());
    }
    out.println("model:       " + model + " (" + Workload.joined(network.widths()) + ", " + network.loss().id + ")");
    out.println("data:        " + set.name() + " (" + set.rows() + " rows)");
    out.println("device:      " + deviceName(result.device()));
    out.println("loss:        " + Format.fixed(result.evaluation().loss(), 4));
    out.println("accuracy:    " + Format.fixed(result.evaluation().accuracy(), 4)
        + " (" + Math.round(result.evaluation().accuracy() * set.rows()) + " of " + set.rows() + ")");
    int[][] confusion = confusion(result.evaluation().outputs(), set);
    out.println("confusion matrix (rows: true class, columns: predicted class):");
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[confusion.length + 1];
    header[0] = "";
    for (int c = 0; c < confusion.length; c++) {
      header[c + 1] = String.valueOf(c);
    }
    rows.add(header);
    for (int t = 0; t < confusion.length; t++) {
      String[] row = new String[confusion.length + 1];
      row[0] = String.valueOf(t);
      for (int p = 0; p < confusion.length; p++) {
        row[p + 1] = String.valueOf(confusion[t][p]);
      }
      rows.add(row);
    }
    DevicesCommand.printTable(out, rows);
    return 0;
  }

  /**
   * Counts (true class, predicted class) pairs: classes are the argmax of the targets and of the outputs
   * (first maximum, as the count_correct kernel takes it); with one output, the side of 0.5.
   */
  static int[][] confusion(float[] outputs, DataSet set) {
    int cols = set.outputs();
    int classes = cols == 1 ? 2 : cols;
    int[][] counts = new int[classes][classes];
    for (int r = 0; r < set.rows(); r++) {
      counts[classOf(set.y(), r, cols)][classOf(outputs, r, cols)]++;
    }
    return counts;
  }

  static int classOf(float[] values, int row, int cols) {
    return Model.classOf(java.util.Arrays.copyOfRange(values, row * cols, (row + 1) * cols));
  }

  /** "Java reference", or "cl:0:0 pthread-... (Portable Computing Language)" as training prints it. */
  static String deviceName(Device device) {
    return device.isReference() ? device.name() : device.describe();
  }
}
