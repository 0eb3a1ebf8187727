package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.GlobalPool;
import dev.cltrain.nn.Layer;

/**
 * A global average pooling's op.
 * <pre>
 * forward   out(n, c) = Σ_pixels x(n, p, c) / pixels                    global_avg_pool
 * backward  g_in(n, p, c) = g(n, c) / pixels                              global_avg_pool_backward
 * </pre>
 */
final class GlobalPoolOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final GlobalPool p;
  private final B out;
  private final long floats;

  GlobalPoolOp(Backend<B, ?> backend, GlobalPool p, int capacity) {
    this.backend = backend;
    this.p = p;
    this.floats = (long) capacity * p.output().size();
    this.out = backend.allocate((int) floats);
  }

  private int pixels() {
    return p.input().height() * p.input().width();
  }

  @Override
  public B forward(B in, int rows, long step) {
    backend.globalAvgPool(rows, pixels(), p.input().channels(), in, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    backend.globalAvgPoolBackward(rows, pixels(), p.input().channels(), g, gIn);
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
