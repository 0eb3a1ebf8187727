package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Pool1d;

/**
 * A 1-D max pooling's op.
 * <pre>
 * maxpool1d  out = window maxima;  g_in = g at each window's first maximum   max_pool1d, max_pool1d_backward
 * </pre>
 */
final class Pool1dOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Pool1d p;
  private final B out;
  private final long floats;

  Pool1dOp(Backend<B, ?> backend, Pool1d p, int capacity) {
    this.backend = backend;
    this.p = p;
    this.floats = (long) capacity * p.output().size();
    this.out = backend.allocate((int) floats);
  }

  @Override
  public B forward(B in, int rows, long step) {
    backend.maxPool1d(rows, p.input().height(), p.input().channels(), p.size(), in, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    backend.maxPool1dBackward(rows, p.input().height(), p.input().channels(), p.size(), in, g, gIn);
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
