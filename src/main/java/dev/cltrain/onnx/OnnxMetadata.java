package dev.cltrain.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.nn.Architecture;
import dev.cltrain.nn.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata_props of an exported model. cltrain writes what it knows of the network ({@value #LOSS},
 * {@value #ARCHITECTURE}, {@value #INPUT_SHAPE}, {@value #INPUT_SCALE}, {@value #CLASS_NAMES} as a JSON array,
 * {@value #DROPOUT_SEED}) and the caller's training facts (e.g. {@value #EPOCHS}, {@value #FINAL_LOSS},
 * {@value #DATA}, {@value #DATA_SHAPE}); on import it takes back the loss, class names and dropout seed, which
 * the graph alone does not hold.
 */
public final class OnnxMetadata {
  /** The loss the model was trained with: mse or xent. */
  public static final String LOSS = "loss";
  /** The network, as {@code cltrain} describes it (e.g. conv:32:3,relu,maxpool:2,flatten,dense:10). */
  public static final String ARCHITECTURE = "architecture";
  /** One input row's shape: HxWxC for an image (HWC rows), else the row's width. */
  public static final String INPUT_SHAPE = "input_shape";
  /** What raw inputs are multiplied by before the first layer (also a node of the graph). */
  public static final String INPUT_SCALE = "input_scale";
  /** The output classes' names, a JSON array of strings. */
  public static final String CLASS_NAMES = "class_names";
  /** The dropout masks' seed, an unsigned 64-bit integer, for further training. */
  public static final String DROPOUT_SEED = "dropout_seed";
  /** Epochs trained in all. */
  public static final String EPOCHS = "epochs";
  /** The training loss of the last epoch. */
  public static final String FINAL_LOSS = "final_loss";
  /** The training data set's name. */
  public static final String DATA = "data";
  /** The training data's shape: rows x the input row's shape. */
  public static final String DATA_SHAPE = "data_shape";
  /** The training rows' augmentation, e.g. "flip,crop:2" (only when augmented). */
  public static final String AUGMENT = "augment";
  /** The first layers frozen while training ({@code --freeze}, only when some were). */
  public static final String FREEZE = "freeze";
  /** The outputs of the fresh output layer training began with ({@code --new-head}, only when it did). */
  public static final String NEW_HEAD = "new_head";
  /** A text model's token rule, T and vocabulary, as the model JSON's "text" object. */
  public static final String TEXT = "text";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OnnxMetadata() {}

  /** {@return the network's own facts followed by the caller's, the caller's winning on a clash} */
  static Map<String, String> of(Network network, Map<String, String> facts) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(LOSS, network.loss().id);
    m.put(ARCHITECTURE, Architecture.describe(network));
    m.put(INPUT_SHAPE, network.hasFeatures() ? network.input().toString()
        : Integer.toString(network.inputs()));
    m.put(INPUT_SCALE, Float.toString(network.inputScale()));
    if (network.classNames() != null) {
      try {
        m.put(CLASS_NAMES, MAPPER.writeValueAsString(network.classNames()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    if (network.vocabulary() != null) {
      m.put(TEXT, network.vocabulary().toNode().toString());
    }
    if (network.hasFeatures()) {
      m.put(DROPOUT_SEED, Long.toUnsignedString(network.dropoutSeed()));
    }
    if (facts != null) {
      m.putAll(facts);
    }
    return m;
  }

  /**
   * {@return the vocabulary in {@value #TEXT} for a network of {@code inputs} inputs, or null when absent or
   * malformed (metadata are notes: read leniently, as the class names)}
   */
  static dev.cltrain.nn.Vocabulary vocabulary(Map<String, String> metadata, int inputs) {
    String text = metadata.get(TEXT);
    if (text == null) {
      return null;
    }
    try {
      return dev.cltrain.nn.Vocabulary.fromNode(MAPPER.readTree(text), inputs, TEXT);
    } catch (JsonProcessingException | dev.cltrain.core.InputException e) {
      return null;
    }
  }

  /** {@return the class names in {@value #CLASS_NAMES}, or null when absent or not an array of strings} */
  static List<String> classNames(Map<String, String> metadata) {
    String text = metadata.get(CLASS_NAMES);
    if (text == null) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || !node.isArray()) {
        return null;
      }
      List<String> names = new ArrayList<>();
      for (JsonNode n : node) {
        if (!n.isTextual()) {
          return null;
        }
        names.add(n.asText());
      }
      return names;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
