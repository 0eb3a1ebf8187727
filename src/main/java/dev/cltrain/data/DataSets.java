package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.NumpyRandom;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves {@code --data}: a built-in name (xor, and, or), a generated set ({@link Generated}), a folder of
 * MNIST IDX files, or a CSV file.
 */
public final class DataSets {
  private DataSets() {}

  /**
   * A built-in truth table or a plain numeric CSV, no classification.
   *
   * @param spec    a built-in name (xor, and, or), else a CSV file's path
   * @param targets for a CSV, how many trailing columns are targets
   * @return the data set
   * @throws InputException if the CSV cannot be read or has a bad cell or row
   */
  public static DataSet load(String spec, int targets) {
    if (Builtins.has(spec)) {
      return Builtins.get(spec);
    }
    return CsvReader.read(Path.of(spec), targets);
  }

  /**
   * Loads the training data, the test set and the validation split that {@code o} describes.
   *
   * <ul>
   *   <li>{@code data} a built-in name (xor, and, or): its truth table; with {@code classification} its 0/1
   *       target becomes a one-hot row of K = 2 (or {@code classes}).
   *   <li>{@code data} {@code random:ROWSxINPUTSxCLASSES}: a generated classification set ({@link Generated}),
   *       drawn with {@code seed}.
   *   <li>{@code data} a directory: MNIST IDX files ({@link MnistDir}); the t10k pair is the test set, pixels
   *       are scaled by 1/255 ({@code inputScale}); always classification.
   *   <li>{@code data} a directory of class subfolders and no IDX files: an {@link ImageFolder} read with
   *       {@code images}; its test/ folder is the test set, its val/ folder the validation set (then
   *       {@code validationSplit} must be 0); pixels as IDX pixels; always classification.
   *   <li>{@code text} given: a CSV of texts and class labels ({@link TextCsv}), the vocabulary built from the
   *       training rows; the test CSV is read with it.
   *   <li>otherwise a CSV file: {@link CsvReader#readClassification} with {@code classes} when
   *       {@code classification}, else {@link CsvReader#read} with {@code targets}.
   * </ul>
   *
   * <p>{@code test}, when not null, is a CSV file read the same way (classification with the training set's
   * K), its inputs scaled by {@link TrainingData#scaleInputs} (÷255 after IDX images); it replaces an IDX folder's
   * t10k pair. Its input width must equal the training set's. {@code validationSplit} F in (0, 1) holds out round(F·rows) training rows (at
   * least 1, leaving at least 1): with {@code p = new NumpyRandom(seed).permutation(rows)}, the last of p are
   * the validation rows and the rest, in p's order, the training rows.
   *
   * @param o the data options, as given to {@code cltrain train}
   * @return the training data, with its test set and validation set where there are any
   * @throws InputException if an option is out of range, a file cannot be read or has a defect, the test set's
   *     widths differ from the training set's, or the split leaves no row on either side
   */
  public static TrainingData load(DataOptions o) {
    double split = o.validationSplit();
    checkValidationSplit(split);
    if (split > 0 && (o.seed() < 0 || o.seed() > 0xFFFFFFFFL)) {
      throw InputException.parameter("seed", "must be between 0 and 4294967295, got " + o.seed());
    }
    String spec = o.data();
    if (spec == null || spec.isBlank()) {
      throw InputException.parameter("data", "must name a built-in data set (xor, and, or), a folder of MNIST IDX files or a CSV file");
    }

    if (o.images().skipBadFiles() && !isImageFolder(spec)) {
      throw InputException.parameter("skipBadFiles", "applies to an image folder only (class subfolders of images), "
          + "not " + spec);
    }
    if (o.text() != null) {
      return text(o);
    }
    TrainingData loaded;
    boolean csv = !Builtins.has(spec) && !Generated.matches(spec) && !Files.isDirectory(Path.of(spec));
    if (!csv && o.test() == null && !o.csv().isDefault()) {
      throw CsvLayout.notCsv(spec);
    }
    if (Builtins.has(spec)) {
      DataSet table = Builtins.get(spec);
      loaded = o.classification() ? builtinClasses(table, o.classes()) : new TrainingData(table, null, null, 1f, 0);
    } else if (Generated.matches(spec)) {
      DataSet set = Generated.load(spec, o.seed() & 0xFFFFFFFFL);
      loaded = new TrainingData(set, null, null, 1f, set.outputs());
    } else {
      Path path = Path.of(spec);
      Streaming streaming = o.streaming();
      if (ImageFolder.looksLikeImageFolder(path)) {
        loaded = ImageFolder.load(path, o.classes(), o.images(), streaming);
        if (loaded.validation() != null && split > 0) {
          throw InputException.parameter("validationSplit", "does not apply to " + path + ": its "
              + ImageFolder.VAL + "/ folder is the validation set");
        }
      } else if (Files.isDirectory(path)) {
        loaded = MnistDir.load(path, o.classes(), streaming);
      } else if (streaming.mode() != Streaming.Mode.OFF && streaming.streams(spec, sizeOf(path))) {
        loaded = streamedCsv(path, o, o.classification(), o.classes(), null, 1f);
      } else if (o.classification()) {
        CsvReader.Classified read = CsvReader.readClassified(path, o.classes(), null, o.csv());
        DataSet train = read.set();
        loaded = new TrainingData(train, null, null, 1f, train.outputs(), read.names());
      } else {
        loaded = new TrainingData(CsvReader.read(path, o.targets(), o.csv()), null, null, 1f, 0);
      }
    }

    if (o.test() != null && o.streaming().mode() != Streaming.Mode.OFF
        && (loaded.train().isStreamed() || o.streaming().streams(o.test(), sizeOf(Path.of(o.test()))))) {
      DataSet train = loaded.train();
      TrainingData test = streamedCsv(Path.of(o.test()), o, loaded.classes() > 0, loaded.classes(),
          loaded.classNames(), loaded.inputScale());
      DataSet set = test.train();
      checkTestWidths(Path.of(o.test()), set, train);
      loaded = loaded.withSets(set, loaded.validation());
    } else if (o.test() != null) {
      loaded = withTest(loaded, Path.of(o.test()), o.targets(), o.csv());
    }
    if (split > 0) {
      loaded = withValidation(loaded, split, o.seed());
    }
    return loaded;
  }

