package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Every trainable array of a training run, in checkpoint order: each parameterised layer's arrays in layer
 * order (a convolution's or dense layer's weights then biases, a batch norm's γ then β; a recurrent layer's four,
 * an embedding's one), and the layers' state
 * buffers (not trained: {@link #addState}, {@link #loadState}). For each array it holds the parameters and the gradient (both allocated by the part that computes
 * them) and allocates the optimizer state; it runs the update, reads and writes the optimizer state
 * ({@link #state()}, {@link #restoreState}), loads parameters ({@link #load}) and exchanges gradients in the same
 * order ({@link #downloadGradients}, {@link #uploadGradients}: data parallelism's wire format).
 *
 * <p>The update is one launch a step for every array (up to {@link Kernels#SEGMENTS} arrays a launch, so ⌈2L/8⌉
 * launches for L parameterised layers), in table order; each array keeps its own buffers, and its optimizer
 * state its own, so a checkpoint's state is per layer: a layer's weights' state buffers, then its biases'.
 *
 * @param <B> the backend's float buffer type
 */
final class ParameterTable<B> {
  /**
   * One trainable array.
   *
   * @param count    its floats
   * @param decays   whether weight decay applies (weights: yes; biases: no)
   * @param values   the parameters
   * @param gradient the gradient the backward pass leaves
   * @param state    the optimizer state: velocity, or m then v; empty for sgd
   */
  record Entry<B>(int count, boolean decays, B values, B gradient, List<B> state) {}

  private final Backend<B, ?> backend;
  private final Optimizer optimizer;
  private final List<Entry<B>> entries = new ArrayList<>();
  /** The index of each parameterised layer's first entry: its arrays run to the next layer's. */
  private final List<Integer> layerStarts = new ArrayList<>();
  /** Whether the last entry is the first of a pair the two-array {@link #add} began (the next one ends it). */
  private boolean pairOpen;
  /** The first entries, those of frozen layers: never updated, clipped or exchanged ({@link #freezeFirst}). */
  private int frozen;
  /** The update's launches, made on first use from {@link #entries}. */
  private List<Optimizer.Slots<B>> slotGroups;
  /** One host array per entry for the gradient exchange, made on first use and kept: no allocation per step. */
  private final List<float[]> gradientScratch = new ArrayList<>();

  ParameterTable(Backend<B, ?> backend, Optimizer optimizer) {
    this.backend = backend;
    this.optimizer = optimizer;
  }

  /**
   * Adds the next array in checkpoint order and allocates its optimizer state (zeros).
   *
   * @param count    its floats
   * @param decays   whether weight decay applies
   * @param values   its parameters
   * @param gradient its gradient
   */
  void add(int count, boolean decays, B values, B gradient) {
    add(count, decays, values, gradient, !pairOpen);
    pairOpen = !pairOpen && layerStarts.get(layerStarts.size() - 1) == entries.size() - 1;
  }

  /**
   * Adds the next array of a layer whose arrays are not two (a recurrent layer's four, an embedding's one): as
   * {@link #add(int, boolean, Object, Object)}, saying where a layer's arrays begin.
   *
   * @param count       its floats
   * @param decays      whether weight decay applies
   * @param values      its parameters
   * @param gradient    its gradient
   * @param startsLayer whether it is its layer's first array (the layer's entry of the optimizer state)
   */
  void add(int count, boolean decays, B values, B gradient, boolean startsLayer) {
    pairOpen = false;
    if (startsLayer) {
      layerStarts.add(entries.size());
    }
    List<B> state = new ArrayList<>();
    for (int s = 0; s < optimizer.stateBuffers(); s++) {
      state.add(backend.upload(new float[count]));
    }
    entries.add(new Entry<>(count, decays, values, gradient, List.copyOf(state)));
    slotGroups = null;
  }

  /** The layers' state buffers ({@link LayerOp#state()}), layer by layer: not trained, loaded with the parameters. */
  private final List<B> stateBuffers = new ArrayList<>();

  /**
   * Adds an op's state buffers (e.g. a batch norm's running statistics), after those added before: what
   * {@link #loadState} writes, in {@link dev.cltrain.nn.Parameters#state}'s order.
   *
   * @param buffers the op's {@link LayerOp#state()}
   */
  void addState(List<B> buffers) {
    stateBuffers.addAll(buffers);
  }

  /**
   * Replaces every layer's state (a restored checkpoint's network's).
   *
   * @param values one array per state buffer, in order ({@link dev.cltrain.nn.Parameters#state})
   */
  void loadState(List<float[]> values) {
    if (values.size() != stateBuffers.size()) {
      throw new IllegalArgumentException("state of " + values.size() + " arrays, not " + stateBuffers.size());
    }
    for (int i = 0; i < values.size(); i++) {
      backend.write(stateBuffers.get(i), values.get(i));
    }
  }

  /**
   * Leaves the first {@code count} entries (the frozen layers') out of the update, the clipping and the gradient
   * exchange: their parameters and optimizer state keep their values; a checkpoint still holds them all.
   *
   * @param count entries from the first, at most all
   */
  void freezeFirst(int count) {
    frozen = count;
    slotGroups = null;
  }

  /** {@return the entries that are trained: all but the frozen first ones} */
  private List<Entry<B>> trained() {
    return entries.subList(frozen, entries.size());
  }

  /** {@return the index of the first trained entry: those before it are frozen ({@link #freezeFirst})} */
  int firstTrained() {
    return frozen;
  }

  /** {@return the arrays in checkpoint order} */
  List<Entry<B>> entries() {
    return entries;
  }

  /**
   * Floats of optimizer state a table allocates for a network: every trainable array's, times the optimizer's
   * state buffers per array.
   *
   * @param network   the network to train
   * @param optimizer the optimizer
   * @return the floats
   */
  static long stateFloats(Network network, Optimizer optimizer) {
    return network.parameterCount() * optimizer.stateBuffers();
  }

  /**
   * Replaces every array's parameters.
   *
   * @param values one array per entry, in checkpoint order ({@link dev.cltrain.nn.Parameters#arrays}), each of
   *     the entry's length
   */
  void load(List<float[]> values) {
    for (int e = 0; e < entries.size(); e++) {
      backend.write(entries.get(e).values(), values.get(e));
    }
  }

  /**
   * Enqueues the optimizer step with the gradients in place.
   *
   * @param step the step's number, from 1 (Adam's bias corrections)
   * @param rate η
   */
  void update(long step, float rate) {
    float clipNorm = optimizer.regularization().clipNorm();
    if (clipNorm > 0) {
      clip(clipNorm);
    }
    optimizer.update(backend, slotGroups(), rate, step);
  }

  /** The clipping's partial sums (one per {@link Kernels#NORM_BLOCK} block of every gradient) and its factor. */
  private B clipPartials;
  private B clipFactor;

  /**
   * Scales every gradient by min(1, C / (‖g‖ + 1e-6)), ‖g‖ the L2 norm of all gradients in table order
   * (update.cl's square_sums per entry, clip_factor, scale_by per entry).
   */
  private void clip(float maxNorm) {
    int blocks = 0;
    for (Entry<B> e : trained()) {
      blocks += (e.count() + Kernels.NORM_BLOCK - 1) / Kernels.NORM_BLOCK;
    }
    if (clipPartials == null) {
      clipPartials = backend.allocate(Math.max(1, blocks));
      clipFactor = backend.allocate(1);
    }
    int first = 0;
    for (Entry<B> e : trained()) {
      backend.squareSums(e.count(), first, e.gradient(), clipPartials);
      first += (e.count() + Kernels.NORM_BLOCK - 1) / Kernels.NORM_BLOCK;
    }
    backend.clipFactor(blocks, maxNorm, clipPartials, clipFactor);
    for (Entry<B> e : trained()) {
      backend.scaleBy(e.count(), clipFactor, e.gradient());
    }
  }

  /** The update's launches: the entries in order, {@link Kernels#SEGMENTS} (or fewer, last) a launch. */
  private List<Optimizer.Slots<B>> slotGroups() {
    if (slotGroups != null) {
      return slotGroups;
    }
    slotGroups = new ArrayList<>();
    int perArray = optimizer.stateBuffers();
    List<Entry<B>> entries = trained();
    for (int from = 0; from < entries.size(); from += Kernels.SEGMENTS) {
      int to = Math.min(entries.size(), from + Kernels.SEGMENTS);
      int[] count = new int[to - from];
      float[] decay = new float[to - from];
      List<B> dw = new ArrayList<>();
      List<B> w = new ArrayList<>();
      List<B> first = new ArrayList<>();
      List<B> second = new ArrayList<>();
      for (int s = from; s < to; s++) {
        Entry<B> e = entries.get(s);
        count[s - from] = e.count();
        decay[s - from] = e.decays() || optimizer.regularization().decayAll() ? optimizer.weightDecay() : 0.0f;
        dw.add(e.gradient());
        w.add(e.values());
        if (perArray > 0) {
          first.add(e.state().get(0));
        }
        if (perArray > 1) {
          second.add(e.state().get(1));
        }
      }
      slotGroups.add(new Optimizer.Slots<>(count, decay, List.copyOf(dw), List.copyOf(w),
          List.of(List.copyOf(first), List.copyOf(second))));
    }
    return slotGroups;
  }

  /** {@return floats of all gradients: every trained entry's, in table order} */
  int gradientFloats() {
    int n = 0;
    for (Entry<B> e : trained()) {
      n += e.count();
    }
    return n;
  }

  /** Copies every trained gradient, in table order, into {@code into} (waits for the work enqueued before). */
  void downloadGradients(float[] into) {
    int at = 0;
    for (int e = frozen; e < entries.size(); e++) {
      float[] part = gradientScratch(e);
      backend.download(entries.get(e).gradient(), part);
      System.arraycopy(part, 0, into, at, part.length);
      at += part.length;
    }
  }

  /** Replaces every trained gradient, in table order, with {@code from}'s values. */
  void uploadGradients(float[] from) {
    int at = 0;
    for (int e = frozen; e < entries.size(); e++) {
      float[] part = gradientScratch(e);
      System.arraycopy(from, at, part, 0, part.length);
      backend.write(entries.get(e).gradient(), part);
      at += part.length;
    }
  }

  private float[] gradientScratch(int entry) {
    while (gradientScratch.size() <= entry) {
      gradientScratch.add(new float[entries.get(gradientScratch.size()).count()]);
    }
    return gradientScratch.get(entry);
  }

  /**
   * {@return the optimizer state per parameterised layer (a checkpoint's): its weights' buffers, then its
   * biases'} Waits for the work enqueued before.
   */
  List<List<float[]>> state() {
    List<List<float[]>> layers = new ArrayList<>();
    for (int l = 0; l < layerStarts.size(); l++) {
      List<float[]> copies = new ArrayList<>();
      for (Entry<B> part : entries.subList(layerStarts.get(l), layerEnd(l))) {
        for (B buffer : part.state()) {
          float[] values = new float[part.count()];
          backend.download(buffer, values);
          copies.add(values);
        }
      }
      layers.add(copies);
    }
    return layers;
  }

  /**
   * Checks that {@code saved} is optimizer state for as many layers as this table holds.
   *
   * @param saved a checkpoint's optimizer state, as {@link #state()} gives it
   * @throws IllegalArgumentException if it is for another number of layers
   */
  void checkLayers(List<List<float[]>> saved) {
    if (saved.size() != layerStarts.size()) {
      throw new IllegalArgumentException("optimizer state for " + saved.size() + " layers, not "
          + layerStarts.size());
    }
  }

  /** {@return the index after layer {@code l}'s last entry} */
  private int layerEnd(int l) {
    return l + 1 < layerStarts.size() ? layerStarts.get(l + 1) : entries.size();
  }

  /**
   * Replaces the optimizer state.
   *
   * @param saved optimizer state as {@link #state()} gives it
   * @throws IllegalArgumentException if a layer's buffers or their lengths are not this table's
   */
  void restoreState(List<List<float[]>> saved) {
    checkLayers(saved);
    for (int l = 0; l < saved.size(); l++) {
      List<float[]> layer = saved.get(l);
      int perArray = optimizer.stateBuffers();
      int arrays = layerEnd(l) - layerStarts.get(l);
      if (layer.size() != arrays * perArray) {
        throw new IllegalArgumentException("layer " + (l + 1) + " has " + layer.size() + " optimizer buffers, not "
            + arrays * perArray);
      }
      for (int s = 0; s < layer.size(); s++) {
        Entry<B> part = entries.get(layerStarts.get(l) + s / Math.max(1, perArray));
        if (layer.get(s).length != part.count()) {
          throw new IllegalArgumentException("layer " + (l + 1) + " optimizer buffer " + (s + 1) + " holds "
              + layer.get(s).length + " values, not " + part.count());
        }
        backend.write(part.state().get(s % perArray), layer.get(s));
      }
    }
  }
}
