package dev.cltrain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import dev.cltrain.device.TrainerState;
import dev.cltrain.nn.Network;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link TrainingRun}'s checkpoints: writes each of a state already checked to be finite, remembers the epoch of
 * the last one written, and counts those that could not be written. One that cannot be written (a full disk)
 * leaves the file as it was, the last good checkpoint: training goes on, the listener hears of it
 * ({@link EpochListener#onCheckpointFailed}) and {@link #failure()} says why.
 */
final class RunCheckpoints {
  private final Path file;
  private final ObjectNode options;
  private final EpochListener listener;
  private int lastEpoch = -1;
  /** Why the last checkpoint that could not be written failed, or null; and how many failed. */
  private String failure;
  private int failed;

  /**
   * @param file     where checkpoints go
   * @param options  the command's options they record
   * @param listener told of a checkpoint that could not be written, or null
   */
  RunCheckpoints(Path file, ObjectNode options, EpochListener listener) {
    this.file = file;
    this.options = options;
    this.listener = listener;
  }

  /**
   * Writes a checkpoint of {@code state} (with data-parallel training, its devices and the split it used, so that
   * a resume goes on with them), and remembers its epoch.
   *
   * @param state   a finite state ({@link #firstNonFinite} null)
   * @param devices the devices' ids, in device order
   * @param shares  each device's share of a batch for data-parallel training, else null
   * @return whether it was written
   */
  boolean write(TrainerState state, List<String> devices, int[] shares) {
    try {
      new Checkpoint(options, state, shares == null ? null : devices, shares).write(file);
    } catch (InputException e) {
      failure = e.getMessage();
      failed++;
      if (listener != null) {
        listener.onCheckpointFailed(state.epoch(), e.getMessage());
      }
      return false;
    }
    lastEpoch = state.epoch();
    return true;
  }

  /** {@return why the last checkpoint that could not be written failed, or null} */
  String failure() {
    return failure;
  }

  /** {@return how many checkpoints could not be written} */
  int failed() {
    return failed;
  }

  /** {@return the epoch of the last checkpoint written, or −1} */
  int lastEpoch() {
    return lastEpoch;
  }

  /** The first NaN or infinity in the weights, the optimizer's buffers or the unfinished epoch's losses, or null. */
  static String firstNonFinite(TrainerState state) {
    String bad = Network.firstNonFinite(state.network());
    if (bad != null) {
      return bad;
    }
    for (int l = 0; l < state.optimizerState().size(); l++) {
      List<float[]> buffers = state.optimizerState().get(l);
      for (int b = 0; b < buffers.size(); b++) {
        float[] values = buffers.get(b);
        for (int i = 0; i < values.length; i++) {
          if (!Float.isFinite(values[i])) {
            int convs = state.network().convs().size(); // with features, the conv layers' entries come first
            String layer = l < convs ? "conv layer " + (l + 1) : "layer " + (l - convs + 1);
            return "value " + i + " of optimizer buffer " + (b + 1) + " of " + layer + " became " + values[i];
          }
        }
      }
    }
    if (state.lossSlots() != null) {
      for (float loss : state.lossSlots()) {
        if (!Float.isFinite(loss)) {
          return "the loss became " + loss;
        }
      }
    }
    return null;
  }
}
