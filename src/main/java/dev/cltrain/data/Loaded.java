package dev.cltrain.data;

/**
 * What {@code --data} (with {@code --test} and {@code --validation-split}) resolved to.
 *
 * @param train the rows to train on (never null)
 * @param test a separate test set, or null
 * @param validation rows held out of the training data by {@code --validation-split}, or null
 * @param inputScale what the raw inputs were multiplied by: 1/255f for IDX images, 1 for CSV and built-ins
 * @param classes K for classification data (targets are one-hot rows of K), 0 for plain targets
 */
public record Loaded(DataSet train, DataSet test, DataSet validation, float inputScale, int classes) {
  public Loaded {
    if (train == null) {
      throw new IllegalArgumentException("no training data");
    }
  }
}