  /** {@link #load(DataOptions)} of a text CSV ({@link TextCsv}): its test set read with its vocabulary. */
  private static TrainingData text(DataOptions o) {
    String spec = o.data();
    if (Builtins.has(spec) || Generated.matches(spec) || Files.isDirectory(Path.of(spec))) {
      throw InputException.parameter("textColumn", "applies to a CSV file of texts, not " + spec);
    }
    if (!o.classification()) {
      throw InputException.parameter("loss", "must be xent for text: a text's label is its class");
    }
    if (o.streaming().mode() == Streaming.Mode.ON) {
      throw InputException.parameter("stream", "on: text is read into memory (its rows are not streamed)");
    }
    TrainingData loaded = TextCsv.load(Path.of(spec), o.text(), o.csv(), o.classes(), o.validationSplit(), o.seed());
    if (o.test() != null) {
      loaded = loaded.withSets(TextCsv.labelled(Path.of(o.test()), o.text().column(), o.csv(), loaded.vocabulary(),
          loaded.classes(), loaded.classNames()), null);
    }
    return o.validationSplit() > 0 ? withValidation(loaded, o.validationSplit(), o.seed()) : loaded;
  }

  /**
   * @param spec a --data value
   * @return true when it names an {@link ImageFolder} (a folder of class subfolders without IDX files)
   */
  public static boolean isImageFolder(String spec) {
    return spec != null && !Builtins.has(spec) && !Generated.matches(spec)
        && ImageFolder.looksLikeImageFolder(Path.of(spec));
  }

  /**
   * A test set (--test) for training data of the given widths, read as {@code train --test} reads it: a
   * classifier's labels by the training set's classes (its names when it has them), else {@code targets} target
   * columns; inputs as in the file (unscaled).
   *
   * @param file      the CSV file
   * @param targets   target columns for mse (with the default layout)
   * @param layout    the label and ignored columns, the missing-cell rule
   * @param trainName the training data's name, for messages
   * @param inputs    its inputs per row
   * @param outputs   its targets per row (K for a classifier)
   * @param classes   K for a classifier, else 0
   * @param names     the class names, or null
   * @return the test rows
   * @throws InputException on a bad cell or label, or widths other than the training data's
   */
  public static DataSet readTest(Path file, int targets, CsvLayout layout, String trainName, int inputs, int outputs,
      int classes, java.util.List<String> names) {
    DataSet test = classes > 0 ? CsvReader.readClassified(file, classes, names, layout).set()
        : CsvReader.read(file, targets, layout);
    checkTestWidths(file, test, new DataSet(trainName, 0, inputs, outputs, new float[0], new float[0]));
    return test;
  }

