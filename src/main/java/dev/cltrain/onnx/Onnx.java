package dev.cltrain.onnx;

import dev.cltrain.core.InputException;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.nn.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX files of cltrain networks: {@link #save} writes any network cltrain trains as a standard ONNX model
 * (opset {@value #OPSET}, IR version {@value #IR_VERSION}) that ONNX Runtime runs; {@link #read} takes such a file
 * back, or a plain MLP or small CNN as PyTorch's and Keras's exporters write it. The graph's input
 * {@value #INPUT} takes raw rows, as {@code cltrain predict} does (batch dimension {@value #BATCH}); its output
 * {@value #OUTPUT} is the model's outputs (class probabilities for an xent model).
 */
public final class Onnx {
  /** The operator set the exported graphs use (ai.onnx domain). */
  public static final int OPSET = 17;
  /** The IR version of the exported files (ONNX 1.12 and later read it). */
  public static final long IR_VERSION = 8;
  /** The graph input's name. */
  public static final String INPUT = "input";
  /** The graph output's name. */
  public static final String OUTPUT = "output";
  /** The batch dimension's symbolic name. */
  public static final String BATCH = "batch";
  /** The producer name in exported files. */
  public static final String PRODUCER = "cltrain";
  /** The largest ONNX file read: a model of {@link Network#MAX_LAYER_WEIGHTS}-weight layers stays far below. */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;

  private Onnx() {}

  /** {@return cltrain's version, as exported files name their producer} */
  static String producerVersion() {
    String v = Onnx.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0";
  }

  /**
   * The ONNX file's bytes for a network.
   *
   * @param network  any network cltrain trains
   * @param metadata key-value pairs stored as the model's metadata_props (e.g. training facts), in order
   * @return the serialised ModelProto
   */
  public static byte[] toBytes(Network network, Map<String, String> metadata) {
    return OnnxExport.model(network, OnnxMetadata.of(network, metadata)).encode();
  }

  /**
   * Writes a network as an ONNX file, atomically: a failure leaves any earlier file whole.
   *
   * @param network  any network cltrain trains
   * @param file     where to write it
   * @param metadata key-value pairs stored as the model's metadata (e.g. training facts)
   * @throws InputException when the file cannot be written
   */
  public static void save(Network network, Path file, Map<String, String> metadata) {
    AtomicFiles.writeBytes(file, toBytes(network, metadata));
  }

  /**
   * Reads an ONNX model into a cltrain network.
   *
   * @param file an ONNX file
   * @return the network, its weights and input handling
   * @throws InputException naming the file and, for an unsupported graph, the first unsupported operator or
   *     attribute and its node
   */
  public static Network read(Path file) {
    return fromBytes(readBytes(file), file.toString());
  }

  /**
   * An ONNX model read, with what its file leaves unsaid.
   *
   * @param network          the network, as {@link #read} gives it
   * @param metadata         the file's metadata_props, in order
   * @param inputScaleStated whether the file says what raw inputs are multiplied by: a Div or Mul by a scalar on
   *     the input, or cltrain's input_scale metadata; else {@code network.inputScale()} is 1 by assumption
   * @param logits           whether the output layer has no activation and nothing declares the loss: logits (as
   *     PyTorch classifiers are usually exported) read as an mse regression
   */
  public record Imported(Network network, Map<String, String> metadata, boolean inputScaleStated, boolean logits) {}

  /**
   * Reads an ONNX model, and what its file leaves unsaid.
   *
   * @param file an ONNX file
   * @return the network, the metadata and what was assumed
   * @throws InputException as {@link #read}
   */
  public static Imported readImported(Path file) {
    return OnnxImport.imported(decode(readBytes(file), file.toString()), file.toString());
  }

  /**
   * The metadata an ONNX file holds (its metadata_props), in order.
   *
   * @param file an ONNX file
   * @return key to value
   * @throws InputException when the file cannot be read or is not an ONNX model
   */
  public static Map<String, String> metadata(Path file) {
    return decode(readBytes(file), file.toString()).metadata();
  }

  /**
   * Reads ONNX bytes into a cltrain network.
   *
   * @param bytes the serialised ModelProto
   * @param name  what to call it in messages (the file name)
   * @return the network
   * @throws InputException one line naming {@code name} and what is wrong
   */
  public static Network fromBytes(byte[] bytes, String name) {
    return OnnxImport.network(decode(bytes, name), name);
  }

  private static OnnxProto.Model decode(byte[] bytes, String name) {
    try {
      return OnnxProto.decode(bytes);
    } catch (Wire.Malformed e) {
      throw new InputException(name + ": not a readable ONNX model: " + e.getMessage());
    }
  }

  /**
   * Whether a file holds ONNX rather than model JSON: its name ends in .onnx, or it starts as a ModelProto does
   * (field 1, ir_version) rather than as JSON text.
   *
   * @param file a model file
   * @return true for ONNX
   */
  public static boolean isOnnx(Path file) {
    if (hasOnnxName(file)) {
      return true;
    }
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x08;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * @param file a file name
   * @return whether it ends in .onnx, in any case: the name that asks for ONNX when writing
   */
  public static boolean hasOnnxName(Path file) {
    return file.getFileName() != null
        && file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
  }

  private static byte[] readBytes(Path file) {
    try {
      if (Files.isDirectory(file)) {
        throw new InputException(file + ": is a directory, expected an ONNX file");
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new InputException(file + ": " + size + " bytes, more than an ONNX file cltrain reads (2 GiB)");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InputException(file + ": file not found");
    } catch (AccessDeniedException e) {
      throw new InputException(file + ": permission denied");
    } catch (IOException e) {
      throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }
}
