package dev.cltrain.cmd;

import dev.cltrain.core.InputException;
import java.util.Map;

/**
 * The library names a bad value as Java does ({@link InputException#parameter()}: "batchSize must be positive,
 * got 0"); the command line names it by its option ("--batch-size must be positive, got 0"). This is the one
 * table from the library's parameter names to the options of {@code cltrain train}, {@code bench} and SparkTrain.
 */
public final class OptionNames {
  private OptionNames() {}

  private static final Map<String, String> OPTIONS = Map.of(
      "augment", "--augment",
      "batchSize", "--batch-size",
      "seed", "--seed",
      "targets", "--targets",
      "validationSplit", "--validation-split",
      "clipNorm", "--clip-norm",
      "labelSmoothing", "--label-smoothing",
      "decayAll", "--decay-all");

  /**
   * @param e bad input from the library or the command
   * @return its message, the parameter named by its option where it has one
   */
  public static String message(InputException e) {
    String option = e.parameter() == null ? null : OPTIONS.get(e.parameter());
    return option == null ? e.getMessage() : option + " " + e.problem();
  }
}
