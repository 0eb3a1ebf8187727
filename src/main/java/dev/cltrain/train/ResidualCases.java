package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.scaled;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.train.KernelCases.Draws;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for residual.cl's kernels, a residual
 * block's sum and its gradient: each kernel run on a backend with inputs drawn from {@link Draws}, its outputs read
 * back. A kernel added to residual.cl gets its case here.
 */
final class ResidualCases {
  private ResidualCases() {}

  /**
   * residual.cl's kernels at shape s = (rows, cols, depth) with the activation: residual_add of rows × cols
   * sums (a wide range, so relu and tanh see both sides); residual_delta of rows × cols gradients, returning the
   * gradient and its copy side by side.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    int count = s[0] * s[1];
    if (kernel.equals("residual_add")) {
      B out = poisoned(k, count);
      k.residualAdd(count, activation, k.upload(scaled(draws, count, 6)), k.upload(scaled(draws, count, 6)), out);
      return read(k, out, count);
    }
    B g = k.upload(uniform(draws, count));
    B copy = poisoned(k, count);
    k.residualDelta(count, activation, k.upload(uniform(draws, count)), g, copy);
    float[] both = new float[2 * count];
    System.arraycopy(read(k, g, count), 0, both, 0, count);
    System.arraycopy(read(k, copy, count), 0, both, count, count);
    return both;
  }
}
