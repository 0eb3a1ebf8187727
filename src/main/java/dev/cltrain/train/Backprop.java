package dev.cltrain.train;

import dev.cltrain.TrainerState;

import dev.cltrain.Trainer;
import dev.cltrain.Trainer.Evaluation;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.nn.Optimizer;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Backpropagation written once for every backend: the seed's program generalised to L dense layers, any
 * activation, MSE or softmax/cross-entropy, mini-batches and three optimizers. Buffers are allocated and the
 * data uploaded once; an epoch only enqueues kernels (and, with mini-batches, writes the epoch's shuffled
 * row order); numbers come back only when asked for.
 *
 * <pre>
 * batch     X_b, y_b = rows order[off .. off+n) of X, y                gather_rows (mini-batches only)
 * forward   a₀ = X_b;  aₗ = f(aₗ₋₁·Wₗ + bₗ)                                   matmul_bias_activation
 *           (softmax at the output with xent)                          matmul, bias_softmax
 * loss      mse: mean of ½(a_L − y)²;  xent: mean over rows of −Σ y·log p        mse_loss|xent_loss, count_correct
 * backward  dz_L = (a_L − y)·f'(a_L)  or  p − y                          mse_delta|xent_delta
 *           dWₗ = aₗ₋₁ᵀ·dzₗ / n;  dbₗ = Σ dzₗ / n                         matmul_transpose_a, column_sum
 *           dzₗ₋₁ = (dzₗ·Wₗᵀ) ⊙ f'(aₗ₋₁)   (weights before the update)    matmul_transpose_b_delta
 * update    every layer: Wₗ, bₗ by the optimizer (n = the batch's own rows)  sgd|momentum|adam_update_layers
 * </pre>
 *
 * <p>The update is one launch a step for every layer's weights and biases (up to {@link Kernels#SEGMENTS}
 * arrays a launch, so ⌈2L/8⌉ launches): {@link #slotGroups} lists them once, in layer order, weights before
 * biases. Each array keeps its own buffers, and its optimizer state its own per-layer buffers, so a
 * checkpoint's state is per layer as before.
 *
 * <p>A small network trained on the full batch (its data, parameters, optimizer state, activations and deltas
 * fit {@link Backend#smallNetFloats()}, and an epoch is little work) runs instead as one train_small launch
 * for many epochs ({@link #epochs}), which computes the same bits: see kernels/small_net.cl. Its parameters
 * and state then live in two packed buffers, copied to and from the layers' own (through the host) when
 * anything else needs them.
 *
 * <p>The forward pass and the evaluation of data sets are {@link Inference}'s. Not thread-safe, except
 * {@link #stopAfterBatch()}.
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int (row index) buffer type
 */
public class Backprop<B, I> extends Inference<B, I> implements Trainer {
  private final Optimizer optimizer;
  /** η for the next updates: the optimizer's, or a schedule's for this epoch. */
  private float rate;
  private final NumpyRandom shuffler;
  private final DataSet trainSet;
  private final boolean fullBatch;
  private final Resident train;
  private final List<B> weightGradients = new ArrayList<>();
  private final List<B> biasGradients = new ArrayList<>();
  private final List<B> deltas = new ArrayList<>();
  /** Optimizer state per layer: [weights' state..., biases' state...] (velocity, or m and v). */
  private final List<List<B>> states = new ArrayList<>();
  /** Optimizer state per convolution, laid out as {@link #states}; before the dense layers' in a checkpoint. */
  private final List<List<B>> convStates = new ArrayList<>();
  /** The parameter arrays of the update, {@link Kernels#SEGMENTS} (or fewer, last) a launch. */
  private final List<SlotGroup<B>> slotGroups = new ArrayList<>();
  private I order;
  private long step;
  /** Epochs completed, counted for checkpoints. */
  private int epochsDone;
  /** Set by {@link #stopAfterBatch()} from any thread; read after each batch. */
  private volatile boolean stopRequested;
  /** An unfinished epoch to go on with: its row order and the batches already done (0 = none). */
  private int[] pendingOrder;
  private int pendingBatch;
  /** The current epoch's order (mini-batches), kept for a checkpoint taken mid-epoch. */
  private int[] currentOrder;
  /** Estimated multiply-adds one train_small launch may take, so that a stop is heard within a few tens of ms. */
  static final long LAUNCH_WORK = 1 << 22;
  /**
   * The wall time a train_small launch should stay under (0.1 s): one that took longer halves the epochs of the
   * next ({@link #timedEpochs}), so a stop is heard within a second on any device whatever the estimate says.
   * Splitting the epochs over more launches changes no bits.
   */
  static final long LAUNCH_NANOS = 100_000_000L;
  /** Epochs per train_small launch at most, as launch times have shown; halved after a launch too long. */
  private int timedEpochs = Integer.MAX_VALUE;
  /** Each barrier-separated phase counted as this many multiply-adds in that estimate. */
  static final long PHASE_WORK = 256;
  /** Why train_small is used, or why not (for --profile); null when it is used. */
  private final String layerByLayerReason;
  /** Whether train_small can train this (full batch, fits local memory), whether or not it is the faster way. */
  private final boolean smallNetFits;
  /** Epochs per train_small launch at most; 0 when it cannot train this. */
  private final int smallNetEpochs;
  /** train_small's operands: widths and activation codes; parameters, optimizer state, Adam's corrections. */
  private I smallShape;
  private B packedParams;
  private B packedState;
  private B corrections;
  /** Whether the packed buffers, and whether the layers' own, hold the current parameters and state. */
  private boolean packedCurrent;
  private boolean layersCurrent = true;
  /** Test hooks: train layer by layer; use train_small wherever it fits; at most this many epochs per launch. */
  private boolean forceLayers;
  private boolean forceSmall;
  private int launchCap;

  /**
   * Uploads the network and the training set and allocates every buffer training needs. Takes ownership of
   * {@code backend}: it is closed with this trainer, or at once if set-up fails.
   *
   * @param backend  where the buffers live and the kernels run
   * @param initial  the network to start from
   * @param train    the training set, with the network's input and output widths
   * @param settings the optimizer, the batch size and the shuffling generator (copied: it is not advanced)
   * @throws IllegalArgumentException if the training set's widths are not the network's
   */
  public Backprop(Backend<B, I> backend, Network initial, DataSet train, Settings settings) {
    this(backend, initial, train, settings, -1);
  }

  /**
   * A trainer, or with {@code shard} ≥ 0 one replica of data-parallel training ({@link ShardedTrainer}): it
   * trains on rows the caller picks ({@link #shardStep}) with batch buffers even for the full batch, layer by
   * layer, and draws its dropout masks from streams offset by {@code shard << 16}.
   */
  Backprop(Backend<B, I> backend, Network initial, DataSet train, Settings settings, int shard) {
    super(backend, initial, MemoryPlan.capacity(train.rows(), settings.batchSize()), true);
    try {
      this.optimizer = settings.optimizer();
      this.rate = optimizer.learningRate();
      this.shuffler = settings.shuffler().copy();
      this.trainSet = train;
      if (inputs != train.inputs() || widths[widths.length - 1] != train.outputs()) {
        throw new IllegalArgumentException("network of " + inputs + " inputs and widths " + Arrays.toString(widths)
            + " does not fit data with "
            + train.inputs() + " inputs and " + train.outputs() + " outputs");
      }
      this.fullBatch = shard < 0 && MemoryPlan.fullBatch(train.rows(), settings.batchSize());
      this.forceLayers = shard >= 0;
      if (stages != null && shard >= 0) {
        stages.masks.streamOffset = shard << 16;
      }
      this.train = resident(train);
      for (Dense layer : initial.dense()) {
        weightGradients.add(backend.allocate(layer.weightCount()));
        biasGradients.add(backend.allocate(layer.outputs()));
        denseOps.get(weightGradients.size() - 1).gradients(weightGradients.get(weightGradients.size() - 1),
            biasGradients.get(biasGradients.size() - 1));
        deltas.add(backend.allocate(capacity * layer.outputs()));
        List<B> state = new ArrayList<>();
        for (int s = 0; s < optimizer.stateBuffers(); s++) {
          state.add(backend.upload(new float[layer.weightCount()]));
        }
        for (int s = 0; s < optimizer.stateBuffers(); s++) {
          state.add(backend.upload(new float[layer.outputs()]));
        }
        states.add(state);
      }
      if (stages != null) {
        for (dev.cltrain.nn.Conv c : initial.convs()) {
          List<B> state = new ArrayList<>();
          for (int s = 0; s < optimizer.stateBuffers(); s++) {
            state.add(backend.upload(new float[c.weightCount()]));
          }
          for (int s = 0; s < optimizer.stateBuffers(); s++) {
            state.add(backend.upload(new float[c.filters()]));
          }
          convStates.add(state);
        }
      }
      groupSlots();
      if (!fullBatch) {
        allocateBatchBuffers();
        this.order = backend.uploadIndices(new int[train.rows()]);
      }
      this.layerByLayerReason = smallNetRefusal(backend.smallNetFloats(), backend.smallNetWork(), train.rows());
      this.smallNetFits = fullBatch && stages == null && smallNetFloatsNeeded(train.rows()) <= backend.smallNetFloats();
      this.smallNetEpochs = !smallNetFits ? 0
          : (int) Math.max(1, Math.min(10000, LAUNCH_WORK / smallNetWork(train.rows())));
      if (smallNetEpochs > 0) {
        int[] shape = new int[2 * layerCount() + 1];
        for (int l = 0; l <= layerCount(); l++) {
          shape[l] = widths[l];
        }
        for (int l = 0; l < layerCount(); l++) {
          shape[layerCount() + 1 + l] = initial.dense().get(l).activation().code;
        }
        smallShape = backend.uploadIndices(shape);
        packedParams = backend.upload(new float[parameterCount()]);
        packedState = backend.upload(new float[Math.max(1, optimizer.stateBuffers() * parameterCount())]);
        corrections = backend.upload(new float[optimizer.kind() == Optimizer.Kind.ADAM ? 2 * smallNetEpochs : 2]);
      }
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /** Floats of parameters: every layer's weights and biases. */
  private int parameterCount() {
    int count = 0;
    for (int l = 0; l < layerCount(); l++) {
      count += widths[l] * widths[l + 1] + widths[l + 1];
    }
    return count;
  }

  /** Local floats train_small needs for this network on {@code rows} rows (small_net.cl's layout). */
  long smallNetFloatsNeeded(int rows) {
    long activations = 0;
    int widest = 0;
    for (int l = 1; l <= layerCount(); l++) {
      activations += (long) rows * widths[l];
      widest = Math.max(widest, widths[l]);
    }
    return (long) rows * (widths[0] + widths[layerCount()]) + (long) parameterCount() * (1 + optimizer.stateBuffers())
        + activations + 2L * rows * widest;
  }

  /** Estimated cost of one epoch: its multiply-adds (three products per layer) plus its phases' barriers. */
  private long smallNetWork(int rows) {
    long products = 0;
    for (int l = 0; l < layerCount(); l++) {
      products += 3L * rows * widths[l] * widths[l + 1];
    }
    return products + PHASE_WORK * (3L * layerCount() + 2);
  }

  /** Why this training cannot use train_small, or null when it does. */
  private String smallNetRefusal(int localFloats, long mostWork, int rows) {
    if (stages != null) {
      return "convolution, pooling or dropout";
    }
    if (!fullBatch) {
      return "mini-batches";
    }
    if (localFloats <= 0) {
      return "train_small cannot run on this device";
    }
    long needed = smallNetFloatsNeeded(rows);
    if (needed > localFloats) {
      return "the network and data take " + needed + " floats, over the " + localFloats
          + " of one work-group's local memory";
    }
    long work = smallNetWork(rows) - PHASE_WORK * (3L * layerCount() + 2);
    if (work > mostWork) {
      return "an epoch's " + work + " multiply-adds run faster layer by layer here (train_small up to " + mostWork
          + ")";
    }
    return null;
  }

  /**
   * How epochs are launched, for {@code --profile}.
   *
   * @return e.g. "one launch per up to 4000 epochs (train_small: ...)" or "layer by layer (mini-batches)"
   */
  @Override
  public String launchPlan() {
    if (layerByLayerReason == null) {
      return "one launch per up to " + smallNetEpochs + " epochs (train_small: the network, its data and its"
          + " optimizer state fit one work-group's local memory, " + smallNetFloatsNeeded(trainSet.rows()) + " of "
          + backend.smallNetFloats() + " floats)";
    }
    return "layer by layer (" + layerByLayerReason + ")";
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

  private boolean small() {
    return smallNetFits && !forceLayers && (layerByLayerReason == null || forceSmall);
  }

  /**
   * Brings the packed buffers up to date from the layers' own (before train_small). Through the host, not a
   * device-side copy: this happens only when the path changes, and Oclgrind marks what clEnqueueCopyBuffer
   * writes as uninitialised.
   */
  private void toPacked() {
    if (packedCurrent) {
      return;
    }
    int parameters = parameterCount();
    float[] params = new float[parameters];
    float[] state = new float[optimizer.stateBuffers() * parameters];
    int at = 0;
    for (int l = 0; l < layerCount(); l++) {
      int w = widths[l] * widths[l + 1];
      int b = widths[l + 1];
      downloadInto(weights.get(l), params, at, w);
      downloadInto(biases.get(l), params, at + w, b);
      List<B> layerState = states.get(l);
      int half = layerState.size() / 2;
      for (int s = 0; s < half; s++) {
        downloadInto(layerState.get(s), state, s * parameters + at, w);
        downloadInto(layerState.get(half + s), state, s * parameters + at + w, b);
      }
      at += w + b;
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

  /** Brings the layers' own buffers up to date from the packed ones (after train_small), through the host. */
  private void toLayers() {
    if (layersCurrent) {
      return;
    }
    int parameters = parameterCount();
    float[] params = new float[parameters];
    float[] state = new float[optimizer.stateBuffers() * parameters];
    backend.download(packedParams, params);
    backend.download(packedState, state);
    int at = 0;
    for (int l = 0; l < layerCount(); l++) {
      int w = widths[l] * widths[l + 1];
      int b = widths[l + 1];
      backend.write(weights.get(l), Arrays.copyOfRange(params, at, at + w));
      backend.write(biases.get(l), Arrays.copyOfRange(params, at + w, at + w + b));
      List<B> layerState = states.get(l);
      int half = layerState.size() / 2;
      for (int s = 0; s < half; s++) {
        backend.write(layerState.get(s), Arrays.copyOfRange(state, s * parameters + at, s * parameters + at + w));
        backend.write(layerState.get(half + s),
            Arrays.copyOfRange(state, s * parameters + at + w, s * parameters + at + w + b));
      }
      at += w + b;
    }
    layersCurrent = true;
  }

  /** One train_small launch of {@code count} epochs (count ≤ smallNetEpochs); packed buffers current. */
  private void smallNetLaunch(int count, boolean stats) {
    Optimizer o = optimizer;
    if (o.kind() == Optimizer.Kind.ADAM) {
      float[] c = new float[2 * count];
      for (int e = 0; e < count; e++) {
        c[2 * e] = (float) (1.0 - Math.pow(o.beta1(), step + 1 + e));
        c[2 * e + 1] = (float) (1.0 - Math.pow(o.beta2(), step + 1 + e));
      }
      backend.write(corrections, c);
    }
    int rows = trainSet.rows();
    backend.trainSmall(layerCount(), rows, count, loss == Loss.XENT ? 1 : 0, o.kind().ordinal(), stats ? 1 : 0,
        1.0f / rows, rate, o.momentum(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay(), smallShape, corrections,
        train.x, train.y, packedParams, packedState, train.lossSlots, train.correctSlots);
    step += count;
    epochsDone += count;
  }

  /**
   * {@code count} epochs; with a small network on the full batch, in train_small launches of at most
   * {@link #launchPlan()}'s epochs each, waiting for each before the next so that {@link #stopAfterBatch()}
   * is heard between them (the epochs then return with {@code complete} false; {@link #state()} says how many
   * ran). Otherwise {@link #epoch} after epoch.
   */
  @Override
  public EpochStats epochs(int count, boolean statsOnLast) {
    if (!small()) {
      EpochStats stats = null;
      for (int e = 0; e < count; e++) {
        stats = epoch(statsOnLast && e == count - 1, null);
        if (!stats.complete()) {
          return stats;
        }
        if (stopRequested && e + 1 < count) {
          stopRequested = false;
          return new EpochStats(Float.NaN, Float.NaN, false);
        }
      }
      return stats;
    }
    toPacked();
    layersCurrent = false;
    int done = 0;
    while (done < count) {
      int most = Math.min(smallNetEpochs, timedEpochs);
      int n = Math.min(launchCap > 0 ? Math.min(launchCap, most) : most, count - done);
      boolean stats = statsOnLast && done + n == count;
      long started = System.nanoTime();
      smallNetLaunch(n, stats);
      done += n;
      if (done < count) {
        backend.download(train.lossSlots, new float[1]); // waits for the launch
        if (System.nanoTime() - started > LAUNCH_NANOS && n > 1) {
          timedEpochs = n / 2; // the estimate was wrong for this device: a stop must not wait for long launches
        }
        if (stopRequested) {
          stopRequested = false;
          return new EpochStats(Float.NaN, Float.NaN, false);
        }
      }
    }
    stopRequested = false;
    if (!statsOnLast) {
      backend.flush();
      return new EpochStats(Float.NaN, Float.NaN);
    }
    return readStats(train, 1);
  }

  @Override
  public Network network() {
    toLayers();
    return super.network();
  }

  @Override
  public Evaluation evaluate(DataSet set, boolean wantOutputs) {
    toLayers();
    return super.evaluate(set, wantOutputs);
  }

  /** The backward pass of {@code rows} rows, gradients scaled by {@code perSample} (1/rows, or 1/batch for a shard). */
  private void backward(B y, int rows, float perSample) {
    int last = layerCount() - 1;
    int count = rows * widths[last + 1];
    if (loss == Loss.XENT) {
      backend.xentDelta(count, networkOutput(), y, deltas.get(last));
    } else {
      backend.mseDelta(count, initial.dense().get(last).activation().code, networkOutput(), y, deltas.get(last));
    }
    for (int l = last; l >= 0; l--) {
      B input = l == 0 ? denseInput : dropped.get(l - 1) != null ? dropped.get(l - 1) : outputs.get(l - 1);
      if (l > 0) {
        denseOps.get(l).backward(rows, perSample, input, deltas.get(l), deltas.get(l - 1), denseOps.get(l - 1),
            initial.dense().get(l - 1).activation().code);
        if (dropped.get(l - 1) != null) {
          dropouts.get(l - 1).backward(rows, step, perSample, null, deltas.get(l - 1), deltas.get(l - 1));
        }
      } else {
        boolean into = stages != null && stages.needsGradient();
        denseOps.get(0).backward(rows, step, perSample, input, deltas.get(0), into ? stages.outputGradient() : null);
        if (into) {
          stages.backward(rows, step, perSample);
        }
      }
    }
  }

  /**
   * One update launch's slots: each slot's element count, weight decay, gradient, parameters and optimizer
   * state (velocity or m in {@code first}, v in {@code second}; empty lists for sgd).
   */
  private record SlotGroup<B>(int[] count, float[] weightDecay, List<B> dw, List<B> w, List<B> first,
      List<B> second) {}

  /** Fills {@link #slotGroups}: layer 1's weights, its biases, layer 2's weights, …, 8 to a group. */
  private void groupSlots() {
    List<Integer> counts = new ArrayList<>();
    List<Float> decays = new ArrayList<>();
    List<B> dw = new ArrayList<>();
    List<B> w = new ArrayList<>();
    List<B> first = new ArrayList<>();
    List<B> second = new ArrayList<>();
    int perArray = optimizer.stateBuffers();
    if (stages != null) {
      List<dev.cltrain.nn.Conv> convs = initial.convs();
      for (int c = 0; c < convs.size(); c++) {
        List<B> state = convStates.get(c);
        counts.add(convs.get(c).weightCount());
        decays.add(optimizer.weightDecay());
        dw.add(stages.weightGradients.get(c));
        w.add(stages.weights.get(c));
        counts.add(convs.get(c).filters());
        decays.add(0.0f);
        dw.add(stages.biasGradients.get(c));
        w.add(stages.biases.get(c));
        for (int part = 0; part < 2; part++) {
          if (perArray > 0) {
            first.add(state.get(part * perArray));
          }
          if (perArray > 1) {
            second.add(state.get(part * perArray + 1));
          }
        }
      }
    }
    for (int l = 0; l < layerCount(); l++) {
      List<B> state = states.get(l);
      counts.add(widths[l] * widths[l + 1]);
      decays.add(optimizer.weightDecay());
      dw.add(weightGradients.get(l));
      w.add(weights.get(l));
      counts.add(widths[l + 1]);
      decays.add(0.0f);
      dw.add(biasGradients.get(l));
      w.add(biases.get(l));
      for (int part = 0; part < 2; part++) {
        if (perArray > 0) {
          first.add(state.get(part * perArray));
        }
        if (perArray > 1) {
          second.add(state.get(part * perArray + 1));
        }
      }
    }
    for (int from = 0; from < counts.size(); from += Kernels.SEGMENTS) {
      int to = Math.min(counts.size(), from + Kernels.SEGMENTS);
      int[] count = new int[to - from];
      float[] decay = new float[to - from];
      for (int s = from; s < to; s++) {
        count[s - from] = counts.get(s);
        decay[s - from] = decays.get(s);
      }
      slotGroups.add(new SlotGroup<>(count, decay, slice(dw, from, to), slice(w, from, to), slice(first, from, to),
          slice(second, from, to)));
    }
  }

  /** Elements from..to of {@code list}; empty for an empty list (an optimizer without that state). */
  private static <T> List<T> slice(List<T> list, int from, int to) {
    return list.isEmpty() ? List.of() : List.copyOf(list.subList(from, to));
  }

  private void update() {
    step++;
    float correction1 = (float) (1.0 - Math.pow(optimizer.beta1(), step));
    float correction2 = (float) (1.0 - Math.pow(optimizer.beta2(), step));
    Optimizer o = optimizer;
    for (SlotGroup<B> g : slotGroups) {
      switch (o.kind()) {
        case SGD -> backend.sgdUpdateLayers(g.count(), rate, g.weightDecay(), g.dw(), g.w());
        case MOMENTUM -> backend.momentumUpdateLayers(g.count(), rate, o.momentum(), g.weightDecay(), g.dw(),
            g.first(), g.w());
        case ADAM -> backend.adamUpdateLayers(g.count(), rate, o.beta1(), o.beta2(), o.epsilon(), g.weightDecay(),
            correction1, correction2, g.dw(), g.first(), g.second(), g.w());
      }
    }
  }

  @Override
  public void learningRate(float rate) {
    this.rate = rate;
  }

  /** One backprop iteration on rows already in place: forward, stats into slot, backward, update. */
  private void iteration(B x, B y, int rows, int slot, boolean wantStats) {
    forward(x, rows, step);
    if (wantStats) {
      stats(y, rows, slot, train.lossSlots, train.correctSlots);
    }
    backward(y, rows, 1.0f / rows);
    update();
  }

  @Override
  public EpochStats epoch(boolean wantStats, BatchListener listener) {
    if (small()) {
      return epochs(1, wantStats);
    }
    toLayers();
    packedCurrent = false;
    int rows = trainSet.rows();
    if (fullBatch) {
      iteration(train.x, train.y, rows, 0, wantStats);
      epochsDone++;
      if (!wantStats) {
        keepPace();
        return new EpochStats(Float.NaN, Float.NaN);
      }
      return readStats(train, train.chunks);
    }
    int first = 0;
    if (pendingOrder != null) {
      currentOrder = pendingOrder;
      first = pendingBatch;
      pendingOrder = null;
      pendingBatch = 0;
    } else {
      currentOrder = shuffler.permutation(rows);
    }
    backend.writeIndices(order, currentOrder);
    for (int b = first; b < train.chunks; b++) {
      int offset = b * capacity;
      int n = Math.min(capacity, rows - offset);
      backend.gatherRows(n, inputs, offset, order, train.x, batchX);
      backend.gatherRows(n, widths[layerCount()], offset, order, train.y, batchY);
      iteration(batchX, batchY, n, b, true);
      keepPace();
      if (listener != null) {
        int done = b + 1;
        listener.batchDone(b, train.chunks, () -> runningLoss(done));
      }
      if (stopRequested && b + 1 < train.chunks) {
        stopRequested = false;
        pendingOrder = currentOrder;
        pendingBatch = b + 1;
        EpochStats partial = readStats(train, b + 1);
        return new EpochStats(partial.loss(), partial.accuracy(), false);
      }
    }
    stopRequested = false;
    epochsDone++;
    return readStats(train, train.chunks);
  }

  @Override
  public void stopAfterBatch() {
    stopRequested = true;
  }

  /**
   * Hands the step just enqueued to the device and waits for the one before it: the host stays one step (a
   * batch, or a full-batch epoch) ahead of the device, which is never idle for it, and a stop asked for is
   * heard within two steps. Without the wait, the host enqueued a whole epoch's batches (or every quiet epoch)
   * in moments and heard the stop only after the device had run them all.
   */
  private void keepPace() {
    Runnable marked = backend.mark();
    if (previousStep != null) {
      previousStep.run();
    }
    previousStep = marked;
  }

  /** The wait for the step before the last, for {@link #keepPace}; null before the first. */
  private Runnable previousStep;

  // ---- a replica of data-parallel training (ShardedTrainer) ------------------------------------------------------

  /** Starts an epoch of shards in {@code rowOrder} (a permutation of the training rows). */
  void shardEpoch(int[] rowOrder) {
    toLayers();
    packedCurrent = false;
    backend.writeIndices(order, rowOrder);
  }

  /**
   * Enqueues one shard of a mini-batch: rows {@code order[offset .. offset+rows)}, forward, their loss and hits
   * into {@code slot}, backward with gradients scaled by 1/{@code batchRows}, so that the shards' gradients add
   * up to the batch's. No update: the caller adds the shards' gradients ({@link #downloadGradients}), gives the
   * sum back ({@link #uploadGradients}) and then updates ({@link #shardUpdate}).
   */
  void shardStep(int offset, int rows, int batchRows, int slot) {
    backend.gatherRows(rows, inputs, offset, order, train.x, batchX);
    backend.gatherRows(rows, widths[layerCount()], offset, order, train.y, batchY);
    forward(batchX, rows, step);
    stats(batchY, rows, slot, train.lossSlots, train.correctSlots);
    backward(batchY, rows, 1.0f / batchRows);
    backend.flush(); // every device starts on its shard before the host waits for any
  }

  /** Waits until this replica's shard is computed (a blocking read of one batch slot). */
  void awaitShard() {
    backend.download(train.correctSlots, shardScratch);
  }

  /** {@return floats of all gradients: the update's arrays in slot order (convolutions first, weights before biases)} */
  int gradientFloats() {
    int n = 0;
    for (SlotGroup<B> g : slotGroups) {
      for (int c : g.count()) {
        n += c;
      }
    }
    return n;
  }

  /** Copies every gradient, in slot order, into {@code into} (waits for the work enqueued before). */
  void downloadGradients(float[] into) {
    int at = 0;
    int slot = 0;
    for (SlotGroup<B> g : slotGroups) {
      for (int s = 0; s < g.count().length; s++) {
        float[] part = gradientScratch(slot++, g.count()[s]);
        backend.download(g.dw().get(s), part);
        System.arraycopy(part, 0, into, at, part.length);
        at += part.length;
      }
    }
  }

  /** One host array per gradient slot, made on first use and kept: no allocation per step. */
  private float[] gradientScratch(int slot, int count) {
    if (gradientScratch.size() <= slot) {
      gradientScratch.add(new float[count]);
    }
    return gradientScratch.get(slot);
  }

  private final List<float[]> gradientScratch = new ArrayList<>();

  /** Replaces every gradient, in slot order, with {@code from}'s values. */
  void uploadGradients(float[] from) {
    int at = 0;
    int slot = 0;
    for (SlotGroup<B> g : slotGroups) {
      for (int s = 0; s < g.count().length; s++) {
        float[] part = gradientScratch(slot++, g.count()[s]);
        System.arraycopy(from, at, part, 0, part.length);
        backend.write(g.dw().get(s), part);
        at += part.length;
      }
    }
  }

  /** The optimizer step with the gradients in place (all replicas hold the same sum). */
  void shardUpdate() {
    update();
  }

  private final float[] shardScratch = new float[1];

  /**
   * Replaces the parameters with {@code from}'s (same shapes) and the step count with {@code stepsTaken}: a
   * partition's replica takes the driver's weights before every step ({@link PartitionWorker}).
   */
  void loadParameters(Network from, long stepsTaken) {
    toLayers();
    packedCurrent = false;
    List<dev.cltrain.nn.Conv> convs = from.convs();
    if (convs.size() != initial.convs().size() || from.dense().size() != layerCount()) {
      throw new IllegalArgumentException("weights of another network");
    }
    for (int c = 0; c < convs.size(); c++) {
      backend.write(stages.weights.get(c), convs.get(c).weights());
      backend.write(stages.biases.get(c), convs.get(c).bias());
    }
    for (int l = 0; l < layerCount(); l++) {
      backend.write(weights.get(l), from.dense().get(l).weights());
      backend.write(biases.get(l), from.dense().get(l).bias());
    }
    step = stepsTaken;
  }

  /** Ends an epoch of shards (counted for checkpoints). */
  void shardEpochDone() {
    epochsDone++;
  }

  /** {@return this replica's loss (mean over its rows) and hits per batch slot, the first {@code batches}} */
  float[][] shardSlots(int batches) {
    float[] losses = new float[train.chunks];
    float[] correct = new float[train.chunks];
    backend.download(train.lossSlots, losses);
    backend.download(train.correctSlots, correct);
    return new float[][] {Arrays.copyOf(losses, batches), Arrays.copyOf(correct, batches)};
  }

  /** {@return batch slots of this replica's training set} */
  int batchSlots() {
    return train.chunks;
  }

  @Override
  public TrainerState state() {
    toLayers();
    List<List<float[]>> optimizerState = new ArrayList<>();
    for (List<B> layerState : allStates()) {
      List<float[]> copies = new ArrayList<>();
      for (B buffer : layerState) {
        float[] values = new float[lengthOf(layerState, buffer)];
        backend.download(buffer, values);
        copies.add(values);
      }
      optimizerState.add(copies);
    }
    float[] losses = null;
    float[] correct = null;
    if (pendingOrder != null) {
      losses = new float[pendingBatch];
      correct = new float[pendingBatch];
      float[] allLosses = new float[train.chunks];
      float[] allCorrect = new float[train.chunks];
      backend.download(train.lossSlots, allLosses);
      backend.download(train.correctSlots, allCorrect);
      System.arraycopy(allLosses, 0, losses, 0, pendingBatch);
      System.arraycopy(allCorrect, 0, correct, 0, pendingBatch);
    }
    return new TrainerState(epochsDone, pendingOrder == null ? 0 : pendingBatch, step, network(), optimizerState,
        shuffler.state(), pendingOrder == null ? null : pendingOrder.clone(), losses, correct);
  }

  /** Floats in one optimizer buffer of a layer: the first half of the list holds weights', the rest biases'. */
  private int lengthOf(List<B> layerState, B buffer) {
    boolean weightsState = layerState.indexOf(buffer) < layerState.size() / 2;
    int c = convStates.indexOf(layerState);
    if (c >= 0) {
      dev.cltrain.nn.Conv conv = initial.convs().get(c);
      return weightsState ? conv.weightCount() : conv.filters();
    }
    int l = states.indexOf(layerState);
    return weightsState ? widths[l] * widths[l + 1] : widths[l + 1];
  }

  /** Every parameterised layer's optimizer state: the convolutions' first, then the dense layers'. */
  private List<List<B>> allStates() {
    List<List<B>> all = new ArrayList<>(convStates);
    all.addAll(states);
    return all;
  }

  @Override
  public void restore(TrainerState state) {
    Network network = state.network();
    if (!Arrays.equals(network.widths(), widths)) {
      throw new IllegalArgumentException("state of a " + Arrays.toString(network.widths()) + " network, not "
          + Arrays.toString(widths));
    }
    List<List<B>> all = allStates();
    if (state.optimizerState().size() != all.size()) {
      throw new IllegalArgumentException("optimizer state for " + state.optimizerState().size() + " layers, not "
          + all.size());
    }
    List<dev.cltrain.nn.Conv> convs = network.convs();
    if (convs.size() != convStates.size()) {
      throw new IllegalArgumentException("state of a network with " + convs.size() + " convolutions, not "
          + convStates.size());
    }
    for (int c = 0; c < convs.size(); c++) {
      dev.cltrain.nn.Conv mine = initial.convs().get(c);
      if (convs.get(c).weightCount() != mine.weightCount() || convs.get(c).filters() != mine.filters()) {
        throw new IllegalArgumentException("state's convolution " + (c + 1) + " is " + convs.get(c).spec() + ", not "
            + mine.spec());
      }
      backend.write(stages.weights.get(c), convs.get(c).weights());
      backend.write(stages.biases.get(c), convs.get(c).bias());
    }
    for (int l = 0; l < all.size(); l++) {
      if (l >= convs.size()) {
        int d = l - convs.size();
        backend.write(weights.get(d), network.dense().get(d).weights());
        backend.write(biases.get(d), network.dense().get(d).bias());
      }
      List<float[]> saved = state.optimizerState().get(l);
      List<B> layerState = all.get(l);
      if (saved.size() != layerState.size()) {
        throw new IllegalArgumentException("layer " + (l + 1) + " has " + saved.size() + " optimizer buffers, not "
            + layerState.size());
      }
      for (int s = 0; s < saved.size(); s++) {
        if (saved.get(s).length != lengthOf(layerState, layerState.get(s))) {
          throw new IllegalArgumentException("layer " + (l + 1) + " optimizer buffer " + (s + 1) + " holds "
              + saved.get(s).length + " values, not " + lengthOf(layerState, layerState.get(s)));
        }
        backend.write(layerState.get(s), saved.get(s));
      }
    }
    layersCurrent = true;
    packedCurrent = false;
    if (state.step() < 0 || state.epoch() < 0 || state.batch() < 0) {
      throw new IllegalArgumentException("negative counts: epoch " + state.epoch() + ", batch " + state.batch()
          + ", step " + state.step());
    }
    step = state.step();
    epochsDone = state.epoch();
    NumpyRandom restored = NumpyRandom.fromState(state.shuffler());
    shuffler.setState(restored);
    pendingOrder = null;
    pendingBatch = 0;
    if (state.batch() > 0) {
      if (fullBatch || state.order() == null || state.order().length != trainSet.rows() || state.batch() >= train.chunks
          || state.lossSlots() == null || state.lossSlots().length != state.batch()
          || state.correctSlots() == null || state.correctSlots().length != state.batch()) {
        throw new IllegalArgumentException("an unfinished epoch at batch " + state.batch() + " does not fit "
            + train.chunks + " batches of " + trainSet.rows() + " rows");
      }
      checkRowOrder(state.order(), trainSet.rows());
      pendingOrder = state.order().clone();
      pendingBatch = state.batch();
      backend.write(train.lossSlots, state.lossSlots());
      backend.write(train.correctSlots, state.correctSlots());
    }
  }

  /**
   * Checks that {@code order} is a permutation of the rows 0..rows−1: these indices go to the gather kernels
   * as they are, and a kernel must never read outside its buffer whatever a checkpoint says.
   */
  static void checkRowOrder(int[] order, int rows) {
    if (order.length != rows) {
      throw new IllegalArgumentException("order holds " + order.length + " row indices, not " + rows);
    }
    boolean[] seen = new boolean[rows];
    for (int i = 0; i < order.length; i++) {
      int row = order[i];
      if (row < 0 || row >= rows) {
        throw new IllegalArgumentException("order holds row index " + row + " at position " + i + ", outside 0.."
            + (rows - 1));
      }
      if (seen[row]) {
        throw new IllegalArgumentException("order holds row index " + row + " twice: not a permutation of 0.."
            + (rows - 1));
      }
      seen[row] = true;
    }
  }

  /** Mean loss of the first {@code batches} batches of this epoch (waits for them). */
  private float runningLoss(int batches) {
    float[] losses = new float[batches];
    backend.download(train.lossSlots, losses);
    double sum = 0;
    int rows = 0;
    for (int b = 0; b < batches; b++) {
      int n = Math.min(capacity, trainSet.rows() - b * capacity);
      sum += (double) losses[b] * n;
      rows += n;
    }
    return (float) (sum / rows);
  }


}
