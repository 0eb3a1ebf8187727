package dev.cltrain.data;

/**
 * What {@code --data} (with {@code --test} and {@code --validation-split}) resolved to.
 *
 * @param train the rows to train on (never null)
 * @param test a separate test set, or null
 * @param validation rows held out of the training data by {@code --validation-split}, or null
 * @param inputScale what the raw inputs were multiplied by: 1/255f for IDX images, 1 for CSV and built-ins
 * @param classes K for classification data (targets are one-hot rows of K), 0 for plain targets
 * @param classNames the K classes' names (a CSV's string labels, Fashion-MNIST's), or null for 0..K−1
 * @param imageShape the shape of one input row as an image (IDX: rows × cols × 1, from the header), or null when
 *     the data has none (CSV, built-ins, generated); what a {@code --net} of convolutions takes
 * @param vocabulary text data ({@link TextCsv}): how each text became its row of token ids, built from the
 *     training rows; null for numbers
 */
public record TrainingData(DataSet train, DataSet test, DataSet validation, float inputScale, int classes,
    java.util.List<String> classNames, dev.cltrain.nn.Shape imageShape, dev.cltrain.nn.Vocabulary vocabulary) {
  /**
   * Data of numbers, not text.
   *
   * @param train      the rows to train on
   * @param test       a separate test set, or null
   * @param validation rows held out for validation, or null
   * @param inputScale what the raw inputs were multiplied by
   * @param classes    K for classification data, 0 for plain targets
   * @param classNames the K classes' names, or null for 0..K−1
   * @param imageShape the shape of one input row as an image, or null
   */
  public TrainingData(DataSet train, DataSet test, DataSet validation, float inputScale, int classes,
      java.util.List<String> classNames, dev.cltrain.nn.Shape imageShape) {
    this(train, test, validation, inputScale, classes, classNames, imageShape, null);
  }

  /**
   * Data with no image shape.
   *
   * @param train      the rows to train on
   * @param test       a separate test set, or null
   * @param validation rows held out for validation, or null
   * @param inputScale what the raw inputs were multiplied by
   * @param classes    K for classification data, 0 for plain targets
   * @param classNames the K classes' names, or null for 0..K−1
   */
  public TrainingData(DataSet train, DataSet test, DataSet validation, float inputScale, int classes,
      java.util.List<String> classNames) {
    this(train, test, validation, inputScale, classes, classNames, null, null);
  }

  /**
   * Data whose classes, if any, have no names.
   *
   * @param train      the rows to train on
   * @param test       a separate test set, or null
   * @param validation rows held out for validation, or null
   * @param inputScale what the raw inputs were multiplied by
   * @param classes    K for classification data, 0 for plain targets
   */
  public TrainingData(DataSet train, DataSet test, DataSet validation, float inputScale, int classes) {
    this(train, test, validation, inputScale, classes, null);
  }

  /**
   * @param names the classes' names, or null
   * @return this data with those class names
   */
  public TrainingData withClassNames(java.util.List<String> names) {
    return new TrainingData(train, test, validation, inputScale, classes, names, imageShape, vocabulary);
  }

  /**
   * @param test the test set, or null
   * @param validation the validation set, or null
   * @return this data with those sets (everything else kept)
   */
  public TrainingData withSets(DataSet test, DataSet validation) {
    return new TrainingData(train, test, validation, inputScale, classes, classNames, imageShape, vocabulary);
  }

  /**
   * @param st the per-input standardization to apply
   * @return this data with every set's inputs standardized (new arrays; these sets are left alone)
   */
  public TrainingData standardized(dev.cltrain.nn.Standardization st) {
    return new TrainingData(train.standardized(st), test == null ? null : test.standardized(st),
        validation == null ? null : validation.standardized(st), inputScale, classes, classNames, imageShape,
        vocabulary);
  }

  /**
   * Checks that there are training rows.
   *
   * @param train      the rows to train on
   * @param test       a separate test set, or null
   * @param validation rows held out for validation, or null
   * @param inputScale what the raw inputs were multiplied by
   * @param classes    K for classification data, 0 for plain targets
   * @param classNames the K classes' names, or null for 0..K−1
   * @param imageShape the shape of one input row as an image, or null
   * @param vocabulary how texts became the rows, or null
   * @throws IllegalArgumentException if {@code train} is null, or the image shape's size is not the inputs per row
   */
  public TrainingData {
    if (train == null) {
      throw new IllegalArgumentException("no training data");
    }
    if (imageShape != null && imageShape.size() != train.inputs()) {
      throw new IllegalArgumentException("image shape " + imageShape + " for " + train.inputs() + " inputs per row");
    }
    if (vocabulary != null && vocabulary.seqLen() != train.inputs()) {
      throw new IllegalArgumentException("texts of " + vocabulary.seqLen() + " ids for " + train.inputs()
          + " inputs per row");
    }
  }

  /**
   * Scales raw inputs in place as this data's inputs were: for IDX images (inputScale = 1/255f) each value is
   * divided by 255, exactly as the pixels were, so raw CSV pixels give bit-identical floats; any other scale
   * multiplies; a scale of 1 leaves the values alone.
   *
   * @param raw inputs as read, e.g. a CSV of pixels 0..255; scaled in place
   */
  public void scaleInputs(float[] raw) {
    if (inputScale == 1f) {
      return;
    }
    float divisor = Math.round(1 / inputScale);
    if (divisor > 0 && 1 / divisor == inputScale) {
      for (int i = 0; i < raw.length; i++) {
        raw[i] /= divisor;
      }
    } else {
      for (int i = 0; i < raw.length; i++) {
        raw[i] *= inputScale;
      }
    }
  }

  /**
   * This data with a fraction of the training rows held out for validation (seeded), as
   * {@code --validation-split} does.
   *
   * @param fraction the share of training rows to hold out, in (0, 1)
   * @param seed     {@code np.random.seed} of the permutation that picks them
   * @return the data with its validation set
   * @throws dev.cltrain.core.InputException when the fraction leaves no row on either side
   */
  public TrainingData withValidation(double fraction, long seed) {
    return DataSets.withValidation(this, fraction, seed);
  }
}
