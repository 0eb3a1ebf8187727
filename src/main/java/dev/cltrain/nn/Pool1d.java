package dev.cltrain.nn;

/**
 * {@code maxpool1d:P}: max pooling over the steps of a sequence T×1×F, windows of P steps with stride P, each
 * feature's maximum (kernels/sequence1d.cl max_pool1d). Steps past the last whole window are left out (their
 * gradient is 0); the gradient goes to the window's first maximum.
 *
 * @param input the shape taken: steps × 1 × features, at least P steps
 * @param size  P, the window's steps and the stride, at least 1
 */
public record Pool1d(Shape input, int size) implements Layer {
  /**
   * @param input the input's shape, T×1×F
   * @param size  the window's steps, also its stride
   * @throws IllegalArgumentException if the input is no sequence, or the window is below 1 or longer than it
   */
  public Pool1d {
    if (input.width() != 1) {
      throw new IllegalArgumentException("maxpool1d takes a sequence T×1×F, got " + input);
    }
    if (size < 1 || size > input.height()) {
      throw new IllegalArgumentException("a pool of " + size + " steps does not fit " + input.height() + " steps");
    }
  }

  @Override
  public Shape output() {
    return new Shape(input.height() / size, 1, input.channels());
  }

  @Override
  public LayerKind kind() {
    return LayerKind.MAXPOOL1D;
  }

  @Override
  public String spec() {
    return "maxpool1d:" + size;
  }
}
