package dev.cltrain.cmd;

import dev.cltrain.core.CltrainException;
import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
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
      Map.entry("textColumn", "--text-column"),
      Map.entry("tokens", "--tokens"),
      Map.entry("vocabSize", "--vocab-size"),
      Map.entry("seqLen", "--seq-len"),
      Map.entry("stream", "--stream"),
      Map.entry("cache", "--cache"),
      Map.entry(dev.cltrain.bench.NumpyGemm.NO_NUMPY, "--no-numpy"),
      Map.entry("sizes", "--sizes"),
      Map.entry("conv", "--conv"),
      Map.entry("gemm", "--gemm"),
      Map.entry("sweep", "--sweep"),
      Map.entry("convShapes", "--conv-shapes"),
      Map.entry("shapes", "--shapes"),
      Map.entry("features", "--features"),
      Map.entry("ignoreExtra", "--ignore-extra"),
      Map.entry("dropMissing", "--missing drop"),
      Map.entry(dev.cltrain.train.FirstUseCheck.NO_CHECK, "--no-check"),
      Map.entry("weightDecay", "--weight-decay"),
      Map.entry("output", "--output"),
      Map.entry("optimizer", "--optimizer"),
      Map.entry("momentum", "--momentum"),
      Map.entry("loss", "--loss"),
      Map.entry("learningRate", "--lr"),
      Map.entry("init", "--init"),
      Map.entry("epsilon", "--eps"),
      Map.entry("beta2", "--beta2"),
      Map.entry("beta1", "--beta1"),
      Map.entry("clipNorm", "--clip-norm"),
      Map.entry("decayAll", "--decay-all"),
      Map.entry("labelSmoothing", "--label-smoothing"),
      Map.entry("batchSize", "--batch-size"),
      Map.entry("classes", "--classes"),
      Map.entry("skipBadFiles", "--skip-bad-files"),
      Map.entry("data", "--data"),
      Map.entry("device", "--device"),
      Map.entry("freeze", "--freeze"),
      Map.entry("newHead", "--new-head"),
      Map.entry("ignore", "--ignore"),
      Map.entry("initModel", "--init-model"),
      Map.entry("inputScale", "--input-scale"),
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
  public static String message(CltrainException e) {
    return e.wording().named(OPTIONS::get);
  }

  /**
   * @param text a library's text naming its parameters (a reason line, a hint)
   * @return the text, each parameter named by its option where it has one
   */
  public static String text(Wording text) {
    return text.named(OPTIONS::get);
  }

  /**
   * @param parameter a library parameter's Java name, e.g. "batchSize"
   * @return its option, e.g. "--batch-size"; the Java name where no option maps it
   */
  public static String option(String parameter) {
    return OPTIONS.getOrDefault(parameter, parameter);
  }
}
