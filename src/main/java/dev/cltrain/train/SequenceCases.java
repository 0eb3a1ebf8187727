package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.scaled;
import static dev.cltrain.train.KernelCases.tied;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.Backend;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.train.KernelCases.Draws;
import java.util.List;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for sequence1d.cl and recurrent.cl's
 * kernels, 1-D convolution and pooling over steps, the recurrent steps and embeddings: each kernel run on a backend
 * with inputs drawn from {@link Draws}, its outputs read back. A kernel added to one of those files gets its case
 * here.
 */
final class SequenceCases {
  private SequenceCases() {}

  /**
   * One of sequence1d.cl's or recurrent.cl's kernels: {@link #sequence1d} at a conv case, {@link #recurrent} at a
   * {@link #RECURRENT_SHAPES} case.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    return RECURRENT_KERNELS.contains(kernel) ? recurrent(kernel, k, s, draws) : sequence1d(kernel, k, s, draws);
  }

  /**
   * One of sequence1d.cl's kernels at case s = (rows, height, width, channels, kernel, stride, same) of
   * {@link DeviceCheck#CONV_SHAPES}, read as rows samples of height·width steps of channels features, padded as
   * a Conv1d pads (same: ⌈T/s⌉ outputs, the extra zero step at the end).
   */
  private static <B, I> float[] sequence1d(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    int rows = s[0];
    int steps = s[1] * s[2];
    int features = s[3];
    int size = s[4];
    int stride = s[5];
    boolean same = s[6] != 0;
    int outSteps = same ? (steps + stride - 1) / stride : (steps - size) / stride + 1;
    int padLeft = same ? Math.max((outSteps - 1) * stride + size - steps, 0) / 2 : 0;
    int inputs = rows * steps * features;
    int columns = rows * outSteps * size * features;
    if (kernel.startsWith("max_pool1d")) { // five levels for odd rows: ties, the gradient to the first maximum
      int pooled = rows * (steps / size) * features;
      float[] values = tied(draws, inputs, rows % 2 == 1);
      B x = k.upload(values);
      if (kernel.equals("max_pool1d")) {
        B y = poisoned(k, pooled);
        k.maxPool1d(rows, steps, features, size, x, y);
        return read(k, y, pooled);
      }
      B dx = poisoned(k, inputs);
      k.maxPool1dBackward(rows, steps, features, size, x, k.upload(uniform(draws, pooled)), dx);
      return read(k, dx, inputs);
    }
    if (kernel.equals("im2col1d")) {
      B col = poisoned(k, columns);
      k.im2col1d(rows, steps, features, size, stride, padLeft, outSteps, k.upload(uniform(draws, inputs)), col);
      return read(k, col, columns);
    }
    B dx = poisoned(k, inputs);
    k.col2im1d(rows, steps, features, size, stride, padLeft, outSteps, k.upload(uniform(draws, columns)), dx);
    return read(k, dx, inputs);
  }

  /** recurrent.cl's kernels, checked at {@link #RECURRENT_SHAPES}. */
  static final List<String> RECURRENT_KERNELS = OpenClKernels.kernelNames("recurrent.cl");

  /**
   * recurrent.cl's cases: (rows, steps T, hidden H, features F, vocabulary V, sequence). Batch 1, T = 1 and H = 1;
   * odd H and prime F; V = 1 (padding only); Fashion-MNIST's 28 steps of 28 features; H past 64; each with lengths
   * drawn in [0, T] (0: a row all padding; T: none) and both outputs (the last step, every step).
   */
  static final int[][] RECURRENT_SHAPES = {{1, 1, 1, 1, 1, 0}, {1, 1, 3, 2, 5, 1}, {2, 3, 5, 7, 11, 0},
      {3, 5, 1, 13, 2, 1}, {4, 7, 9, 3, 7, 0}, {5, 2, 16, 17, 31, 1}, {2, 28, 33, 28, 1, 0}, {7, 4, 65, 5, 3, 1}};