  /**
   * A CSV of class labels read by a model's class names (what {@code eval} reads for a model that has them):
   * streamed from the row cache when {@code streaming} says so, else in memory; the same rows either way.
   *
   * @param file      the CSV file
   * @param classes   K
   * @param names     the classes' names
   * @param layout    the label and ignored columns, the missing-cell rule
   * @param streaming whether to stream it
   * @return the rows
   * @throws InputException on a bad cell, row or label
   */
  public static DataSet classifiedCsv(Path file, int classes, java.util.List<String> names, CsvLayout layout,
      Streaming streaming) {
    if (streaming.mode() != Streaming.Mode.OFF && streaming.streams(file.toString(), sizeOf(file))) {
      DataOptions o = new DataOptions(file.toString(), 1, true, classes, null, 0, 0, layout, null, streaming);
      return streamedCsv(file, o, true, classes, names, 1f).train();
    }
    return CsvReader.readClassified(file, classes, names, layout).set();
  }

  /**
   * The input columns of a CSV file, raw, as {@link CsvReader#readInputs(Path, int, boolean, CsvLayout)} reads
   * them (what {@code predict --data} reads): streamed from the row cache when {@code streaming} says so.
   *
   * @param file        the CSV file
   * @param inputs      the model's input width
   * @param ignoreExtra whether input columns after the first {@code inputs} are ignored (else refused)
   * @param layout      label and ignored columns (not read), and the missing-cell rule
   * @param streaming   whether to stream it
   * @return the rows, with no targets
   * @throws InputException on a bad cell or row, or the wrong number of columns
   */
  public static DataSet inputsCsv(Path file, int inputs, boolean ignoreExtra, CsvLayout layout, Streaming streaming) {
    if (streaming.mode() != Streaming.Mode.OFF && streaming.streams(file.toString(), sizeOf(file))) {
      RowFile rows = RowCache.open(java.util.List.of(file), "csv inputs v1 " + inputs + " ignoreExtra " + ignoreExtra
          + " layout " + layout, streaming.cache(),
          (out, progress) -> CsvReader.convertInputs(file, layout, inputs, ignoreExtra, out, progress));
      return DataSet.streamed(file.toString(), rows);
    }
    return CsvReader.readInputs(file, inputs, ignoreExtra, layout);
  }

  private static void checkTestWidths(Path file, DataSet test, DataSet train) {
    if (test.inputs() != train.inputs()) {
      throw new InputException(file + ": " + test.inputs() + " input" + (test.inputs() == 1 ? "" : "s")
          + " per row, but the training data " + train.name() + " has " + train.inputs());
    }
    if (test.outputs() != train.outputs()) { // cannot happen: same targets, or same K
      throw new InputException(file + ": " + test.outputs() + " targets per row, but the training data "
          + train.name() + " has " + train.outputs());
    }
  }

  /** A file's size in bytes, the estimate of its rows' bytes in memory; 0 when it cannot be read (reading says why). */
  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /**
   * A CSV streamed from the row cache: the rows {@link CsvReader} would read, converted once and memory-mapped.
   *
   * @param file       the CSV
   * @param o          the options: targets, layout, the cache
   * @param classifier whether the label is a class label
   * @param classes    K, or 0 to infer it
   * @param names      the classes' names to map string labels to (a test set's), or null
   * @param inputScale what its inputs are scaled by when read ({@link TrainingData#scaleInputs}), 1 for none
   * @return the streamed rows as training data (classes K or 0, the class names)
   */
  static TrainingData streamedCsv(Path file, DataOptions o, boolean classifier, int classes,
      java.util.List<String> names, float inputScale) {
    String conversion = "csv v1 " + (classifier ? "classes " + classes + " names " + names : "targets " + o.targets())
        + " layout " + o.csv();
    RowFile rows = RowCache.open(java.util.List.of(file), conversion, o.streaming().cache(),
        (out, progress) -> CsvReader.convert(file, o.csv(), o.targets(), classifier, classes, names, out, progress));
    RowSource source = rows;
    if (inputScale != 1f) {
      TrainingData scale = new TrainingData(DataSet.streamed(file.toString(), rows), null, null, inputScale, 0);
      source = rows.mapInputs(x -> {
        scale.scaleInputs(x);
        return x;
      });
    }
    DataSet set = DataSet.streamed(file.toString(), source);
    return new TrainingData(set, null, null, 1f, classifier ? set.outputs() : 0, rows.names());
  }

