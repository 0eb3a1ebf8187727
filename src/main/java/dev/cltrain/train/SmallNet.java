package dev.cltrain.train;

import dev.cltrain.core.Wording;
import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one-launch path of {@link Backprop}: a small dense network trained on the full batch (its data, parameters,
 * optimizer state, activations and deltas fit {@link Backend#smallNetFloats()}, and an epoch is little work)
 * runs as one train_small launch for many epochs, which computes the same bits as layer by layer: see
 * kernels/small_net.cl. Its parameters and state then live in two packed buffers, copied to and from the
 * {@link ParameterTable}'s own (through the host) when anything else needs them; the packed buffers are allocated
 * at the first launch ({@link #bufferFloats}).
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int buffer type
 */
final class SmallNet<B, I> {
  /** Estimated multiply-adds one train_small launch may take, so that a stop is heard within a few tens of ms. */
  static final long LAUNCH_WORK = 1 << 22;
  /**
   * The wall time a train_small launch should stay under (0.1 s): one that took longer halves the epochs of the
   * next ({@link #timedEpochs}), so a stop is heard within a second on any device whatever the estimate says.
   * Splitting the epochs over more launches changes no bits.
   */
  static final long LAUNCH_NANOS = 100_000_000L;
  /** Each barrier-separated phase counted as this many multiply-adds in that estimate. */
  static final long PHASE_WORK = 256;

  private final Backend<B, I> backend;
  private final Network network;
  private final int[] widths;
  private final Optimizer optimizer;
  private final ParameterTable<B> table;
  private final int rows;
  /** Epochs per train_small launch at most, as launch times have shown; halved after a launch too long. */
  private int timedEpochs = Integer.MAX_VALUE;
  /** Why train_small is used, or why not (for --profile); null when it is used. */
  private final Wording layerByLayerReason;
  /** Whether train_small can train this (full batch, fits local memory), whether or not it is the faster way. */
  private final boolean fits;
  /** Epochs per train_small launch at most; 0 when it cannot train this. */
  private final int epochsPerLaunch;
  /** train_small's operands: widths and activation codes; parameters, optimizer state, Adam's corrections. */
  private I shape;
  private B packedParams;
  private B packedState;
  private B corrections;
  /** Whether the packed buffers, and whether the table's own, hold the current parameters and state. */
  private boolean packedCurrent;
  private boolean layersCurrent = true;
  /** Test hooks: train layer by layer; use train_small wherever it fits; at most this many epochs per launch. */
  private boolean forceLayers;
  private boolean forceSmall;
  private int launchCap;

  /**
   * @param backend     where it would run
   * @param network     the network trained (its widths and activations)
   * @param optimizer   the optimizer
   * @param table       the parameters and optimizer state, the dense layers' weights and biases in order
   * @param rows        the training set's rows
   * @param fullBatch   whether an epoch is one batch
   * @param forceLayers whether to train layer by layer always (a data-parallel replica)
   */
  SmallNet(Backend<B, I> backend, Network network, Optimizer optimizer, ParameterTable<B> table, int rows,
      boolean fullBatch, boolean forceLayers) {
    this.backend = backend;
    this.network = network;
    this.widths = network.widths();
    this.optimizer = optimizer;
    this.table = table;
    this.rows = rows;
    this.forceLayers = forceLayers;
    boolean stages = network.hasFeatures();
    this.layerByLayerReason = refusal(stages, fullBatch, backend.smallNetFloats(), backend.smallNetWork());
    this.fits = fullBatch && !stages && !regularized(optimizer) && floatsNeeded(widths, optimizer, rows) <= backend.smallNetFloats();
    this.epochsPerLaunch = epochsPerLaunch(fits, widths, rows);
  }

  private static int epochsPerLaunch(boolean fits, int[] widths, int rows) {
    return !fits ? 0 : (int) Math.max(1, Math.min(10000, LAUNCH_WORK / work(widths, rows)));
  }

  /** Floats of parameters: every layer's weights and biases. */
  private static int parameterCount(int[] widths) {
    return (int) MemoryPlan.parameters(widths);
  }

  /** Local floats train_small needs for this network on {@code rows} rows (small_net.cl's layout). */
  static long floatsNeeded(int[] widths, Optimizer optimizer, int rows) {
    int layers = widths.length - 1;
    long activations = 0;
    int widest = 0;
    for (int l = 1; l <= layers; l++) {
      activations += (long) rows * widths[l];
      widest = Math.max(widest, widths[l]);
    }
    return (long) rows * (widths[0] + widths[layers]) + (long) parameterCount(widths) * (1 + optimizer.stateBuffers())
        + activations + 2L * rows * widest;
  }

  /** Estimated cost of one epoch: its multiply-adds (three products per layer) plus its phases' barriers. */
  private static long work(int[] widths, int rows) {
    int layers = widths.length - 1;
    long products = 0;
    for (int l = 0; l < layers; l++) {
      products += 3L * rows * widths[l] * widths[l + 1];
    }
    return products + PHASE_WORK * (3L * layers + 2);
  }

  /**
   * Floats (and ints) of device memory the packed buffers take, allocated at the first train_small launch: the
   * widths and activation codes, the parameters, the optimizer state and Adam's corrections.
   *
   * @param network   the network trained
   * @param optimizer the optimizer
   * @param rows      the training set's rows
   * @param fits      whether train_small can train it on the device ({@link #fits()})
   * @return the floats, or 0 where train_small cannot train this
   */
  static long bufferFloats(Network network, Optimizer optimizer, int rows, boolean fits) {
    if (!fits) {
      return 0;
    }
    int[] widths = network.widths();
    int parameters = parameterCount(widths);
    int epochs = epochsPerLaunch(true, widths, rows);
    return 2L * (widths.length - 1) + 1 + parameters + Math.max(1, optimizer.stateBuffers() * parameters)
        + Math.max(2, optimizer.corrections(1, epochs).length);
  }

  /** {@return whether train_small can train this on this device, faster or not} */
  boolean fits() {
    return fits;
  }

  /** Whether --decay-all, --clip-norm or --label-smoothing is applied: train_small does none of them. */
  private static boolean regularized(Optimizer optimizer) {
    return !optimizer.regularization().equals(dev.cltrain.nn.Regularization.NONE);
  }

  /** Why this training cannot use train_small, or null when it does. */
  private Wording refusal(boolean stages, boolean fullBatch, int localFloats, long mostWork) {
    if (stages) {
      return Wording.of("convolution, pooling or dropout");
    }
    if (!fullBatch) {
      return Wording.of("mini-batches");
    }
    if (regularized(optimizer)) {
      return Wording.of(Wording.param("decayAll"), ", ", Wording.param("clipNorm"), " or ",
          Wording.param("labelSmoothing"));
    }
    if (localFloats <= 0) {
      return Wording.of("train_small cannot run on this device");
    }
    long needed = floatsNeeded(widths, optimizer, rows);
    if (needed > localFloats) {
      return Wording.of("the network and data take " + needed + " floats, over the " + localFloats
          + " of one work-group's local memory");
    }
    long work = work(widths, rows) - PHASE_WORK * (3L * (widths.length - 1) + 2);
    if (work > mostWork) {
      return Wording.of("an epoch's " + work + " multiply-adds run faster layer by layer here (train_small up to "
          + mostWork + ")");
    }
    return null;
  }

  /**
   * How epochs are launched, for {@code --profile}.
   *
   * @return e.g. "one launch per up to 4000 epochs (train_small: ...)" or "layer by layer (mini-batches)"
   */
  Wording launchPlan() {
    if (layerByLayerReason == null) {
      return Wording.of("one launch per up to " + epochsPerLaunch + " epochs (train_small: the network, its data and its"
          + " optimizer state fit one work-group's local memory, " + floatsNeeded(widths, optimizer, rows) + " of "
          + backend.smallNetFloats() + " floats)");
    }
    return Wording.of("layer by layer (", layerByLayerReason, ")");
  }

  /** Test hook: trains layer by layer from now on, as a network too large for train_small would. */
  void layerByLayer() {
    forceLayers = true;
  }

  /** Test hook: trains with train_small from now on wherever it can, even where layer by layer is faster. */
  void trainSmallWhereItFits() {
    forceSmall = true;
  }

  /** Test hook: at most {@code epochs} epochs per train_small launch, to test epochs split over launches. */
  void maxEpochsPerLaunch(int epochs) {
    launchCap = epochs;
  }

  /** {@return whether epochs run as train_small launches} */
  boolean used() {
    return fits && !forceLayers && (layerByLayerReason == null || forceSmall);
  }

  /**
   * Brings the packed buffers up to date from the table's (before train_small), allocating them the first time.
   * Through the host, not a device-side copy: this happens only when the path changes, and Oclgrind marks what
   * clEnqueueCopyBuffer writes as uninitialised.
   */
  private void toPacked() {
    if (packedCurrent) {
      return;
    }
    int parameters = parameterCount(widths);
    if (packedParams == null) {
      int layers = widths.length - 1;
      int[] codes = Arrays.copyOf(widths, 2 * layers + 1);
      for (int l = 0; l < layers; l++) {
        codes[layers + 1 + l] = network.dense().get(l).activation().code;
      }
      shape = backend.uploadIndices(codes);
      packedParams = backend.upload(new float[parameters]);
      packedState = backend.upload(new float[Math.max(1, optimizer.stateBuffers() * parameters)]);
      corrections = backend.upload(new float[Math.max(2, optimizer.corrections(1, epochsPerLaunch).length)]);
    }
    float[] params = new float[parameters];
    float[] state = new float[optimizer.stateBuffers() * parameters];
    int at = 0;
    for (ParameterTable.Entry<B> e : table.entries()) {
      downloadInto(e.values(), params, at, e.count());
      List<B> buffers = e.state();
      for (int s = 0; s < buffers.size(); s++) {
        downloadInto(buffers.get(s), state, s * parameters + at, e.count());
      }
      at += e.count();
    }
    backend.write(packedParams, params);
    backend.write(packedState, state);
    packedCurrent = true;
  }

  private void downloadInto(B buffer, float[] into, int offset, int count) {
    float[] values = new float[count];
    backend.download(buffer, values);
    System.arraycopy(values, 0, into, offset, count);
  }

  /** Brings the table's buffers up to date from the packed ones (after train_small), through the host. */
  void toLayers() {
    if (layersCurrent) {
      return;
    }
    int parameters = parameterCount(widths);
    float[] params = new float[parameters];
    float[] state = new float[optimizer.stateBuffers() * parameters];
    backend.download(packedParams, params);
    backend.download(packedState, state);
    int at = 0;
    for (ParameterTable.Entry<B> e : table.entries()) {
      backend.write(e.values(), Arrays.copyOfRange(params, at, at + e.count()));
      List<B> buffers = e.state();
      for (int s = 0; s < buffers.size(); s++) {
        backend.write(buffers.get(s), Arrays.copyOfRange(state, s * parameters + at, s * parameters + at + e.count()));
      }
      at += e.count();
    }
    layersCurrent = true;
  }

  /** The table's buffers are about to change (layer by layer): brings them up to date; the packed go stale. */
  void useLayers() {
    toLayers();
    packedCurrent = false;
  }

  /** The table's buffers were all overwritten (a restore): they are current, the packed stale. */
  void layersOverwritten() {
    layersCurrent = true;
    packedCurrent = false;
  }

  /**
   * Up to {@code count} epochs in train_small launches of at most {@link #launchPlan()}'s epochs each, waiting for
   * each before the next so that a stop is heard between them.
   *
   * @param count        epochs to run
   * @param statsOnLast  whether the last epoch writes its loss and hits into the slots
   * @param step         optimizer steps taken before
   * @param rate         η
   * @param x            the training inputs
   * @param y            the training targets
   * @param lossSlots    gets the last epoch's loss (slot 0)
   * @param correctSlots gets the last epoch's hits (slot 0)
   * @param stop         asked after every launch but the last: true ends the run there
   * @return the epochs run: {@code count}, or fewer after a stop
   */
  int run(int count, boolean statsOnLast, long step, float rate, B x, B y, B lossSlots, B correctSlots,
      BooleanSupplier stop) {
    toPacked();
    layersCurrent = false;
    int done = 0;
    while (done < count) {
      int most = Math.min(epochsPerLaunch, timedEpochs);
      int n = Math.min(launchCap > 0 ? Math.min(launchCap, most) : most, count - done);
      boolean stats = statsOnLast && done + n == count;
      long started = System.nanoTime();
      launch(n, stats, step + done, rate, x, y, lossSlots, correctSlots);
      done += n;
      if (done < count) {
        backend.download(lossSlots, new float[1]); // waits for the launch
        if (System.nanoTime() - started > LAUNCH_NANOS && n > 1) {
          timedEpochs = n / 2; // the estimate was wrong for this device: a stop must not wait for long launches
        }
        if (stop.getAsBoolean()) {
          return done;
        }
      }
    }
    return done;
  }

  /** One train_small launch of {@code count} epochs (count ≤ epochsPerLaunch); packed buffers current. */
  private void launch(int count, boolean stats, long step, float rate, B x, B y, B lossSlots, B correctSlots) {
    float[] c = optimizer.corrections(step + 1, count);
    if (c.length > 0) {
      backend.write(corrections, c);
    }
    backend.trainSmall(widths.length - 1, rows, count, network.loss() == Loss.XENT ? 1 : 0, stats ? 1 : 0,
        1.0f / rows, rate, optimizer.weightDecay(), optimizer.smallNet(), shape, corrections, x, y, packedParams,
        packedState, lossSlots, correctSlots);
  }
}
