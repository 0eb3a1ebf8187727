package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.oneHot;
import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.scaled;
import static dev.cltrain.train.KernelCases.spread;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.train.KernelCases.Draws;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for small_net.cl's kernels, a small
 * network's epochs in one launch: each kernel run on a backend with inputs drawn from {@link Draws}, its outputs
 * read back. A kernel added to small_net.cl gets its case here.
 */
final class SmallNetCases {
  private SmallNetCases() {}

  /**
   * Three epochs of train_small with statistics, on a net derived from shape s = (rows, cols, depth): up to 40
   * rows, depth (up to 9) inputs, a hidden layer of cols (up to 7) with the activation, 3 outputs; softmax and
   * cross-entropy for odd rows, else MSE with the activation at the output too; the optimizer by (rows + cols)
   * mod 3 (sgd, momentum, adam), with weight decay. Returns the parameters, the optimizer state and the correct
   * count, not the loss: a reduction (checked as mse_loss and xent_loss are), the rest the reference's bits.
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    Random random = draws.random();
    int rows = Math.min(s[0], 40);
    int[] widths = {Math.min(s[2], 9), Math.min(s[1], 7), 3};
    boolean xent = rows % 2 == 1;
    Optimizer.Kind rule = Optimizer.kinds().get((s[0] + s[1]) % Optimizer.kinds().size());
    Optimizer defaults = rule.build(Optimizer.Options.NONE);
    int states = defaults.stateBuffers();
    int parameters = widths[0] * widths[1] + widths[1] + widths[1] * widths[2] + widths[2];
    int[] shape = {widths[0], widths[1], widths[2], activation, xent ? Activation.SOFTMAX.code : activation};
    float[] state = new float[states * parameters];
    System.arraycopy(spread(random, parameters, 6, true), 0, state, 0, Math.min(state.length, parameters));
    if (states == 2) {
      System.arraycopy(spread(random, parameters, 12, false), 0, state, parameters, parameters);
    }
    float[] corrections = new float[6];
    for (int e = 0; e < 3; e++) {
      corrections[2 * e] = AdamConstants.DEFAULT.correction1(e + 4);
      corrections[2 * e + 1] = AdamConstants.DEFAULT.correction2(e + 4);
    }
    B x = k.upload(uniform(draws, rows * widths[0]));
    B y = k.upload(xent ? oneHot(random, rows, 3) : scaled(draws, rows * 3, 0.5f));
    B params = k.upload(scaled(draws, parameters, 0.7f));
    B stateBuffer = k.upload(state.length == 0 ? new float[1] : state);
    B loss = k.upload(new float[1]);
    B correct = poisoned(k, 1);
    // the rule with its defaults: μ 0.9 and Adam's usual constants
    k.trainSmall(2, rows, 3, xent ? 1 : 0, 1, 1.0f / rows, 0.05f, 0.01f, defaults.smallNet(), k.uploadIndices(shape),
        k.upload(corrections), x, y, params, stateBuffer, loss, correct);
    float[] out = new float[parameters + state.length + 1];
    System.arraycopy(read(k, params, parameters), 0, out, 0, parameters);
    System.arraycopy(read(k, stateBuffer, state.length), 0, out, parameters, state.length);
    out[out.length - 1] = read(k, correct, 1)[0];
    return out;
  }
}