  private static TrainingData builtinClasses(DataSet table, int classes) {
    if (classes < 0 || classes == 1) {
      throw InputException.parameter("classes", "must be at least 2 (or 0 to infer it from the labels), got " + classes);
    }
    int k = classes == 0 ? 2 : classes;
    int[] labels = new int[table.rows()];
    for (int r = 0; r < labels.length; r++) {
      labels[r] = (int) table.y()[r];
    }
    DataSet train = new DataSet(table.name(), table.rows(), table.inputs(), k, table.x(), MnistDir.oneHot(labels, k));
    return new TrainingData(train, null, null, 1f, k);
  }

  private static TrainingData withTest(TrainingData loaded, Path file, int targets, CsvLayout layout) {
    DataSet train = loaded.train();
    DataSet test = readTest(file, targets, layout, train.name(), train.inputs(), train.outputs(), loaded.classes(),
        loaded.classNames());
    loaded.scaleInputs(test.x());
    return loaded.withSets(test, loaded.validation());
  }

  /**
   * Holds out round(split·rows) training rows (at least 1, leaving at least 1) as the validation set, chosen by
   * {@code new NumpyRandom(seed).permutation(rows)}: the last of it are the validation rows, the rest in its
   * order the training rows.
   *
   * @param loaded the data to split; its training rows are divided, its test set kept
   * @param split  the share of training rows to hold out, in (0, 1)
   * @param seed   {@code np.random.seed} of the permutation, 0 to 2³²−1
   * @return the data with the held-out rows as its validation set (replacing any it had)
   * @throws InputException if {@code split} is not in (0, 1) or leaves no row to train on, or the seed is out of
   *     range
   */
  public static TrainingData withValidation(TrainingData loaded, double split, long seed) {
    DataSet all = loaded.train();
    int rows = all.rows();
    Split order = splitOrder(split, seed, rows, all.name());
    int[] permutation = order.permutation();
    int keep = order.keep();
    int[] trainRows = java.util.Arrays.copyOfRange(permutation, 0, keep);
    int[] validationRows = java.util.Arrays.copyOfRange(permutation, keep, rows);
    DataSet train = all.rows(trainRows, all.name());
    DataSet validation = all.rows(validationRows, all.name() + " (validation split)");
    return new TrainingData(train, loaded.test(), validation, loaded.inputScale(), loaded.classes(),
        loaded.classNames(), loaded.imageShape(), loaded.vocabulary());
  }

  /**
   * @param split a --validation-split value
   * @throws InputException unless it is in [0, 1) (0: none)
   */
  public static void checkValidationSplit(double split) {
    if (!(split >= 0 && split < 1)) {
      throw InputException.parameter("validationSplit", "must be in [0, 1), got " + split);
    }
  }

  /**
   * The order of a validation split: the training rows are {@code permutation[0..keep)}, in that order, the
   * validation rows the rest.
   *
   * @param permutation the rows' new order
   * @param keep        how many stay for training
   */
  public record Split(int[] permutation, int keep) {}

  /**
   * The rows a validation split of {@code rows} rows keeps and holds out, as {@link #withValidation} splits them.
   *
   * @param split the fraction held out, in (0, 1)
   * @param seed  the permutation's seed
   * @param rows  the training rows
   * @param name  the data's name, for messages
   * @return the permutation and how many rows train
   * @throws InputException when the split or seed is out of range, or it leaves no row to train on
   */
  public static Split splitOrder(double split, long seed, int rows, String name) {
    if (!(split > 0 && split < 1)) {
      throw new InputException("the validation split must be in (0, 1), got " + split);
    }
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new InputException("the validation split's seed must be between 0 and 4294967295, got " + seed);
    }
    long held = Math.max(1, Math.round(split * rows));
    if (held >= rows) {
      throw InputException.parameter("validationSplit", split + " holds out " + held + " of the " + rows
          + " training row" + (rows == 1 ? "" : "s") + " of " + name + ", leaving none to train on");
    }
    return new Split(new NumpyRandom(seed).permutation(rows), rows - (int) held);
  }
}
