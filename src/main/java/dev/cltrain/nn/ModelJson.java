package dev.cltrain.nn;

import dev.cltrain.io.AtomicFiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model file, written by {@code --save} and read by {@code --init-model}. Version 1, a stack of dense
 * layers:
 * <pre>
 * {"format":"cltrain-model","version":1,"loss":"mse","inputScale":1.0,
 *  "layers":[{"inputs":2,"outputs":1,"activation":"sigmoid","weights":[[w00],[w10]],"bias":[b0]}]}
 * </pre>
 * weights as {@code inputs} rows of {@code outputs} numbers. {@code inputScale} (optional, default 1) is
 * what raw inputs are multiplied by (1/255 for IDX pixels). The output layer's activation must be the
 * loss's (sigmoid for mse, softmax for xent), and softmax appears nowhere else. Floats are written in their shortest exact form,
 * so a saved model reads back bit for bit. Every defect is an {@link InputException} naming the file and field.
 *
 * <p>Version 2, written for a network with more than dense layers (convolutions, pooling, dropout)
 * and only for those, so that a dense network's file stays byte for byte what version 1 wrote: the input's
 * {@code "inputShape"} [height, width, channels] (samples are HWC rows), the {@code "dropoutSeed"} (an integer
 * 0 to 2⁶⁴−1) and a {@code "type"} per layer, in order:
 * <pre>
 * {"format":"cltrain-model","version":2,"loss":"xent","inputScale":0.003921569,
 *  "inputShape":[28,28,1],"dropoutSeed":0,
 *  "layers":[{"type":"conv","inputShape":[28,28,1],"filters":32,"kernel":3,"stride":1,"padding":"same",
 *             "activation":"relu","weights":[[...32 numbers], ...9 rows],"bias":[...32]},
 *            {"type":"maxpool","size":2}, {"type":"dropout","rate":0.25}, {"type":"flatten"},
 *            {"type":"dense","inputs":6272,"outputs":128,"activation":"relu","weights":...,"bias":...},
 *            {"type":"dropout","rate":0.5},
 *            {"type":"dense","inputs":128,"outputs":10,"activation":"softmax","weights":...,"bias":...}]}
 * </pre>
 * A conv's weights are k·k·C rows of {@code filters} numbers, row (ky·k + kx)·C + c (HWIO); {@code padding}
 * is {@code same} or {@code valid}; its {@code inputShape} must be what the layers before it give. Pooling
 * ({@code maxpool}, {@code avgpool}) has a {@code size}; {@code dropout} a {@code rate} in [0, 1), applied to
 * the output of the layer before it (a dense layer's, or the stages' before the first dense layer).
 * {@code flatten} is optional (written before the first dense layer); convolutions and pooling come before
 * it, and dense layers after. Every dense layer but the output layer may be followed by one {@code batchnorm}
 * (per unit) and then one dropout.
 */
public final class ModelJson {
  /** The {@code "format"} field every model file carries. */
  public static final String FORMAT = "cltrain-model";
  /** The {@code "version"} of a dense network's file: what it writes for those. */
  public static final int VERSION = 1;
  /**
   * The {@code "version"} of a file with a {@code "type"} per layer: written for networks with more than dense
   * layers ({@link Network#hasFeatures()}).
   */
  public static final int FEATURES_VERSION = 2;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ModelJson() {}

  /**
   * The model file's text: pretty-printed JSON in the format above, ending in a newline.
   *
   * @param network the model to write
   * @return the JSON text, which {@link #parse} reads back to an equal network
   */
  public static String toJson(Network network) {
    return toJson(toNode(network));
  }

