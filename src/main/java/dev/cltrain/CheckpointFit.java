package dev.cltrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import dev.cltrain.device.TrainerState;
import dev.cltrain.nn.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Whether a checkpoint fits the run that goes on from it, one implementation for every entry point: a
 * {@link Training#resume resumed Training} ({@code cltrain train --resume}) and SparkTrain's {@code --checkpoint}.
 * The messages speak of the checkpoint and the run; each entry point puts its option and file in front.
 */
public final class CheckpointFit {
  private CheckpointFit() {}

  /** What this check says of a checkpoint whose state does not fit the run, before the reason. */
  public static final String DOES_NOT_FIT = "the checkpoint does not fit this training: ";

  /**
   * One recorded option whose value differs.
   *
   * @param key  the option's key in the checkpoint's options
   * @param then its value in the checkpoint, as shown ("(none)" when absent)
   * @param now  its value in this run, as shown
   */
  public record Difference(String key, String then, String now) {}

  /**
   * The first of {@code keys} whose value differs between a checkpoint's options and this run's, compared as a
   * checkpoint file holds them (numbers as they read back); an absent key equals a null one.
   *
   * @param saved   the checkpoint's options
   * @param current this run's options
   * @param keys    the options that make a run another, in the order to report them
   * @return the first difference, or null when the runs are the same
   */
  public static Difference otherRun(ObjectNode saved, ObjectNode current, List<String> keys) {
    JsonNode now = roundTrip(current);
    JsonNode then = roundTrip(saved);
    for (String key : keys) {
      JsonNode a = orNull(then.get(key));
      JsonNode b = orNull(now.get(key));
      if (!Objects.equals(a, b)) {
        return new Difference(key, shown(a), shown(b));
      }
    }
    return null;
  }

  /**
   * Restores a checkpoint's state into a run of {@code initial}: refused when the state's network has other
   * widths, or when the run's restore finds a buffer that does not fit.
   *
   * @param state   the checkpoint's state
   * @param initial the run's initial network
   * @param into    the run's restore (a trainer's, a partition driver's)
   * @throws InputException {@value #DOES_NOT_FIT} and the reason
   */
  public static void restore(TrainerState state, Network initial, Consumer<TrainerState> into) {
    if (!Arrays.equals(state.network().widths(), initial.widths())) {
      throw new InputException(DOES_NOT_FIT + "a network of widths " + Arrays.toString(state.network().widths())
          + ", not " + Arrays.toString(initial.widths()));
    }
    try {
      into.accept(state);
    } catch (IllegalArgumentException e) {
      throw new InputException(DOES_NOT_FIT + firstLine(e.getMessage()), e);
    }
  }

  /**
   * Checks a resumed state's counts against the run's batches: the optimizer takes one step a batch, so
   * {@code step} is epoch × batches per epoch + batch; an unfinished epoch's correct counts fit in a batch.
   *
   * @param state     the checkpoint's state
   * @param batches   the run's batches per epoch
   * @param rows      the training set's rows
   * @param batchSize the run's rows per batch (0 or at least {@code rows}: the whole set)
   * @throws InputException naming the count that does not fit
   */
  public static void checkCounts(TrainerState state, int batches, int rows, int batchSize) {
    long steps = (long) state.epoch() * batches + state.batch();
    if (state.step() != steps) {
      throw new InputException("\"step\" is " + state.step() + ", but epoch " + state.epoch() + " and batch "
          + state.batch() + " (" + batches + " batches an epoch) make " + steps);
    }
    if (state.correctSlots() != null) {
      int batchRows = batchSize <= 0 || batchSize >= rows ? rows : batchSize;
      for (int i = 0; i < state.correctSlots().length; i++) {
        if (state.correctSlots()[i] > batchRows) {
          throw new InputException("\"correctSlots\" value " + i + " is " + state.correctSlots()[i]
              + ", more than the " + batchRows + " rows of a batch");
        }
      }
    }
  }

  /**
   * One part of a data set's fingerprint: SHA-256 over its row count, then its inputs' and its targets' counts and
   * values as little-endian float bits.
   *
   * @param rows the part's rows
   * @param x    its inputs
   * @param y    its targets
   * @return the part's digest
   */
  public static byte[] digest(int rows, float[] x, float[] y) {
    MessageDigest sha = sha256();
    ByteBuffer bytes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putInt(rows);
    for (float[] values : new float[][] {x, y}) {
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

  /**
   * @param parts the parts' {@link #digest digests}, in order
   * @return the data's fingerprint: SHA-256 over the parts' digests, its first 32 hex digits
   */
  public static String fingerprint(List<byte[]> parts) {
    MessageDigest all = sha256();
    parts.forEach(all::update);
    return HexFormat.of().formatHex(all.digest(), 0, 16);
  }

  private static JsonNode roundTrip(ObjectNode options) {
    ObjectMapper json = new ObjectMapper();
    try {
      return json.readTree(json.writeValueAsString(options));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("options are JSON", e);
    }
  }

  private static JsonNode orNull(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }

  private static String shown(JsonNode value) {
    return value == null ? "(none)" : value.isTextual() ? value.asText() : value.toString();
  }

  private static String firstLine(String s) {
    String m = String.valueOf(s);
    int end = m.indexOf('\n');
    return end < 0 ? m : m.substring(0, end);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
