package dev.cltrain.train;

import dev.cltrain.device.TrainerState;

import dev.cltrain.device.Trainer;
import dev.cltrain.device.Trainer.Evaluation;
import dev.cltrain.backend.Backend;
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
 *           (with augmentation, X_b's rows flipped and shifted)        gather_augment (every batch)
 * forward   a₀ = X_b;  aₗ = f(aₗ₋₁·Wₗ + bₗ)                                   matmul_bias_activation
 *           (softmax at the output with xent)                          matmul, bias_softmax
 * loss      mse: mean of ½(a_L − y)²;  xent: mean over rows of −Σ y·log p        mse_loss|xent_loss, count_correct
 * backward  dz_L = (a_L − y)·f'(a_L)  or  p − y                          mse_delta|xent_delta
 *           dWₗ = aₗ₋₁ᵀ·dzₗ / n;  dbₗ = Σ dzₗ / n                         matmul_transpose_a, column_sum
 *           dzₗ₋₁ = (dzₗ·Wₗᵀ) ⊙ f'(aₗ₋₁)   (weights before the update)    matmul_transpose_b_delta
 *           (a batch norm after layer l−1: g = dzₗ·Wₗᵀ, its dropout's    matmul_transpose_b,
 *           mask, the norm's backward, then ⊙ f'(aₗ₋₁))                  batch_norm_*, activation_delta
 * update    every layer: Wₗ, bₗ by the optimizer (n = the batch's own rows)  sgd|momentum|adam_update_layers
 * </pre>
 *
 * <p>The trainable arrays, their optimizer state, the update and the checkpoint's state are the
 * {@link ParameterTable}'s. A small network trained on the full batch runs instead as train_small launches of
 * many epochs each ({@link SmallNet}), which compute the same bits. {@link Replica} adds the hooks of
 * data-parallel training.
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
  /** The training rows' augmentation, or null; with it even the full batch is gathered (identity order). */
  private final dev.cltrain.nn.Augment augment;
  private final dev.cltrain.nn.Shape image;
  final Resident train;
  /** Per dense layer: the gradient with respect to its z, capacity × outputs. */
  private final List<B> deltas = new ArrayList<>();
  /** Per dense layer followed by a batch norm: the gradient with respect to that norm's output; else null. */
  private final List<B> normGradients = new ArrayList<>();
  /** Every trainable array, its gradient and optimizer state, in checkpoint order. */
  final ParameterTable<B> table;
  /** The one-launch path for a small network on the full batch. */
  final SmallNet<B, I> small;
  /** Streamed training rows' batches; null for resident rows. */
  private final StreamedBatches<B, I> streamedRows;
  /** The first layers not trained ({@link Settings#frozen()}); 0 for none. */
  private final int frozen;
  /** The index in the dense layers of the lowest one trained: the backward pass stops there (0 unless frozen). */
  private final int lowestDense;
  I order;
  long step;
  /** Epochs completed, counted for checkpoints. */
  int epochsDone;
  /** Set by {@link #stopAfterBatch()} from any thread; read after each batch. */
  private volatile boolean stopRequested;
  /** An unfinished epoch to go on with: its row order and the batches already done (0 = none). */
  private int[] pendingOrder;
  private int pendingBatch;
  /** The current epoch's order (mini-batches), kept for a checkpoint taken mid-epoch. */
  private int[] currentOrder;

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
    this(backend, initial, held(train, settings), settings, -1, false);
  }

  /**
   * The training rows as the trainer holds them: streamed rows of a full batch are read whole (the device holds
   * the whole batch anyway, and the one-launch path takes the rows resident); streamed mini-batches stay streamed.
   */
  static DataSet held(DataSet train, Settings settings) {
    return train.isStreamed() && MemoryPlan.fullBatch(train.rows(), settings.batchSize()) ? train.inMemory() : train;
  }

  /**
   * A trainer, or with {@code shard} ≥ 0 one replica of data-parallel training ({@link Replica}): it
   * trains on rows the caller picks ({@link Replica#shardStep}) with batch buffers even for the full batch, layer by
   * layer, and draws its dropout masks from streams offset by {@code shard << 16}. {@code shardStatistics}: a
   * replica's batch norms may normalize with its shard's own statistics (as PyTorch's DistributedDataParallel
   * without SyncBatchNorm); else a network with batch norms is refused.
   */
  Backprop(Backend<B, I> backend, Network initial, DataSet train, Settings settings, int shard,
      boolean shardStatistics) {
    super(backend, initial, MemoryPlan.capacity(train.rows(), settings.batchSize()), true);
    try {
      if (shard >= 0 && !shardStatistics && initial.layers().stream().anyMatch(l -> !l.state().isEmpty())) {
        throw new dev.cltrain.core.InputException("layers that keep batch statistics (" + initial.layers().stream()
            .flatMap(l -> l.trainedParts().stream()).filter(l -> !l.state().isEmpty())
            .map(l -> l.kind().ids.get(0)).distinct()
            .collect(java.util.stream.Collectors.joining(", ")) + ") train on one process only (one device, or "
            + "several in one process): the statistics of each executor's share of a batch are not combined");
      }
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
      this.augment = settings.augment();
      this.image = settings.image();
      if (stages != null && shard >= 0) {
        stages.masks.streamOffset = shard << 16;
      }
      this.train = resident(train);
      float smoothing = optimizer.regularization().labelSmoothing();
      if (smoothing > 0) {
        if (loss != Loss.XENT) {
          throw dev.cltrain.core.InputException.parameter("labelSmoothing",
              "applies to cross-entropy (loss xent) only, not " + loss.id);
        }
      }
      if (smoothing > 0 && !train.isStreamed()) { // streamed: each batch's targets smoothed as they are read
        // the training targets on the device smoothed once: the gradient p − t and the training loss follow them
        backend.write(this.train.y, optimizer.regularization().smoothedTargets(train.y(), train.outputs()));
      }
      for (int l = 0; l < initial.dense().size(); l++) {
        int units = initial.dense().get(l).outputs();
        deltas.add(backend.allocate(capacity * units));
        normGradients.add(norms.get(l) == null ? null : backend.allocate(capacity * units));
      }
      this.table = new ParameterTable<>(backend, optimizer);
      this.frozen = settings.frozen();
      int firstTrained = frozen > 0 ? initial.firstTrainable(frozen) : 0; // refuses a freeze past the layers
      int frozenEntries = 0;
      List<LayerOp<B>> all = allOps(); // one op per layer of the network's list, in order
      for (int l = 0; l < all.size(); l++) { // the ops own their arrays; the table holds them in checkpoint order
        all.get(l).addParameters(table);
        table.addState(all.get(l).state());
        frozenEntries = l < frozen ? table.entries().size() : frozenEntries;
        int d = denseEntryEnds.size();
        if (d < denseOps.size() && all.get(l) == denseOps.get(d)) {
          denseEntryEnds.add(table.entries().size());
        }
      }
      table.freezeFirst(frozenEntries);
      int dense = 0;
      for (int l = 0; l < firstTrained; l++) {
        dense += initial.layers().get(l) instanceof Dense ? 1 : 0;
      }
      this.lowestDense = dense;
      if (stages != null && frozen > 0) {
        stages.trainFrom(firstTrained);
        stages.freezeStatistics(frozen);
      }
      StreamedBatches<B, I> streamedRows = null;
      if (!fullBatch || augment != null) {
        allocateBatchBuffers();
        // streamed: the host gathers the rows; the epoch's order is uploaded only for augmentation's draws
        int[] rowOrder = new int[train.isStreamed() && augment == null ? 0 : train.rows()];
        if (train.isStreamed()) {
          streamedRows = new StreamedBatches<>(backend, train, optimizer.regularization(), augment, image, capacity);
        }
        if (fullBatch) { // augmented: the full batch is gathered in the data's order, never shuffled
          Arrays.setAll(rowOrder, i -> i);
        }
        this.order = backend.uploadIndices(rowOrder);
      }
      this.streamedRows = streamedRows;
      this.small = new SmallNet<>(backend, initial, optimizer, table, train.rows(), fullBatch,
          shard >= 0 || augment != null || frozen > 0);
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * Floats (and ints) of device memory a trainer allocates on top of {@link Inference#bufferFloats} with
   * training, its training set ({@link Inference#residentFloats}) and the optimizer state
   * ({@link ParameterTable#stateFloats}): each dense layer's deltas and, for mini-batches (and
   * every data-parallel replica), the batch buffers and the row order.
   *
   * @param network   the network to train
   * @param rows      the training set's rows
   * @param capacity  rows per batch
   * @param fullBatch whether an epoch is one batch without batch buffers
   * @return the floats
   */
  static long bufferFloats(Network network, long rows, long capacity, boolean fullBatch) {
    long floats = 0;
    for (Dense layer : network.dense()) {
      floats += capacity * layer.outputs();
    }
    boolean afterDense = false;
    for (dev.cltrain.nn.Layer layer : network.layers()) { // a batch norm after a dense layer: its output's gradient
      floats += afterDense && layer.kind() == dev.cltrain.nn.LayerKind.BATCHNORM ? capacity * layer.output().size() : 0;
      afterDense |= layer instanceof Dense;
    }
    return floats + (fullBatch ? 0 : batchFloats(network, capacity) + rows);
  }

  /**
   * How epochs are launched, for {@code --profile}.
   *
   * @return e.g. "one launch per up to 4000 epochs (train_small: ...)" or "layer by layer (mini-batches)"
   */
  @Override
  public dev.cltrain.core.Wording launchPlan() {
    if (augment != null && fullBatch) {
      return dev.cltrain.core.Wording.of("layer by layer (augmentation: the rows are gathered anew every epoch)");
    }
    if (frozen > 0 && fullBatch) {
      return dev.cltrain.core.Wording.of("layer by layer (frozen layers: train_small updates every layer)");
    }
    return small.launchPlan();
  }

  /**
   * {@code count} epochs; with a small network on the full batch, in train_small launches of at most
   * {@link #launchPlan()}'s epochs each, waiting for each before the next so that {@link #stopAfterBatch()}
   * is heard between them (the epochs then return with {@code complete} false; {@link #state()} says how many
   * ran). Otherwise {@link #epoch} after epoch.
   */
  @Override
  public EpochStats epochs(int count, boolean statsOnLast) {
    if (!small.used()) {
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
    int done = small.run(count, statsOnLast, step, rate, train.x, train.y, train.lossSlots, train.correctSlots,
        () -> stopRequested);
    step += done;
    epochsDone += done;
    stopRequested = false;
    if (done < count) {
      return new EpochStats(Float.NaN, Float.NaN, false);
    }
    if (!statsOnLast) {
      backend.flush();
      return new EpochStats(Float.NaN, Float.NaN);
    }
    return readStats(train, 1);
  }

  @Override
  public Network network() {
    small.toLayers();
    return super.network();
  }

  @Override
  public Evaluation evaluate(DataSet set, boolean wantOutputs) {
    small.toLayers();
    return super.evaluate(set, wantOutputs);
  }

  /** {@return whether the training rows are streamed: gathered on the host, batch by batch} */
  final boolean streamed() {
    return trainSet.isStreamed();
  }

  /** {@return whether the training rows are augmented} */
  final boolean augmented() {
    return augment != null;
  }

  /** {@return the training rows} */
  final DataSet trainingSet() {
    return trainSet;
  }

  /** {@return the streamed training rows' batches, or null for resident rows} */
  final StreamedBatches<B, I> streamedBatches() {
    return streamedRows;
  }

  /** Per dense layer: the number of table entries up to and including its own (its arrays end there). */
  private final List<Integer> denseEntryEnds = new ArrayList<>();

  /**
   * Called by {@link #backward} as soon as the gradients of table entries {@code firstEntry ..} (to the end) are
   * enqueued in full, from the last layer's down to 0 (every entry): nothing enqueued later writes them. Here:
   * nothing; a data-parallel replica starts reading them back ({@link Replica}).
   *
   * @param firstEntry the first table entry whose gradient is final
   */
  void gradientsEnqueued(int firstEntry) {}

  /** The backward pass of {@code rows} rows, gradients scaled by {@code perSample} (1/rows, or 1/batch for a shard). */
  void backward(B y, int rows, float perSample) {
    int last = layerCount() - 1;
    int count = rows * widths[last + 1];
    if (loss == Loss.XENT) {
      backend.xentDelta(count, networkOutput(), y, deltas.get(last));
    } else {
      backend.mseDelta(count, initial.dense().get(last).activation().code, networkOutput(), y, deltas.get(last));
    }
    for (int l = last; l >= lowestDense; l--) { // below lowestDense every layer is frozen: no gradient
      B input = denseInputs.get(l);
      if (l > 0 && norms.get(l - 1) != null) { // dense l-1, its batch norm (always trained), its dropout, dense l
        B g = normGradients.get(l - 1);
        denseOps.get(l).backward(rows, perSample, input, deltas.get(l), g, null, 0);
        if (dropouts.get(l - 1) != null) {
          dropouts.get(l - 1).backward(rows, step, perSample, null, g, g);
        }
        boolean below = l > lowestDense; // the lowest trained layer is the norm: nothing below it
        norms.get(l - 1).backward(rows, step, perSample, denseOps.get(l - 1).out, g, below ? deltas.get(l - 1) : null);
        int code = initial.dense().get(l - 1).activation().code;
        if (below && code != 0) {
          backend.activationDelta(rows * widths[l], code, denseOps.get(l - 1).out, deltas.get(l - 1));
        }
      } else if (l == lowestDense && l > 0) { // the lowest trained layer: its parameters' gradient, nothing below
        denseOps.get(l).backward(rows, step, perSample, input, deltas.get(l), null);
      } else if (l > 0) {
        denseOps.get(l).backward(rows, perSample, input, deltas.get(l), deltas.get(l - 1), denseOps.get(l - 1),
            initial.dense().get(l - 1).activation().code);
        if (dropouts.get(l - 1) != null) {
          dropouts.get(l - 1).backward(rows, step, perSample, null, deltas.get(l - 1), deltas.get(l - 1));
        }
      } else {
        boolean into = stages != null && stages.needsGradient();
        denseOps.get(0).backward(rows, step, perSample, input, deltas.get(0), into ? stages.outputGradient() : null);
        if (into) {
          stages.backward(rows, step, perSample);
        }
      }
      if (l == lowestDense) { // every array is final
        gradientsEnqueued(0);
      } else if (denseEntryEnds.size() == layerCount()) { // dense l's and above (l−1's batch norm lies above l−1's)
        gradientsEnqueued(denseEntryEnds.get(l - 1));
      }
    }
  }

  /** The optimizer step with the gradients in place. */
  void update() {
    step++;
    table.update(step, rate);
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
    if (small.used()) {
      return epochs(1, wantStats);
    }
    small.useLayers();
    int rows = trainSet.rows();
    if (fullBatch) {
      if (augment != null) {
        gatherInputs(rows, 0);
      }
      iteration(augment != null ? batchX : train.x, train.y, rows, 0, wantStats);
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
    if (streamedRows != null) {
      streamedRows.startEpoch(currentOrder, first);
    }
    if (!trainSet.isStreamed() || augment != null) {
      backend.writeIndices(order, currentOrder);
    }
    try {
      return batches(first, rows, listener);
    } finally {
      if (streamedRows != null) {
        streamedRows.endEpoch();
      }
    }
  }

  @Override
  protected float[] streamedTargets(DataSet set, float[] y) {
    // the resident training targets are smoothed once on the device (see the constructor): evaluated so too
    return set == trainSet ? optimizer.regularization().smoothedTargets(y, set.outputs()) : y;
  }

  @Override
  public java.util.List<dev.cltrain.core.KernelTime> takeProfile() {
    java.util.List<dev.cltrain.core.KernelTime> times = new ArrayList<>(super.takeProfile());
    if (streamedRows != null) { // with the time spent waiting for rows
      streamedRows.takeWait(times);
    }
    return times;
  }

  private EpochStats batches(int first, int rows, BatchListener listener) {
    for (int b = first; b < train.chunks; b++) {
      int offset = b * capacity;
      int n = Math.min(capacity, rows - offset);
      if (streamedRows != null) {
        BatchFeed.Batch batch = streamedRows.next();
        streamedRows.writeInputs(batch.x(), n, offset, epochsDone, order, batchX);
        backend.write(batchY, batch.y());
      } else {
        gatherInputs(n, offset);
        backend.gatherRows(n, widths[layerCount()], offset, order, train.y, batchY);
      }
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

  /**
   * Gathers the inputs of rows order[offset .. offset + rows) into the batch buffer: as they are, or augmented
   * with the draws of this epoch ({@link #epochsDone}, from 0) and each row's index in the training set.
   */
  void gatherInputs(int rows, int offset) {
    if (augment == null) {
      backend.gatherRows(rows, inputs, offset, order, train.x, batchX);
      return;
    }
    long seed = augment.seed();
    backend.gatherAugment(rows, image.height(), image.width(), image.channels(), augment.pad(),
        augment.flip() ? 1 : 0, (int) seed, (int) (seed >>> 32), epochsDone, offset, order, train.x, batchX);
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

  @Override
  public TrainerState state() {
    small.toLayers();
    List<List<float[]>> optimizerState = table.state();
    float[][] slots = pendingOrder == null ? new float[2][] : slots(pendingBatch);
    return new TrainerState(epochsDone, pendingOrder == null ? 0 : pendingBatch, step, network(), optimizerState,
        shuffler.state(), pendingOrder == null ? null : pendingOrder.clone(), slots[0], slots[1]);
  }

  /** {@return the loss (mean over its rows) and hits of the training set's batch slots, the first {@code batches}} */
  float[][] slots(int batches) {
    float[] losses = new float[train.chunks];
    float[] correct = new float[train.chunks];
    backend.download(train.lossSlots, losses);
    backend.download(train.correctSlots, correct);
    return new float[][] {Arrays.copyOf(losses, batches), Arrays.copyOf(correct, batches)};
  }

  @Override
  public void restore(TrainerState state) {
    Network network = state.network();
    if (!Arrays.equals(network.widths(), widths)) {
      throw new IllegalArgumentException("state of a " + Arrays.toString(network.widths()) + " network, not "
          + Arrays.toString(widths));
    }
    table.checkLayers(state.optimizerState());
    List<dev.cltrain.nn.Conv> convs = network.convs();
    if (convs.size() != initial.convs().size()) {
      throw new IllegalArgumentException("state of a network with " + convs.size() + " convolutions, not "
          + initial.convs().size());
    }
    for (int c = 0; c < convs.size(); c++) {
      dev.cltrain.nn.Conv mine = initial.convs().get(c);
      if (convs.get(c).weightCount() != mine.weightCount() || convs.get(c).filters() != mine.filters()) {
        throw new IllegalArgumentException("state's convolution " + (c + 1) + " is " + convs.get(c).spec() + ", not "
            + mine.spec());
      }
    }
    table.load(dev.cltrain.nn.Parameters.arrays(network));
    table.loadState(dev.cltrain.nn.Parameters.state(network));
    table.restoreState(state.optimizerState());
    small.layersOverwritten();
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
    if (UnfinishedEpoch.check(state, fullBatch, train.chunks, trainSet.rows())) {
      pendingOrder = state.order().clone();
      pendingBatch = state.batch();
      backend.write(train.lossSlots, state.lossSlots());
      backend.write(train.correctSlots, state.correctSlots());
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
