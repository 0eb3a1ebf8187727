package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Pool;

/**
 * A pooling's op.
 * <pre>
 * maxpool   out = window maxima;  g_in = g at each window's first maximum  max_pool, max_pool_backward
 * avgpool   out = window means;   g_in = g / p²                            avg_pool, avg_pool_backward
 * </pre>
 */
final class PoolOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Pool p;
  private final B out;
  private final long floats;
  /** Whether the convolution before computes this pool's output (ConvDirect.fusePools): forward launches nothing. */
  private boolean fused;

  PoolOp(Backend<B, ?> backend, Pool p, int capacity) {
    this.backend = backend;
    this.p = p;
    this.floats = (long) capacity * p.output().size();
    this.out = backend.allocate((int) floats);
  }

  /** {@return whether the previous op may compute this pool's output: a max pool of 2} */
  boolean fusable() {
    return p.max() && p.size() == 2;
  }

  /** {@return this pool's output buffer, which the previous op now fills in its forward pass} */
  B fuse() {
    fused = true;
    return out;
  }

  @Override
  public B forward(B in, int rows, long step) {
    if (fused) {
      return out;
    }
    if (p.max()) {
      backend.maxPool(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), in, out);
    } else {
      backend.avgPool(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), in, out);
    }
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    if (p.max()) {
      backend.maxPoolBackward(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), in, g,
          gIn);
    } else {
      backend.avgPoolBackward(rows, p.input().height(), p.input().width(), p.input().channels(), p.size(), g, gIn);
    }
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return p;
  }
}
