package dev.cltrain.data;

/**
 * The data options of {@code cltrain train}, resolved by {@link DataSets#load(DataOptions)}.
 *
 * @param data a built-in name (xor, and, or), {@code random:ROWSxINPUTSxCLASSES} ({@link Generated}), a folder
 *     of MNIST IDX files, an {@link ImageFolder} of class subfolders, or a CSV file
 * @param targets plain CSV: the last {@code targets} columns are the targets
 * @param classification CSV: the last column is an integer class label 0..K−1, turned into one-hot targets
 * @param classes K for classification, or 0 to infer it as max label + 1 (at least 2)
 * @param test a CSV file read like the training CSV to serve as the test set, or null
 * @param validationSplit fraction of the training rows to hold out for validation, in [0, 1); 0 = none
 * @param seed {@code np.random.seed} for the permutation that chooses the validation rows, and for a
 *     generated set's draws
 * @param csv which CSV columns are labels and which are left out, and what a missing cell does (the training
 *     CSV's and the test CSV's)
 * @param images an image folder's shape and bad-file rule ({@link ImageFolder.Options})
 * @param streaming whether a CSV or IDX source is read whole or streamed from the row cache
 * @param text a CSV of text and class labels: its text column and how texts become token ids
 *     ({@link TextCsv}); null for a CSV of numbers
 */
public record DataOptions(String data, int targets, boolean classification, int classes, String test,
    double validationSplit, long seed, CsvLayout csv, ImageFolder.Options images, Streaming streaming,
    TextCsv.Options text) {
  /**
   * Options for data of numbers, not text.
   *
   * @param data            the data
   * @param targets         plain CSV: how many last columns are targets
   * @param classification  whether the label is a class label
   * @param classes         K, or 0 to infer it
   * @param test            a test CSV, or null
   * @param validationSplit the share held out for validation
   * @param seed            the validation permutation's seed
   * @param csv             the CSV layout, or null for the default
   * @param images          the image folder options, or null for the default
   * @param streaming       streamed or not, or null for {@link Streaming#OFF}
   */
  public DataOptions(String data, int targets, boolean classification, int classes, String test,
      double validationSplit, long seed, CsvLayout csv, ImageFolder.Options images, Streaming streaming) {
    this(data, targets, classification, classes, test, validationSplit, seed, csv, images, streaming, null);
  }

  /**
   * Checks nothing; a null layout is {@link CsvLayout#DEFAULT}, null image options {@link ImageFolder.Options#DEFAULT},
   * a null streaming choice {@link Streaming#OFF}.
   *
   * @param data            the data
   * @param targets         plain CSV: how many last columns are targets
   * @param classification  whether the label is a class label
   * @param classes         K, or 0 to infer it
   * @param test            a test CSV, or null
   * @param validationSplit the share held out for validation
   * @param seed            the validation permutation's seed
   * @param csv             the CSV layout, or null for the default
   * @param images          the image folder options, or null for the default
   * @param streaming       streamed or not, or null for {@link Streaming#OFF}
   * @param text            the text options, or null for numbers
   */
  public DataOptions {
    csv = csv == null ? CsvLayout.DEFAULT : csv;
    images = images == null ? ImageFolder.Options.DEFAULT : images;
    streaming = streaming == null ? Streaming.OFF : streaming;
  }

  /**
   * @param s streamed or not
   * @return these options with that choice
   */
  public DataOptions withStreaming(Streaming s) {
    return new DataOptions(data, targets, classification, classes, test, validationSplit, seed, csv, images, s, text);
  }

  /**
   * @param t the text options, or null for numbers
   * @return these options with them
   */
  public DataOptions withText(TextCsv.Options t) {
    return new DataOptions(data, targets, classification, classes, test, validationSplit, seed, csv, images,
        streaming, t);
  }

  /**
   * Options with the default image folder options.
   *
   * @param data            the data
   * @param targets         plain CSV: how many last columns are targets
   * @param classification  whether the label is a class label
   * @param classes         K, or 0 to infer it
   * @param test            a test CSV, or null
   * @param validationSplit the share held out for validation
   * @param seed            the validation permutation's seed
   * @param csv             the CSV layout, or null for the default
   */
  public DataOptions(String data, int targets, boolean classification, int classes, String test,
      double validationSplit, long seed, CsvLayout csv) {
    this(data, targets, classification, classes, test, validationSplit, seed, csv, null, null);
  }

  /**
   * Options with the default CSV layout: the last column (or last {@code targets}) is the label.
   *
   * @param data            the data
   * @param targets         plain CSV: how many last columns are targets
   * @param classification  whether the label is a class label
   * @param classes         K, or 0 to infer it
   * @param test            a test CSV, or null
   * @param validationSplit the share held out for validation
   * @param seed            the validation permutation's seed
   */
  public DataOptions(String data, int targets, boolean classification, int classes, String test,
      double validationSplit, long seed) {
    this(data, targets, classification, classes, test, validationSplit, seed, CsvLayout.DEFAULT, null, null);
  }
}
