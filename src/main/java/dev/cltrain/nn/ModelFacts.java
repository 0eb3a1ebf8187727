package dev.cltrain.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model file says of the network besides its layers: the loss, the input scale, the class names and the
 * standardization ({@link ModelJson}'s header fields, the same in versions 1 and 2). The layers are each kind's
 * own codec ({@link LayerKind}).
 */
final class ModelFacts {
  private ModelFacts() {}

  /**
   * Writes the header fields in the file's order: loss, inputScale, then the optional classNames and standardize
   * (absent from version 1 files written before them).
   */
  static void write(Network network, ObjectNode root) {
    root.put("loss", network.loss().id);
    root.put("inputScale", network.inputScale());
    if (network.classNames() != null) {
      ArrayNode names = root.putArray("classNames");
      network.classNames().forEach(names::add);
    }
    if (network.standardization() != null) {
      ObjectNode st = root.putObject("standardize");
      ArrayNode mean = st.putArray("mean");
      for (float v : network.standardization().mean()) {
        mean.add(v);
      }
      ArrayNode std = st.putArray("std");
      for (float v : network.standardization().std()) {
        std.add(v);
      }
    }
    if (network.vocabulary() != null) { // only for text: every other model's bytes are as before
      root.set("text", network.vocabulary().toNode());
    }
  }

  /**
   * {@return the "text": the token rule, T and the vocabulary (ids 2..), or null when absent}
   * @throws InputException when malformed or T is not the network's inputs
   */
  static Vocabulary vocabulary(JsonNode root, int inputs, String name) {
    return root.has("text") ? Vocabulary.fromNode(root.get("text"), inputs, name + ": \"text\"") : null;
  }

  /** {@return the "loss"} @throws InputException when absent or unknown */
  static Loss loss(JsonNode root, String name) {
    return Loss.parse(ModelJson.text(root, "loss", name), name + ": \"loss\"");
  }

  /** {@return the "inputScale", 1 when absent} @throws InputException when not a positive finite number */
  static float inputScale(JsonNode root, String name) {
    if (!root.has("inputScale")) {
      return 1.0f;
    }
    float inputScale = ModelJson.finite(root.get("inputScale"), name + ": \"inputScale\"");
    if (!(inputScale > 0)) {
      throw new InputException(name + ": \"inputScale\" must be positive, found " + inputScale);
    }
    return inputScale;
  }

  /** {@return the "classNames", one per output, or null when absent} @throws InputException when not so */
  static List<String> classNames(JsonNode root, int outputs, String name) {
    if (!root.has("classNames")) {
      return null;
    }
    JsonNode names = root.get("classNames");
    if (!names.isArray() || names.size() != outputs) {
      throw new InputException(name + ": \"classNames\" must be an array of one name per output");
    }
    List<String> classNames = new ArrayList<>();
    for (JsonNode n : names) {
      if (!n.isTextual()) {
        throw new InputException(name + ": \"classNames\" holds a value that is not text: " + n);
      }
      classNames.add(n.asText());
    }
    return classNames;
  }

  /** {@return the "standardize" of {@code inputs} columns, or null when absent} @throws InputException when bad */
  static Standardization standardization(JsonNode root, int inputs, String name) {
    if (!root.has("standardize")) {
      return null;
    }
    JsonNode st = root.get("standardize");
    float[] mean = ModelJson.floats(st.path("mean"), inputs, name + ": \"standardize\".mean");
    float[] std = ModelJson.floats(st.path("std"), inputs, name + ": \"standardize\".std");
    for (int i = 0; i < inputs; i++) {
      if (!(std[i] > 0)) {
        throw new InputException(name + ": \"standardize\".std[" + i + "] must be positive, found " + std[i]);
      }
    }
    return new Standardization(mean, std);
  }
}