  /**
   * A model file's text from its tree ({@link #toNode}, perhaps with fields beside the network such as
   * {@code "training"}), pretty-printed as {@link #toJson(Network)} prints.
   *
   * @param root the tree
   * @return the JSON text, ending in a newline
   */
  public static String toJson(ObjectNode root) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
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
    boolean features = network.hasFeatures();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", features ? FEATURES_VERSION : VERSION);
    ModelFacts.write(network, root);
    if (!features) {
      ArrayNode layers = root.putArray("layers");
      for (Dense layer : network.dense()) {
        LayerKind.writeDense(layer, layers.addObject());
      }
      return root;
    }
    putShape(root.putArray("inputShape"), network.input());
    root.put("dropoutSeed", new BigInteger(Long.toUnsignedString(network.dropoutSeed())));
    ArrayNode layers = root.putArray("layers");
    boolean flat = false;
    for (Layer layer : network.layers()) {
      if (!flat && layer.takesFlatInput()) {
        layers.addObject().put("type", "flatten");
        flat = true;
      }
      layer.kind().write(layer, layers.addObject());
    }
    return root;
  }

  static void putMatrix(ArrayNode rows, float[] values, int height, int width) {
    for (int i = 0; i < height; i++) {
      ArrayNode row = rows.addArray();
      for (int j = 0; j < width; j++) {
        row.add(values[i * width + j]);
      }
    }
  }

  static void putFloats(ArrayNode array, float[] values) {
    for (float v : values) {
      array.add(v);
    }
  }

  static void putShape(ArrayNode array, Shape shape) {
    array.add(shape.height()).add(shape.width()).add(shape.channels());
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
    return parse(readTree(file), file.toString());
  }

  /**
   * Reads a model file's JSON tree, unchecked (e.g. for fields beside the network, such as {@code "training"}).
   *
   * @param file the model JSON file
   * @return its tree
   * @throws InputException if the file is missing, a folder, unreadable or not JSON
   */
  public static JsonNode readTree(Path file) {
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
    } catch (java.nio.charset.MalformedInputException e) {
      throw new InputException(name + ": not UTF-8 text, so not model JSON (an ONNX model's name ends in .onnx)");
    } catch (IOException e) {
      throw new InputException(name + ": cannot read (" + e.getMessage() + ")");
    }
    return tree(text, name);
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
    return parse(tree(text, name), name);
  }

  private static JsonNode tree(String text, String name) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new InputException(name + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
          + ": not valid JSON (" + e.getOriginalMessage() + ")");
    }
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
    JsonNode versionNode = root.path("version");
    if (!versionNode.isInt() || (versionNode.intValue() != VERSION && versionNode.intValue() != FEATURES_VERSION)) {
      throw new InputException(name + ": unsupported \"version\" " + versionNode
          + " (this cltrain reads versions " + VERSION + " and " + FEATURES_VERSION + ")");
    }
    boolean typed = versionNode.intValue() == FEATURES_VERSION;
    Loss loss = ModelFacts.loss(root, name);
    JsonNode layersNode = root.path("layers");
    if (!layersNode.isArray() || layersNode.isEmpty()) {
      throw new InputException(name + ": \"layers\" must be a non-empty array");
    }
    float inputScale = ModelFacts.inputScale(root, name);
    List<Layer> layers = new ArrayList<>();
    List<Dense> dense = new ArrayList<>();
    List<String> denseWhere = new ArrayList<>();
    Shape input;
    long seed = 0;
    if (typed) {
      input = shape(root.get("inputShape"), name + ": \"inputShape\"");
      seed = unsigned64(root.get("dropoutSeed"), name + ": \"dropoutSeed\"");
      dense = parseTyped(input, layersNode, name, layers, denseWhere);
      for (int l = 0; l < dense.size(); l++) {
        checkActivation(loss, dense.get(l), l == dense.size() - 1, denseWhere.get(l));
      }
    } else {
      for (int l = 0; l < layersNode.size(); l++) {
        String where = name + ": layers[" + l + "]";
        JsonNode node = layersNode.get(l);
        if (node.isObject() && node.has("type") && !"dense".equals(node.get("type").asText(null))) {
          throw new InputException(where + ".type: " + node.get("type") + " layers need a version "
              + FEATURES_VERSION + " model file; version " + VERSION + " has dense layers only");
        }
        Dense layer = LayerKind.readDense(node, where);
        checkActivation(loss, layer, l == layersNode.size() - 1, where);
        if (l > 0 && layer.inputs() != dense.get(l - 1).outputs()) {
          throw new InputException(where + ": \"inputs\" is " + layer.inputs() + " but layers[" + (l - 1)
              + "] has " + dense.get(l - 1).outputs() + " outputs");
        }
        dense.add(layer);
      }
      layers.addAll(dense);
      input = dense.get(0).input();
    }
    List<String> classNames = ModelFacts.classNames(root, dense.get(dense.size() - 1).outputs(), name);
    Standardization standardization = ModelFacts.standardization(root, input.size(), name);
    Vocabulary vocabulary = ModelFacts.vocabulary(root, input.size(), name);
    try {
      return new Network(input, layers, loss, inputScale, classNames, standardization, seed, vocabulary);
    } catch (IllegalArgumentException e) { // every rule is checked above; this keeps a missed one to one line
      throw new InputException(name + ": " + e.getMessage());
    }
  }

  /** Fails unless the output layer has an activation the loss allows, and no other layer has softmax. */
  private static void checkActivation(Loss loss, Dense layer, boolean last, String where) {
    if (last && !loss.allowsOutput(layer.activation())) {
      throw new InputException(where + ".activation: the output layer under loss '" + loss.id + "' must be '"
          + loss.output.id + "'" + (loss == Loss.MSE ? " or 'identity'" : "") + ", found '"
          + layer.activation().id + "'");
    }
    if (!last && layer.activation() == Activation.SOFTMAX) {
      throw new InputException(where + ".activation: softmax is only for the output layer");
    }
  }

  /** The layer types of a version 2 file, for messages. */
  private static final String TYPES = "conv, maxpool, avgpool, dropout, gap, batchnorm, residual, flatten, dense";

  /**
   * Reads a version 2 file's typed layers into {@code layers} (and where each dense layer was into {@code
   * denseWhere}), each kind by its {@link LayerKind} codec.
   *
   * @return the dense head: the layers that {@link Layer#takesFlatInput() take a flat input}
   */
  private static List<Dense> parseTyped(Shape input, JsonNode layersNode, String name, List<Layer> layers,
      List<String> denseWhere) {
    Shape at = input;
    boolean flat = false;
    boolean dropoutAfterDense = false;
    String dropoutWhere = null;
    String normWhere = null; // a batch norm after the last dense layer read
    List<Dense> dense = new ArrayList<>();
    for (int l = 0; l < layersNode.size(); l++) {
      String where = name + ": layers[" + l + "]";
      JsonNode node = layersNode.get(l);
      if (!node.isObject()) {
        throw new InputException(where + ": expected an object");
      }
      JsonNode typeNode = node.get("type");
      if (typeNode == null || !typeNode.isTextual()) {
        throw new InputException(where + ": \"type\" must be a string (" + TYPES + ")");
      }
      String type = typeNode.asText();
      if (type.equals("flatten")) {
        if (flat) {
          throw new InputException(where + ": flatten must come once, before the first dense layer");
        }
        flat = true;
        continue;
      }
      LayerKind kind = LayerKind.forId(type);
      if (kind == null) {
        throw new InputException(where + ".type: unknown layer type '" + type + "' (" + TYPES + ")");
      }
      boolean afterDense = !denseWhere.isEmpty();
      if (kind == LayerKind.BATCHNORM && afterDense) {
        if (dropoutAfterDense || normWhere != null) {
          throw new InputException(where + ": a batch norm after " + denseWhere.get(denseWhere.size() - 1)
              .substring(name.length() + 2) + " comes once, before its dropout");
        }
        normWhere = where;
      } else if (kind == LayerKind.DROPOUT && afterDense) {
        if (dropoutAfterDense) {
          throw new InputException(where + ": a second dropout after " + denseWhere.get(denseWhere.size() - 1)
              .substring(name.length() + 2));
        }
        dropoutAfterDense = true;
        dropoutWhere = where;
      } else if (kind != LayerKind.DROPOUT && kind != LayerKind.DENSE && flat) {
        throw new InputException(where + ".type: a " + type + " layer must come before flatten and the dense "
            + "layers");
      }
      Layer layer;
      try {
        layer = kind.read(node, type, at, where);
      } catch (IllegalArgumentException e) { // every rule is checked; this keeps a missed one to one line
        throw new InputException(where + ": " + e.getMessage());
      }
      if (layer.takesFlatInput()) {
        flat = true;
        dropoutAfterDense = false;
        dropoutWhere = null;
        normWhere = null;
        Dense d = (Dense) layer;
        dense.add(d);
        if (d.inputs() != at.size()) {
          throw new InputException(where + ": \"inputs\" is " + d.inputs() + " but "
              + (!afterDense ? "the layers before it give " + at + " = " + at.size() + " values"
                  : denseWhere.get(denseWhere.size() - 1).substring(name.length() + 2) + " has " + at.size()
                      + " outputs"));
        }
        denseWhere.add(where);
      }
      if (kind == LayerKind.DROPOUT && afterDense && Float.floatToRawIntBits(((Dropout) layer).rate()) == 0) {
        at = layer.output(); // a rate of +0 after a dense layer is no dropout (and is not written back)
        continue;
      }
      layers.add(layer);
      at = layer.output();
    }
    if (denseWhere.isEmpty()) {
      throw new InputException(name + ": \"layers\" must end with dense layers (the output layer is dense)");
    }
    if (dropoutWhere != null) {
      throw new InputException(dropoutWhere + ": the output layer cannot have dropout");
    }
    if (normWhere != null) {
      throw new InputException(normWhere + ": the output layer cannot have a batch norm");
    }
    return dense;
  }

  /** A shape [height, width, channels] of positive integers whose product fits an int. */
  static Shape shape(JsonNode node, String where) {
    if (node == null || !node.isArray() || node.size() != 3) {
      throw new InputException(where + " must be [height, width, channels], found " + node);
    }
    int[] dims = new int[3];
    for (int i = 0; i < 3; i++) {
      JsonNode d = node.get(i);
      if (!d.isInt() || d.intValue() < 1) {
        throw new InputException(where + "[" + i + "] must be a positive integer, found " + d);
      }
      dims[i] = d.intValue();
    }
    if ((long) dims[0] * dims[1] * dims[2] > Integer.MAX_VALUE) {
      throw new InputException(where + ": " + dims[0] + "x" + dims[1] + "x" + dims[2] + " is more than 2^31-1 values");
    }
    return new Shape(dims[0], dims[1], dims[2]);
  }

  private static long unsigned64(JsonNode node, String where) {
    if (node == null || !node.isIntegralNumber() || node.bigIntegerValue().signum() < 0
        || node.bigIntegerValue().bitLength() > 64) {
      throw new InputException(where + " must be an integer from 0 to 18446744073709551615, found " + node);
    }
    return node.bigIntegerValue().longValue();
  }

  static float[] floats(JsonNode node, int count, String where) {
    if (!node.isArray() || node.size() != count) {
      throw new InputException(where + " must be an array of " + count + " numbers");
    }
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = finite(node.get(i), where + "[" + i + "]");
    }
    return values;
  }

  /**
   * {@code rows} arrays of {@code cols} numbers, row-major. Every row's length is checked before the array is
   * made, so a file that claims a large matrix must hold it: no allocation larger than the text.
   */
  static float[] matrix(JsonNode node, int rows, int cols, String where, String perRow) {
    if (!node.isArray() || node.size() != rows) {
      throw new InputException(where + ": expected " + rows + " rows (" + perRow + "), found "
          + (node.isArray() ? node.size() + " rows" : "no array"));
    }
    for (int i = 0; i < rows; i++) {
      JsonNode row = node.get(i);
      if (!row.isArray() || row.size() != cols) {
        throw new InputException(where + "[" + i + "]: expected " + cols + " numbers, found "
            + (row.isArray() ? row.size() : "no array"));
      }
    }
    float[] values = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      JsonNode row = node.get(i);
      for (int j = 0; j < cols; j++) {
        values[i * cols + j] = finite(row.get(j), where + "[" + i + "][" + j + "]");
      }
    }
    return values;
  }

  static float[] vector(JsonNode node, int count, String where) {
    if (!node.isArray() || node.size() != count) {
      throw new InputException(where + ": expected " + count + " numbers, found "
          + (node.isArray() ? node.size() : "no array"));
    }
    float[] values = new float[count];
    for (int j = 0; j < count; j++) {
      values[j] = finite(node.get(j), where + "[" + j + "]");
    }
    return values;
  }

  static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new InputException(where + ": \"" + field + "\" must be a string");
    }
    return value.asText();
  }

  static int positiveInt(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isInt() || value.intValue() < 1) {
      throw new InputException(where + ": \"" + field + "\" must be a positive integer");
    }
    return value.intValue();
  }

  static float finite(JsonNode value, String where) {
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
