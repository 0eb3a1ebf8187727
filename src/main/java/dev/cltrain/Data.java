package dev.cltrain;

import dev.cltrain.core.InputException;

import dev.cltrain.data.Builtins;
import dev.cltrain.data.CsvLayout;
import dev.cltrain.data.CsvReader;
import dev.cltrain.data.DataOptions;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.DataSets;
import dev.cltrain.data.Generated;
import dev.cltrain.data.MnistDir;
import dev.cltrain.data.TextCsv;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Loss;
import java.nio.file.Path;

/**
 * Training data from arrays, files and generators. Inputs are rows of floats; targets are rows of floats for
 * {@code mse} networks or class labels (stored as one-hot rows) for {@code xent} networks. Every reader fails
 * with an {@link InputException} naming the file, line and column of bad input.
 *
 * <pre>{@code
 * TrainingData xor = Data.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, new float[][] {{0}, {1}, {1}, {0}});
 * TrainingData fashion = Data.idx(Path.of("/usr/share/datasets/fashion-mnist"));   // pixels scaled by 1/255
 * TrainingData iris = Data.csvClasses(Path.of("iris.csv")).withValidation(0.2, 0);
 * TrainingData digits = Data.csvClasses(Path.of("train.csv"), CsvLayout.DEFAULT.withLabel("label").withIgnore("id"));
 * }</pre>
 *
 * <p>Thread-safe: static methods without shared state; each call reads its own files.
 */
public final class Data {
  private Data() {}

  /**
   * Regression or MSE targets from arrays (copied).
   *
   * @param inputs  one row of inputs per sample, all of the same width
   * @param targets one row of targets per sample, all of the same width
   * @return the data, with no test set
   * @throws InputException when the rows are ragged, empty, not finite or the counts differ
   */
  public static TrainingData of(float[][] inputs, float[][] targets) {
    if (InputException.require(inputs, "the inputs").length != InputException.require(targets, "the targets").length) {
      throw new InputException(inputs.length + " input rows but " + targets.length + " target rows");
    }
    return new TrainingData(new DataSet("arrays", inputs.length, width(inputs, "inputs"), width(targets, "targets"),
        flat(inputs, "inputs"), flat(targets, "targets")), null, null, 1f, 0);
  }

  /**
   * One target per row (regression or a single MSE output), from arrays (copied).
   *
   * @param inputs  one row of inputs per sample, all of the same width
   * @param targets one target per sample
   * @return the data, with no test set
   * @throws InputException when the rows are ragged, empty, not finite or the counts differ
   */
  public static TrainingData of(float[][] inputs, float[] targets) {
    float[][] rows = new float[InputException.require(targets, "the targets").length][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = new float[] {targets[r]};
    }
    return of(inputs, rows);
  }

  /**
   * Classification data from arrays: each label becomes a one-hot row of {@code classes} targets.
   *
   * @param inputs  one row of inputs per sample
   * @param labels  the class of each sample, 0 to classes − 1
   * @param classes how many classes, 2 to {@link CsvReader#MAX_CLASSES}
   * @return the data, with no test set
   * @throws InputException when a label or the class count is out of range, or the counts differ
   */
  public static TrainingData classes(float[][] inputs, int[] labels, int classes) {
    if (InputException.require(inputs, "the inputs").length != InputException.require(labels, "the labels").length) {
      throw new InputException(inputs.length + " input rows but " + labels.length + " labels");
    }
    if (classes < 2 || classes > CsvReader.MAX_CLASSES) {
      throw new InputException("classification needs 2 to " + CsvReader.MAX_CLASSES + " classes, got " + classes);
    }
    if ((long) labels.length * classes > Integer.MAX_VALUE) {
      throw new InputException(labels.length + " rows of " + classes + " classes make more one-hot targets than a"
          + " Java array holds (" + Integer.MAX_VALUE + ")");
    }
    for (int r = 0; r < labels.length; r++) {
      if (labels[r] < 0 || labels[r] >= classes) {
        throw new InputException("label " + labels[r] + " of row " + r + " is not a class 0.." + (classes - 1));
      }
    }
    DataSet set = new DataSet("arrays", inputs.length, width(inputs, "inputs"), classes, flat(inputs, "inputs"),
        MnistDir.oneHot(labels, classes));
    return new TrainingData(set, null, null, 1f, classes);
  }

