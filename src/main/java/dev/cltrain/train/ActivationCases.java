package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.noCase;
import static dev.cltrain.train.KernelCases.oneHot;
import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.scaled;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.train.KernelCases.Draws;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for activation.cl and loss.cl's kernels,
 * the activations, the output deltas and the losses: each kernel run on a backend with inputs drawn from {@link
 * Draws}, its outputs read back. A kernel added to one of those files gets its case here.
 */
final class ActivationCases {
  private ActivationCases() {}

  /**
   * One of activation.cl's or loss.cl's kernels at shape s = (rows, cols, depth): rows × cols values with the
   * activation; the losses over one-hot targets (cross-entropy's and the correct count's over probabilities), each
   * written at its own slot of three.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    int rows = s[0];
    int cols = s[1];
    Random random = draws.random();
    switch (kernel) {
      case "bias_activation" -> {
        B z = k.upload(scaled(draws, rows * cols, 6));
        B bias = k.upload(uniform(draws, cols));
        B a = poisoned(k, rows * cols);
        k.biasActivation(rows, cols, activation, z, bias, a);
        return read(k, a, rows * cols);
      }
      case "activation_delta" -> {
        B a = k.upload(uniform(draws, rows * cols));
        B dz = k.upload(uniform(draws, rows * cols));
        k.activationDelta(rows * cols, activation, a, dz);
        return read(k, dz, rows * cols);
      }
      case "bias_softmax" -> {
        B z = k.upload(scaled(draws, rows * cols, 20));
        B bias = k.upload(uniform(draws, cols));
        B p = poisoned(k, rows * cols);
        k.biasSoftmax(rows, cols, z, bias, p);
        return read(k, p, rows * cols);
      }
      case "mse_delta", "xent_delta" -> {
        B a = k.upload(uniform(draws, rows * cols));
        B y = k.upload(uniform(draws, rows * cols));
        B dz = poisoned(k, rows * cols);
        if (kernel.equals("mse_delta")) {
          k.mseDelta(rows * cols, activation, a, y, dz);
        } else {
          k.xentDelta(rows * cols, a, y, dz);
        }
        return read(k, dz, rows * cols);
      }
      case "mse_loss", "xent_loss", "count_correct" -> {
        B a = k.upload(kernel.equals("mse_loss") ? uniform(draws, rows * cols) : probabilities(random, rows, cols));
        B y = k.upload(oneHot(random, rows, cols));
        B out = k.upload(new float[3]);
        switch (kernel) {
          case "mse_loss" -> k.mseLoss(rows * cols, 1, a, y, out);
          case "xent_loss" -> k.xentLoss(rows, cols, 2, a, y, out);
          default -> k.countCorrect(rows, cols, 0, a, y, out);
        }
        return read(k, out, 3);
      }
      default -> throw noCase(kernel);
    }
  }

  private static float[] probabilities(Random r, int rows, int cols) {
    float[] p = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      float sum = 0;
      for (int j = 0; j < cols; j++) {
        p[i * cols + j] = r.nextFloat() + 0.01f;
        sum += p[i * cols + j];
      }
      for (int j = 0; j < cols; j++) {
        p[i * cols + j] /= sum;
      }
    }
    return p;
  }
}
