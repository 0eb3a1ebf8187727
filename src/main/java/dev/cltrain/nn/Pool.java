package dev.cltrain.nn;

/**
 * p×p pooling with stride p: each output value is the maximum ({@code max}) or the mean of a p×p window of one
 * channel. Windows do not overlap; rows and columns beyond the last whole window are left out (their gradient
 * is 0). Max pooling routes the gradient to the window's first maximum in row-major order (kernels/conv.cl
 * max_pool_backward).
 *
 * @param input the shape taken; height and width at least {@code size}
 * @param max   true for max pooling, false for average pooling
 * @param size  p, the window's side and the stride, at least 1
 */
public record Pool(Shape input, boolean max, int size) implements Layer {
  /**
   * @param input the input's shape
   * @param max   max pooling (else average)
   * @param size  the window's side, also its stride
   * @throws IllegalArgumentException if the window is below 1 or larger than the input
   */
  public Pool {
    if (size < 1 || size > input.height() || size > input.width()) {
      throw new IllegalArgumentException("a " + size + "x" + size + " pool does not fit a " + input.height() + "x"
          + input.width() + " input");
    }
  }

  @Override
  public Shape output() {
    return new Shape(input.height() / size, input.width() / size, input.channels());
  }

  @Override
  public LayerKind kind() {
    return LayerKind.POOL;
  }

  @Override
  public String spec() {
    return (max ? "maxpool:" : "avgpool:") + size;
  }
}
