package dev.cltrain;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 * bit. Written atomically: a crash while writing leaves the previous checkpoint whole.
 *
 * <p>Thread-safe to share; {@link #write} and {@link #read} touch only the file given.
 *
 * @param options the training command's options, as the command wrote them (may be null)
 * @param state   where training stands
 */
public record Checkpoint(ObjectNode options, TrainerState state) {
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
    try {
      root.set("model", JSON.readTree(ModelJson.toJson(state.network())));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the model: " + e.getMessage(), e);
    }
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
    String where = "--resume " + file;
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
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
        throw new IllegalArgumentException("no options");
      }
      Network network = ModelJson.parse(root.get("model").toString(), file + " (model)");
      List<List<float[]>> optimizer = new ArrayList<>();
      for (JsonNode layer : array(root, "optimizerState")) {
        List<float[]> buffers = new ArrayList<>();
        for (JsonNode buffer : layer) {
          buffers.add(floats(buffer.asText()));
        }
        optimizer.add(buffers);
      }
      JsonNode s = root.get("shuffler");
      NumpyRandom.State shuffler = new NumpyRandom.State(ints(s.get("key").asText()), s.get("pos").asInt(),
          s.get("hasGauss").asBoolean(), s.get("gauss").asDouble());
      NumpyRandom.fromState(shuffler); // validates
      int epoch = nonNegative(root, "epoch");
      int batch = nonNegative(root, "batch");
      long step = root.get("step").asLong();
      int[] order = batch > 0 ? ints(root.get("order").asText()) : null;
      float[] losses = batch > 0 ? floats(root.get("lossSlots").asText()) : null;
      float[] correct = batch > 0 ? floats(root.get("correctSlots").asText()) : null;
      return new Checkpoint((ObjectNode) options,
          new TrainerState(epoch, batch, step, network, optimizer, shuffler, order, losses, correct));
    } catch (InputException e) {
      throw new InputException(where + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new InputException(where + ": damaged checkpoint (" + firstLine(String.valueOf(e.getMessage())) + ")");
    }
  }

  private static Iterable<JsonNode> array(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException("no " + field + " array");
    }
    return node;
  }

  private static int nonNegative(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.canConvertToInt() || node.asInt() < 0) {
      throw new IllegalArgumentException(field + " is not a count");
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
