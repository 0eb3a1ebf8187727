package dev.cltrain;

import dev.cltrain.core.KernelTime;
import dev.cltrain.device.Device;
import dev.cltrain.device.Trainer;
import dev.cltrain.device.Verification;

import java.util.List;
import java.util.Map;

/**
 * What a training run produced.
 *
 * <p>Thread-safe: an immutable value (the outputs array of {@code train} is the caller's to keep).
 *
 * @param model        the trained model (the weights when training ended or stopped), recording the data's input
 *                     scale and class names, any standardization and the training facts, as {@code cltrain train
 *                     --save} writes it
 * @param device       where it ran (the Java reference after a fallback)
 * @param deviceName   the device as the trainer names it, e.g. "cl:0:0 pthread-skylake (Portable Computing Language)"
 * @param firstEpoch   the epoch it started at: 0, or the checkpoint's epoch when resumed
 * @param epochsRun    epochs completed by this run
 * @param seconds      wall time of the epochs, from the first to the end of the last
 * @param train        the final weights' loss and accuracy on the training set, with the outputs when
 *                     {@link Training#finalOutputs} asked for them; null when the run stopped early
 * @param heldOut      the final weights on the test set ("Test") and validation split ("Validation"), if any;
 *                     empty when the run stopped early
 * @param profile      time per kernel when {@link Training#profile} asked for it, else empty
 * @param verification the lockstep comparison with the reference when {@link Training#verify} asked for it,
 *                     else null
 * @param stop         null when all epochs ran; otherwise where the run stopped early
 */
public record TrainingResult(Model model, Device device, String deviceName, int firstEpoch, int epochsRun, double seconds,
    Trainer.Evaluation train, Map<String, Trainer.Evaluation> heldOut, List<KernelTime> profile,
    Verification verification, Stop stop) {

  /**
   * Where a run stopped before its last epoch: asked by {@link TrainingRun#stopAfterBatch()} (e.g. on a
   * signal) or by an {@link EpochListener}.
   *
   * @param epoch             the 0-based epoch in which it stopped
   * @param batch             batches of that epoch done (0 when it stopped at the epoch's end)
   * @param checkpointWritten whether the state was written to {@link Training#checkpoint}'s file
   */
  public record Stop(int epoch, int batch, boolean checkpointWritten) {}

  /** {@return whether every epoch asked for ran} */
  public boolean completed() {
    return stop == null;
  }
}