  /**
   * A built-in truth table: {@code xor}, {@code and} or {@code or} (2 inputs, 1 target).
   *
   * @param name the table's name
   * @return its four rows
   * @throws InputException for another name
   */
  public static TrainingData builtin(String name) {
    if (!Builtins.has(InputException.require(name, "the built-in data set's name"))) {
      throw new InputException("no built-in data set '" + name + "' (xor, and, or)");
    }
    return new TrainingData(Builtins.get(name), null, null, 1f, 0);
  }

  /**
   * A CSV file with targets in its last {@code targets} columns (a header row is allowed).
   *
   * @param file    the CSV file
   * @param targets how many of the last columns are targets
   * @return the data
   * @throws InputException naming the file, line and column of bad input
   */
  public static TrainingData csv(Path file, int targets) {
    return new TrainingData(CsvReader.read(InputException.require(file, "the CSV file"), targets), null, null, 1f, 0);
  }

  /**
   * A CSV file laid out as {@code layout} says: its label columns (by number from 1 or header name; by default
   * the last) are the targets, its ignored columns are not read, the rest are the inputs.
   *
   * @param file   the CSV file
   * @param layout the label and ignored columns and the missing-cell rule
   * @return the data
   * @throws InputException naming the file, line and column of bad input, or a column not in the file
   */
  public static TrainingData csv(Path file, CsvLayout layout) {
    return new TrainingData(CsvReader.read(file, 1, layout), null, null, 1f, 0);
  }

  /**
   * A CSV file whose last column is a class label: an integer 0..K−1 (K inferred as the largest label + 1), or a
   * class name (the classes are the distinct names, sorted), as {@code cltrain train --loss xent} reads it.
   *
   * @param file the CSV file
   * @return the data, one-hot targets, with the classes' names when the labels are names (a model trained on
   *     it keeps them)
   * @throws InputException naming the file, line and column of bad input
   */
  public static TrainingData csvClasses(Path file) {
    return csvClasses(InputException.require(file, "the CSV file"), CsvLayout.DEFAULT);
  }

  /**
   * A CSV file whose label column ({@code layout}'s one label column, by default the last) is a class: an
   * integer 0..K−1 or a class name (the classes are then the names sorted).
   *
   * @param file   the CSV file
   * @param layout the label column, the ignored columns and the missing-cell rule
   * @return the data, one-hot targets, with the class names when the labels are names
   * @throws InputException naming the file, line and column of bad input, or a column not in the file
   */
  public static TrainingData csvClasses(Path file, CsvLayout layout) {
    CsvReader.Classified read = CsvReader.readClassified(file, 0, null, layout);
    DataSet set = read.set();
    return new TrainingData(set, null, null, 1f, set.outputs(), read.names());
  }

  /**
   * A folder of MNIST-format IDX files (raw or gzip): train-images/labels, and t10k-images/labels as the test
   * set when present. Pixels are divided by 255 ({@link TrainingData#inputScale()} 1/255).
   *
   * @param dir the folder, e.g. /usr/share/datasets/fashion-mnist
   * @return the data, one-hot targets of 10 classes
   * @throws InputException naming the file and what is wrong
   */
  public static TrainingData idx(Path dir) {
    return MnistDir.load(InputException.require(dir, "the IDX folder"));
  }

  /**
   * Seeded random classification data: rows of uniform inputs labelled by a random linear map, for benches.
   *
   * @param rows    samples
   * @param inputs  input width
   * @param classes classes, at least 2
   * @param seed    the generator's seed, 0 to 2³²−1
   * @return the data
   * @throws InputException when there is not at least 1 row, 1 input and 2 classes, the seed is out of range or
   *     the set would hold more than 2²⁸ floats
   */
  public static TrainingData generated(int rows, int inputs, int classes, long seed) {
    DataSet set = Generated.checked(rows, inputs, classes, seed, "random:" + rows + "x" + inputs + "x" + classes,
        "Data.generated(" + rows + ", " + inputs + ", " + classes + ", " + seed + ")");
    return new TrainingData(set, null, null, 1f, set.outputs());
  }

  /**
   * What {@code cltrain train --data} reads: a built-in name, a CSV file, an IDX folder or
   * {@code random:ROWSxINPUTSxCLASSES}, with an optional test CSV and validation split.
   *
   * @param options the data options
   * @return the data
   * @throws InputException naming what is wrong
   */
  public static TrainingData load(DataOptions options) {
    return DataSets.load(options);
  }

