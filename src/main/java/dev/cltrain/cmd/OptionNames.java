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

  private static final Map<String, String> OPTIONS = Map.ofEntries(
      Map.entry("augment", "--augment"),
      Map.entry("clipNorm", "--clip-norm"),
      Map.entry("decayAll", "--decay-all"),
      Map.entry("labelSmoothing", "--label-smoothing"),
      Map.entry("batchSize", "--batch-size"),
      Map.entry("classes", "--classes"),
      Map.entry("data", "--data"),
      Map.entry("device", "--device"),
      Map.entry("freeze", "--freeze"),
      Map.entry("newHead", "--new-head"),
      Map.entry("ignore", "--ignore"),
      Map.entry("initModel", "--init-model"),
      Map.entry("inputShape", "--input-shape"),
      Map.entry("kernels", "--kernels"),
      Map.entry("label", "--label"),
      Map.entry("layers", "--layers"),
      Map.entry("lrSchedule", "--lr-schedule"),
      Map.entry("missing", "--missing"),
      Map.entry("monitor", "--monitor"),
      Map.entry("net", "--net"),
      Map.entry("partitions", "--partitions"),
      Map.entry("patience", "--early-stop"),
      Map.entry("seed", "--seed"),
      Map.entry("targets", "--targets"),
      Map.entry("validationSplit", "--validation-split"),
      Map.entry("warmupEpochs", "--warmup-epochs"));

  /**
   * @param e bad input from the library or the command
   * @return its message, the parameter named by its option where it has one
   */
  public static String message(InputException e) {
    String option = e.parameter() == null ? null : OPTIONS.get(e.parameter());
    return option == null ? e.getMessage() : e.named(option);
  }
}
