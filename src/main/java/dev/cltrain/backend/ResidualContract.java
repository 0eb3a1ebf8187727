package dev.cltrain.backend;

/**
 * The kernel contract's part for residual.cl: a residual block's sum and its gradient. One method per kernel of the
 * file, written and documented as {@link Kernels} says (it extends this interface, as it does every family's); a
 * kernel added to residual.cl gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface ResidualContract<B, I> extends KernelLauncher {
  /**
   * residual.cl: out(count) = f(x + y), f the activation code (identity: the plain sum). A residual block's
   * output, and its input gradient: the inner branch's (x) plus the shortcut's (y).
   *
   * @param count elements
   * @param activation f's code (Activation.code; not softmax)
   * @param x the first addend (the inner branch)
   * @param y the second addend (the shortcut)
   * @param out the result
   */
  default void residualAdd(int count, int activation, B x, B y, B out) {
    launch("residual_add", Range.items(Kernels.lanes(count)), count, activation, x, y, out);
  }

  /**
   * residual.cl: g(count) = g ⊙ f'(out) in place, and copy = the same values.
   *
   * @param count elements
   * @param activation f's code (Activation.code; not softmax)
   * @param out the block's output, f(sum)
   * @param g the gradient with respect to the output on entry, with respect to the sum on return
   * @param copy receives the gradient with respect to the sum
   */
  default void residualDelta(int count, int activation, B out, B g, B copy) {
    launch("residual_delta", Range.items(Kernels.lanes(count)), count, activation, out, g, copy);
  }
}
