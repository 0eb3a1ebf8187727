package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.train.KernelCases.Draws;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for batch.cl and augment.cl's kernels, a
 * batch's rows gathered, augmented or not: each kernel run on a backend with inputs drawn from {@link Draws}, its
 * outputs read back. A kernel added to one of those files gets its case here.
 */
final class BatchCases {
  private BatchCases() {}

  /** One of batch.cl's or augment.cl's kernels: {@link #gatherRows} or {@link #gatherAugment}. */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    return kernel.equals("gather_rows") ? gatherRows(k, s, draws) : gatherAugment(kernel, k, s, draws);
  }

  /**
   * gather_rows at shape s = (rows, cols, depth): rows of cols values from a source of rows + depth rows, in an
   * order drawn (each row may repeat), from offset depth where it fits (else 0).
   */
  private static <B, I> float[] gatherRows(Backend<B, I> k, int[] s, Draws draws) {
    int rows = s[0];
    int cols = s[1];
    int depth = s[2];
    Random random = draws.random();
    int sourceRows = rows + depth;
    B source = k.upload(uniform(draws, sourceRows * cols));
    int[] order = new int[sourceRows];
    for (int i = 0; i < sourceRows; i++) {
      order[i] = random.nextInt(sourceRows);
    }
    I indices = k.uploadIndices(order);
    B target = poisoned(k, rows * cols);
    k.gatherRows(rows, cols, depth % sourceRows == 0 ? 0 : Math.min(depth, sourceRows - rows), indices, source, target);
    return read(k, target, rows * cols);
  }

  /**
   * gather_augment at a conv case (rows, height, width, channels, kernel, stride, same): pad = kernel (as large
   * as the image in several cases), flip with an odd stride, rows drawn from a source of rows + 3 (each may
   * repeat), from offset 1, in an epoch drawn from the seed; augment_rows likewise on a source of the batch's
   * rows, their sample numbers drawn as gather_augment's rows are.
   */
  private static <B, I> float[] gatherAugment(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int cols = s[1] * s[2] * s[3];
    boolean gather = kernel.equals("gather_augment");
    int sourceRows = rows + 3;
    B source = k.upload(uniform(draws, (gather ? sourceRows : rows) * cols));
    int[] order = new int[rows + 1];
    for (int i = 0; i < order.length; i++) {
      order[i] = random.nextInt(sourceRows);
    }
    I indices = k.uploadIndices(order);
    B target = poisoned(k, rows * cols);
    if (gather) {
      k.gatherAugment(rows, s[1], s[2], s[3], s[4], s[5] % 2, random.nextInt(), random.nextInt(),
          random.nextInt(1000), 1, indices, source, target);
    } else {
      k.augmentRows(rows, s[1], s[2], s[3], s[4], s[5] % 2, random.nextInt(), random.nextInt(),
          random.nextInt(1000), 1, indices, source, target);
    }
    return read(k, target, rows * cols);
  }
}
