package dev.cltrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.onnx.OnnxMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What training said of a model, kept with it: the model JSON's {@code "training"} object and an exported ONNX
 * file's metadata ({@link OnnxMetadata}). An immutable value; any field may be unknown.
 *
 * @param data      the training data's name (a file, folder or built-in table), or null
 * @param dataShape the training data's shape, rows x one input row's shape (e.g. 60000x28x28x1), or null
 * @param epochs    epochs trained in all (across resumes), or −1 when unknown
 * @param finalLoss the final weights' loss on the training set (training rounds it to 4 significant digits, as devices
 *     sum it in different orders), or NaN when unknown (e.g. a run stopped early)
 * @param augment   the training rows' augmentation ({@link dev.cltrain.nn.Augment#spec()}, e.g. "flip,crop:2"),
 *     or null for none (or unknown)
 * @param freeze    the first layers not trained ({@link Training#freeze}), 0 for none (or unknown)
 * @param newHead   the outputs of the fresh output layer the run began with ({@link Training#newHead}), 0 for none
 *     (or unknown)
 */
public record TrainingFacts(String data, String dataShape, int epochs, float finalLoss, String augment, int freeze,
    int newHead) {
  /** Nothing known. */
  public static final TrainingFacts UNKNOWN = new TrainingFacts(null, null, -1, Float.NaN);

  /**
   * Facts of a run without augmentation.
   *
   * @param data      the training data's name, or null
   * @param dataShape rows x one input row's shape, or null
   * @param epochs    epochs trained in all, or −1
   * @param finalLoss the final loss, or NaN
   */
  public TrainingFacts(String data, String dataShape, int epochs, float finalLoss) {
    this(data, dataShape, epochs, finalLoss, null);
  }

  /**
   * Facts of a run that trained every layer of the network it began with.
   *
   * @param data      the training data's name, or null
   * @param dataShape rows x one input row's shape, or null
   * @param epochs    epochs trained in all, or −1
   * @param finalLoss the final loss, or NaN
   * @param augment   the augmentation's spec, or null
   */
  public TrainingFacts(String data, String dataShape, int epochs, float finalLoss, String augment) {
    this(data, dataShape, epochs, finalLoss, augment, 0, 0);
  }

  /** {@return the facts as the model JSON's "training" object; null when nothing is known} */
  public ObjectNode toNode() {
    if (equals(UNKNOWN)) {
      return null;
    }
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    if (data != null) {
      node.put("data", data);
    }
    if (dataShape != null) {
      node.put("dataShape", dataShape);
    }
    if (epochs >= 0) {
      node.put("epochs", epochs);
    }
    if (!Float.isNaN(finalLoss)) {
      node.put("finalLoss", finalLoss);
    }
    if (augment != null) { // only when used: the facts of every other run are written as before
      node.put("augment", augment);
    }
    if (freeze > 0) { // these two only when used, as augment
      node.put("freeze", freeze);
    }
    if (newHead > 0) {
      node.put("newHead", newHead);
    }
    return node;
  }

  /**
   * Reads the model JSON's "training" object leniently: a missing or malformed field is unknown, since these are
   * notes about the model, not the model.
   *
   * @param node the object, or null
   * @return the facts
   */
  public static TrainingFacts fromNode(JsonNode node) {
    if (node == null || !node.isObject()) {
      return UNKNOWN;
    }
    JsonNode loss = node.get("finalLoss");
    JsonNode epochs = node.get("epochs");
    return new TrainingFacts(text(node.get("data")), text(node.get("dataShape")),
        epochs != null && epochs.canConvertToInt() && epochs.isIntegralNumber() ? Math.max(-1, epochs.asInt()) : -1,
        loss != null && loss.isNumber() ? (float) loss.asDouble() : Float.NaN, text(node.get("augment")),
        count(node.get("freeze")), count(node.get("newHead")));
  }

  /** {@return the facts as ONNX metadata entries (only those known)} */
  public Map<String, String> toMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    if (data != null) {
      m.put(OnnxMetadata.DATA, data);
    }
    if (dataShape != null) {
      m.put(OnnxMetadata.DATA_SHAPE, dataShape);
    }
    if (epochs >= 0) {
      m.put(OnnxMetadata.EPOCHS, Integer.toString(epochs));
    }
    if (!Float.isNaN(finalLoss)) {
      m.put(OnnxMetadata.FINAL_LOSS, Float.toString(finalLoss));
    }
    if (augment != null) {
      m.put(OnnxMetadata.AUGMENT, augment);
    }
    if (freeze > 0) {
      m.put(OnnxMetadata.FREEZE, Integer.toString(freeze));
    }
    if (newHead > 0) {
      m.put(OnnxMetadata.NEW_HEAD, Integer.toString(newHead));
    }
    return m;
  }

  /**
   * The facts in an ONNX file's metadata, leniently as {@link #fromNode}.
   *
   * @param metadata the file's metadata_props
   * @return the facts
   */
  public static TrainingFacts fromMetadata(Map<String, String> metadata) {
    int epochs = -1;
    float loss = Float.NaN;
    try {
      epochs = Math.max(-1, Integer.parseInt(metadata.getOrDefault(OnnxMetadata.EPOCHS, "-1")));
    } catch (NumberFormatException e) {
      // unknown
    }
    try {
      loss = Float.parseFloat(metadata.getOrDefault(OnnxMetadata.FINAL_LOSS, "NaN"));
    } catch (NumberFormatException e) {
      // unknown
    }
    return new TrainingFacts(metadata.get(OnnxMetadata.DATA), metadata.get(OnnxMetadata.DATA_SHAPE), epochs, loss,
        metadata.get(OnnxMetadata.AUGMENT), count(metadata.get(OnnxMetadata.FREEZE)),
        count(metadata.get(OnnxMetadata.NEW_HEAD)));
  }

  /** A positive count as a JSON node or metadata text gives it; 0 (unknown) for anything else. */
  private static int count(Object value) {
    if (value instanceof JsonNode n) {
      return n.isIntegralNumber() && n.canConvertToInt() ? Math.max(0, n.asInt()) : 0;
    }
    try {
      return value == null ? 0 : Math.max(0, Integer.parseInt((String) value));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String text(JsonNode n) {
    return n != null && n.isTextual() ? n.asText() : null;
  }
}
