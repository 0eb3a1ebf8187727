package dev.cltrain.cli;

import dev.cltrain.cmd.CsvOptions;
import dev.cltrain.cmd.OutputFiles;

import dev.cltrain.Data;
import dev.cltrain.Model;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.core.InputException;
import dev.cltrain.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cltrain predict}: a saved model's outputs for one input or for every row of a CSV. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a saved model forward: on --input values, on every row of a CSV file, or on image files.")
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'cltrain train --save' (JSON), or an ONNX file (an MLP or small CNN).")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--input", paramLabel = "X0,X1,...", description = "One input row, raw values separated by commas.")
    String input;

    @Option(names = "--data", paramLabel = "FILE.csv",
        description = "A CSV with exactly the model's inputs in each row, after the --label and --ignore columns are "
            + "left out (with --ignore-extra: its first columns).")
    Path data;

    @Option(names = "--text", paramLabel = "TEXT", description = "One text, for a model trained on text "
        + "(--text-column): tokenized with the model's vocabulary.")
    String text;

    @Option(names = "--image", arity = "1..*", paramLabel = "FILE", description = "PNG, JPEG, BMP or GIF files, "
        + "read as an image folder's images are (resized to the model's input shape, grayscale for 1 channel); "
        + "one CSV row per file: file, the outputs, the class.")
    List<Path> images;
  }

  @Option(names = "--input-shape", paramLabel = "HxWxC", description = "With --image, for a model whose input is "
      + "not an image (e.g. trained with --layers): the shape to read the images in (default: the model's input).")
  String inputShape;

  @Option(names = "--ignore-extra", description = "With --data: use each row's first columns as the inputs and ignore "
      + "further columns (e.g. targets); without it a row wider than the model's inputs is refused.")
  boolean ignoreExtra;

  @Mixin
  CsvOptions csv;

  @Mixin
  TextOptions.Column text = new TextOptions.Column();

  @Option(names = "--out", paramLabel = "FILE.csv", description = "With --data: write one row of predictions per input row (default: stdout).")
  Path out;

  @Mixin
  ModelFileOptions modelFileOptions;

  @Mixin
  DeviceOptions deviceOptions;

  @Mixin
  StreamOptions rows;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean one = source.input != null || source.text != null;
    if (out != null && one) {
      throw new InputException("--out needs --data or --image (with --input or --text the prediction is printed)");
    }
    if (text.column != null && source.data == null) {
      throw new InputException("--text-column needs --data (the CSV column that holds the texts)");
    }
    if (inputShape != null && source.images == null) {
      throw new InputException("--input-shape needs --image (the shape to read the images in)");
    }
    OutputFiles files = new OutputFiles().input("--model", model).input("--data", source.data);
    if (source.images != null) {
      source.images.forEach(f -> files.input("--image", f));
    }
    files.output("--out", out).check();
    Model loaded = modelFileOptions.load(model, null, err);
    Network network = loaded.network();
    if (ignoreExtra && source.data == null) {
      throw new InputException("--ignore-extra needs --data (--input must have exactly the model's inputs)");
    }
    dev.cltrain.data.CsvLayout layout = csv.layout();
    if (!layout.isDefault() && source.data == null) {
      throw new InputException("--label, --ignore and --missing need --data (they say which CSV columns to read)");
    }
    boolean texts = network.vocabulary() != null || text.column != null;
    if (source.data != null && !texts) {
      return predictData(loaded, layout, stdout, err);
    }
    if (rows.stream != null || rows.cache != null) {
      throw new InputException(source.data == null ? "--stream and --cache need --data (they say how its rows are read)"
          : "--stream and --cache apply to rows of numbers; a CSV of texts is read whole");
    }
    DataSet inputs = source.input != null ? parseInput(source.input, network)
        : source.text != null ? Data.textFor(loaded, source.text)
        : source.images != null ? readImages(source.images, network)
        : Data.textsFor(loaded, source.data, text.column);
    Model.Predictions result = loaded.predict(rows(inputs), deviceOptions.choice());
    if (result.warning() != null) {
      err.println(result.warning());
    }
    float[] outputs = flat(result.outputs(), network.outputs());
    DataSet set = inputs;
    boolean classification = network.loss() == Loss.XENT;
    if (one) {
      float[] row = Arrays.copyOf(outputs, network.outputs());
      stdout.println("output: " + TrainSummary.fixed(row));
      if (classification) {
        int c = EvalCommand.classOf(outputs, 0, network.outputs());
        List<String> names = network.classNames();
        stdout.println("class:  " + c + (names != null && !names.get(c).equals(String.valueOf(c)) ? " " + names.get(c) : "")
            + " (probability " + Format.fixed(outputs[c], 4) + ")");
      }
      return 0;
    }
    String csv = toCsv(outputs, set.rows(), network.outputs(), classification, network.classNames());
    if (source.images != null) {
      csv = withFiles(csv, source.images);
    }
    if (out == null) {
      stdout.print(csv);
    } else {
      AtomicFiles.writeString(out, csv);
      err.println("predict: wrote " + set.rows() + " rows to " + out + " (device: "
          + EvalCommand.deviceName(result.device()) + ")");
    }
    return 0;
  }

  /**
   * {@code --data}: the CSV's rows (streamed from the row cache when {@code --stream} says so), their predictions
   * written row by row as each chunk is computed, to stdout or (whole or not at all) to {@code --out}.
   */
  private int predictData(Model loaded, dev.cltrain.data.CsvLayout layout, PrintWriter stdout, PrintWriter err) {
    Network network = loaded.network();
    java.util.function.Supplier<dev.cltrain.device.DeviceChoice> choice = DeviceOptions.once(deviceOptions::choice);
    DataSet inputs = Data.inputsFor(loaded, source.data, ignoreExtra, layout, rows.streaming(line -> {
      err.println(line); // the row cache's conversion, heard as it goes
      err.flush();
    }, () -> DeviceOptions.limits(choice.get())));
    int cols = network.outputs();
    boolean classification = network.loss() == Loss.XENT;
    List<String> names = network.classNames();
    Model.Predictions[] result = new Model.Predictions[1];
    AtomicFiles.Content text = w -> {
      w.write(csvHeader(cols, classification, names));
      java.io.IOException[] failed = new java.io.IOException[1];
      result[0] = loaded.predict(inputs, choice.get(), (first, n, outputs, targets) -> {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < n; r++) {
          csvRow(s, outputs, r, cols, classification, names);
        }
        try {
          w.write(s.toString());
        } catch (java.io.IOException e) {
          failed[0] = failed[0] == null ? e : failed[0];
        }
      });
      if (failed[0] != null) {
        throw failed[0];
      }
    };
    if (out == null) {
      try {
        text.write(stdout);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e); // a PrintWriter does not throw
      }
      stdout.flush();
    } else {
      AtomicFiles.writeText(out, text);
    }
    if (result[0].warning() != null) {
      err.println(result[0].warning());
    }
    if (out != null) {
      err.println("predict: wrote " + inputs.rows() + " rows to " + out + " (device: "
          + EvalCommand.deviceName(result[0].device()) + ")");
    }
    return 0;
  }

  private static DataSet parseInput(String text, Network network) {
    String[] cells = text.split(",", -1);
    if (cells.length != network.inputs()) {
      throw new InputException("--input has " + cells.length + " value" + (cells.length == 1 ? "" : "s")
          + " but the model takes " + network.inputs() + " inputs");
    }
    float[] x = new float[cells.length];
    for (int i = 0; i < cells.length; i++) {
      String cell = cells[i].strip();
      x[i] = dev.cltrain.data.CsvNumbers.parse(cell); // a CSV cell's grammar and rounding
      if (Float.isNaN(x[i])) {
        throw new InputException("--input value " + (i + 1) + " '" + cell + "' is not a "
            + (dev.cltrain.data.CsvNumbers.isNumber(cell) || dev.cltrain.data.CsvNumbers.isNonFinite(cell)
                ? "finite number" : "number"));
      }
    }
    return new DataSet("--input", 1, x.length, 0, x, new float[0]);
  }

  /** The images' raw pixels 0..255 (the model scales them as its training rows were), in the model's input shape. */
  private DataSet readImages(List<Path> files, Network network) {
    dev.cltrain.nn.Shape shape = network.input();
    if (inputShape != null) {
      shape = dev.cltrain.nn.NetSpec.parseShape(inputShape, "--input-shape");
      if (shape.size() != network.inputs()) {
        throw new InputException("--input-shape " + shape + " is " + shape.size() + " values but the model takes "
            + network.inputs() + " inputs");
      }
    } else if (shape.height() == 1 && shape.width() == 1) {
      throw new InputException("the model's input is " + network.inputs() + " values, not an image; give "
          + "--input-shape HxWxC to read the images in");
    }
    if (shape.channels() != 1 && shape.channels() != 3) {
      throw new InputException("the model's input is " + shape + "; images are read with 1 channel (grayscale) or "
          + "3 (RGB)");
    }
    int width = shape.size();
    float[] x = new float[files.size() * width];
    for (int i = 0; i < files.size(); i++) {
      int[] pixels = dev.cltrain.data.ImageFolder.decode(files.get(i), shape);
      for (int j = 0; j < width; j++) {
        x[i * width + j] = pixels[j];
      }
    }
    return new DataSet("--image", files.size(), width, 0, x, new float[0]);
  }

  /** {@code csv} with a first column naming each row's file. */
  private static String withFiles(String csv, List<Path> files) {
    String[] lines = csv.split("\n");
    StringBuilder s = new StringBuilder("file,").append(lines[0]).append('\n');
    for (int i = 1; i < lines.length; i++) {
      s.append(quoted(files.get(i - 1).toString())).append(',').append(lines[i]).append('\n');
    }
    return s.toString();
  }

  private static float[][] rows(DataSet inputs) {
    float[][] rows = new float[inputs.rows()][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = inputs.inputRow(r);
    }
    return rows;
  }

  private static float[] flat(float[][] rows, int cols) {
    float[] all = new float[rows.length * cols];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, all, r * cols, cols);
    }
    return all;
  }

  /** A CSV cell per RFC 4180: quoted when it holds a comma, quote or line break. */
  static String quoted(String cell) {
    if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) {
      return cell;
    }
    return '"' + cell.replace("\"", "\"\"") + '"';
  }

  /** Header output_0..output_{K−1} (and class for an xent model), then one row per input row. */
  static String toCsv(float[] outputs, int rows, int cols, boolean classification) {
    return toCsv(outputs, rows, cols, classification, null);
  }

  /** {@link #toCsv(float[], int, int, boolean)}, with a class_name column after class when the model names its classes. */
  static String toCsv(float[] outputs, int rows, int cols, boolean classification, List<String> names) {
    StringBuilder s = new StringBuilder(csvHeader(cols, classification, names));
    for (int r = 0; r < rows; r++) {
      csvRow(s, outputs, r, cols, classification, names);
    }
    return s.toString();
  }

  /** The header line: output_0..output_{K−1}, then class (and class_name when the model names its classes). */
  private static String csvHeader(int cols, boolean classification, List<String> names) {
    StringBuilder s = new StringBuilder();
    for (int c = 0; c < cols; c++) {
      s.append(c == 0 ? "" : ",").append("output_").append(c);
    }
    return s.append(classification ? (names != null ? ",class,class_name\n" : ",class\n") : "\n").toString();
  }

  /** Row {@code r} of {@code outputs} as a CSV line under {@link #csvHeader}'s columns. */
  private static void csvRow(StringBuilder s, float[] outputs, int r, int cols, boolean classification,
      List<String> names) {
    for (int c = 0; c < cols; c++) {
      s.append(c == 0 ? "" : ",").append(Float.toString(outputs[r * cols + c]).toLowerCase(Locale.ROOT));
    }
    if (classification) {
      int c = EvalCommand.classOf(outputs, r, cols);
      s.append(',').append(c);
      if (names != null) {
        s.append(',').append(quoted(names.get(c)));
      }
    }
    s.append('\n');
  }
}