  /**
   * {@link #load(DataOptions)} as {@code cltrain train} loads it: the training set named by the data's
   * {@link #id} (a file or folder by its normalised real path), as a checkpoint and the trained model's facts
   * record it, so that a run resumed from any folder names the data as the run that was never stopped did.
   *
   * @param options the data options
   * @return the data, its training set so named
   * @throws InputException naming what is wrong
   */
  public static TrainingData loadForTraining(DataOptions options) {
    TrainingData loaded = load(options);
    DataSet train = loaded.train();
    String given = Path.of(options.data()).toString();
    String id = id(options.data());
    if (!id.equals(options.data()) && train.name().startsWith(given)) {
      train = train.named(id + train.name().substring(given.length()));
      loaded = new TrainingData(train, loaded.test(), loaded.validation(), loaded.inputScale(), loaded.classes(),
          loaded.classNames(), loaded.imageShape(), loaded.vocabulary());
    }
    return loaded;
  }

  /**
   * A data spec as a checkpoint and a trained model record it: a built-in table or {@code random:} as given, a
   * file or folder by its normalised real path (so that a run resumed from any folder names the data as the run
   * that was never stopped did); null for null.
   *
   * @param spec a built-in name, {@code random:ROWSxINPUTSxCLASSES}, a file or a folder; or null
   * @return its id
   */
  public static String id(String spec) {
    if (spec == null || isNamed(spec)) {
      return spec;
    }
    Path path = Path.of(spec);
    try {
      return path.toRealPath().toString();
    } catch (java.io.IOException e) {
      return path.toAbsolutePath().normalize().toString();
    }
  }

  /**
   * {@return the loss that suits data of {@code spec} when none is named: cross-entropy for generated classes
   * ({@code random:}) and a folder (IDX images, class subfolders of images), else mse}
   *
   * @param spec a built-in name, {@code random:ROWSxINPUTSxCLASSES}, a file or a folder
   */
  public static Loss defaultLoss(String spec) {
    return Generated.matches(spec) || (!Builtins.has(spec) && java.nio.file.Files.isDirectory(Path.of(spec)))
        ? Loss.XENT : Loss.MSE;
  }

  /**
   * Labelled data shaped for {@code model}: a CSV whose last columns are the model's targets (or, for an xent
   * model, its class label), or an IDX folder (its test set when it has one), inputs brought to the model's
   * scale. What {@code cltrain eval} reads.
   *
   * @param model the model to evaluate
   * @param spec  a CSV file or an IDX folder
   * @return the data set to evaluate on
   * @throws InputException when the data does not fit the model
   */
  public static DataSet labelledFor(Model model, String spec) {
    return labelledFor(model, spec, CsvLayout.DEFAULT);
  }

  /**
   * {@link #labelledFor(Model, String)} with a CSV laid out as {@code layout} says; a text model's CSV is read
   * by {@link #labelledTexts} (its texts in the column named "text").
   *
   * @param model  the model to evaluate
   * @param spec   a CSV file or an IDX folder
   * @param layout the CSV's label and ignored columns and its missing-cell rule
   * @return the data set to evaluate on
   * @throws InputException when the data does not fit the model
   */
  public static DataSet labelledFor(Model model, String spec, CsvLayout layout) {
    return labelledFor(model, spec, layout, null);
  }

