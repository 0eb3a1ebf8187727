package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Backend.Mapped;
import java.util.List;

/**
 * The bucketed gradient exchange of data-parallel training ({@link ShardedTrainer}): each replica's backward pass
 * maps its gradients in buckets as it goes ({@link Shard}); per bucket, last layers first, the host adds the
 * shards' gradients <b>in device order</b>, in place in the mapped memory of the first shard with rows, while the
 * devices compute the layers below, and writes the sum over every replica's gradients.
 */
final class GradientExchange {
  private final List<Replica<?, ?>> replicas;
  /** The replica {@link #sum} was working with last: the one that failed, when it threw. */
  private int device;
  private long exchangeNanos;
  private long waitNanos;

  /**
   * Has every replica's backward pass map its gradients in buckets from now on.
   *
   * @param replicas the replicas, in device order
   */
  GradientExchange(List<Replica<?, ?>> replicas) {
    this.replicas = replicas;
    for (Replica<?, ?> r : replicas) {
      r.exchangeInBuckets();
    }
  }

  /**
   * Adds the gradients of the step whose shards were just enqueued and gives every replica the sum: bucket by
   * bucket as the shards' backward passes map them, waiting for the devices to finish only before the last.
   *
   * @param n each replica's rows this step (at least one replica has some)
   */
  void sum(int[] n) {
    long waiting = System.nanoTime();
    List<int[]> buckets = null;
    for (device = 0; device < replicas.size() && buckets == null; device++) {
      buckets = n[device] > 0 ? replicas.get(device).exchange().buckets() : null;
    }
    long t0 = waiting;
    for (int k = 0; k < buckets.size(); k++) { // the last layers' first, while the devices compute the layers below
      int[] bucket = buckets.get(k);
      if (k == buckets.size() - 1) { // from here on the devices wait for the exchange
        for (device = 0; device < replicas.size(); device++) {
          if (n[device] > 0) {
            replicas.get(device).exchange().awaitCompute();
          }
        }
        t0 = System.nanoTime();
        waitNanos += t0 - waiting;
      }
      for (int e = bucket[0]; e < bucket[1]; e++) {
        addInPlace(e, n);
      }
      for (device = 0; device < replicas.size(); device++) {
        replicas.get(device).exchange().release(bucket[0], bucket[1]);
      }
    }
    exchangeNanos += System.nanoTime() - t0;
  }

  /** {@return the replica the last {@link #sum} was working with: the one that failed, when it threw} */
  int device() {
    return device;
  }

  /**
   * Adds every shard's gradient of table entry {@code e}, mapped, in device order (the first shard's, plus the
   * second's, and so on: the first shard's floats take the sum), and writes the sum over every device's.
   */
  private void addInPlace(int e, int[] n) {
    java.nio.FloatBuffer sum = null;
    for (device = 0; device < replicas.size(); device++) {
      if (n[device] == 0) {
        continue;
      }
      java.nio.FloatBuffer part = replicas.get(device).exchange().gradient(e);
      if (sum == null) {
        sum = part;
      } else {
        for (int i = 0; i < sum.limit(); i++) {
          sum.put(i, sum.get(i) + part.get(i));
        }
      }
    }
    for (device = 0; device < replicas.size(); device++) {
      java.nio.FloatBuffer g = replicas.get(device).exchange().gradient(e);
      if (g != sum) {
        g.put(0, sum, 0, sum.limit());
      }
    }
  }

  /**
   * {@return wall time spent waiting for the devices to finish their shards since the start (the adds of the
   * buckets before the last included: they overlap the devices' work), in seconds}
   */
  double waitSeconds() {
    return waitNanos / 1e9;
  }

  /**
   * {@return wall time spent adding and moving gradients after the devices' backward passes had finished (the
   * exchange's exposed part: the last bucket's add and unmaps) since the start, in seconds}
   */
  double exchangeSeconds() {
    return exchangeNanos / 1e9;
  }

  /**
   * A shard's gradients handed to the host in buckets while its backward pass goes on, as PyTorch's
   * DistributedDataParallel does: each time the backward pass has enqueued the last kernel writing some table
   * entries (a dense layer's arrays and its batch norm's, from the last layer down), the maps of their gradients
   * follow at once in the device's queue (non-blocking; on a CPU device the host then reads and writes the device's
   * own memory, no copy), so that the host can add one bucket while the device computes the layers below, write the
   * sum in place and unmap. Before the last bucket's maps it marks the queue: the point where the backward pass is
   * done ({@link #awaitCompute}).
   */
  static final class Shard<B> {
    private final Backend<B, ?> backend;
    private final ParameterTable<B> table;
    /** This step's mapping of each table entry's gradient, until released (null: not mapped). */
    private final Mapped[] maps;
    /** This step's buckets, from the last entries down: {first, end} each. */
    private final List<int[]> buckets = new java.util.ArrayList<>();
    private Runnable computed;
    /** The first entry mapped this step (the entries from it to the end are). */
    private int mappedFrom;
    /** Whether shards map their gradients ({@link #pause}). */
    private boolean on = true;

    /**
     * @param backend the replica's
     * @param table   the replica's trainable arrays, whose gradients are mapped
     */
    Shard(Backend<B, ?> backend, ParameterTable<B> table) {
      this.backend = backend;
      this.table = table;
      this.maps = new Mapped[table.entries().size()];
    }

    /** Releases what the last step left mapped and forgets its buckets. */
    void startStep() {
      release(0, maps.length);
      awaitCompute();
      buckets.clear();
      mappedFrom = maps.length;
    }

    /** The backward pass has enqueued the gradients of entries {@code firstEntry ..} in full: maps them as a bucket. */
    void enqueued(int firstEntry) {
      int first = Math.max(firstEntry, table.firstTrained());
      if (!on || first >= mappedFrom) {
        return;
      }
      if (first == table.firstTrained()) {
        computed = backend.mark();
      }
      map(first, mappedFrom);
      buckets.add(new int[] {first, mappedFrom});
      mappedFrom = first;
    }

    /**
     * Whether the shards' backward passes map their gradients (on from the start): off for work that reads the
     * gradients otherwise ({@link ShardedTrainer#calibrate}).
     */
    void pause(boolean off) {
      release(0, maps.length);
      on = !off;
    }

    /** {@return this step's buckets, in the order mapped: {first entry, end entry} each} */
    List<int[]> buckets() {
      return buckets;
    }

    /** Waits until this step's backward pass has finished on the device (not the last bucket's maps). */
    void awaitCompute() {
      if (computed != null) {
        Runnable r = computed;
        computed = null;
        r.run();
      }
    }

    /**
     * Entry {@code e}'s gradient in host memory, to read and overwrite until {@link #release}: waits for its map,
     * mapping it first where this step's backward pass did not (a device without rows this step).
     */
    java.nio.FloatBuffer gradient(int e) {
      map(e, e + 1);
      return maps[e].await();
    }

    /** Maps the gradients of entries {@code first .. end)} not mapped yet (later entries first). */
    private void map(int first, int end) {
      for (int e = end - 1; e >= first; e--) {
        if (maps[e] == null) {
          maps[e] = backend.map(table.entries().get(e).gradient(), table.entries().get(e).count());
        }
      }
      backend.flush();
    }

    /** Gives the gradients of entries {@code first .. end)} back to the device (unmapped, in order with the queue). */
    void release(int first, int end) {
      for (int e = first; e < end; e++) {
        if (maps[e] != null) {
          maps[e].await();
          maps[e].release();
          maps[e] = null;
        }
      }
    }
  }
}
