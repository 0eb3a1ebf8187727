package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.device.TrainerState;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A training checkpoint file: the command's options (so {@code train --resume FILE} needs nothing else) and a
 * {@link TrainerState}. JSON, with the model as in a saved model and the large arrays (optimizer buffers, the
 * generator's words, an unfinished epoch's row order) as base64 of little-endian float32/int32, exact to the
 * bit. A network with convolutions, pooling or dropout is held as a version 2 model (see {@link ModelJson}) in a
 * checkpoint of the same version; its optimizer state has the convolutions' entries first, then the dense
 * layers'. Written atomically: a crash while writing leaves the previous checkpoint whole.
 *
 * <p>Thread-safe to share; {@link #write} and {@link #read} touch only the file given.
 *
 * @param options the training command's options, as the command wrote them (may be null)
 * @param state   where training stands
 * @param devices for data-parallel training, the devices' ids in device order ({@code "devices"}); else null
 * @param shares  for data-parallel training, each device's share of a batch's rows ({@code "shards"}), the split
 *                the run used (measured or given); else null
 */
public record Checkpoint(ObjectNode options, TrainerState state, List<String> devices, int[] shares) {
  /**
   * Checks that devices and shares come together, two or more, one share per device, each positive.
   *
   * @param options the training command's options (may be null)
   * @param state   where training stands
   * @param devices the devices' ids for data-parallel training, else null
   * @param shares  each device's share of a batch's rows for data-parallel training, else null
   * @throws IllegalArgumentException when they do not
   */
  public Checkpoint {
    if ((devices == null) != (shares == null)) {
      throw new IllegalArgumentException("devices and shards come together");
    }
    if (devices != null) {
      devices = List.copyOf(devices);
      shares = shares.clone();
      if (devices.size() < 2 || shares.length != devices.size()) {
        throw new IllegalArgumentException(devices.size() + " devices and " + shares.length + " shards: "
            + "data-parallel training takes two or more devices, one share each");
      }
      for (int share : shares) {
        if (share < 1) {
          throw new IllegalArgumentException("shards must be positive: " + java.util.Arrays.toString(shares));
        }
      }
    }
  }

  /**
   * A checkpoint of training on one device.
   *
   * @param options the training command's options (may be null)
   * @param state   where training stands
   */
  public Checkpoint(ObjectNode options, TrainerState state) {
    this(options, state, null, null);
  }

  /** {@return each device's share (a copy), or null for training on one device} */
  @Override
  public int[] shares() {
    return shares == null ? null : shares.clone();
  }

  /** The file's {@code "format"} field. */
  public static final String FORMAT = "cltrain-checkpoint";
  /** The file's {@code "version"} field: the one layout this cltrain reads and writes. */
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Writes this checkpoint atomically: a crash while writing leaves the previous file whole.
   *
   * @param file where to write it
   */
  public void write(Path file) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.set("options", options);
    root.put("epoch", state.epoch());
    root.put("batch", state.batch());
    root.put("step", state.step());
    root.set("model", ModelJson.toNode(state.network()));
    ArrayNode layers = root.putArray("optimizerState");
    for (List<float[]> layer : state.optimizerState()) {
      ArrayNode buffers = layers.addArray();
      layer.forEach(values -> buffers.add(floats(values)));
    }
    ObjectNode shuffler = root.putObject("shuffler");
    shuffler.put("key", ints(state.shuffler().key()));
    shuffler.put("pos", state.shuffler().pos());
    shuffler.put("hasGauss", state.shuffler().hasGauss());
    shuffler.put("gauss", state.shuffler().gauss());
    if (devices != null) {
      ArrayNode ids = root.putArray("devices");
      devices.forEach(ids::add);
      ArrayNode split = root.putArray("shards");
      for (int share : shares) {
        split.add(share);
      }
    }
    if (state.batch() > 0) {
      root.put("order", ints(state.order()));
      root.put("lossSlots", floats(state.lossSlots()));
      root.put("correctSlots", floats(state.correctSlots()));
    }
    try {
      AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the checkpoint: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a checkpoint.
   *
   * @param file the checkpoint file
   * @return the options and state it holds
   * @throws InputException naming the file and what is wrong with it
   */
  public static Checkpoint read(Path file) {
    return read(file, "checkpoint");
  }

  /**
   * Reads a checkpoint that an option names (train's {@code --resume}, SparkTrain's {@code --checkpoint}).
   *
   * @param file   the checkpoint file
   * @param option the option that named it, for messages (Java's {@link #read(Path)}: "checkpoint")
   * @return the options and state it holds
   * @throws InputException naming the option, the file and what is wrong with it
   */
  public static Checkpoint read(Path file, String option) {
    String where = option + " " + file;
    JsonNode root;
    if (Files.isDirectory(file)) {
      throw new InputException(where + ": is a directory, not a checkpoint file");
    }
    try {
      root = reader(Files.size(file)).readTree(file.toFile());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(where + ": no such file");
    } catch (IOException | RuntimeException e) {
      throw new InputException(where + ": not a readable JSON checkpoint (" + firstLine(e.getMessage()) + ")");
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new InputException(where + ": not a cltrain checkpoint (no \"format\": \"" + FORMAT + "\")");
    }
    if (root.path("version").asInt() != VERSION) {
      throw new InputException(where + ": checkpoint version " + root.path("version") + " (this cltrain reads " + VERSION + ")");
    }
    try {
      JsonNode options = root.get("options");
      if (options == null || !options.isObject()) {
        throw new IllegalArgumentException("no \"options\" object");
      }
      JsonNode model = required(root, "model");
      if (!model.isObject()) {
        throw new IllegalArgumentException("\"model\" is not a model object");
      }
      Network network = ModelJson.parse(model, file + " (model)");
      String badWeight = Network.firstNonFinite(network);
      if (badWeight != null) {
        throw new IllegalArgumentException("\"model\": " + badWeight.replace("became", "is"));
      }
      List<List<float[]>> optimizer = new ArrayList<>();
      int layer = 0;
      for (JsonNode buffers : array(root, "optimizerState")) {
        layer++;
        if (!buffers.isArray()) {
          throw new IllegalArgumentException("\"optimizerState\" layer " + layer + " is not an array");
        }
        List<float[]> list = new ArrayList<>();
        for (JsonNode buffer : buffers) {
          String name = "optimizerState layer " + layer + " buffer " + (list.size() + 1);
          list.add(finite(floats(buffer, name), name, false));
        }
        optimizer.add(list);
      }
      checkOptimizerState(network, optimizer);
      JsonNode s = required(root, "shuffler");
      NumpyRandom.State shuffler = new NumpyRandom.State(ints(required(s, "shuffler.key", "key"), "shuffler.key"),
          integer(required(s, "shuffler.pos", "pos"), "shuffler.pos"),
          required(s, "shuffler.hasGauss", "hasGauss").asBoolean(),
          finite(required(s, "shuffler.gauss", "gauss"), "shuffler.gauss"));
      try {
        NumpyRandom.fromState(shuffler); // validates
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("\"shuffler\": " + e.getMessage());
      }
      int epoch = nonNegative(root, "epoch");
      int batch = nonNegative(root, "batch");
      JsonNode stepNode = required(root, "step");
      if (!stepNode.canConvertToLong() || !stepNode.isIntegralNumber() || stepNode.asLong() < 0
          || stepNode.asLong() > MAX_STEP) {
        throw new IllegalArgumentException("\"step\" is not a count: " + stepNode);
      }
      long step = stepNode.asLong();
      int[] order = null;
      float[] losses = null;
      float[] correct = null;
      if (batch > 0) {
        order = ints(required(root, "order"), "order");
        checkPermutation(order);
        losses = finite(floats(required(root, "lossSlots"), "lossSlots"), "lossSlots", true);
        correct = finite(floats(required(root, "correctSlots"), "correctSlots"), "correctSlots", true);
        for (int i = 0; i < correct.length; i++) {
          if (correct[i] != Math.rint(correct[i]) || correct[i] > MAX_EXACT_COUNT) {
            throw new IllegalArgumentException("\"correctSlots\" value " + i + " is " + correct[i]
                + ", not a count of rows");
          }
        }
        if (losses.length != batch || correct.length != batch) {
          throw new IllegalArgumentException("\"lossSlots\" and \"correctSlots\" hold " + losses.length + " and "
              + correct.length + " values, not one per batch done (" + batch + ")");
        }
      }
      List<String> devices = null;
      int[] shares = null;
      if (root.has("devices") || root.has("shards")) {
        devices = new ArrayList<>();
        for (JsonNode id : array(root, "devices")) {
          if (!id.isTextual()) {
            throw new IllegalArgumentException("\"devices\" holds " + id + ", not a device id");
          }
          devices.add(id.asText());
        }
        List<Integer> split = new ArrayList<>();
        for (JsonNode share : array(root, "shards")) {
          split.add(integer(share, "shards"));
        }
        shares = split.stream().mapToInt(Integer::intValue).toArray();
      }
      return new Checkpoint((ObjectNode) options,
          new TrainerState(epoch, batch, step, network, optimizer, shuffler, order, losses, correct), devices, shares);
    } catch (InputException e) {
      throw new InputException(dev.cltrain.core.Wording.of(where, ": ", e.wording()));
    } catch (RuntimeException e) {
      throw new InputException(where + ": damaged checkpoint (" + firstLine(String.valueOf(e.getMessage())) + ")");
    }
  }

  /**
   * The most optimizer steps a checkpoint may count: 2^53, the largest count a double (Adam's bias correction
   * raises β to it) holds exactly; a run of one step a microsecond would take 285 years to reach it.
   */
  static final long MAX_STEP = 1L << 53;
  /** The largest whole number a float holds exactly: the most rows a batch's correct count may reach. */
  static final float MAX_EXACT_COUNT = 1 << 24;

  /** {@code values} when every one is finite (and, with {@code nonNegative}, at least 0); else names the first. */
  private static float[] finite(float[] values, String name, boolean nonNegative) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i]) || nonNegative && values[i] < 0) {
        throw new IllegalArgumentException("\"" + name + "\" value " + i + " is " + values[i]
            + (nonNegative ? ", not a finite value of 0 or more" : ", not a finite number"));
      }
    }
    return values;
  }

  private static double finite(JsonNode node, String name) {
    if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
      throw new IllegalArgumentException("\"" + name + "\" is not a finite number: " + node);
    }
    return node.asDouble();
  }

  /**
   * A reader for a checkpoint of {@code bytes} bytes: Jackson's default limits (20 million characters a
   * string, 1000 digits a number) would refuse the base64 arrays of a large network that {@link #write} wrote,
   * so the string limit is raised to the file's size (no string in it can be longer).
   */
  static ObjectMapper reader(long bytes) {
    int limit = (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, 1));
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxStringLength(Math.max(limit, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
        .build();
    return new ObjectMapper(JsonFactory.builder().streamReadConstraints(constraints).build());
  }

  /**
   * Checks that the optimizer's buffers fit the network: one entry per parameterised layer in layer order (a block's
   * {@link dev.cltrain.nn.Layer#trainedParts}), each
   * holding as many buffers for its first array (weights: k·k·C·filters or inputs·outputs values; a batch norm's
   * γ) as for its second (biases: filters or outputs values; β), weights' first, and every
   * entry the same number of buffers (0 for sgd, 2 for momentum, 4 for Adam); a layer of other than two arrays (a
   * recurrent layer's four, an embedding's one) as many per array, array by array.
   *
   * @throws IllegalArgumentException naming the entry and buffer that does not fit
   */
  static void checkOptimizerState(Network network, List<List<float[]>> state) {
    List<dev.cltrain.nn.Layer> trained = network.layers().stream().flatMap(l -> l.trainedParts().stream())
        .filter(l -> l.parameterCount() > 0).toList();
    int layers = trained.size();
    if (state.size() != layers) { // e.g. "2 conv and 3 dense layers": each kind with parameters, in layer order
      java.util.Map<String, Long> kinds = trained.stream().collect(java.util.stream.Collectors.groupingBy(
          l -> l.kind().ids.get(0), java.util.LinkedHashMap::new, java.util.stream.Collectors.counting()));
      throw new IllegalArgumentException("\"optimizerState\" holds " + state.size() + " layers, but the model has "
          + kinds.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
              .collect(java.util.stream.Collectors.joining(" and ")) + " layers");
    }
    java.util.Map<dev.cltrain.nn.LayerKind, Integer> seen = new java.util.EnumMap<>(dev.cltrain.nn.LayerKind.class);
    // the buffers of a two-array layer: the first entry's, or twice its per-array count when it has other than two
    int first = layers == 0 ? 2 : trained.get(0).parameters().size();
    int pair = layers == 0 || first == 2 ? (layers == 0 ? 0 : state.get(0).size())
        : state.get(0).size() % first == 0 ? 2 * (state.get(0).size() / first) : -1;
    for (int l = 0; l < layers; l++) {
      dev.cltrain.nn.Layer layer = trained.get(l);
      String name = layer.kind().ids.get(0) + " layer " + seen.merge(layer.kind(), 1, Integer::sum);
      List<float[]> arrays = layer.parameters();
      if (arrays.size() != 2) { // a recurrent layer's four arrays, an embedding's one: perArray buffers each
        checkArrays(state.get(l), pair < 0 ? -1 : pair / 2, l, name, arrays);
        continue;
      }
      long weights = arrays.get(0).length;
      long biases = arrays.get(1).length;
      List<float[]> buffers = state.get(l);
      if (buffers.size() % 2 != 0 || buffers.size() != pair) {
        throw new IllegalArgumentException("\"optimizerState\" layer " + (l + 1) + " (" + name + ") holds "
            + buffers.size() + " buffers, not " + (pair % 2 == 0 ? pair : "an even number")
            + " (as many for the weights as for the biases)");
      }
      for (int b = 0; b < buffers.size(); b++) {
        boolean ofWeights = b < buffers.size() / 2;
        long expected = ofWeights ? weights : biases;
        if (buffers.get(b).length != expected) {
          throw new IllegalArgumentException("\"optimizerState\" layer " + (l + 1) + " buffer " + (b + 1) + " holds "
              + buffers.get(b).length + " values, not " + expected + " (the " + (ofWeights ? "weights" : "biases")
              + " of " + name + ")");
        }
      }
    }
  }

  /** The entry of a layer of other than two arrays: as many buffers for each array, array by array. */
  private static void checkArrays(List<float[]> buffers, int perArray, int l, String name, List<float[]> arrays) {
    if (perArray < 0 || buffers.size() != perArray * arrays.size()) {
      throw new IllegalArgumentException("\"optimizerState\" layer " + (l + 1) + " (" + name + ") holds "
          + buffers.size() + " buffers, not " + (perArray < 0 ? "as many as the first layer's for each array"
              : perArray * arrays.size() + " (" + perArray + " for each of its " + arrays.size() + " arrays)"));
    }
    for (int b = 0; b < buffers.size(); b++) {
      int array = b / Math.max(1, perArray);
      if (buffers.get(b).length != arrays.get(array).length) {
        throw new IllegalArgumentException("\"optimizerState\" layer " + (l + 1) + " buffer " + (b + 1) + " holds "
            + buffers.get(b).length + " values, not " + arrays.get(array).length + " (array " + (array + 1) + " of "
            + name + ")");
      }
    }
  }

  /**
   * Checks that {@code order} holds every row index 0..length−1 exactly once; a file's indices reach the
   * devices' gather kernels, which must never read outside their buffers.
   */
  static void checkPermutation(int[] order) {
    boolean[] seen = new boolean[order.length];
    for (int i = 0; i < order.length; i++) {
      int row = order[i];
      if (row < 0 || row >= order.length) {
        throw new IllegalArgumentException("\"order\" holds row index " + row + " at position " + i
            + ", outside 0.." + (order.length - 1));
      }
      if (seen[row]) {
        throw new IllegalArgumentException("\"order\" holds row index " + row + " twice (at position " + i
            + "): not a permutation of 0.." + (order.length - 1));
      }
      seen[row] = true;
    }
  }

  private static JsonNode required(JsonNode parent, String field) {
    return required(parent, field, field);
  }

  private static JsonNode required(JsonNode parent, String name, String field) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException("the field \"" + name + "\" is missing");
    }
    return node;
  }

  private static int integer(JsonNode node, String name) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new IllegalArgumentException("\"" + name + "\" is not an integer: " + node);
    }
    return node.asInt();
  }

  private static float[] floats(JsonNode node, String name) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException("\"" + name + "\" is not a base64 float array");
    }
    try {
      return floats(node.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + name + "\": " + e.getMessage());
    }
  }

  private static int[] ints(JsonNode node, String name) {
    if (!node.isTextual()) {
      throw new IllegalArgumentException("\"" + name + "\" is not a base64 int array");
    }
    try {
      return ints(node.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + name + "\": " + e.getMessage());
    }
  }

  private static Iterable<JsonNode> array(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException("the field \"" + field + "\" is missing");
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("\"" + field + "\" is not an array");
    }
    return node;
  }

  private static int nonNegative(JsonNode root, String field) {
    JsonNode node = required(root, field);
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
      throw new IllegalArgumentException("\"" + field + "\" is not a count: " + node);
    }
    return node.asInt();
  }

  static String floats(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  static float[] floats(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() % 4 != 0) {
      throw new IllegalArgumentException("a float array of " + bytes.remaining() + " bytes");
    }
    float[] values = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  static String ints(int[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asIntBuffer().put(values);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  static int[] ints(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() % 4 != 0) {
      throw new IllegalArgumentException("an int array of " + bytes.remaining() + " bytes");
    }
    int[] values = new int[bytes.remaining() / 4];
    bytes.asIntBuffer().get(values);
    return values;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
