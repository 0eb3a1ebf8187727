package dev.cltrain.backend;

import java.util.List;

/**
 * The kernel contract's part for update.cl: the bias gradient's column sums, the optimizers' steps (one array, or
 * up to {@link Kernels#SEGMENTS} in one launch) and gradient clipping. One method per kernel of the file, written
 * and documented as {@link Kernels} says (it extends this interface, as it does every family's); a kernel added to
 * update.cl gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface UpdateContract<B, I> extends KernelLauncher {
  /**
   * update.cl: sums(cols) = scale · Σ over rows of x(rows, cols).
   *
   * @param rows rows of x, summed in ascending order
   * @param cols columns of x, and the length of sums
   * @param scale applied to each finished sum, e.g. 1/batch for the bias gradient
   * @param x the matrix summed, rows×cols
   * @param sums receives the scaled column sums, cols
   */
  default void columnSum(int rows, int cols, float scale, B x, B sums) {
    launch("column_sum", Range.chunks(cols), rows, cols, scale, x, sums);
  }

  /**
   * update.cl: w(count) −= learningRate · (dw + weightDecay · w).
   *
   * @param count elements of dw and w
   * @param learningRate the step size η
   * @param weightDecay the L2 factor λ added to the gradient (0 for biases)
   * @param dw the gradient
   * @param w the parameters, updated in place
   */
  default void sgdUpdate(int count, float learningRate, float weightDecay, B dw, B w) {
    launch("sgd_update", Range.items(count), count, learningRate, weightDecay, dw, w);
  }

  /**
   * update.cl: velocity = momentum · velocity + g; w −= learningRate · velocity; g = dw + weightDecay · w. Flush: a new
   * velocity of magnitude below {@link Float#MIN_NORMAL} (FLT_MIN), a subnormal or −0, is stored as +0.
   *
   * @param count elements of dw, velocity and w
   * @param learningRate the step size η
   * @param momentum the factor μ that carries the velocity over
   * @param weightDecay the L2 factor λ added to the gradient (0 for biases)
   * @param dw the gradient
   * @param velocity the optimizer's velocity, updated in place
   * @param w the parameters, updated in place
   */
  default void momentumUpdate(int count, float learningRate, float momentum, float weightDecay, B dw, B velocity, B w) {
    launch("momentum_update", Range.items(count), count, learningRate, momentum, weightDecay, dw, velocity, w);
  }

  /**
   * update.cl: one bias-corrected Adam step; correction1 = 1 − beta1ᵗ, correction2 = 1 − beta2ᵗ. Flush: a new
   * m or v of magnitude below {@link Float#MIN_NORMAL} (FLT_MIN), a subnormal or −0, is stored as +0, before
   * the step uses it.
   *
   * @param count elements of dw, m, v and w
   * @param learningRate the step size η
   * @param adam β1 (decay of the first-moment average), β2 (of the second) and ε (added to the square root of
   *     the corrected second moment): the kernel's beta1, beta2, epsilon
   * @param weightDecay the L2 factor λ added to the gradient (0 for biases)
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw the gradient
   * @param m the first-moment average, updated in place
   * @param v the second-moment average, updated in place
   * @param w the parameters, updated in place
   */
  default void adamUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, B dw, B m, B v, B w) {
    launch("adam_update", Range.items(count), count, learningRate, adam.beta1(), adam.beta2(), adam.epsilon(),
        weightDecay, correction1, correction2, dw, m, v, w);
  }

  /**
   * update.cl: {@link #sgdUpdate} on up to {@link Kernels#SEGMENTS} parameter arrays in one launch; slot s is
   * {@code sgdUpdate(count[s], learningRate, weightDecay[s], dw.get(s), w.get(s))}, to the bit.
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param weightDecay each slot's L2 factor λ (0 for biases); as many entries as count
   * @param dw each slot's gradient; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void sgdUpdateLayers(int[] count, float learningRate, float[] weightDecay, List<B> dw,
      List<B> w);

  /**
   * update.cl: {@link #momentumUpdate} on up to {@link Kernels#SEGMENTS} parameter arrays in one launch; slot s is
   * {@code momentumUpdate(count[s], learningRate, momentum, weightDecay[s], dw.get(s), velocity.get(s),
   * w.get(s))}, to the bit (velocities flushed the same way).
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param momentum the factor μ that carries the velocity over
   * @param weightDecay each slot's L2 factor λ (0 for biases); as many entries as count
   * @param dw each slot's gradient; as many entries as count
   * @param velocity each slot's velocity, updated in place; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void momentumUpdateLayers(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<B> dw, List<B> velocity, List<B> w);

  /**
   * update.cl: {@link #adamUpdate} on up to {@link Kernels#SEGMENTS} parameter arrays in one launch; slot s is
   * {@code adamUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2,
   * dw.get(s), m.get(s), v.get(s), w.get(s))}, to the bit (moments flushed the same way).
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param adam β1, β2 and ε, as {@link #adamUpdate}'s
   * @param weightDecay each slot's L2 factor λ (0 for biases); as many entries as count
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw each slot's gradient; as many entries as count
   * @param m each slot's first-moment average, updated in place; as many entries as count
   * @param v each slot's second-moment average, updated in place; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void adamUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<B> dw, List<B> m, List<B> v, List<B> w);

  /**
   * update.cl: one AdamW step (decoupled weight decay, as torch.optim.AdamW orders it): first
   * w = w · (1 − learningRate · weightDecay), then {@link #adamUpdate}'s step on the decayed w with no L2 term
   * (weightDecay 0 there), to the bit. Moments flushed as Adam's.
   *
   * @param count elements of dw, m, v and w
   * @param learningRate the step size η
   * @param adam β1, β2 and ε, as {@link #adamUpdate}'s
   * @param weightDecay the decoupled factor λ (0 for biases unless every parameter decays)
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw the gradient
   * @param m the first-moment average, updated in place
   * @param v the second-moment average, updated in place
   * @param w the parameters, updated in place
   */
  default void adamwUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, B dw, B m, B v, B w) {
    launch("adamw_update", Range.items(count), count, learningRate, adam.beta1(), adam.beta2(), adam.epsilon(),
        weightDecay, correction1, correction2, dw, m, v, w);
  }

  /**
   * update.cl: {@link #adamwUpdate} on up to {@link Kernels#SEGMENTS} parameter arrays in one launch; slot s is
   * {@code adamwUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2,
   * dw.get(s), m.get(s), v.get(s), w.get(s))}, to the bit.
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param adam β1, β2 and ε, as {@link #adamUpdate}'s
   * @param weightDecay each slot's decoupled factor λ; as many entries as count
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw each slot's gradient; as many entries as count
   * @param m each slot's first-moment average, updated in place; as many entries as count
   * @param v each slot's second-moment average, updated in place; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void adamwUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<B> dw, List<B> m, List<B> v, List<B> w);

  /**
   * update.cl: partials[first + b] = Σ x[i]² over block b of {@link Kernels#NORM_BLOCK} elements of x, i ascending,
   * for b = 0 … ⌈count / NORM_BLOCK⌉ − 1: the first step of gradient clipping, one launch per gradient array.
   *
   * @param count elements of x
   * @param first where this array's blocks start in partials
   * @param x the gradient array
   * @param partials receives the blocks' sums of squares
   */
  default void squareSums(int count, int first, B x, B partials) {
    launch("square_sums", Range.items((count + Kernels.NORM_BLOCK - 1) / Kernels.NORM_BLOCK),
        count, first, x, partials);
  }

  /**
   * update.cl: factor[0] = min(1, maxNorm / (√(Σ partials[0 … blocks)) + 1e-6)), the partials summed in
   * ascending order in float (torch.nn.utils.clip_grad_norm_'s coefficient; a NaN norm gives 1).
   *
   * @param blocks partial sums to add
   * @param maxNorm C, the largest global gradient norm kept
   * @param partials the sums of squares from {@link #squareSums}
   * @param factor receives the scale in its element 0
   */
  default void clipFactor(int blocks, float maxNorm, B partials, B factor) {
    launch("clip_factor", Range.items(1), blocks, maxNorm, partials, factor);
  }

  /**
   * update.cl: x(count) = x · factor[0].
   *
   * @param count elements of x
   * @param factor the scale, element 0 ({@link #clipFactor}'s)
   * @param x the array scaled in place
   */
  default void scaleBy(int count, B factor, B x) {
    launch("scale_by", Range.items(count), count, factor, x);
  }
}
