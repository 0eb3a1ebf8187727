package dev.cltrain.nn;

import dev.cltrain.io.AtomicFiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model file, written by {@code --save} and read by {@code --init-model}:
 * <pre>
 * {"format":"cltrain-model","version":1,"loss":"mse","inputScale":1.0,
 *  "layers":[{"inputs":2,"outputs":1,"activation":"sigmoid","weights":[[w00],[w10]],"bias":[b0]}]}
 * </pre>
 * weights as {@code inputs} rows of {@code outputs} numbers. {@code inputScale} (optional, default 1) is
 * what raw inputs are multiplied by (1/255 for IDX pixels). The output layer's activation must be the
 * loss's (sigmoid for mse, softmax for xent), and softmax appears nowhere else. Floats are written in their shortest exact form,
 * so a saved model reads back bit for bit. Every defect is an {@link InputException} naming the file and field.
 */
public final class ModelJson {
  /** The {@code "format"} field every model file carries. */
  public static final String FORMAT = "cltrain-model";
  /** The {@code "version"} this code writes and the only one it reads. */
  public static final int VERSION = 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ModelJson() {}

  /**
   * The model file's text: pretty-printed JSON in the format above, ending in a newline.
   *
   * @param network the model to write
   * @return the JSON text, which {@link #parse} reads back to an equal network
   */
  public static String toJson(Network network) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toNode(network)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise model", e);
    }
  }

  /**
   * The model file's JSON tree (what {@link #toJson} prints), for a file that holds a model inside it (a
   * checkpoint) without printing and parsing it again.
   *
   * @param network the model
   * @return a new tree in the format above
   */
  public static ObjectNode toNode(Network network) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("loss", network.loss().id);
    root.put("inputScale", network.inputScale());
    if (network.classNames() != null) { // optional fields, absent from version 1 files written before them
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
    ArrayNode layers = root.putArray("layers");
    for (Layer layer : network.layers()) {
      ObjectNode node = layers.addObject();
      node.put("inputs", layer.inputs());
      node.put("outputs", layer.outputs());
      node.put("activation", layer.activation().id);
      ArrayNode weights = node.putArray("weights");
      for (int i = 0; i < layer.inputs(); i++) {
        ArrayNode row = weights.addArray();
        for (int j = 0; j < layer.outputs(); j++) {
          row.add(layer.weight(i, j));
        }
      }
      ArrayNode bias = node.putArray("bias");
      for (float b : layer.bias()) {
        bias.add(b);
      }
    }
    return root;
  }

  /**
   * Writes the model atomically: a temporary file beside the target, then a rename over it.
   *
   * @param network the model to save
   * @param file    the model file to create or replace
   * @throws InputException if the file cannot be written; an old file is left as it was
   */
  public static void save(Network network, Path file) {
    AtomicFiles.writeString(file, toJson(network));
  }

  /**
   * Reads and checks a model file.
   *
   * @param file the model JSON file
   * @return the network it holds
   * @throws InputException if the file is missing, a folder, unreadable, or not a valid model; the message
   *     names the file and, for a defect, the field
   */
  public static Network read(Path file) {
    String name = file.toString();
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new InputException(name + ": is a directory, expected a model JSON file");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InputException(name + ": file not found");
    } catch (AccessDeniedException e) {
      throw new InputException(name + ": permission denied");
    } catch (IOException e) {
      throw new InputException(name + ": cannot read (" + e.getMessage() + ")");
    }
    return parse(text, name);
  }

  /**
   * Parses and checks a model file's text.
   *
   * @param text the JSON text
   * @param name where the text came from (usually the file's path), to begin every message with
   * @return the network it holds
   * @throws InputException if the text is not valid JSON or not a valid model, naming the field at fault
   */
  public static Network parse(String text, String name) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new InputException(name + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
          + ": not valid JSON (" + e.getOriginalMessage() + ")");
    }
    return parse(root, name);
  }

  /**
   * Checks a model's JSON tree, e.g. one inside a checkpoint, as {@link #parse(String, String)} checks text.
   *
   * @param root the tree
   * @param name where it came from, to begin every message with
   * @return the network it holds
   * @throws InputException if it is not a valid model, naming the field at fault
   */
  public static Network parse(JsonNode root, String name) {
    if (root == null || !root.isObject()) {
      throw new InputException(name + ": expected a JSON object with \"format\": \"" + FORMAT + "\"");
    }
    if (!FORMAT.equals(root.path("format").asText(null))) {
      throw new InputException(name + ": \"format\" must be \"" + FORMAT + "\"");
    }
    if (!root.path("version").isInt() || root.get("version").intValue() != VERSION) {
      throw new InputException(name + ": unsupported \"version\" " + root.path("version")
          + " (this cltrain reads version " + VERSION + ")");
    }
    Loss loss = Loss.parse(text(root, "loss", name), name + ": \"loss\"");
    JsonNode layersNode = root.path("layers");
    if (!layersNode.isArray() || layersNode.isEmpty()) {
      throw new InputException(name + ": \"layers\" must be a non-empty array");
    }
    float inputScale = 1.0f;
    if (root.has("inputScale")) {
      inputScale = finite(root.get("inputScale"), name + ": \"inputScale\"");
      if (!(inputScale > 0)) {
        throw new InputException(name + ": \"inputScale\" must be positive, found " + inputScale);
      }
    }
    List<Layer> layers = new ArrayList<>();
    for (int l = 0; l < layersNode.size(); l++) {
      String where = name + ": layers[" + l + "]";
      Layer layer = parseLayer(layersNode.get(l), where);
      boolean last = l == layersNode.size() - 1;
      if (last && !loss.allowsOutput(layer.activation())) {
        throw new InputException(where + ".activation: the output layer under loss '" + loss.id + "' must be '"
            + loss.output.id + "'" + (loss == Loss.MSE ? " or 'identity'" : "") + ", found '"
            + layer.activation().id + "'");
      }
      if (!last && layer.activation() == Activation.SOFTMAX) {
        throw new InputException(where + ".activation: softmax is only for the output layer");
      }
      if (l > 0 && layer.inputs() != layers.get(l - 1).outputs()) {
        throw new InputException(where + ": \"inputs\" is " + layer.inputs() + " but layers[" + (l - 1)
            + "] has " + layers.get(l - 1).outputs() + " outputs");
      }
      layers.add(layer);
    }
    List<String> classNames = null;
    if (root.has("classNames")) {
      JsonNode names = root.get("classNames");
      if (!names.isArray() || names.size() != layers.get(layers.size() - 1).outputs()) {
        throw new InputException(name + ": \"classNames\" must be an array of one name per output");
      }
      classNames = new ArrayList<>();
      for (JsonNode n : names) {
        if (!n.isTextual()) {
          throw new InputException(name + ": \"classNames\" holds a value that is not text: " + n);
        }
        classNames.add(n.asText());
      }
    }
    Standardization standardization = null;
    if (root.has("standardize")) {
      JsonNode st = root.get("standardize");
      int inputs = layers.get(0).inputs();
      float[] mean = floats(st.path("mean"), inputs, name + ": \"standardize\".mean");
      float[] std = floats(st.path("std"), inputs, name + ": \"standardize\".std");
      for (int i = 0; i < inputs; i++) {
        if (!(std[i] > 0)) {
          throw new InputException(name + ": \"standardize\".std[" + i + "] must be positive, found " + std[i]);
        }
      }
      standardization = new Standardization(mean, std);
    }
    return new Network(loss, layers, inputScale, classNames, standardization);
  }

  private static float[] floats(JsonNode node, int count, String where) {
    if (!node.isArray() || node.size() != count) {
      throw new InputException(where + " must be an array of " + count + " numbers");
    }
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = finite(node.get(i), where + "[" + i + "]");
    }
    return values;
  }

  private static Layer parseLayer(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new InputException(where + ": expected an object");
    }
    int inputs = positiveInt(node, "inputs", where);
    int outputs = positiveInt(node, "outputs", where);
    if ((long) inputs * outputs > Integer.MAX_VALUE / 2) {
      throw new InputException(where + ": " + inputs + " x " + outputs + " weights is too large");
    }
    Activation activation = Activation.parse(text(node, "activation", where), where + ".activation");
    JsonNode weightsNode = node.path("weights");
    if (!weightsNode.isArray() || weightsNode.size() != inputs) {
      throw new InputException(where + ".weights: expected " + inputs + " rows (one per input), found "
          + (weightsNode.isArray() ? weightsNode.size() + " rows" : "no array"));
    }
    float[] weights = new float[inputs * outputs];
    for (int i = 0; i < inputs; i++) {
      JsonNode row = weightsNode.get(i);
      if (!row.isArray() || row.size() != outputs) {
        throw new InputException(where + ".weights[" + i + "]: expected " + outputs + " numbers, found "
            + (row.isArray() ? row.size() : "no array"));
      }
      for (int j = 0; j < outputs; j++) {
        weights[i * outputs + j] = finite(row.get(j), where + ".weights[" + i + "][" + j + "]");
      }
    }
    JsonNode biasNode = node.path("bias");
    if (!biasNode.isArray() || biasNode.size() != outputs) {
      throw new InputException(where + ".bias: expected " + outputs + " numbers, found "
          + (biasNode.isArray() ? biasNode.size() : "no array"));
    }
    float[] bias = new float[outputs];
    for (int j = 0; j < outputs; j++) {
      bias[j] = finite(biasNode.get(j), where + ".bias[" + j + "]");
    }
    return new Layer(inputs, outputs, activation, weights, bias);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new InputException(where + ": \"" + field + "\" must be a string");
    }
    return value.asText();
  }

  private static int positiveInt(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isInt() || value.intValue() < 1) {
      throw new InputException(where + ": \"" + field + "\" must be a positive integer");
    }
    return value.intValue();
  }

  private static float finite(JsonNode value, String where) {
    if (value == null || !value.isNumber()) {
      throw new InputException(where + ": expected a number, found " + value);
    }
    float f = value.floatValue();
    if (!Float.isFinite(f)) {
      throw new InputException(where + ": " + value + " is not a finite float32");
    }
    return f;
  }
}
