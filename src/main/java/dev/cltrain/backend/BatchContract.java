package dev.cltrain.backend;

/**
 * The kernel contract's part for batch.cl and augment.cl: a batch's rows gathered from the data set, augmented or
 * not. One method per kernel of those files, written and documented as {@link Kernels} says (it extends this
 * interface, as it does every family's); a kernel added to one of them gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface BatchContract<B, I> extends KernelLauncher {
  /**
   * batch.cl: target(rows,cols) = source rows indices[offset .. offset + rows).
   *
   * @param rows rows gathered: the batch
   * @param cols columns of source and target
   * @param offset the first element of indices used
   * @param indices row numbers into source, e.g. an epoch's shuffled order
   * @param source the whole data set, row-major with cols columns
   * @param target receives the gathered rows, rows×cols
   */
  default void gatherRows(int rows, int cols, int offset, I indices, B source, B target) {
    launch("gather_rows", Range.grid(cols, rows), rows, cols, offset, indices, source, target);
  }

  /**
   * augment.cl: target(rows, height·width·channels) = the source rows s = indices[offset + r], each image (HWC)
   * flipped left to right (when flip ≠ 0 and its draw says so) and shifted by (dy, dx) in −pad..pad, zeros
   * shifted in: target(y, x, c) = source(y + dy, x' + dx, c), x' = width − 1 − x when flipped. The draws are
   * {@code reference.Philox.augmentDraw} of (s, epoch): the same image on every device and in any batch.
   *
   * @param rows rows gathered: the batch
   * @param height image rows
   * @param width image columns
   * @param channels values per pixel
   * @param pad the largest shift in pixels (0: no shift)
   * @param flip nonzero to flip half the images
   * @param seedLo the seed's low 32 bits
   * @param seedHi the seed's high 32 bits
   * @param epoch the epoch, from 0 (counter word 1)
   * @param offset the first element of indices used
   * @param indices row numbers into source, e.g. an epoch's shuffled order
   * @param source the whole data set, row-major, height·width·channels columns
   * @param target receives the augmented rows
   */
  default void gatherAugment(int rows, int height, int width, int channels, int pad, int flip, int seedLo, int seedHi,
      int epoch, int offset, I indices, B source, B target) {
    launch("gather_augment", Range.grid(height, rows), rows, height, width, channels, pad, flip,
        seedLo, seedHi, epoch, offset, indices, source, target);
  }

  /**
   * augment.cl: {@link #gatherAugment}'s images from rows already gathered in order, as a streamed batch is read:
   * target row r is source row r flipped and shifted with the draws of sample {@code indices[offset + r]}, so
   * that streamed rows are augmented exactly as the same rows resident on the device.
   *
   * @param rows rows augmented: the batch
   * @param height image rows
   * @param width image columns
   * @param channels values per pixel
   * @param pad the largest shift in pixels (0: no shift)
   * @param flip nonzero to flip half the images
   * @param seedLo the seed's low 32 bits
   * @param seedHi the seed's high 32 bits
   * @param epoch the epoch, from 0 (counter word 1)
   * @param offset the first element of indices used
   * @param indices the rows' numbers in the data set (the draws' sample index), e.g. an epoch's shuffled order
   * @param source the batch's rows in order, height·width·channels columns
   * @param target receives the augmented rows
   */
  default void augmentRows(int rows, int height, int width, int channels, int pad, int flip, int seedLo, int seedHi,
      int epoch, int offset, I indices, B source, B target) {
    launch("augment_rows", Range.grid(height, rows), rows, height, width, channels, pad, flip,
        seedLo, seedHi, epoch, offset, indices, source, target);
  }
}