  /**
   * {@link #labelledFor(Model, String, CsvLayout)}, a CSV or IDX folder streamed from the row cache when
   * {@code streaming} says so ({@code eval --stream}): evaluate it with {@link Model#evaluate(DataSet,
   * dev.cltrain.device.DeviceChoice, dev.cltrain.device.OutputRows)} to hold a chunk of it at a time.
   *
   * @param model     the model to evaluate
   * @param spec      a CSV file or an IDX folder
   * @param layout    the CSV's label and ignored columns and its missing-cell rule
   * @param streaming whether to stream it, or null for never
   * @return the data set to evaluate on
   * @throws InputException when the data does not fit the model
   */
  public static DataSet labelledFor(Model model, String spec, CsvLayout layout, dev.cltrain.data.Streaming streaming) {
    if (model.network().vocabulary() != null) {
      return labelledTexts(model, Path.of(spec), layout, null);
    }
    dev.cltrain.data.Streaming rows = streaming == null ? dev.cltrain.data.Streaming.OFF : streaming;
    boolean classification = model.network().loss() == Loss.XENT;
    int outputs = model.outputs();
    if (!isNamed(spec) && java.nio.file.Files.isRegularFile(Path.of(spec))) {
      checkColumns(model, Path.of(spec), classification);
    }
    java.util.List<String> names = model.network().classNames();
    if (classification && names != null && !isNamed(spec) && !java.nio.file.Files.isDirectory(Path.of(spec))) {
      DataSet set = DataSets.classifiedCsv(Path.of(spec), outputs, names, layout, rows); // labels by the model's names
      model.checkFits(set);
      return model.rescale(set, 1f);
    }
    dev.cltrain.nn.Shape input = model.network().input();
    boolean image = (input.height() > 1 || input.width() > 1) && (input.channels() == 1 || input.channels() == 3);
    TrainingData loaded = DataSets.load(new DataOptions(spec, outputs, classification,
        classification ? outputs : 0, null, 0, 0, layout,
        new dev.cltrain.data.ImageFolder.Options(image ? input : null, false), rows)); // an image folder in the model's shape
    if (names != null && loaded.classNames() != null && !names.equals(loaded.classNames())) {
      throw new InputException(spec + ": classes " + loaded.classNames() + " but the model's are " + names);
    }
    DataSet set = loaded.test() != null ? loaded.test() : loaded.train();
    model.checkFits(set);
    return model.rescale(set, loaded.inputScale());
  }

  /**
   * The model {@link #labelledFor} reads {@code spec} with: an ONNX model ending in logits that declares no loss
   * (read as mse, see {@link Model#note}) becomes a classifier, softmax on its outputs, when the data holds class
   * labels: an IDX folder, or a CSV of the model's inputs and one more column. Any other model is returned as it is.
   *
   * @param model the model
   * @param spec  a CSV file or an IDX folder
   * @return the model to evaluate on that data, its {@link Model#note} saying what was inferred
   */
  public static Model readingLabels(Model model, String spec) {
    Path path = Path.of(spec);
    boolean labels = !isNamed(spec) && (java.nio.file.Files.isDirectory(path)
        || (model.outputs() > 1 && CsvReader.columns(path) == model.inputs() + 1));
    return labels ? model.classifierFor(spec) : model;
  }

  /** Fails with one line naming both widths when a CSV's columns are not the model's inputs and targets. */
  private static void checkColumns(Model model, Path file, boolean classification) {
    int columns = CsvReader.columns(file);
    int expected = model.inputs() + (classification ? 1 : model.outputs());
    if (columns >= 0 && columns != expected) {
      throw new InputException(file + ": " + columns + " column" + (columns == 1 ? "" : "s") + ", but "
          + model.origin() + " takes " + model.inputs() + " input" + (model.inputs() == 1 ? "" : "s") + " and "
          + (classification ? "a class label" : "gives " + model.outputs() + " output" + (model.outputs() == 1 ? ""
          : "s") + " (one target column each)") + ": " + expected + " columns");
    }
  }

  /**
   * The input columns of a CSV file for {@code model}, raw, as {@code cltrain predict --data} reads them: streamed
   * from the row cache when {@code streaming} says so (predict them with {@link Model#predict(DataSet,
   * dev.cltrain.device.DeviceChoice, dev.cltrain.device.OutputRows)} to hold a chunk at a time).
   *
   * @param model       the model whose inputs they are
   * @param file        the CSV file
   * @param ignoreExtra whether input columns after the model's first inputs are ignored (else refused)
   * @param layout      columns to leave out (labels and ignored) and the missing-cell rule
   * @param streaming   whether to stream it, or null for never
   * @return the rows, with no targets
   * @throws InputException naming the file, line and column of bad input, or a column count that does not fit
   */
  public static DataSet inputsFor(Model model, Path file, boolean ignoreExtra, CsvLayout layout,
      dev.cltrain.data.Streaming streaming) {
    return DataSets.inputsCsv(InputException.require(file, "the CSV file"), model.inputs(), ignoreExtra, layout,
        streaming == null ? dev.cltrain.data.Streaming.OFF : streaming);
  }

