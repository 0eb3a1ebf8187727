package dev.cltrain.backend;

/**
 * The work-items of a plain kernel's launch, as its {@link Kernels} default method states it; each backend
 * maps it to its own launch ({@code opencl.OpenClKernels}: fixed work-groups, the range rounded up to whole
 * groups, the kernel ignoring the work-items past its edges). The kernel's bits never depend on the groups.
 *
 * @param shape how the work-items are laid out
 * @param columns work-items wanted in dimension 0 (for {@link Shape#CHUNKS}: elements, before the division)
 * @param rows work-items wanted in dimension 1; 1 unless {@link Shape#GRID}
 */
public record Range(Shape shape, long columns, long rows) {
  /** How a launch lays its work-items out. */
  public enum Shape {
    /** One dimension, one work-item per element (or per row, as the kernel says). */
    ITEMS,
    /** Two dimensions: columns × rows work-items. */
    GRID,
    /** Exactly one work-group of REDUCE_GROUP work-items (prelude.cl), for the single-group reductions. */
    REDUCE_GROUP,
    /** One dimension, ⌈columns / UPDATE_CHUNK⌉ work-items, each taking UPDATE_CHUNK elements (update.cl). */
    CHUNKS
  }

  /**
   * One dimension of {@code items} work-items.
   *
   * @param items work-items wanted; 0 launches nothing
   * @return the range
   */
  public static Range items(long items) {
    return new Range(Shape.ITEMS, items, 1);
  }

  /**
   * Two dimensions of {@code columns × rows} work-items.
   *
   * @param columns work-items wanted in dimension 0; 0 launches nothing
   * @param rows work-items wanted in dimension 1; 0 launches nothing
   * @return the range
   */
  public static Range grid(long columns, long rows) {
    return new Range(Shape.GRID, columns, rows);
  }

  /** {@return one work-group of the device's REDUCE_GROUP work-items} */
  public static Range reduceGroup() {
    return new Range(Shape.REDUCE_GROUP, 0, 1);
  }

  /**
   * One dimension of ⌈elements / UPDATE_CHUNK⌉ work-items (the chunk is the backend's, update.cl's UPDATE_CHUNK).
   *
   * @param elements elements to cover; 0 launches nothing
   * @return the range
   */
  public static Range chunks(long elements) {
    return new Range(Shape.CHUNKS, elements, 1);
  }

  /**
   * Pool windows along a side of {@code size}, the partial one included: ⌈size / pool⌉ (the pool backward
   * kernels' range).
   *
   * @param size pixels along the side
   * @param pool the window's side and stride
   * @return windows
   */
  public static int windows(int size, int pool) {
    return (size + pool - 1) / pool;
  }

  /**
   * The length of {@link Kernels#convFilterRows}' rows for {@code channels}: channels rounded up to
   * {@link Kernels#CONV_CHANNEL_BLOCK}.
   *
   * @param channels the convolution's input channels
   * @return padded channels
   */
  public static int paddedChannels(int channels) {
    return (channels + Kernels.CONV_CHANNEL_BLOCK - 1) / Kernels.CONV_CHANNEL_BLOCK * Kernels.CONV_CHANNEL_BLOCK;
  }
}
