package dev.cltrain.train;

import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.core.KernelTime;
import dev.cltrain.device.Trainer;
import dev.cltrain.device.TrainerState;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Synchronous data-parallel training on several devices at once, one {@link Backprop} replica per device, each
 * holding the whole training set and its own copy of the network (streamed rows: none, the host reads each batch
 * ahead in the same order, {@link StreamedBatches}, and writes each device its shard's rows). Every mini-batch (the rows a one-device run
 * takes, in the same shuffled order) is split into consecutive shards, one per device, of sizes proportional
 * to {@link #shares} (the last shard takes the remainder); each device computes its shard's gradient sums,
 * scaled by 1/(the batch's rows); the host adds them <b>in device order</b>, starting from the first shard's,
 * and gives the sum back to every device, which then applies the same optimizer update to the same weights:
 * the replicas stay identical, bit for bit.
 *
 * <pre>
 * per batch   replica i: gather rows order[off + start_i .. + n_i), forward, loss, backward (÷ n),   enqueued
 *                        each layer's gradients mapped as soon as the backward pass has written them
 *             host:      per layer, last first: g = g_0; g += g_1; …; g += g_(N−1)   (in device order, in
 *                        place in the mapped memory, while the devices compute the layers below), g over every
 *                        replica's, unmapped
 *             replica i: optimizer update                                                        enqueued
 * </pre>
 *
 * The result depends on the shards only through the order of the sums, so the same shards on the Java reference
 * ({@code ShardedTrainer} of reference replicas, as {@code --verify} runs it) give the same bits on any device
 * that computes each kernel as the reference does. Against a one-device run the loss and weights differ by
 * float rounding only (a batch's gradient summed in two parts). Dropout masks: shard i draws from streams
 * offset by i·2¹⁶ (independent masks per shard, the same on every run). Batch norms: each replica normalizes its
 * shard with the shard's own statistics (PyTorch's DistributedDataParallel without SyncBatchNorm) and keeps its
 * own running statistics; the network's ({@link #network()}, {@link #evaluate}, {@link #state()}) are the first
 * replica's, and a restore gives every replica those.
 *
 * <p>Only gradients move: {@link #bytesPerStep} bytes a step (down from each shard's device, up to each device).
 * Not thread-safe, except {@link #stopAfterBatch()}.
 */
public final class ShardedTrainer implements Trainer {
  private final List<Replica<?, ?>> replicas;
  private final List<String> names;
  private int[] shares;
  private final DataSet trainSet;
  private final int capacity;
  private final int chunks;
  private final NumpyRandom shuffler;
  private final int gradientFloats;
  /** {@link #calibrate}'s gradients, read back (each device's alone). */
  private final float[] part;
  private volatile boolean stopRequested;
  private int[] pendingOrder;
  private int pendingBatch;
  private int[] currentOrder;
  /** Loss and hits of the batches before {@link #pendingBatch} restored from a checkpoint (else null). */
  private float[] restoredLoss;
  private float[] restoredCorrect;
  /** The gradients' exchange between the replicas. */
  private final GradientExchange exchange;
  private long steps;

  /**
   * Takes ownership of the replicas (closed with this trainer).
   *
   * @param replicas one per device, built with {@code shard} = its index, on the same network, data and settings
   * @param names    each replica's device, for {@link #deviceName}
   * @param shares   each device's share of a batch's rows (positive)
   * @param train    the training set
   * @param settings the settings the replicas were built with
   */
  ShardedTrainer(List<Replica<?, ?>> replicas, List<String> names, int[] shares, DataSet train, Settings settings) {
    if (replicas.size() < 2 || replicas.size() != shares.length || names.size() != shares.length) {
      throw new IllegalArgumentException(replicas.size() + " replicas, " + shares.length + " shares");
    }
    for (int s : shares) {
      if (s < 1) {
        throw new IllegalArgumentException("shares must be positive: " + Arrays.toString(shares));
      }
    }
    this.replicas = List.copyOf(replicas);
    this.names = List.copyOf(names);
    this.shares = shares.clone();
    this.trainSet = train;
    this.capacity = MemoryPlan.capacity(train.rows(), settings.batchSize());
    this.chunks = (train.rows() + capacity - 1) / capacity;
    this.shuffler = settings.shuffler().copy();
    this.gradientFloats = replicas.get(0).gradientFloats();
    this.part = new float[gradientFloats];
    this.exchange = new GradientExchange(this.replicas);
  }

  /**
   * Opens one replica per device and the trainer over them; on a failure, closes what was opened.
   *
   * @param devices  two or more devices (the reference may be one)
   * @param shares   each device's share of a batch's rows
   * @param network  the network to start from
   * @param train    the training set
   * @param settings optimizer, batch size and shuffling
   * @param profiling whether the devices' backends record kernel times
   * @return the trainer
   */
  public static ShardedTrainer open(List<Device> devices, int[] shares, Network network, DataSet train,
      Settings settings, boolean profiling) {
    List<Replica<?, ?>> replicas = new ArrayList<>();
    List<String> names = new ArrayList<>();
    train = Backprop.held(train, settings);
    try {
      for (int i = 0; i < devices.size(); i++) {
        Device d = devices.get(i);
        MemoryPlan.checkFits(d, network, train, settings, true);
        replicas.add(replica(d.openBackend(profiling), network, train, settings, i));
        names.add(d.id());
      }
      return new ShardedTrainer(replicas, names, shares, train, settings);
    } catch (RuntimeException e) {
      for (Replica<?, ?> r : replicas) {
        r.close();
      }
      throw e;
    }
  }

  private static <B, I> Replica<B, I> replica(dev.cltrain.backend.Backend<B, I> backend, Network network,
      DataSet train, Settings settings, int shard) {
    return new Replica<>(backend, network, train, settings, shard, true);
  }

  /**
   * The shard sizes of a batch of {@code rows} rows: ⌊rows·shareᵢ/Σshares⌋ for each device but the last, which
   * takes the remainder.
   *
   * @param rows   the batch's rows
   * @param shares each device's share
   * @return rows per device, in device order
   */
  public static int[] split(int rows, int[] shares) {
    long total = 0;
    for (int s : shares) {
      total += s;
    }
    int[] n = new int[shares.length];
    int given = 0;
    for (int i = 0; i < shares.length - 1; i++) {
      n[i] = (int) ((long) rows * shares[i] / total);
      given += n[i];
    }
    n[shares.length - 1] = rows - given;
    return n;
  }

  /**
   * Measures each device on a batch of the training set alone (one step to warm up, then the best of three;
   * gradients only, no update, so the network is unchanged) and sets the shares to each device's speed, in
   * thousandths of the fastest's (at least 1).
   *
   * @return seconds per batch of each device, in device order
   */
  public double[] calibrate() {
    int rows = Math.min(capacity, trainSet.rows());
    int[] identity = new int[trainSet.rows()];
    for (int i = 0; i < identity.length; i++) {
      identity[i] = i;
    }
    double[] seconds = new double[replicas.size()];
    for (int i = 0; i < replicas.size(); i++) {
      Replica<?, ?> r = replicas.get(i);
      r.exchange().pause(true); // downloadGradients reads the gradients, which must not be mapped
      r.shardEpoch(identity);
      double best = Double.MAX_VALUE;
      for (int k = 0; k < 4; k++) {
        long t0 = System.nanoTime();
        r.shardStep(0, rows, rows, 0);
        r.downloadGradients(part);
        if (k > 0) {
          best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
      }
      seconds[i] = best;
      r.exchange().pause(false);
    }
    double fastest = Arrays.stream(seconds).min().orElse(1);
    int[] measured = new int[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      measured[i] = (int) Math.max(1, Math.round(1000 * fastest / seconds[i]));
    }
    this.shares = measured;
    return seconds;
  }

  /** {@return each device's share of a batch's rows} */
  public int[] shares() {
    return shares.clone();
  }

  /** {@return bytes moved per step: each shard's gradients down, their sum up to every device} */
  public long bytesPerStep() {
    return 2L * replicas.size() * gradientFloats * Float.BYTES;
  }

  /**
   * {@return wall time spent waiting for the devices to finish their shards since the start (the adds of the
   * buckets before the last included: they overlap the devices' work), in seconds}
   */
  public double waitSeconds() {
    return exchange.waitSeconds();
  }

  /**
   * {@return wall time spent adding and moving gradients after the devices' backward passes had finished (the
   * exchange's exposed part: the last bucket's add and unmaps) since the start, in seconds}
   */
  public double exchangeSeconds() {
    return exchange.exchangeSeconds();
  }

  /** {@return optimizer steps taken by this trainer} */
  public long steps() {
    return steps;
  }

  @Override
  public String deviceName() {
    return String.join(" + ", names);
  }

  @Override
  public dev.cltrain.core.Wording launchPlan() {
    return dev.cltrain.core.Wording.of("data-parallel over " + replicas.size() + " devices, layer by layer; " + bytesPerStep()
        + " bytes of gradients moved per step");
  }

  @Override
  public EpochStats epoch(boolean wantStats, BatchListener listener) {
    int first = 0;
    if (pendingOrder != null) {
      currentOrder = pendingOrder;
      first = pendingBatch;
      pendingOrder = null;
      pendingBatch = 0;
    } else {
      currentOrder = shuffler.permutation(trainSet.rows());
      restoredLoss = null;
      restoredCorrect = null;
    }
    for (Replica<?, ?> r : replicas) {
      r.shardEpoch(currentOrder);
    }
    if (trainSet.isStreamed()) { // the whole batches read ahead on the host, each device given its shard's rows
      replicas.get(0).streamedBatches().startEpoch(currentOrder, first);
      feed = replicas.get(0).streamedBatches(); // its wait profiled as the first device's
    }
    try {
      for (int b = first; b < chunks; b++) {
        batch(b);
        if (listener != null) {
          int done = b + 1;
          listener.batchDone(b, chunks, () -> combined(done).loss());
        }
        if (stopRequested && b + 1 < chunks) {
          stopRequested = false;
          EpochStats partial = combined(b + 1);
          pendingOrder = currentOrder;
          pendingBatch = b + 1;
          keepSlots(b + 1);
          return new EpochStats(partial.loss(), partial.accuracy(), false);
        }
      }
    } finally {
      if (feed != null) {
        feed.endEpoch();
        feed = null;
      }
    }
    stopRequested = false;
    for (Replica<?, ?> r : replicas) {
      r.shardEpochDone();
    }
    EpochStats stats = combined(chunks);
    restoredLoss = null;
    restoredCorrect = null;
    return stats;
  }

  /** Streamed rows: the first replica's batches, read ahead during an epoch; else null. */
  private StreamedBatches<?, ?> feed;

  /** One synchronous step on batch {@code b}: shards enqueued on every device, gradients added in order, update. */
  private void batch(int b) {
    int offset = b * capacity;
    int rows = Math.min(capacity, trainSet.rows() - offset);
    int[] n = split(rows, shares);
    int device = 0;
    try {
      BatchFeed.Batch read = feed == null ? null : feed.next();
      int start = 0;
      for (device = 0; device < replicas.size(); device++) { // enqueued on every device before any is waited for
        if (n[device] > 0 && read != null) {
          int in = trainSet.inputs();
          int out = trainSet.outputs();
          replicas.get(device).shardStep(offset + start,
              Arrays.copyOfRange(read.x(), start * in, (start + n[device]) * in),
              Arrays.copyOfRange(read.y(), start * out, (start + n[device]) * out), n[device], rows, b);
        } else if (n[device] > 0) {
          replicas.get(device).shardStep(offset + start, n[device], rows, b);
        }
        start += n[device];
      }
      device = -1; // the exchange knows which device it was working with
      exchange.sum(n);
      for (device = 0; device < replicas.size(); device++) {
        replicas.get(device).shardUpdate();
      }
    } catch (DeviceException e) {
      throw new DeviceException(names.get(device < 0 ? exchange.device() : device) + " failed in data-parallel training at step " + (steps + 1)
          + " (epoch batch " + b + "): " + e.getMessage(), e);
    }
    steps++;
  }

  /** Loss and accuracy over the first {@code batches} batches of this epoch: each batch's weighted by its rows. */
  private EpochStats combined(int batches) {
    float[][] perBatch = perBatch(batches);
    double loss = 0;
    double hits = 0;
    int rows = 0;
    for (int b = 0; b < batches; b++) {
      int n = Math.min(capacity, trainSet.rows() - b * capacity);
      loss += (double) perBatch[0][b] * n;
      hits += perBatch[1][b];
      rows += n;
    }
    return new EpochStats((float) (loss / rows), (float) (hits / rows));
  }

  /** Keeps the loss and hits of the first {@code batches} batches (a checkpoint's, mid-epoch). */
  private void keepSlots(int batches) {
    float[][] perBatch = perBatch(batches);
    restoredLoss = perBatch[0];
    restoredCorrect = perBatch[1];
  }

  /**
   * Each of the first {@code batches} batches' loss (the mean over its rows: each shard's mean weighted by its
   * rows) and hits, as a one-device run's slots hold them; batches restored from a checkpoint as they were.
   */
  private float[][] perBatch(int batches) {
    float[][][] slots = new float[replicas.size()][][];
    for (int i = 0; i < replicas.size(); i++) {
      slots[i] = replicas.get(i).slots(batches);
    }
    float[] loss = new float[batches];
    float[] correct = new float[batches];
    for (int b = 0; b < batches; b++) {
      if (restoredLoss != null && b < restoredLoss.length) {
        loss[b] = restoredLoss[b];
        correct[b] = restoredCorrect[b];
        continue;
      }
      int n = Math.min(capacity, trainSet.rows() - b * capacity);
      int[] shard = split(n, shares);
      double l = 0;
      double c = 0;
      for (int i = 0; i < replicas.size(); i++) {
        if (shard[i] > 0) {
          l += (double) slots[i][0][b] * shard[i];
          c += slots[i][1][b];
        }
      }
      loss[b] = (float) (l / n);
      correct[b] = (float) c;
    }
    return new float[][] {loss, correct};
  }

  @Override
  public void learningRate(float rate) {
    for (Replica<?, ?> r : replicas) {
      r.learningRate(rate);
    }
  }

  @Override
  public Network network() {
    return replicas.get(0).network();
  }

  /** {@return every replica's network (parameters all equal, bit for bit, after every step; running statistics each its own)} */
  public List<Network> replicaNetworks() {
    List<Network> all = new ArrayList<>();
    for (Replica<?, ?> r : replicas) {
      all.add(r.network());
    }
    return all;
  }

  @Override
  public Evaluation evaluate(DataSet set, boolean wantOutputs) {
    return replicas.get(0).evaluate(set, wantOutputs);
  }

  @Override
  public List<KernelTime> takeProfile() {
    List<KernelTime> all = new ArrayList<>();
    for (Replica<?, ?> r : replicas) {
      all.addAll(r.takeProfile());
    }
    return all;
  }

  @Override
  public long[] transferredBytes() {
    long[] total = new long[2];
    for (Replica<?, ?> r : replicas) {
      long[] t = r.transferredBytes();
      total[0] += t[0];
      total[1] += t[1];
    }
    return total;
  }

  @Override
  public void stopAfterBatch() {
    stopRequested = true;
  }

  @Override
  public TrainerState state() {
    TrainerState s = replicas.get(0).state();
    boolean pending = pendingOrder != null;
    return new TrainerState(s.epoch(), pending ? pendingBatch : 0, s.step(), s.network(), s.optimizerState(),
        shuffler.state(), pending ? pendingOrder.clone() : null, pending ? restoredLoss.clone() : null,
        pending ? restoredCorrect.clone() : null);
  }

  @Override
  public void restore(TrainerState state) {
    TrainerState whole = new TrainerState(state.epoch(), 0, state.step(), state.network(), state.optimizerState(),
        state.shuffler(), null, null, null);
    for (Replica<?, ?> r : replicas) {
      r.restore(whole);
    }
    shuffler.setState(NumpyRandom.fromState(state.shuffler()));
    pendingOrder = null;
    pendingBatch = 0;
    restoredLoss = null;
    restoredCorrect = null;
    if (UnfinishedEpoch.check(state, false, chunks, trainSet.rows())) {
      pendingOrder = state.order().clone();
      pendingBatch = state.batch();
      restoredLoss = state.lossSlots().clone();
      restoredCorrect = state.correctSlots().clone();
    }
  }

  @Override
  public void close() {
    for (Replica<?, ?> r : replicas) {
      r.close();
    }
  }
}
