package dev.cltrain.train;

import dev.cltrain.Trainer;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.KernelTime;
import dev.cltrain.nn.Optimizer;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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
 * update    every layer: Wₗ, bₗ by the optimizer (n = the batch's own rows)  sgd_update|momentum_update|adam_update
 * </pre>
 */
public class Backprop<B, I> implements Trainer {
  private final Backend<B, I> backend;
  private final Network initial;
  private final Optimizer optimizer;
  private final NumpyRandom shuffler;
  private final int[] widths;
  private final Loss loss;
  private final DataSet trainSet;
  /** Rows the per-layer buffers hold: the batch size, or the whole training set. */
  private final int capacity;
  private final boolean fullBatch;
  private final Resident train;
  /** Index l = 0..L-1 (layer l+1 of the formulas). */
  private final List<B> weights = new ArrayList<>();
  private final List<B> biases = new ArrayList<>();
  private final List<B> weightGradients = new ArrayList<>();
  private final List<B> biasGradients = new ArrayList<>();
  private final List<B> outputs = new ArrayList<>();
  private final List<B> deltas = new ArrayList<>();
  /** Optimizer state per layer: [weights' state..., biases' state...] (velocity, or m and v). */
  private final List<List<B>> states = new ArrayList<>();
  private final Map<DataSet, Resident> residents = new IdentityHashMap<>();
  private B batchX;
  private B batchY;
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

  /** A data set kept on the device, with one loss slot and one correct-count slot per batch or chunk. */
  private final class Resident {
    final DataSet data;
    final B x;
    final B y;
    final int chunks;
    final B lossSlots;
    final B correctSlots;
    I identity;

    Resident(DataSet data) {
      this.data = data;
      this.x = backend.upload(data.x());
      this.y = backend.upload(data.y());
      this.chunks = (data.rows() + capacity - 1) / capacity;
      this.lossSlots = backend.allocate(chunks);
      this.correctSlots = backend.allocate(chunks);
    }
  }

  /** Takes ownership of {@code backend}: it is closed with this trainer, or at once if set-up fails. */
  public Backprop(Backend<B, I> backend, Network initial, DataSet train, Settings settings) {
    this.backend = backend;
    try {
      this.initial = initial;
      this.optimizer = settings.optimizer();
      this.shuffler = settings.shuffler().copy();
      this.widths = initial.widths();
      this.loss = initial.loss();
      this.trainSet = train;
      if (widths[0] != train.inputs() || widths[widths.length - 1] != train.outputs()) {
        throw new IllegalArgumentException("network " + Arrays.toString(widths) + " does not fit data with "
            + train.inputs() + " inputs and " + train.outputs() + " outputs");
      }
      this.fullBatch = settings.batchSize() <= 0 || settings.batchSize() >= train.rows();
      this.capacity = fullBatch ? train.rows() : settings.batchSize();
      this.train = resident(train);
      for (Layer layer : initial.layers()) {
        weights.add(backend.upload(layer.weights()));
        biases.add(backend.upload(layer.bias()));
        weightGradients.add(backend.allocate(layer.weights().length));
        biasGradients.add(backend.allocate(layer.outputs()));
        outputs.add(backend.allocate(capacity * layer.outputs()));
        deltas.add(backend.allocate(capacity * layer.outputs()));
        List<B> state = new ArrayList<>();
        for (int s = 0; s < optimizer.stateBuffers(); s++) {
          state.add(backend.upload(new float[layer.weights().length]));
        }
        for (int s = 0; s < optimizer.stateBuffers(); s++) {
          state.add(backend.upload(new float[layer.outputs()]));
        }
        states.add(state);
      }
      if (!fullBatch) {
        allocateBatchBuffers();
        this.order = backend.uploadIndices(new int[train.rows()]);
      }
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * Bytes of device memory a network, training set and batch size need: every buffer above, optimizer
   * state included (evaluation sets come on top, uploaded when first evaluated).
   */
  public static long bytesNeeded(Network network, DataSet data, Settings settings) {
    int rows = data.rows();
    boolean full = settings.batchSize() <= 0 || settings.batchSize() >= rows;
    long capacity = full ? rows : settings.batchSize();
    long floats = (long) rows * (data.inputs() + data.outputs()) + 2L * ((rows + capacity - 1) / capacity);
    for (Layer layer : network.layers()) {
      long parameters = (long) layer.weights().length + layer.outputs();
      floats += parameters * (2 + settings.optimizer().stateBuffers()) + 2L * capacity * layer.outputs();
    }
    if (!full) {
      floats += capacity * (data.inputs() + data.outputs()) + rows;
    }
    return 4 * floats;
  }

  /** The largest single buffer, in bytes, that {@link #bytesNeeded} counts. */
  public static long largestBuffer(Network network, DataSet data, Settings settings) {
    int rows = data.rows();
    long capacity = settings.batchSize() <= 0 || settings.batchSize() >= rows ? rows : settings.batchSize();
    long largest = (long) rows * Math.max(data.inputs(), data.outputs());
    for (Layer layer : network.layers()) {
      largest = Math.max(largest, Math.max(layer.weights().length, capacity * layer.outputs()));
    }
    return 4 * largest;
  }

  private void allocateBatchBuffers() {
    if (batchX == null) {
      batchX = backend.allocate(capacity * widths[0]);
      batchY = backend.allocate(capacity * widths[widths.length - 1]);
    }
  }

  private Resident resident(DataSet set) {
    Resident r = residents.get(set);
    if (r == null) {
      if (set.inputs() != widths[0] || set.outputs() != widths[widths.length - 1]) {
        throw new IllegalArgumentException("data set " + set.name() + " has " + set.inputs() + " inputs and "
            + set.outputs() + " outputs; the network takes " + widths[0] + " and gives " + widths[widths.length - 1]);
      }
      r = new Resident(set);
      residents.put(set, r);
    }
    return r;
  }

  private int layerCount() {
    return widths.length - 1;
  }

  private B networkOutput() {
    return outputs.get(layerCount() - 1);
  }

  private void forward(B x, int rows) {
    B input = x;
    for (int l = 0; l < layerCount(); l++) {
      B a = outputs.get(l);
      Activation activation = initial.layers().get(l).activation();
      if (activation == Activation.SOFTMAX) {
        backend.matmul(rows, widths[l + 1], widths[l], 1.0f, input, weights.get(l), a);
        backend.biasSoftmax(rows, widths[l + 1], a, biases.get(l), a);
      } else {
        backend.matmulBiasActivation(rows, widths[l + 1], widths[l], activation.code, input, weights.get(l),
            biases.get(l), a);
      }
      input = a;
    }
  }

  private void stats(B y, int rows, int slot, B lossSlots, B correctSlots) {
    int cols = widths[layerCount()];
    if (loss == Loss.XENT) {
      backend.xentLoss(rows, cols, slot, networkOutput(), y, lossSlots);
    } else {
      backend.mseLoss(rows * cols, slot, networkOutput(), y, lossSlots);
    }
    backend.countCorrect(rows, cols, slot, networkOutput(), y, correctSlots);
  }

  private void backward(B x, B y, int rows) {
    int last = layerCount() - 1;
    float perSample = 1.0f / rows;
    int count = rows * widths[last + 1];
    if (loss == Loss.XENT) {
      backend.xentDelta(count, networkOutput(), y, deltas.get(last));
    } else {
      backend.mseDelta(count, initial.layers().get(last).activation().code, networkOutput(), y, deltas.get(last));
    }
    for (int l = last; l >= 0; l--) {
      B input = l == 0 ? x : outputs.get(l - 1);
      backend.matmulTransposeA(widths[l], widths[l + 1], rows, perSample, input, deltas.get(l), weightGradients.get(l));
      backend.columnSum(rows, widths[l + 1], perSample, deltas.get(l), biasGradients.get(l));
      if (l > 0) {
        backend.matmulTransposeBDelta(rows, widths[l], widths[l + 1], initial.layers().get(l - 1).activation().code,
            deltas.get(l), weights.get(l), outputs.get(l - 1), deltas.get(l - 1));
      }
    }
  }

  private void update() {
    step++;
    float correction1 = (float) (1.0 - Math.pow(optimizer.beta1(), step));
    float correction2 = (float) (1.0 - Math.pow(optimizer.beta2(), step));
    for (int l = 0; l < layerCount(); l++) {
      List<B> state = states.get(l);
      int half = state.size() / 2;
      updateParameters(widths[l] * widths[l + 1], optimizer.weightDecay(), weightGradients.get(l), weights.get(l),
          state.subList(0, half), correction1, correction2);
      updateParameters(widths[l + 1], 0.0f, biasGradients.get(l), biases.get(l), state.subList(half, state.size()),
          correction1, correction2);
    }
  }

  private void updateParameters(int count, float weightDecay, B gradient, B parameters, List<B> state,
      float correction1, float correction2) {
    Optimizer o = optimizer;
    switch (o.kind()) {
      case SGD -> backend.sgdUpdate(count, o.learningRate(), weightDecay, gradient, parameters);
      case MOMENTUM -> backend.momentumUpdate(count, o.learningRate(), o.momentum(), weightDecay, gradient,
          state.get(0), parameters);
      case ADAM -> backend.adamUpdate(count, o.learningRate(), o.beta1(), o.beta2(), o.epsilon(), weightDecay,
          correction1, correction2, gradient, state.get(0), state.get(1), parameters);
    }
  }

  /** One backprop iteration on rows already in place: forward, stats into slot, backward, update. */
  private void iteration(B x, B y, int rows, int slot, boolean wantStats) {
    forward(x, rows);
    if (wantStats) {
      stats(y, rows, slot, train.lossSlots, train.correctSlots);
    }
    backward(x, y, rows);
    update();
  }

  @Override
  public String deviceName() {
    return backend.name();
  }

  @Override
  public EpochStats epoch(boolean wantStats, BatchListener listener) {
    int rows = trainSet.rows();
    if (fullBatch) {
      iteration(train.x, train.y, rows, 0, wantStats);
      epochsDone++;
      if (!wantStats) {
        backend.flush();
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
      backend.gatherRows(n, widths[0], offset, order, train.x, batchX);
      backend.gatherRows(n, widths[layerCount()], offset, order, train.y, batchY);
      iteration(batchX, batchY, n, b, true);
      backend.flush();
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

  @Override
  public TrainerState state() {
    List<List<float[]>> optimizerState = new ArrayList<>();
    for (List<B> layerState : states) {
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
    int l = states.indexOf(layerState);
    boolean weightsState = layerState.indexOf(buffer) < layerState.size() / 2;
    return weightsState ? widths[l] * widths[l + 1] : widths[l + 1];
  }

  @Override
  public void restore(TrainerState state) {
    Network network = state.network();
    if (!Arrays.equals(network.widths(), widths)) {
      throw new IllegalArgumentException("state of a " + Arrays.toString(network.widths()) + " network, not "
          + Arrays.toString(widths));
    }
    if (state.optimizerState().size() != layerCount()) {
      throw new IllegalArgumentException("optimizer state for " + state.optimizerState().size() + " layers, not "
          + layerCount());
    }
    for (int l = 0; l < layerCount(); l++) {
      backend.write(weights.get(l), network.layers().get(l).weights());
      backend.write(biases.get(l), network.layers().get(l).bias());
      List<float[]> saved = state.optimizerState().get(l);
      List<B> layerState = states.get(l);
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

  /**
   * Loss and accuracy over the first {@code chunks} chunks of a resident set from its slots: the loss of each
   * chunk weighted by its rows.
   */
  private EpochStats readStats(Resident r, int chunks) {
    float[] losses = new float[r.chunks];
    float[] correct = new float[r.chunks];
    backend.download(r.lossSlots, losses);
    backend.download(r.correctSlots, correct);
    double lossSum = 0;
    double hits = 0;
    int rows = 0;
    for (int c = 0; c < chunks; c++) {
      int n = Math.min(capacity, r.data.rows() - c * capacity);
      lossSum += (double) losses[c] * n;
      hits += correct[c];
      rows += n;
    }
    return new EpochStats((float) (lossSum / rows), (float) (hits / rows));
  }

  @Override
  public Evaluation evaluate(DataSet set, boolean wantOutputs) {
    Resident r = resident(set);
    int rows = set.rows();
    int cols = widths[layerCount()];
    float[] all = wantOutputs ? new float[rows * cols] : null;
    for (int c = 0; c < r.chunks; c++) {
      int offset = c * capacity;
      int n = Math.min(capacity, rows - offset);
      B x = r.x;
      B y = r.y;
      if (r.chunks > 1) {
        allocateBatchBuffers();
        if (r.identity == null) {
          int[] identity = new int[rows];
          Arrays.setAll(identity, i -> i);
          r.identity = backend.uploadIndices(identity);
        }
        backend.gatherRows(n, widths[0], offset, r.identity, r.x, batchX);
        backend.gatherRows(n, cols, offset, r.identity, r.y, batchY);
        x = batchX;
        y = batchY;
      }
      forward(x, n);
      stats(y, n, c, r.lossSlots, r.correctSlots);
      if (wantOutputs) {
        float[] chunk = new float[n * cols];
        backend.download(networkOutput(), chunk);
        System.arraycopy(chunk, 0, all, offset * cols, chunk.length);
      }
    }
    EpochStats stats = readStats(r, r.chunks);
    return new Evaluation(stats.loss(), stats.accuracy(), all);
  }

  @Override
  public Network network() {
    List<Layer> layers = new ArrayList<>();
    for (int l = 0; l < layerCount(); l++) {
      Layer shape = initial.layers().get(l);
      float[] w = new float[shape.weights().length];
      float[] b = new float[shape.outputs()];
      backend.download(weights.get(l), w);
      backend.download(biases.get(l), b);
      layers.add(new Layer(shape.inputs(), shape.outputs(), shape.activation(), w, b));
    }
    return new Network(initial.loss(), layers, initial.inputScale());
  }

  @Override
  public List<KernelTime> takeProfile() {
    return backend.takeProfile();
  }

  @Override
  public long[] transferredBytes() {
    return backend.transferredBytes();
  }

  @Override
  public void close() {
    backend.close();
  }
}
