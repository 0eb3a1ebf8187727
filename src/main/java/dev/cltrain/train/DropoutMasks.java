package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Dropout;

/**
 * The dropout masks of one network on one backend: stream s of step t drops value i as {@code kernels/conv.cl
 * dropout} with the network's seed and counter (i, t, s + {@link #streamOffset}).
 *
 * @param <B> the backend's float buffer type
 */
final class DropoutMasks<B> {
  private final Backend<B, ?> backend;
  private final long seed;
  /**
   * Added to every dropout stream: 0, or a shard's {@code shard << 16} in data-parallel training
   * ({@link ShardedTrainer}), so that the shards of one batch draw independent masks.
   */
  int streamOffset;

  DropoutMasks(Backend<B, ?> backend, long seed) {
    this.backend = backend;
    this.seed = seed;
  }

  /** Enqueues dropout of {@code count} values of x into y (the same mask forward and backward). */
  void apply(int count, float rate, long step, int stream, B x, B y) {
    backend.dropout(count, Dropout.threshold(rate), Dropout.scale(rate), (int) seed, (int) (seed >>> 32), (int) step,
        (int) (step >>> 32), stream + streamOffset, x, y);
  }

  /** Enqueues a copy: dropout of rate 0 keeps every value, × 1. */
  void copy(int count, B from, B to) {
    backend.dropout(count, 0, 1.0f, 0, 0, 0, 0, 0, from, to);
  }
}