  /**
   * A CSV of texts and class labels ({@link TextCsv}) read with a text model's vocabulary
   * ({@link dev.cltrain.nn.Network#vocabulary}): what {@code cltrain eval} reads for it.
   *
   * @param model      a model trained on text
   * @param file       the CSV file
   * @param layout     its label column (by default the last) and its missing-cell rule
   * @param textColumn its text column, by number or header name; null for the header's "text"
   * @return the rows as ids, with one-hot labels of the model's classes
   * @throws InputException when the model takes numbers, or on a bad row, label or an empty text
   */
  public static DataSet labelledTexts(Model model, Path file, CsvLayout layout, String textColumn) {
    return TextCsv.labelled(InputException.require(file, "the CSV file"), textColumn, layout, vocabularyOf(model),
        model.outputs(), model.network().classNames());
  }

  /**
   * The texts of a CSV as a text model's rows of token ids (what {@code cltrain predict --data} reads for it).
   *
   * @param model      a model trained on text
   * @param file       the CSV file
   * @param textColumn its text column, by number or header name; null for the header's "text"
   * @return the rows, with no targets
   * @throws InputException when the model takes numbers, or on a bad row or an empty text
   */
  public static DataSet textsFor(Model model, Path file, String textColumn) {
    return TextCsv.inputs(InputException.require(file, "the CSV file"), textColumn, vocabularyOf(model));
  }

  /**
   * One text as a text model's row of token ids (what {@code cltrain predict --text} reads).
   *
   * @param model a model trained on text
   * @param text  the text
   * @return one row, with no targets
   * @throws InputException when the model takes numbers, or the text has no token
   */
  public static DataSet textFor(Model model, String text) {
    float[] ids = vocabularyOf(model).encode(InputException.require(text, "the text"));
    return new DataSet("the text", 1, ids.length, 0, ids, new float[0]);
  }

  private static dev.cltrain.nn.Vocabulary vocabularyOf(Model model) {
    dev.cltrain.nn.Vocabulary v = model.network().vocabulary();
    if (v == null) {
      throw new InputException(model.origin() + " takes numbers, not text (it was not trained on a text column)");
    }
    return v;
  }

  /**
   * The first {@code inputs} columns of every row of a CSV file, raw (what {@code cltrain predict --data} reads).
   *
   * @param file   the CSV file
   * @param inputs how many columns to read
   * @return the rows, with no targets
   * @throws InputException naming the file, line and column of bad input
   */
  public static DataSet inputsCsv(Path file, int inputs) {
    return CsvReader.readInputs(InputException.require(file, "the CSV file"), inputs);
  }

  /**
   * The input columns of a CSV file, raw: those that are neither labels nor ignored by {@code layout}, which
   * must be {@code inputs} columns (what {@code cltrain predict --data --label/--ignore} reads).
   *
   * @param file   the CSV file
   * @param inputs the model's inputs
   * @param layout columns to leave out (labels and ignored) and the missing-cell rule
   * @return the rows, with no targets
   * @throws InputException naming the file, line and column of bad input, or a column count that does not fit
   */
  public static DataSet inputsCsv(Path file, int inputs, CsvLayout layout) {
    return CsvReader.readInputs(file, inputs, false, layout);
  }

  /** Whether {@code spec} names a built-in table or generated data rather than a file. */
  static boolean isNamed(String spec) {
    return Builtins.has(spec) || Generated.matches(spec);
  }

  private static int width(float[][] rows, String what) {
    if (InputException.require(rows, "the " + what).length == 0) {
      throw new InputException("no " + what + ": at least one row is needed");
    }
    for (int r = 0; r < rows.length; r++) {
      InputException.require(rows[r], what + " row " + r);
    }
    int width = rows[0].length;
    if (width == 0) {
      throw new InputException(what + " row 0 is empty");
    }
    for (int r = 1; r < rows.length; r++) {
      if (rows[r].length != width) {
        throw new InputException(what + " row " + r + " has " + rows[r].length + " values, row 0 has " + width);
      }
    }
    return width;
  }

  private static float[] flat(float[][] rows, String what) {
    int width = rows[0].length;
    float[] out = new float[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < width; c++) {
        float v = rows[r][c];
        if (!Float.isFinite(v)) {
          throw new InputException(what + " row " + r + " column " + c + " is " + v + ", not a finite number");
        }
        out[r * width + c] = v;
      }
    }
    return out;
  }
}
