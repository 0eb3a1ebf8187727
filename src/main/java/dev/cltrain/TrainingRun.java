package dev.cltrain;

import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;
import dev.cltrain.core.KernelTime;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.device.Trainer;
import dev.cltrain.device.TrainerState;
import dev.cltrain.device.Verification;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.train.Backprop;
import dev.cltrain.train.ShardedTrainer;
import dev.cltrain.train.Opening;
import dev.cltrain.train.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Training} opened on its device: the trainer (and, when verifying, the Java reference in lockstep)
 * with the data uploaded. {@link #run()} trains epoch by epoch: statistics on the measured epochs, the
 * listener, checkpoints, the lockstep comparison and the divergence checks. Close it to release the device's
 * buffers.
 *
 * <p>Thread-safety: {@link #run()} and {@link #close()} on one thread; {@link #stopAfterBatch()} from any
 * thread (e.g. a signal handler).
 */
public final class TrainingRun implements AutoCloseable {
  private final Training t;
  private final Trainer trainer;
  private final Trainer judge;
  private final Device device;
  private final String warning;
  private final dev.cltrain.core.Wording reason;
  private final int firstEpoch;
  /** Seconds per batch of each device measured before data-parallel training, or null. */
  private final double[] calibration;
  private volatile boolean stopRequested;
  /** The checkpoints written, and those that could not be. */
  private final RunCheckpoints checkpoints;
  private EarlyStopping.Outcome earlyOutcome;
  /** Whether {@link #run()} was called: a run trains once. */
  private boolean ran;
  private boolean closed;

  TrainingRun(Training training) {
    this.t = training;
    this.checkpoints = new RunCheckpoints(t.checkpoint, t.checkpointOptions, t.listener);
    DeviceChoice choice = training.device != null ? training.device : Devices.choose("auto");
    Settings settings = new Settings(t.optimizer, t.batchSize, t.shuffler)
        .augmented(t.augment, t.augment == null ? null : t.imageShape()).freezing(t.frozen);
    DataSet train = t.data.train();
    Trainer reference = null;
    if (choice.parallel()) {
      ShardedTrainer sharded = Opening.sharded(choice, t.initial, train, settings, t.profile);
      this.trainer = sharded;
      this.device = choice.device();
      this.warning = null;
      this.calibration = choice.shares() == null ? sharded.calibrate() : null;
    } else {
      Opening<Trainer> opening = Opening.trainer(choice, t.initial, train, settings, t.profile);
      this.trainer = opening.opened();
      this.device = opening.device();
      this.warning = opening.warning();
      this.calibration = null;
    }
    this.reason = choice.reason();
    try {
      if (t.verify && trainer instanceof ShardedTrainer sharded) {
        // the judge: the same shards on the Java reference, added in the same order
        reference = ShardedTrainer.open(java.util.Collections.nCopies(choice.devices().size(), Devices.reference()),
            sharded.shares(), t.initial, train, settings, false);
      } else if (t.verify) {
        reference = new Backprop<>(Devices.reference().openBackend(false), t.initial, train, settings);
      }
      if (t.resume != null) {
        CheckpointFit.checkCounts(t.resume, t.batchesPerEpoch(), t.data.train().rows(), t.batchSize);
        CheckpointFit.restore(t.resume, t.initial, trainer::restore);
        if (reference != null) {
          CheckpointFit.restore(t.resume, t.initial, reference::restore);
        }
      }
    } catch (RuntimeException e) {
      trainer.close();
      if (reference != null) {
        reference.close();
      }
      throw e;
    }
    this.judge = reference;
    this.firstEpoch = t.resume == null ? 0 : t.resume.epoch();
  }

  /** {@return the device the run trains on (the Java reference after a fallback)} */
  public Device device() {
    return device;
  }

  /** {@return why the device was chosen, e.g. "auto: first GPU" or "--device cpu: first OpenCL CPU device"} */
  public dev.cltrain.core.Wording reason() {
    return reason;
  }

  /** {@return the device as the trainer names it, e.g. "cl:0:0 pthread-skylake (Portable Computing Language)"} */
  public String deviceName() {
    return trainer.deviceName();
  }

  /** {@return a line about a fallback to the Java reference, for the user, or null when there was none} */
  public String fallbackWarning() {
    return warning;
  }

  /**
   * {@return how the trainer launches its epochs, e.g. "layer by layer (mini-batches)", for a profile; its
   *     parameters marked}
   */
  public dev.cltrain.core.Wording launchPlan() {
    return trainer.launchPlan();
  }

  /**
   * {@return for data-parallel training, each device's share of a batch's rows (in device order); else null}
   */
  public int[] shares() {
    return trainer instanceof ShardedTrainer sharded ? sharded.shares() : null;
  }

  /**
   * For data-parallel training: what the gradient exchange cost so far, else null.
   *
   * @return bytes moved per step, steps taken, and wall seconds spent adding and moving gradients
   */
  public Exchange exchange() {
    return trainer instanceof ShardedTrainer sharded
        ? new Exchange(sharded.bytesPerStep(), sharded.steps(), sharded.waitSeconds(), sharded.exchangeSeconds()) : null;
  }

  /**
   * The gradient exchange of data-parallel training.
   *
   * @param bytesPerStep gradient bytes moved per step (down from every device, the sum up to every device)
   * @param steps        optimizer steps taken
   * @param waitSeconds  wall time spent waiting for the devices to finish their shards (the forward and backward
   *                     passes, all devices at once)
   * @param seconds      wall time spent adding and moving gradients after the devices' backward passes had
   *                     finished: the exchange's exposed part (the rest overlaps the backward passes)
   */
  public record Exchange(long bytesPerStep, long steps, double waitSeconds, double seconds) {}

  /** {@return the ids of the devices training, in device order (one for a one-device run)} */
  public List<String> deviceIds() {
    return trainer instanceof ShardedTrainer ? t.device.devices().stream().map(Device::id).toList()
        : List.of(device.id());
  }

  /**
   * @param batchRows a batch's rows
   * @return for data-parallel training, each device's rows of such a batch (in device order); else null
   */
  public int[] shardRows(int batchRows) {
    return trainer instanceof ShardedTrainer sharded ? ShardedTrainer.split(batchRows, sharded.shares()) : null;
  }

  /** {@return seconds per batch of each device measured to set the shares, or null (given shares, one device)} */
  public double[] calibration() {
    return calibration == null ? null : calibration.clone();
  }

  /** {@return the epoch training starts at: 0, or the resumed checkpoint's} */
  public int firstEpoch() {
    return firstEpoch;
  }

  /** Asks the run to stop after the batch under way; {@link #run()} then returns with a {@link TrainingResult.Stop}. */
  public void stopAfterBatch() {
    stopRequested = true;
    trainer.stopAfterBatch();
  }

  /**
   * Trains from {@link #firstEpoch()} to the training's epoch count, or until stopped. A run trains once: to
   * train further, open a new {@link Training} (e.g. {@link Training#resume} from a checkpoint, or
   * {@code Training.of(result.model().network(), data)}).
   *
   * @return the trained model and the run's figures
   * @throws DivergedException when the loss or a weight becomes NaN or infinite
   * @throws InputException    when this run has already run (or was closed)
   */
  public TrainingResult run() {
    if (ran || closed) {
      throw new InputException("this TrainingRun has " + (closed ? "been closed" : "already run (it trains once)")
          + ": open a new one from a Training to train again (Training.resume goes on from a checkpoint)");
    }
    ran = true;
    DataSet train = t.data.train();
    Map<String, DataSet> held = heldOut();
    boolean miniBatches = t.batchesPerEpoch() > 1;
    float worstLoss = 0;
    float worstWeight = 0;
    long start = System.nanoTime();
    EarlyStopping stopping = t.earlyStopping; // its monitor was checked against the data by Training
    int bestEpoch = -1;
    double best = Double.NaN;
    int lastEpoch = t.epochs - 1;
    boolean stoppedEarly = false;
    for (int epoch = firstEpoch; epoch < t.epochs; epoch++) {
      if (!t.schedule.isConstant()) {
        float rate = t.schedule.rate(t.optimizer.learningRate(), epoch, t.epochs);
        trainer.learningRate(rate);
        if (judge != null) {
          judge.learningRate(rate);
        }
      }
      int from = epoch;
      epoch = miniBatches ? epoch : lastQuietEpoch(epoch, stopping != null);
      boolean measured = epoch % t.statsEvery == 0 || stopping != null;
      int current = epoch;
      Trainer.EpochStats stats = epoch > from ? trainer.epochs(epoch - from + 1, measured)
          : trainer.epoch(measured, miniBatches && t.listener != null
              ? (b, n, running) -> t.listener.onBatch(current, b, n, running) : null);
      if (stopRequested) {
        TrainerState state = trainer.state();
        if (epoch == from && state.batch() == 0 && state.epoch() == epoch + 1 && measured && t.listener != null
            && Float.isFinite(stats.loss())) {
          // the stop came in the epoch's last batch: the epoch is whole, and its figures are heard like any other's
          Map<String, Trainer.Evaluation> evaluations = new LinkedHashMap<>();
          held.forEach((name, set) -> evaluations.put(name, trainer.evaluate(set, false)));
          t.listener.onEpoch(new EpochReport(epoch, true, stats.loss(), stats.accuracy(),
              java.util.Collections.unmodifiableMap(evaluations), (System.nanoTime() - start) / 1e9));
        }
        return stopped(epoch > from ? -1 : epoch, state, start, worstWeight, worstLoss);
      }
      if (judge != null) {
        Trainer.EpochStats expected = judge.epochs(epoch - from + 1, measured);
        if (measured) {
          worstLoss = max(worstLoss, Math.abs(stats.loss() - expected.loss()));
          worstWeight = max(worstWeight, Network.maxAbsDifference(trainer.network(), judge.network()));
        }
      }
      if ((measured || miniBatches) && !Float.isFinite(stats.loss())) {
        throw diverged("the loss became " + stats.loss() + " at epoch " + epoch, epoch);
      }
      Map<String, Trainer.Evaluation> evaluations = measured ? new LinkedHashMap<>() : Map.of();
      if (measured) {
        String bad = Network.firstNonFinite(trainer.network());
        if (bad != null) {
          throw diverged(bad + " by epoch " + epoch + " (checked at each logged epoch)", epoch);
        }
        held.forEach((name, set) -> evaluations.put(name, trainer.evaluate(set, false)));
      }
      if (t.listener != null) {
        EpochReport report = new EpochReport(epoch, measured, stats.loss(), stats.accuracy(),
            java.util.Collections.unmodifiableMap(evaluations), // in order: Test, then Validation
            (System.nanoTime() - start) / 1e9);
        if (!t.listener.onEpoch(report) && epoch + 1 < t.epochs) {
          return stopped(epoch, trainer.state(), start, worstWeight, worstLoss);
        }
      }
      // after the listener: what it records of the epoch (a --metrics row) is written before a checkpoint counts
      // the epoch as done, so a run killed just after the checkpoint has the row a resumed run goes on from
      if (t.checkpoint != null && ((epoch + 1) % t.checkpointEvery == 0 || epoch + 1 == t.epochs)) {
        TrainerState state = trainer.state();
        String bad = RunCheckpoints.firstNonFinite(state);
        if (bad != null) {
          throw diverged(bad + " at epoch " + epoch + " (found before writing the checkpoint, which was not"
              + " overwritten)", epoch);
        }
        checkpoints.write(state, deviceIds(), shares());
      }
      if (stopping != null) {
        EpochReport report = new EpochReport(epoch, true, stats.loss(), stats.accuracy(),
            java.util.Collections.unmodifiableMap(evaluations), 0);
        double value = stopping.value(report);
        boolean better = Double.isFinite(value) && (bestEpoch < 0
            || (stopping.higherIsBetter() ? value > best : value < best));
        if (better) {
          best = value;
          bestEpoch = epoch;
          if (stopping.bestFile() != null) {
            Model.of(trainer.network()).withFacts(ModelRecord.ofRun(t, epoch + 1, Float.NaN)).save(stopping.bestFile());
          }
        }
        earlyOutcome = new EarlyStopping.Outcome(bestEpoch, best, false, epoch);
        if (stopping.patience() > 0 && epoch - bestEpoch >= stopping.patience() && epoch + 1 < t.epochs) {
          earlyOutcome = new EarlyStopping.Outcome(bestEpoch, best, true, epoch);
          lastEpoch = epoch;
          stoppedEarly = true;
          if (t.checkpoint != null && (epoch + 1) % t.checkpointEvery != 0) {
            checkpoints.write(trainer.state(), deviceIds(), shares());
          }
          break;
        }
      }
    }
    List<KernelTime> profile = t.profile ? trainer.takeProfile() : List.of();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (t.listener != null) {
      t.listener.onFinalEvaluation(train.rows() + held.values().stream().mapToLong(DataSet::rows).sum());
    }
    Trainer.Evaluation result = trainer.evaluate(train, t.finalOutputs);
    Network trained = trainer.network();
    if (judge != null) {
      worstLoss = max(worstLoss, Math.abs(result.loss() - judge.evaluate(train, false).loss()));
      worstWeight = max(worstWeight, Network.maxAbsDifference(trained, judge.network()));
    }
    if (!Float.isFinite(result.loss())) {
      throw diverged("the loss became " + result.loss() + " after the last epoch", lastEpoch);
    }
    String bad = Network.firstNonFinite(trained);
    if (bad != null) {
      throw diverged(bad + " after the last epoch", lastEpoch);
    }
    Map<String, Trainer.Evaluation> finals = new LinkedHashMap<>();
    held.forEach((name, set) -> finals.put(name, trainer.evaluate(set, false)));
    int epochsRun = Math.max(0, (stoppedEarly ? lastEpoch + 1 : t.epochs) - firstEpoch);
    return new TrainingResult(Model.of(trained).withFacts(ModelRecord.ofRun(t, firstEpoch + epochsRun, result.loss())), device,
        trainer.deviceName(), firstEpoch, epochsRun, seconds, result,
        finals, profile, judge == null ? null : new Verification(worstWeight, worstLoss, Verification.TOLERANCE),
        null);
  }

  /**
   * The last epoch of the run of epochs from {@code from} on that nothing needs to see one by one, so that the
   * trainer may run them together ({@link Trainer#epochs}): it ends at the first epoch that is measured (logged,
   * verified), is followed by a checkpoint, is the run's last, or is followed by another learning rate; every
   * epoch is its own when the listener hears every epoch ({@link EpochListener#measuredOnly()} false) or
   * early stopping measures each.
   */
  private int lastQuietEpoch(int from, boolean everyEpochMeasured) {
    if (everyEpochMeasured || (t.listener != null && !t.listener.measuredOnly())) {
      return from;
    }
    float rate = t.schedule.isConstant() ? 0 : t.schedule.rate(t.optimizer.learningRate(), from, t.epochs);
    int epoch = from;
    while (epoch + 1 < t.epochs && epoch % t.statsEvery != 0
        && !(t.checkpoint != null && (epoch + 1) % t.checkpointEvery == 0)
        && (t.schedule.isConstant() || Float.floatToIntBits(rate)
            == Float.floatToIntBits(t.schedule.rate(t.optimizer.learningRate(), epoch + 1, t.epochs)))) {
      epoch++;
    }
    return epoch;
  }

  /**
   * Stopped early: writes the checkpoint if one was asked for; the result holds the weights as they are, with
   * no final evaluation (a stop should be quick). {@code epoch} −1: the last epoch the trainer finished.
   */
  private TrainingResult stopped(int epoch, TrainerState state, long start, float worstWeight, float worstLoss) {
    if (epoch < 0) {
      epoch = state.epoch() - 1;
    }
    boolean written = false;
    if (t.checkpoint != null) {
      String bad = RunCheckpoints.firstNonFinite(state);
      if (bad != null) {
        throw diverged(bad + " in epoch " + epoch + " (found before writing the checkpoint, which was not"
            + " overwritten)", epoch);
      }
      written = checkpoints.write(state, deviceIds(), shares());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new TrainingResult(Model.of(state.network()).withFacts(ModelRecord.ofRun(t, state.epoch(), Float.NaN)), device, trainer.deviceName(), firstEpoch, state.epoch() - firstEpoch, seconds,
        null, Map.of(), t.profile ? trainer.takeProfile() : List.of(),
        judge == null ? null : new Verification(worstWeight, worstLoss, Verification.TOLERANCE),
        new TrainingResult.Stop(epoch, state.batch(), written));
  }

  /**
   * {@return why the last checkpoint that could not be written failed (the file keeps the one before, see
   * {@link #lastCheckpointEpoch()}), or null when every checkpoint was written}
   */
  public String checkpointFailure() {
    return checkpoints.failure();
  }

  /** {@return how many checkpoints could not be written} */
  public int checkpointsFailed() {
    return checkpoints.failed();
  }

  /**
   * {@return the epoch of the last checkpoint this run wrote, or −1 if it wrote none} A checkpoint is written
   * only of a finite state: after a {@link DivergedException} the file holds the last good one.
   */
  public int lastCheckpointEpoch() {
    return checkpoints.lastEpoch();
  }

  /**
   * {@return what early stopping did: the best epoch and value, whether the run stopped before its last epoch;
   * null without {@link Training#earlyStopping} or before the first epoch}
   */
  public EarlyStopping.Outcome earlyStopping() {
    return earlyOutcome;
  }

  private Map<String, DataSet> heldOut() {
    Map<String, DataSet> held = new LinkedHashMap<>();
    if (t.data.test() != null) {
      held.put("Test", t.data.test());
    }
    if (t.data.validation() != null) {
      held.put("Validation", t.data.validation());
    }
    return held;
  }

  private DivergedException diverged(String what, int epoch) {
    return new DivergedException(what, epoch, t.optimizer.learningRate());
  }

  /** max that lets a NaN through, so a diverged run fails verification instead of passing. */
  private static float max(float a, float b) {
    return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      trainer.close();
    } finally {
      if (judge != null) {
        judge.close();
      }
    }
  }
}
