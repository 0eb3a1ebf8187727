package dev.cltrain.cmd;

/**
 * What was measured at the end of one epoch, for {@code --metrics} and {@code --plot}. {@code NaN} in any
 * field means "not measured" (no accuracy for a regression loss, no test set, or not evaluated this epoch).
 *
 * @param epoch the epoch number as printed on the log lines
 * @param loss the training loss
 * @param trainAccuracy fraction of training samples classified correctly, in [0, 1]
 * @param valLoss the loss on the validation split ({@code --validation-split})
 * @param valAccuracy fraction of validation samples classified correctly, in [0, 1]
 * @param testLoss the loss on the test set
 * @param testAccuracy fraction of test samples classified correctly, in [0, 1]
 * @param seconds wall time since training started
 */
public record EpochRecord(int epoch, double loss, double trainAccuracy, double valLoss, double valAccuracy,
    double testLoss, double testAccuracy, double seconds) {
  /**
   * A record without a validation split.
   *
   * @param epoch         0-based epoch
   * @param loss          the training loss
   * @param trainAccuracy fraction of training samples classified correctly
   * @param testLoss      the loss on the test set
   * @param testAccuracy  fraction of test samples classified correctly
   * @param seconds       wall time since training started
   */
  public EpochRecord(int epoch, double loss, double trainAccuracy, double testLoss, double testAccuracy, double seconds) {
    this(epoch, loss, trainAccuracy, Double.NaN, Double.NaN, testLoss, testAccuracy, seconds);
  }
}
