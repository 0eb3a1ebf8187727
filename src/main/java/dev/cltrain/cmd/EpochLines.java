package dev.cltrain.cmd;

import dev.cltrain.io.Decimals;

import dev.cltrain.device.Trainer;
import java.util.Map;

/** The lines {@code cltrain train} prints of an epoch and of a held-out set, also printed by SparkTrain. */
public final class EpochLines {
  private EpochLines() {}

  /**
   * "Epoch 0, Loss: 0.1864" as the seed prints it, then accuracy and held-out sets when there are any.
   *
   * @param epoch          the epoch, from 0
   * @param loss           the epoch's loss
   * @param accuracy       its accuracy (shown for a classifier only)
   * @param classification whether accuracies are shown
   * @param evaluations    held-out sets by name ("Test", "Validation"), in the order shown
   * @return the line
   */
  public static String epoch(int epoch, float loss, float accuracy, boolean classification,
      Map<String, Trainer.Evaluation> evaluations) {
    StringBuilder line = new StringBuilder("Epoch " + epoch + ", Loss: " + Decimals.fixed(loss, 4));
    if (classification) {
      line.append(", Accuracy: ").append(Decimals.fixed(accuracy, 4));
    }
    evaluations.forEach((name, e) -> {
      line.append(", ").append(name).append(" loss: ").append(Decimals.fixed(e.loss(), 4));
      if (classification) {
        line.append(", ").append(name).append(" accuracy: ").append(Decimals.fixed(e.accuracy(), 4));
      }
    });
    return line.toString();
  }

  /**
   * The summary's line of a held-out set: "test:        loss 0.1234, accuracy 0.9000 (100 rows)".
   *
   * @param name           "Test" or "Validation"
   * @param e              its figures with the end weights
   * @param classification whether the accuracy is shown
   * @param rows           its rows
   * @return the line
   */
  public static String heldOut(String name, Trainer.Evaluation e, boolean classification, int rows) {
    return String.format("%-13s", name.toLowerCase(java.util.Locale.ROOT) + ":") + "loss " + Decimals.fixed(e.loss(), 4)
        + (classification ? ", accuracy " + Decimals.fixed(e.accuracy(), 4) : "") + " (" + rows + " rows)";
  }
}
