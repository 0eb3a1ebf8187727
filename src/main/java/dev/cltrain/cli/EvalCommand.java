package dev.cltrain.cli;

import dev.cltrain.cmd.CsvOptions;

import dev.cltrain.Data;
import dev.cltrain.device.Device;
import dev.cltrain.Model;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Architecture;
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
  @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'cltrain train --save' (JSON), or an ONNX file (an MLP or small CNN).")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE.csv|DIR",
      description = "A CSV file (targets, or class labels for an xent model, in the last columns or those --label names), an MNIST IDX folder (its t10k test set if present), or an image folder (its test/ set if present).")
  String data;

  @Mixin
  CsvOptions csv;

  @Option(names = "--json", description = "Print the figures as one JSON object on stdout instead of the table.")
  boolean json;

  @Mixin
  ModelFileOptions modelFileOptions;

  @Mixin
  TextOptions.Column text = new TextOptions.Column();

  @Mixin
  DeviceOptions deviceOptions;

  @Mixin
  StreamOptions rows;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Model loaded = modelFileOptions.load(model, data, err);
    Network network = loaded.network();
    java.util.function.Supplier<dev.cltrain.device.DeviceChoice> choice = DeviceOptions.once(deviceOptions::choice);
    DataSet set = network.vocabulary() != null || text.column != null
        ? Data.labelledTexts(loaded, java.nio.file.Path.of(data), csv.layout(), text.column)
        : Data.labelledFor(loaded, data, csv.layout(), rows.streaming(line -> {
          err.println(line); // the row cache's conversion, heard as it goes
          err.flush();
        }, () -> DeviceOptions.limits(choice.get())));
    int cols = set.outputs();
    int[][] confusion = new int[cols == 1 ? 2 : cols][cols == 1 ? 2 : cols];
    Model.Scored result = loaded.evaluate(set, choice.get(), (first, n, outputs, targets) ->
        count(confusion, outputs, targets, n, cols)); // chunk by chunk: a streamed set is never held whole
    if (result.warning() != null) {
      err.println(result.warning());
    }
    List<String> names = classNames(loaded, confusion.length);
    if (json) {
      out.println(toJson(model, network, set, deviceName(result.device()), result.evaluation(), confusion, names));
      return 0;
    }
    out.println("model:       " + model + " (" + Architecture.summary(network) + ", " + network.loss().id
        + ")");
    out.println("data:        " + set.name() + " (" + set.rows() + " rows)");
    if (loaded.facts().augment() != null) { // only for a model trained so: every other model's lines as before
      out.println("augmented:   in training, --augment " + loaded.facts().augment() + " (evaluated as given)");
    }
    out.println("device:      " + deviceName(result.device()));
    out.println("loss:        " + Format.fixed(result.evaluation().loss(), 4));
    out.println("accuracy:    " + Format.fixed(result.evaluation().accuracy(), 4)
        + " (" + Math.round(result.evaluation().accuracy() * set.rows()) + " of " + set.rows() + ")");
    out.println("confusion matrix (rows: true class, columns: predicted class):");
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[confusion.length + 1];
    header[0] = "";
    for (int c = 0; c < confusion.length; c++) {
      header[c + 1] = names.get(c);
    }
    rows.add(header);
    for (int t = 0; t < confusion.length; t++) {
      String[] row = new String[confusion.length + 1];
      row[0] = names.get(t);
      for (int p = 0; p < confusion.length; p++) {
        row[p + 1] = String.valueOf(confusion[t][p]);
      }
      rows.add(row);
    }
    DevicesCommand.printTable(out, rows);
    out.println("per class:");
    List<String[]> perClass = new ArrayList<>();
    perClass.add(new String[] {"class", "precision", "recall", "f1", "support"});
    double[][] prf = perClass(confusion);
    for (int c = 0; c < confusion.length; c++) {
      perClass.add(new String[] {names.get(c), Format.fixed(prf[c][0], 4), Format.fixed(prf[c][1], 4),
          Format.fixed(prf[c][2], 4), String.valueOf((int) prf[c][3])});
    }
    DevicesCommand.printTable(out, perClass);
    return 0;
  }

  /** The model's class names, else "0", "1", ... */
  static List<String> classNames(Model model, int classes) {
    List<String> names = model.network().classNames();
    if (names != null && names.size() == classes) {
      return names;
    }
    List<String> numbers = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      numbers.add(String.valueOf(c));
    }
    return numbers;
  }

  /**
   * Per class c: precision = TP/(TP+FP) (0 when nothing was predicted c), recall = TP/(TP+FN) (0 when no row
   * is c), F1 = 2PR/(P+R) (0 when both are 0), and the support (rows whose true class is c).
   *
   * @param confusion counts of (true class, predicted class)
   * @return one row per class: precision, recall, f1, support
   */
  static double[][] perClass(int[][] confusion) {
    int k = confusion.length;
    double[][] result = new double[k][4];
    for (int c = 0; c < k; c++) {
      long tp = confusion[c][c];
      long predicted = 0;
      long actual = 0;
      for (int o = 0; o < k; o++) {
        predicted += confusion[o][c];
        actual += confusion[c][o];
      }
      double precision = predicted == 0 ? 0 : (double) tp / predicted;
      double recall = actual == 0 ? 0 : (double) tp / actual;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      result[c] = new double[] {precision, recall, f1, actual};
    }
    return result;
  }

  private static String toJson(Path model, Network network, DataSet set, String device,
      dev.cltrain.device.Trainer.Evaluation evaluation, int[][] confusion, List<String> names) {
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode o = mapper.createObjectNode();
    o.put("model", model.toString());
    o.put("loss_function", network.loss().id);
    o.put("data", set.name());
    o.put("rows", set.rows());
    o.put("device", device);
    o.put("loss", evaluation.loss());
    o.put("accuracy", evaluation.accuracy());
    com.fasterxml.jackson.databind.node.ArrayNode classes = o.putArray("classes");
    names.forEach(classes::add);
    com.fasterxml.jackson.databind.node.ArrayNode matrix = o.putArray("confusion");
    for (int[] row : confusion) {
      com.fasterxml.jackson.databind.node.ArrayNode r = matrix.addArray();
      for (int v : row) {
        r.add(v);
      }
    }
    com.fasterxml.jackson.databind.node.ArrayNode per = o.putArray("per_class");
    double[][] prf = perClass(confusion);
    for (int c = 0; c < confusion.length; c++) {
      com.fasterxml.jackson.databind.node.ObjectNode e = per.addObject();
      e.put("class", names.get(c));
      e.put("precision", prf[c][0]);
      e.put("recall", prf[c][1]);
      e.put("f1", prf[c][2]);
      e.put("support", (int) prf[c][3]);
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Counts (true class, predicted class) pairs of {@code rows} rows into {@code counts}: classes are the argmax of
   * the targets and of the outputs (first maximum, as the count_correct kernel takes it); with one output, the
   * side of 0.5.
   */
  static void count(int[][] counts, float[] outputs, float[] targets, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      counts[classOf(targets, r, cols)][classOf(outputs, r, cols)]++;
    }
  }

  static int classOf(float[] values, int row, int cols) {
    return Model.classOf(java.util.Arrays.copyOfRange(values, row * cols, (row + 1) * cols));
  }

  /** "Java reference", or "cl:0:0 pthread-... (Portable Computing Language)" as training prints it. */
  static String deviceName(Device device) {
    return device.isReference() ? device.name() : device.describe();
  }
}
