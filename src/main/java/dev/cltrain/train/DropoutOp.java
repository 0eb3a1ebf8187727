package dev.cltrain.train;

import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.Layer;

/**
 * A dropout's op: out = x · mask · 1/(1−rate); g_in = g · mask · 1/(1−rate) (kernels/conv.cl dropout, the same
 * mask both ways). A rate of 0, and every dropout outside training, passes its input through.
 */
final class DropoutOp<B> implements LayerOp<B> {
  private final DropoutMasks<B> masks;
  private final Dropout d;
  private final int stream;
  /** Null when the op passes its input through. */
  final B out;
  private final long floats;

  DropoutOp(DropoutMasks<B> masks, Dropout d, int capacity, boolean training, int stream, B out) {
    this.masks = masks;
    this.d = d;
    this.stream = stream;
    this.out = out;
    this.floats = out == null ? 0 : (long) capacity * d.input().size();
  }

  @Override
  public B forward(B in, int rows, long step) {
    if (out == null || step < 0) {
      return in;
    }
    masks.apply(rows * d.input().size(), d.rate(), step, stream, in, out);
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    if (out == null) {
      if (g != gIn) { // passed through in place: nothing to do
        masks.copy(rows * d.input().size(), g, gIn);
      }
    } else {
      masks.apply(rows * d.input().size(), d.rate(), step, stream, g, gIn);
    }
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return d;
  }
}
