package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.device.Trainer;

import java.nio.file.Path;

/**
 * Early stopping and the best model ({@code --early-stop N}, {@code --monitor}, {@code --save-best FILE}):
 * after every epoch the run reads the monitored figure; when it has not improved (strictly: lower for a loss,
 * higher for an accuracy) for {@code patience} epochs in a row, training stops after that epoch and ends as a
 * finished run would (final evaluation, outputs). With a best-model file the weights of each new best epoch
 * are written there at once (atomically, like {@code --save}), so the file holds the best epoch's model even
 * if the run is killed. Statistics are taken every epoch while early stopping is on.
 *
 * <p>Monitors: {@code val_loss}, {@code val_accuracy} (the validation split), {@code test_loss},
 * {@code test_accuracy} (the test set), {@code loss}, {@code accuracy} (the training epoch's mean over its
 * batches). {@link #defaultMonitor} picks val_loss, else test_loss, else loss.
 *
 * @param patience epochs without improvement before stopping; 0 never stops (only tracks the best, e.g. for
 *                 the best-model file)
 * @param monitor  the figure watched, e.g. "val_loss"
 * @param bestFile where to write the best epoch's model, or null
 */
public record EarlyStopping(int patience, String monitor, Path bestFile) {
  /**
   * Checks the parameters.
   *
   * @param patience epochs without improvement before stopping, 0 or more
   * @param monitor  one of val_loss, val_accuracy, test_loss, test_accuracy, loss, accuracy
   * @param bestFile where to write the best epoch's model, or null
   * @throws InputException naming the bad parameter
   */
  public EarlyStopping {
    if (patience < 0) {
      throw InputException.parameter("patience", "must be 0 or more, got " + patience);
    }
    if (!java.util.List.of("val_loss", "val_accuracy", "test_loss", "test_accuracy", "loss", "accuracy")
        .contains(InputException.require(monitor, "the monitored figure"))) {
      throw InputException.parameter("monitor", ": unknown figure '" + monitor
          + "' (supported: val_loss, val_accuracy, test_loss, test_accuracy, loss, accuracy)");
    }
  }

  /**
   * @param validation whether the data has a validation split
   * @param test       whether it has a test set
   * @return val_loss, else test_loss, else loss
   */
  public static String defaultMonitor(boolean validation, boolean test) {
    return validation ? "val_loss" : test ? "test_loss" : "loss";
  }

  /** {@return true when a higher value is better (the accuracies)} */
  public boolean higherIsBetter() {
    return monitor.endsWith("accuracy");
  }

  /**
   * The monitored figure in an epoch's report.
   *
   * @param report an epoch measured
   * @return the value, or NaN when the report lacks it
   */
  public double value(EpochReport report) {
    return switch (monitor) {
      case "loss" -> report.loss();
      case "accuracy" -> report.accuracy();
      default -> {
        Trainer.Evaluation e = report.heldOut().get(monitor.startsWith("val_") ? "Validation" : "Test");
        yield e == null ? Double.NaN : monitor.endsWith("loss") ? e.loss() : e.accuracy();
      }
    };
  }

  /**
   * @param validation whether the data has a validation split
   * @param test       whether it has a test set
   * @return what is wrong with the monitored figure when it needs a set the data lacks (after its parameter's
   *     name, "monitor"), else null
   */
  public String missing(boolean validation, boolean test) {
    if (monitor.startsWith("val_") && !validation) {
      return monitor + " needs a validation split";
    }
    if (monitor.startsWith("test_") && !test) {
      return monitor + " needs a test set";
    }
    return null;
  }

  /**
   * What early stopping did in a run.
   *
   * @param bestEpoch   the epoch with the best monitored value (−1 when none was measured)
   * @param bestValue   its value
   * @param stopped     true when patience ran out before the last epoch
   * @param lastEpoch   the last epoch trained
   */
  public record Outcome(int bestEpoch, double bestValue, boolean stopped, int lastEpoch) {
    /**
     * @param monitor the figure watched, for the text
     * @return e.g. "best val_loss 0.1234 at epoch 17"
     */
    public String describe(String monitor) {
      return "best " + monitor + " " + dev.cltrain.io.Decimals.fixed(bestValue, 4) + " at epoch " + bestEpoch;
    }
  }
}
