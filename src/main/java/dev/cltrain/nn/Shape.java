package dev.cltrain.nn;

/**
 * The shape of one sample as an image: height × width × channels, stored row-major with the channel fastest
 * (HWC, "channels last"), so that a sample is one row of {@code size()} floats. A dense input of n values is
 * 1 × 1 × n.
 *
 * @param height rows of pixels, at least 1
 * @param width  columns of pixels, at least 1
 * @param channels values per pixel, at least 1
 */
public record Shape(int height, int width, int channels) {
  /**
   * @param height   rows of pixels, at least 1
   * @param width    columns of pixels, at least 1
   * @param channels values per pixel, at least 1
   * @throws IllegalArgumentException if a dimension is below 1 or the size exceeds an int
   */
  public Shape {
    if (height < 1 || width < 1 || channels < 1 || (long) height * width * channels > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + height + "x" + width + "x" + channels
          + ": each dimension at least 1 and at most 2^31-1 values in all");
    }
  }

  /** @return floats per sample: height · width · channels */
  public int size() {
    return height * width * channels;
  }

  /** @return e.g. "28x28x1" (the {@code --input-shape} form) */
  @Override
  public String toString() {
    return height + "x" + width + "x" + channels;
  }
}