  /**
   * One of recurrent.cl's kernels at a {@link #RECURRENT_SHAPES} case: a step kernel runs every step of the
   * sequence (forward from 0, backward from T − 1) as a layer does, and every buffer it writes is read back,
   * one after the other.
   */
  private static <B, I> float[] recurrent(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int steps = s[1];
    int hidden = s[2];
    int vocabulary = s[4];
    int sequence = s[5];
    int positions = rows * steps;
    float[] lengths = new float[rows];
    for (int n = 0; n < rows; n++) {
      lengths[n] = random.nextInt(steps + 1);
    }
    float[] ids = new float[positions];
    for (int p = 0; p < positions; p++) {
      ids[p] = random.nextInt(vocabulary + 1) % vocabulary; // zeros (padding) inside rows too
    }
    int gates = kernel.startsWith("lstm") ? 4 : 3;
    int width = gates * hidden;
    int outLength = sequence != 0 ? positions * hidden : rows * hidden;
    B len = k.upload(lengths);
    B w = k.upload(uniform(draws, width * hidden));
    switch (kernel) {
      case "sequence_lengths" -> {
        B out = poisoned(k, rows);
        k.sequenceLengths(rows, steps, k.upload(ids), out);
        return read(k, out, rows);
      }
      case "embedding_forward", "embedding_backward" -> {
        int dims = s[3];
        float[] weights = uniform(draws, vocabulary * dims);
        java.util.Arrays.fill(weights, 0, dims, 0f);
        B out = poisoned(k, kernel.equals("embedding_forward") ? positions * dims : vocabulary * dims);
        if (kernel.equals("embedding_forward")) {
          k.embeddingForward(rows, steps, vocabulary, dims, k.upload(ids), k.upload(weights), out);
          return read(k, out, positions * dims);
        }
        k.embeddingBackward(positions, vocabulary, dims, 0.25f, k.upload(ids), k.upload(uniform(draws,
            positions * dims)), out);
        return read(k, out, vocabulary * dims);
      }
      case "lstm_step", "gru_step" -> {
        B g = k.upload(scaled(draws, positions * width, 2));
        B inputBias = k.upload(uniform(draws, width));
        B recurrentBias = k.upload(uniform(draws, width));
        B second = poisoned(k, positions * hidden);
        B states = poisoned(k, positions * hidden);
        B out = poisoned(k, outLength);
        B product = poisoned(k, rows * width); // read from step 1 on, after the product is written
        B state = poisoned(k, rows * hidden);
        for (int t = 0; t < steps; t++) { // as RecurrentOp.forward runs them
          if (t > 0) {
            k.matmulTransposeB(rows, width, hidden, 1.0f, state, w, product);
          }
          if (gates == 4) {
            k.lstmStep(rows, steps, hidden, t, sequence, inputBias, recurrentBias, len, product, g, second, states,
                state, out);
          } else {
            k.gruStep(rows, steps, hidden, t, sequence, inputBias, recurrentBias, len, product, g, second, states,
                state, out);
          }
        }
        return concat(read(k, g, positions * width), read(k, second, positions * hidden),
            read(k, states, positions * hidden), read(k, out, outLength), read(k, state, rows * hidden));
      }
      default -> { // the backward steps: gates as activations in (0, 1), g and n in (−1, 1)
        float[] activated = uniform(draws, positions * width);
        for (int i = 0; i < activated.length; i++) {
          boolean tanh = (i % width) / hidden == 2; // LSTM g, GRU n
          activated[i] = tanh ? activated[i] : 0.5f + 0.5f * activated[i];
        }
        B g = k.upload(activated);
        B dy = k.upload(uniform(draws, outLength));
        B second = k.upload(scaled(draws, positions * hidden, 2)); // cells, or GRU's news
        B carry = poisoned(k, rows * hidden);
        B stateGradient = poisoned(k, rows * hidden); // read below the last step, after the product is written
        B stepGradients = poisoned(k, rows * width);
        B dcell = gates == 4 ? poisoned(k, rows * hidden) : null;
        B states = gates == 4 ? null : k.upload(uniform(draws, positions * hidden));
        B hgates = gates == 4 ? null : poisoned(k, positions * width);
        for (int t = steps - 1; t >= 0; t--) { // as RecurrentOp.backward runs them
          if (gates == 4) {
            k.lstmStepBackward(rows, steps, hidden, t, sequence, len, second, dy, stateGradient, g, dcell, carry,
                stepGradients);
          } else {
            k.gruStepBackward(rows, steps, hidden, t, sequence, len, second, states, dy, stateGradient, g, hgates,
                carry, stepGradients);
          }
          if (t > 0) {
            k.matmul(rows, hidden, width, 1.0f, stepGradients, w, stateGradient);
          }
        }
        float[] common = concat(read(k, g, positions * width), read(k, carry, rows * hidden),
            read(k, stepGradients, rows * width));
        return gates == 4 ? concat(common, read(k, dcell, rows * hidden))
            : concat(common, read(k, hgates, positions * width));
      }
    }
  }

  private static float[] concat(float[]... parts) {
    int length = 0;
    for (float[] p : parts) {
      length += p.length;
    }
    float[] all = new float[length];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
