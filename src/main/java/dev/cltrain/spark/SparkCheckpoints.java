package dev.cltrain.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.CheckpointFit;
import java.util.List;

/** What makes a SparkTrain checkpoint fit the run going on from it: the same options and the same data rows. */
final class SparkCheckpoints {
  private SparkCheckpoints() {}

  /** The options' value of the checkpoints SparkTrain writes (cltrain train's have none). */
  static final String COMMAND = "cltrain-spark";

  /** The options a checkpoint must share with the run that goes on from it, with the words that name them. */
  private static final java.util.Map<String, String> SAME_RUN = same("dataFingerprint", "the data's rows",
      "layers", "--layers", "net", "--net", "inputShape", "--input-shape", "features", "--features",
      "activation", "--activation", "loss", "--loss", "optimizer", "--optimizer", "lr", "--lr",
      "batchSize", "--batch-size", "seed", "--seed", "partitions", "--partitions", "averageEvery", "--average-every",
      "standardize", "--standardize", "validationSplit", "--validation-split",
      "weightDecay", "--weight-decay", "decayAll", "--decay-all", "clipNorm", "--clip-norm",
      "labelSmoothing", "--label-smoothing");

  private static java.util.Map<String, String> same(String... keysAndWords) {
    java.util.Map<String, String> words = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndWords.length; i += 2) {
      words.put(keysAndWords[i], keysAndWords[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(words);
  }

  /**
   * What makes a checkpoint's run another than this one (null when none): every option but --data's path (the
   * data's rows are compared by their fingerprint), --epochs (the total, which may grow) and --device; compared
   * by the library's check ({@link CheckpointFit#otherRun}).
   */
  static String otherRun(ObjectNode saved, ObjectNode current) {
    if (!COMMAND.equals(saved.path("command").asText())) {
      return "it holds no SparkTrain options (a checkpoint of cltrain train, or of an older SparkTrain)";
    }
    CheckpointFit.Difference d = CheckpointFit.otherRun(saved, current, List.copyOf(SAME_RUN.keySet()));
    return d == null ? null : SAME_RUN.get(d.key()) + " " + d.then() + " there, " + d.now() + " here";
  }

  /**
   * The rows' fingerprint ({@link CheckpointFit#fingerprint}): over the partitions in order, each digested where
   * it is cached (one pass over the cached partitions).
   */
  static String fingerprint(SparkData.Loaded loaded) {
    return CheckpointFit.fingerprint(
        loaded.shards().map(shard -> CheckpointFit.digest(shard.rows(), shard.x(), shard.y())).collect());
  }
}
