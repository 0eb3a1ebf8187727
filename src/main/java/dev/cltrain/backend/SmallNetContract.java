package dev.cltrain.backend;

/**
 * The kernel contract's part for small_net.cl: a small network's epochs in one launch. One method per kernel of the
 * file, written and documented as {@link Kernels} says (it extends this interface, as it does every family's); a
 * kernel added to small_net.cl gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface SmallNetContract<B, I> extends KernelLauncher {
  /**
   * small_net.cl: {@code epochs} full-batch epochs of a small network in one launch, each what Backprop's
   * layer-by-layer iteration computes (forward, loss and correct count at the last epoch when {@code stats},
   * backward, update), bit for bit; one work-group keeps everything in local memory. The caller checks that
   * the network fits (see {@code ProgramOptions.smallNetFloats}).
   *
   * @param layers L, the network's layers
   * @param rows the training set's rows: the whole batch
   * @param epochs epochs (backprop iterations) to run
   * @param crossEntropy 1: softmax output and cross-entropy (xent_delta, xent_loss); 0: mean squared error
   * @param stats 1: the last epoch's loss into loss[0] and correct count into correct[0] (as mse_loss or
   *     xent_loss and count_correct at slot 0), 0: neither is written
   * @param scale 1/rows as the host computes it: the gradients' alpha and column_sum's scale
   * @param learningRate the step size η
   * @param weightDecay the L2 factor λ for weights (biases take 0)
   * @param optimizer the rule (its code) and its constants: the kernel's optimizer, momentum, beta1, beta2, epsilon
   * @param shape widths[0..L] (inputs first), then the activation codes of layers 1..L (−1 softmax)
   * @param corrections Adam's (1 − β1ᵗ, 1 − β2ᵗ) for each epoch's step t, two floats per epoch (read for adam only)
   * @param x the inputs, rows × widths[0]
   * @param y the targets, rows × widths[L]
   * @param params per layer its weights (inputs × outputs, row-major) then its biases; updated in place
   * @param state the optimizer's buffers (none, velocity, or m then v), each laid out as params; updated in place
   * @param loss receives the last epoch's mean loss at index 0 when stats is 1
   * @param correct receives the last epoch's correct count at index 0 when stats is 1
   */
  void trainSmall(int layers, int rows, int epochs, int crossEntropy, int stats, float scale, float learningRate,
      float weightDecay, SmallNetOptimizer optimizer, I shape, B corrections, B x, B y, B params, B state, B loss,
      B correct);
}
