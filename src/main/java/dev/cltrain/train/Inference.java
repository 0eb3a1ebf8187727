package dev.cltrain.train;

import dev.cltrain.device.Trainer.EpochStats;
import dev.cltrain.device.Trainer.Evaluation;
import dev.cltrain.backend.Backend;
import dev.cltrain.core.KernelTime;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward passes on one backend, written once: the network's weights and biases in device buffers, data sets
 * uploaded once and evaluated in chunks of {@code capacity} rows (loss, accuracy and, when asked, the
 * outputs). A model's forward-only entry; {@link Backprop} adds the backward pass and the update on top.
 *
 * <pre>
 * forward   a₀ = X;  aₗ = f(aₗ₋₁·Wₗ + bₗ)                                    matmul_bias_activation
 *           (softmax at the output with xent)                          matmul, bias_softmax
 *           then a hidden layer's batch norm per unit and its dropout  (their ops)
 * loss      mse: mean of ½(a_L − y)²;  xent: mean over rows of −Σ y·log p        mse_loss|xent_loss, count_correct
 * </pre>
 *
 * <p>Not thread-safe: one thread at a time.
 *
 * @param <B> the backend's float buffer type
 * @param <I> the backend's int (row index) buffer type
 */
public class Inference<B, I> implements AutoCloseable {
  /** Where the buffers live and the kernels run; owned: closed by {@link #close()}. */
  protected final Backend<B, I> backend;
  /**
   * The network as given: its shapes, activations, loss and input scale. Its weights are the initial ones;
   * the current ones are in its ops' buffers ({@link #network()} reads them back).
   */
  protected final Network initial;
  /** The network's dense widths, input to output: L + 1 numbers (widths[0] is the stages' output size). */
  protected final int[] widths;
  /** Inputs per row: the data's width, which the stages (if any) take. */
  protected final int inputs;
  /** The stages before the dense layers (convolutions, pooling, dropout), or null for a dense network. */
  protected final Stages<B, I> stages;
  /** The op of each layer after the stages, in order: the dense layers, their batch norms and their dropouts. */
  final List<LayerOp<B>> ops = new ArrayList<>();
  /** Each dense layer's op. */
  final List<DenseOp<B>> denseOps = new ArrayList<>();
  /** Per dense layer: the op of the dropout after it; null where none follows it. */
  final List<LayerOp<B>> dropouts = new ArrayList<>();
  /** Per dense layer: the op of the batch norm after it (per unit, before the dropout); null where none follows it. */
  final List<LayerOp<B>> norms = new ArrayList<>();
  /** What each dense layer read in the last forward pass (the first: the inputs or the stages' output). */
  protected final List<B> denseInputs = new ArrayList<>();
  /** The network's loss, which picks the output kernels and the loss kernel. */
  protected final Loss loss;
  /** Rows the per-layer buffers hold: the batch size, the chunk size, or the whole training set. */
  protected final int capacity;
  private final Map<DataSet, Resident> residents = new IdentityHashMap<>();
  /** The gathered inputs of a batch or chunk, capacity × inputs; null until {@link #allocateBatchBuffers()}. */
  protected B batchX;
  /** The gathered targets of a batch or chunk, capacity × outputs; null until {@link #allocateBatchBuffers()}. */
  protected B batchY;

  /** A data set kept on the device, with one loss slot and one correct-count slot per batch or chunk. */
  protected final class Resident {
    final DataSet data;
    final B x;
    final B y;
    final int chunks;
    final B lossSlots;
    final B correctSlots;
    I identity;

    Resident(DataSet data) {
      this.data = data;
      this.x = data.isStreamed() ? null : backend.upload(data.x()); // streamed: read chunk by chunk
      this.y = data.isStreamed() ? null : backend.upload(data.y());
      this.chunks = (data.rows() + capacity - 1) / capacity;
      this.lossSlots = backend.allocate(chunks);
      this.correctSlots = backend.allocate(chunks);
    }
  }

