package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.Layer;
import java.util.List;

/**
 * A batch normalization's op; count = rows · pixels values per channel.
 * <pre>
 * forward (training)  mean, var = the batch's (biased), in blocked sums;        batch_norm_sums, batch_norm_mean,
 *                     running stats updated                                     batch_norm_squares, batch_norm_statistics
 *                     out = f(γ·(x − mean)/sqrt(var + ε) + β)                   batch_norm_forward
 * forward (otherwise) the same with the running mean and variance               batch_norm_forward
 * backward            g ⊙= f'(out);  dγ = Σ g·x̂ / n;  dβ = Σ g / n              activation_delta,
 *                                                                               batch_norm_gradient_sums, batch_norm_backward
 *                     g_in = γ/σ·(g − Σg/count − x̂·Σg·x̂/count)  (not first)     batch_norm_backward_input
 * </pre>
 * γ and β are its parameters (never decayed unless every parameter decays); the running mean and variance its
 * state ({@link LayerOp#state()}).
 */
final class BatchNormOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final BatchNorm bn;
  private final B gamma;
  private final B beta;
  private final B runningMean;
  private final B runningVariance;
  /**
   * Training only: the last batch's mean and variance, Σ g and Σ g·x̂, the parameters' gradients, and the blocked
   * sums' partials (2 per channel and block of the largest batch).
   */
  private final B mean;
  private final B variance;
  private final B sums;
  private final B gammaGradient;
  private final B betaGradient;
  private final B partials;
  private final B out;
  private final long floats;

  BatchNormOp(Backend<B, ?> backend, BatchNorm bn, int capacity, boolean training) {
    this.backend = backend;
    this.bn = bn;
    this.gamma = backend.upload(bn.gamma());
    this.beta = backend.upload(bn.beta());
    this.runningMean = backend.upload(bn.runningMean());
    this.runningVariance = backend.upload(bn.runningVariance());
    int c = bn.input().channels();
    this.mean = training ? backend.allocate(c) : null;
    this.variance = training ? backend.allocate(c) : null;
    this.sums = training ? backend.allocate(2 * c) : null;
    this.gammaGradient = training ? backend.allocate(c) : null;
    this.betaGradient = training ? backend.allocate(c) : null;
    this.partials = training ? backend.allocate(partialFloats(bn, capacity)) : null;
    this.out = backend.allocate(capacity * bn.input().size());
    this.floats = floats(bn, capacity, training);
  }

  /**
   * {@return floats the op of {@code bn} allocates: γ, β, running stats, output; training: 6 more per channel and
   * the partials}
   */
  static long floats(BatchNorm bn, long capacity, boolean training) {
    return 4L * bn.input().channels() + capacity * bn.input().size()
        + (training ? 6L * bn.input().channels() + partialFloats(bn, capacity) : 0);
  }

  /** {@return the blocked sums' partials for batches of up to {@code capacity} rows: 2 per channel and block} */
  private static int partialFloats(BatchNorm bn, long capacity) {
    int values = Math.toIntExact(capacity * bn.input().height() * bn.input().width());
    return 2 * bn.input().channels() * Kernels.normBlocks(values);
  }

  private int count(int rows) {
    return rows * bn.input().height() * bn.input().width();
  }

  @Override
  public B forward(B in, int rows, long step) {
    int c = bn.input().channels();
    if (step >= 0 && mean != null) {
      int count = count(rows);
      backend.batchNormSums(count, c, in, partials);
      backend.batchNormMean(count, c, partials, mean);
      backend.batchNormSquares(count, c, in, mean, partials);
      backend.batchNormStatistics(count, c, bn.momentum(), partials, mean, variance, runningMean, runningVariance);
      backend.batchNormForward(count(rows), c, bn.activation().code, bn.epsilon(), in, mean, variance, gamma, beta,
          out);
    } else {
      backend.batchNormForward(count(rows), c, bn.activation().code, bn.epsilon(), in, runningMean, runningVariance,
          gamma, beta, out);
    }
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    int c = bn.input().channels();
    int count = count(rows);
    if (bn.activation().code != 0) {
      backend.activationDelta(count * c, bn.activation().code, out, g);
    }
    backend.batchNormGradientSums(count, c, bn.epsilon(), in, mean, variance, g, partials);
    backend.batchNormBackward(count, c, perSample, partials, sums, gammaGradient, betaGradient);
    if (gIn != null) {
      backend.batchNormBackwardInput(count, c, bn.epsilon(), in, mean, variance, gamma, g, sums, gIn);
    }
  }

  @Override
  public List<B> parameters() {
    return List.of(gamma, beta);
  }

  @Override
  public List<B> gradients() {
    return gammaGradient == null ? List.of() : List.of(gammaGradient, betaGradient);
  }

  /** γ and β, neither decayed (as biases are) unless every parameter decays. */
  @Override
  public void addParameters(ParameterTable<B> table) {
    int c = bn.input().channels();
    table.add(c, false, gamma, gammaGradient);
    table.add(c, false, beta, betaGradient);
  }

  @Override
  public List<B> state() {
    return List.of(runningMean, runningVariance);
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, bn, this);
  }
}
