package dev.cltrain.nn;

/**
 * Global average pooling ({@code gap}): H×W×C → 1×1×C, each channel's mean over the H·W pixels, summed in
 * pixel order (row-major) and divided by H·W (kernels/batchnorm.cl global_avg_pool). A dense layer may follow
 * it directly.
 *
 * @param input the shape taken
 */
public record GlobalPool(Shape input) implements Layer {
  @Override
  public Shape output() {
    return new Shape(1, 1, input.channels());
  }

  @Override
  public LayerKind kind() {
    return LayerKind.GAP;
  }

  @Override
  public String spec() {
    return "gap";
  }
}