  /**
   * Uploads {@code network}'s weights and allocates outputs for {@code capacity} rows. Takes ownership of
   * {@code backend}: it is closed with this object, or at once if set-up fails.
   *
   * @param backend  where the buffers live and the kernels run
   * @param network  the network whose weights to upload
   * @param capacity rows the per-layer buffers hold: the most rows one forward pass may take
   */
  public Inference(Backend<B, I> backend, Network network, int capacity) {
    this(backend, network, capacity, false);
  }

  /**
   * As {@link #Inference(Backend, Network, int)}, with the buffers training needs too when {@code training}.
   *
   * @param backend  where the buffers live and the kernels run
   * @param network  the network whose weights to upload
   * @param capacity rows the per-layer buffers hold
   * @param training whether to allocate the stages' backward buffers and the dense layers' dropout outputs
   */
  protected Inference(Backend<B, I> backend, Network network, int capacity, boolean training) {
    this.backend = backend;
    try {
      this.initial = network;
      this.widths = network.widths();
      this.inputs = network.inputs();
      this.loss = network.loss();
      this.capacity = capacity;
      this.stages = network.hasFeatures() ? new Stages<>(backend, network, capacity, training) : null;
      LayerOps.Context<B, I> context = new LayerOps.Context<>(backend, capacity, training,
          stages == null ? null : stages.masks);
      List<Layer> all = network.layers();
      for (int l = stages == null ? 0 : stages.ops.size(); l < all.size(); l++) {
        Layer layer = all.get(l);
        // a dense layer's dropout draws stream (the stages' streams + the index of the dense layer it follows)
        int stream = (stages == null ? 0 : stages.streamCount) + denseOps.size() - 1;
        LayerOp<B> op = LayerOps.make(context, layer, stream);
        ops.add(op);
        if (layer.kind().place == LayerKind.Place.DENSE) { // its op is a DenseOp (LayerOps' dense row)
          denseOps.add((DenseOp<B>) op);
          dropouts.add(null);
          norms.add(null);
        } else if (layer.kind() == LayerKind.BATCHNORM) {
          norms.set(denseOps.size() - 1, op);
        } else {
          dropouts.set(denseOps.size() - 1, op);
        }
      }
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * Floats of device memory the constructor allocates: the stages' buffers ({@link Stages#bufferFloats}) and
   * what the op of each layer after them allocates ({@link LayerOps#floats}: a dense layer's parameters, their
   * gradients when training, and outputs; a dropout's output when training).
   *
   * @param network  the network
   * @param capacity rows the per-layer buffers hold
   * @param training whether the buffers training needs are allocated too
   * @return the floats
   */
  static long bufferFloats(Network network, long capacity, boolean training) {
    List<Layer> stages = network.stages();
    long floats = Stages.bufferFloats(stages, capacity, training);
    for (Layer layer : network.layers().subList(stages.size(), network.layers().size())) {
      floats += LayerOps.floats(layer, capacity, training);
    }
    return floats;
  }

  /**
   * Floats of device memory a resident data set takes ({@link #resident}): its inputs and targets and two slots
   * per chunk.
   *
   * @param network  the network (the set has its input and output widths)
   * @param rows     the set's rows
   * @param capacity rows per chunk
   * @return the floats
   */
  static long residentFloats(Network network, long rows, long capacity) {
    return residentFloats(network, rows, capacity, false);
  }

  /**
   * {@link #residentFloats(Network, long, long)}, for a streamed set only the slots (its rows pass through the
   * batch buffers).
   *
   * @param network  the network
   * @param rows     the set's rows
   * @param capacity rows per chunk
   * @param streamed whether the set is streamed
   * @return the floats
   */
  static long residentFloats(Network network, long rows, long capacity, boolean streamed) {
    return (streamed ? 0 : rows * (network.inputs() + network.outputs())) + 2 * ((rows + capacity - 1) / capacity);
  }

  /**
   * @param network  the network
   * @param capacity rows per batch or chunk
   * @return floats of the batch buffers ({@link #allocateBatchBuffers()}): a batch's inputs and targets
   */
  static long batchFloats(Network network, long capacity) {
    return capacity * (network.inputs() + network.outputs());
  }

  /** Allocates {@link #batchX} and {@link #batchY} on the first call; later calls do nothing. */
  protected void allocateBatchBuffers() {
    if (batchX == null) {
      batchX = backend.allocate(capacity * inputs);
      batchY = backend.allocate(capacity * widths[widths.length - 1]);
    }
  }

  /**
   * @param set a data set with the network's input and output widths
   * @return its copy on the device, uploaded on the first call for that data set (by identity) and kept
   * @throws IllegalArgumentException if the data set's widths are not the network's
   */
  protected Resident resident(DataSet set) {
    Resident r = residents.get(set);
    if (r == null) {
      if (set.inputs() != inputs || set.outputs() != widths[widths.length - 1]) {
        throw new IllegalArgumentException("data set " + set.name() + " has " + set.inputs() + " inputs and "
            + set.outputs() + " outputs; the network takes " + inputs + " and gives " + widths[widths.length - 1]);
      }
      r = new Resident(set);
      residents.put(set, r);
    }
    return r;
  }

  /** @return L, the number of layers */
  protected int layerCount() {
    return widths.length - 1;
  }

  /** @return the last layer's activations: the network's outputs for the rows of the last forward pass */
  protected B networkOutput() {
    return denseOps.get(layerCount() - 1).out;
  }

  /**
   * Enqueues a forward pass (each op fills its own output buffer).
   *
   * @param x    the inputs, at least rows × inputs, row-major
   * @param rows how many rows to run, 1 to capacity
   */
  protected void forward(B x, int rows) {
    forward(x, rows, -1);
  }

  /**
   * Enqueues a forward pass, with dropout (training) when {@code step} ≥ 0.
   *
   * @param x    the inputs, at least rows × inputs, row-major
   * @param rows how many rows to run, 1 to capacity
   * @param step the optimizer step whose dropout masks to use; negative: no dropout (inference)
   */
  protected void forward(B x, int rows, long step) {
    B input = stages == null ? x : stages.forward(x, rows, step);
    denseInputs.clear();
    for (int l = 0; l < layerCount(); l++) {
      denseInputs.add(input);
      input = denseOps.get(l).forward(input, rows, step);
      if (norms.get(l) != null) {
        input = norms.get(l).forward(input, rows, step);
      }
      if (dropouts.get(l) != null) {
        input = dropouts.get(l).forward(input, rows, step);
      }
    }
  }

  /**
   * Enqueues the loss and the correct count of the last forward pass against the targets {@code y}.
   *
   * @param y            the targets, at least rows × outputs, row-major
   * @param rows         the rows of the last forward pass
   * @param slot         which slot of {@code lossSlots} and {@code correctSlots} to write
   * @param lossSlots    gets the mean loss over the rows at {@code slot}
   * @param correctSlots gets the number of rows predicted right at {@code slot}
   */
  protected void stats(B y, int rows, int slot, B lossSlots, B correctSlots) {
    int cols = widths[layerCount()];
    if (loss == Loss.XENT) {
      backend.xentLoss(rows, cols, slot, networkOutput(), y, lossSlots);
    } else {
      backend.mseLoss(rows * cols, slot, networkOutput(), y, lossSlots);
    }
    backend.countCorrect(rows, cols, slot, networkOutput(), y, correctSlots);
  }

  /**
   * Loss and accuracy over the first {@code chunks} chunks of a resident set from its slots: the loss of each
   * chunk weighted by its rows. Waits for the work enqueued before.
   *
   * @param r      the resident data set whose slots were written
   * @param chunks how many chunks, from the first, were run
   * @return the loss and accuracy over those chunks' rows
   */
  protected EpochStats readStats(Resident r, int chunks) {
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

  /**
   * A forward pass with the current weights over {@code set} (uploaded once, then kept on the device): the
   * loss, the accuracy and, when {@code wantOutputs}, the outputs (rows × outputs).
   *
   * @param set         the data set, with the network's input and output widths
   * @param wantOutputs whether to download the outputs too
   * @return the loss, the accuracy (fraction of rows predicted right) and the outputs, or null outputs
   * @throws IllegalArgumentException if the data set's widths are not the network's
   */
  public Evaluation evaluate(DataSet set, boolean wantOutputs) {
    float[] all = wantOutputs ? new float[set.rows() * widths[layerCount()]] : null;
    Evaluation e = evaluate(set, all == null ? null
        : (first, n, outputs, targets) -> System.arraycopy(outputs, 0, all, first * widths[layerCount()], outputs.length));
    return new Evaluation(e.loss(), e.accuracy(), all);
  }

  /**
   * {@link #evaluate(DataSet, boolean)} handing each chunk's outputs to {@code each} as they are computed, none
   * kept: a streamed set's rows pass through the heap a chunk at a time.
   *
   * @param set  the data set, with the network's input and output widths
   * @param each gets every chunk's outputs and targets, in row order; null for none
   * @return the loss and the accuracy, no outputs
   */
  public Evaluation evaluate(DataSet set, dev.cltrain.device.OutputRows each) {
    Resident r = resident(set);
    int rows = set.rows();
    int cols = widths[layerCount()];
    for (int c = 0; c < r.chunks; c++) {
      int offset = c * capacity;
      int n = Math.min(capacity, rows - offset);
      B x = r.x;
      B y = r.y;
      float[] hy = null; // a streamed chunk's targets as read
      if (set.isStreamed()) { // the chunk's rows read from the source, in order: the floats the arrays hold
        if (c == 0) {
          set.source().checkUnchanged();
        }
        allocateBatchBuffers();
        float[] hx = new float[n * inputs];
        hy = new float[n * cols];
        set.read(offset, n, hx, hy);
        backend.write(batchX, hx);
        backend.write(batchY, streamedTargets(set, hy));
        x = batchX;
        y = batchY;
      } else if (r.chunks > 1) {
        allocateBatchBuffers();
        if (r.identity == null) {
          int[] identity = new int[rows];
          Arrays.setAll(identity, i -> i);
          r.identity = backend.uploadIndices(identity);
        }
        backend.gatherRows(n, inputs, offset, r.identity, r.x, batchX);
        backend.gatherRows(n, cols, offset, r.identity, r.y, batchY);
        x = batchX;
        y = batchY;
      }
      forward(x, n);
      stats(y, n, c, r.lossSlots, r.correctSlots);
      if (each != null) {
        float[] chunk = new float[n * cols];
        backend.download(networkOutput(), chunk);
        each.rows(offset, n, chunk, hy != null ? hy
            : Arrays.copyOfRange(set.y(), offset * set.outputs(), (offset + n) * set.outputs()));
      }
    }
    EpochStats stats = readStats(r, r.chunks);
    return new Evaluation(stats.loss(), stats.accuracy(), null);
  }

  /**
   * The targets a chunk of a streamed set is evaluated against: as read; a trainer's own training set's as its
   * device copy holds them (label smoothing), so that a streamed set evaluates as the resident one does.
   *
   * @param set the streamed set
   * @param y   a chunk of its targets, as read
   * @return the targets to evaluate against
   */
  protected float[] streamedTargets(DataSet set, float[] y) {
    return y;
  }

  /** @return every layer's op, in the network's order (the stages', then the dense layers' and their dropouts') */
  protected List<LayerOp<B>> allOps() {
    List<LayerOp<B>> all = new ArrayList<>(stages == null ? List.of() : stages.ops);
    all.addAll(ops);
    return all;
  }

  /** @return a copy of the network with its weights and biases as they are now (waits for the work enqueued) */
  public Network network() {
    List<Layer> layers = new ArrayList<>();
    for (LayerOp<B> op : allOps()) {
      layers.add(op.current());
    }
    return initial.withLayers(layers);
  }

  /** @return time per kernel since the last call, when the backend profiles; else empty */
  public List<KernelTime> takeProfile() {
    return backend.takeProfile();
  }

  /** @return bytes copied {host → device, device → host} so far (0 on the reference) */
  public long[] transferredBytes() {
    return backend.transferredBytes();
  }

  @Override
  public void close() {
    backend.close();
  }

  /** @return where this runs, e.g. "Java reference": the backend's name */
  public String deviceName() {
    return backend.name();
  }
}
