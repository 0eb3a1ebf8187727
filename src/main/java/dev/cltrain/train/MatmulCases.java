package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.noCase;
import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.train.KernelCases.Draws;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for matmul.cl's kernels, the matrix
 * products: each kernel run on a backend with inputs drawn from {@link Draws}, its outputs read back. A kernel
 * added to matmul.cl gets its case here.
 */
final class MatmulCases {
  private MatmulCases() {}

  /**
   * One of matmul.cl's kernels at shape s = (rows, cols, depth): the product of a rows × depth and a depth × cols
   * operand (alpha 0.5), the fused kernels with the activation and their bias or layer output.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    int rows = s[0];
    int cols = s[1];
    int depth = s[2];
    switch (kernel) {
      case "matmul", "matmul_transpose_a", "matmul_transpose_b" -> {
        B a = k.upload(uniform(draws, rows * depth));
        B b = k.upload(uniform(draws, depth * cols));
        B c = poisoned(k, rows * cols);
        switch (kernel) {
          case "matmul" -> k.matmul(rows, cols, depth, 0.5f, a, b, c);
          case "matmul_transpose_a" -> k.matmulTransposeA(rows, cols, depth, 0.5f, a, b, c);
          default -> k.matmulTransposeB(rows, cols, depth, 0.5f, a, b, c);
        }
        return read(k, c, rows * cols);
      }
      case "matmul_bias_activation" -> {
        B x = k.upload(uniform(draws, rows * depth));
        B w = k.upload(uniform(draws, depth * cols));
        B bias = k.upload(uniform(draws, cols));
        B a = poisoned(k, rows * cols);
        k.matmulBiasActivation(rows, cols, depth, activation, x, w, bias, a);
        return read(k, a, rows * cols);
      }
      case "matmul_transpose_b_delta" -> {
        B d = k.upload(uniform(draws, rows * depth));
        B w = k.upload(uniform(draws, cols * depth));
        B a = k.upload(uniform(draws, rows * cols));
        B dz = poisoned(k, rows * cols);
        k.matmulTransposeBDelta(rows, cols, depth, activation, d, w, a, dz);
        return read(k, dz, rows * cols);
      }
      default -> throw noCase(kernel);
    }
  }
}
