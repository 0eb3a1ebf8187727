package dev.cltrain.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What makes a SparkTrain checkpoint fit the run going on from it: the same options and the same data rows. */
final class SparkCheckpoints {
  private SparkCheckpoints() {}

  /** The options' value of the checkpoints SparkTrain writes (cltrain train's have none). */
  static final String COMMAND = "cltrain-spark";

  /** The options a checkpoint must share with the run that goes on from it, with the words that name them. */
  private static final String[][] SAME_RUN = {{"dataFingerprint", "the data's rows"}, {"layers", "--layers"},
      {"net", "--net"}, {"inputShape", "--input-shape"}, {"features", "--features"}, {"activation", "--activation"},
      {"loss", "--loss"}, {"optimizer", "--optimizer"}, {"lr", "--lr"}, {"batchSize", "--batch-size"},
      {"seed", "--seed"}, {"partitions", "--partitions"}, {"averageEvery", "--average-every"},
      {"standardize", "--standardize"}, {"validationSplit", "--validation-split"}, {"weightDecay", "--weight-decay"},
      {"decayAll", "--decay-all"}, {"clipNorm", "--clip-norm"}, {"labelSmoothing", "--label-smoothing"}};

  /**
   * What makes a checkpoint's run another than this one (null when none): every option but --data's path (the
   * data's rows are compared by their fingerprint), --epochs (the total, which may grow) and --device.
   */
  static String otherRun(ObjectNode saved, ObjectNode current) {
    if (!COMMAND.equals(saved.path("command").asText())) {
      return "it holds no SparkTrain options (a checkpoint of cltrain train, or of an older SparkTrain)";
    }
    JsonNode now = roundTrip(current);
    JsonNode then = roundTrip(saved);
    for (String[] option : SAME_RUN) {
      JsonNode a = then.get(option[0]);
      JsonNode b = now.get(option[0]);
      if (!java.util.Objects.equals(a == null || a.isNull() ? null : a, b == null || b.isNull() ? null : b)) {
        return option[1] + " " + shown(a) + " there, " + shown(b) + " here";
      }
    }
    return null;
  }

  /** The options as a checkpoint file holds them (numbers as they read back), so that both sides compare alike. */
  private static JsonNode roundTrip(ObjectNode options) {
    ObjectMapper json = new ObjectMapper();
    try {
      return json.readTree(json.writeValueAsString(options));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("options are JSON", e);
    }
  }

  private static String shown(JsonNode value) {
    return value == null || value.isNull() ? "(none)" : value.isTextual() ? value.asText() : value.toString();
  }

  /**
   * The rows' fingerprint: SHA-256 over the partitions in order, each over its rows' inputs and targets as
   * little-endian float bits (one pass over the cached partitions); 32 hex digits.
   */
  static String fingerprint(SparkData.Loaded loaded) {
    MessageDigest all = sha256();
    for (byte[] part : loaded.shards().map(SparkCheckpoints::fingerprint).collect()) {
      all.update(part);
    }
    return HexFormat.of().formatHex(all.digest(), 0, 16);
  }

  private static byte[] fingerprint(SparkData.Shard shard) {
    MessageDigest sha = sha256();
    ByteBuffer bytes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putInt(shard.rows());
    for (float[] values : new float[][] {shard.x(), shard.y()}) {
      bytes.putInt(values.length);
      for (float v : values) {
        if (bytes.remaining() < Float.BYTES) {
          sha.update(bytes.flip());
          bytes.clear();
        }
        bytes.putFloat(v);
      }
      sha.update(bytes.flip());
      bytes.clear();
    }
    sha.update(bytes.flip());
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
