package dev.cltrain.backend;

/**
 * The kernel contract's part for batchnorm.cl: global average pooling and batch normalization (its sums in blocks
 * of {@link Kernels#NORM_BLOCK} values). One method per kernel of the file, written and documented as {@link
 * Kernels} says (it extends this interface, as it does every family's); a kernel added to batchnorm.cl gets its
 * method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface NormContract<B, I> extends KernelLauncher {
  /**
   * batchnorm.cl: y(n, c) = (Σ over the pixels of x(n, p, c), in pixel order) / pixels.
   *
   * @param rows samples
   * @param pixels height·width of the input
   * @param channels channels
   * @param x the input, rows × pixels·channels (HWC)
   * @param y receives the means, rows × channels
   */
  default void globalAvgPool(int rows, int pixels, int channels, B x, B y) {
    launch("global_avg_pool", Range.items((long) rows * channels), rows, pixels, channels, x, y);
  }

  /**
   * batchnorm.cl: dx(n, p, c) = dy(n, c) / pixels.
   *
   * @param rows samples
   * @param pixels height·width of the input
   * @param channels channels
   * @param dy the output's gradient, rows × channels
   * @param dx receives the input's gradient, rows × pixels·channels (overwritten)
   */
  default void globalAvgPoolBackward(int rows, int pixels, int channels, B dy, B dx) {
    launch("global_avg_pool_backward", Range.items((long) rows * pixels * channels), rows, pixels, channels, dy, dx);
  }

  /**
   * batchnorm.cl: partials(b, c) = Σ x(i, c) over block b of {@link Kernels#NORM_BLOCK} values, i ascending: the first
   * of the four launches of a training batch's statistics.
   *
   * @param count values per channel (rows · pixels)
   * @param channels channels
   * @param x the input, count × channels
   * @param partials receives {@link Kernels#normBlocks}(count) × channels sums
   */
  default void batchNormSums(int count, int channels, B x, B partials) {
    launch("batch_norm_sums", Range.grid(Kernels.lanes(channels), Kernels.normBlocks(count)),
        count, channels, x, partials);
  }

  /**
   * batchnorm.cl: mean(c) = (Σ_b partials(b, c), b ascending) / count.
   *
   * @param count values per channel
   * @param channels channels
   * @param partials {@link #batchNormSums}'s
   * @param mean receives the batch means, channels
   */
  default void batchNormMean(int count, int channels, B partials, B mean) {
    launch("batch_norm_mean", Range.items(channels), count, channels, partials, mean);
  }

  /**
   * batchnorm.cl: partials(b, c) = Σ (x(i, c) − mean(c))² over block b, i ascending.
   *
   * @param count values per channel
   * @param channels channels
   * @param x the input, count × channels
   * @param mean the batch means ({@link #batchNormMean})
   * @param partials receives {@link Kernels#normBlocks}(count) × channels sums
   */
  default void batchNormSquares(int count, int channels, B x, B mean, B partials) {
    launch("batch_norm_squares", Range.grid(Kernels.lanes(channels), Kernels.normBlocks(count)),
        count, channels, x, mean, partials);
  }

  /**
   * batchnorm.cl: per channel, S = Σ_b partials(b, c) (b ascending), the biased variance S / count; the running
   * statistics move by {@code momentum} towards the mean and the unbiased variance S / (count − 1) (0 for count
   * 1), as PyTorch's BatchNorm.
   *
   * @param count values per channel
   * @param channels channels
   * @param momentum m: running = (1 − m)·running + m·batch
   * @param partials {@link #batchNormSquares}'s
   * @param mean the batch means
   * @param variance receives the biased batch variances, channels
   * @param runningMean the running means, updated in place
   * @param runningVariance the running variances, updated in place
   */
  default void batchNormStatistics(int count, int channels, float momentum, B partials, B mean, B variance,
      B runningMean, B runningVariance) {
    launch("batch_norm_statistics", Range.items(channels), count, channels, momentum, partials, mean, variance,
        runningMean, runningVariance);
  }

  /**
   * batchnorm.cl: y = f(γ·((x − mean)·inv) + β), inv = 1 / sqrt(variance + ε), per channel.
   *
   * @param count values per channel
   * @param channels channels
   * @param activation f's code ({@code nn.Activation#code})
   * @param epsilon ε
   * @param x the input, count × channels
   * @param mean per channel
   * @param variance per channel
   * @param gamma γ, per channel
   * @param beta β, per channel
   * @param y receives the output, count × channels
   */
  default void batchNormForward(int count, int channels, int activation, float epsilon, B x, B mean, B variance, B gamma,
      B beta, B y) {
    launch("batch_norm_forward", Range.grid(Kernels.lanes(channels), count),
        count, channels, activation, epsilon, x, mean, variance, gamma, beta, y);
  }

  /**
   * batchnorm.cl: partials(b, c) = Σ dy and partials(b, channels + c) = Σ dy·x̂ over block b, i ascending (x̂ =
   * (x − mean)·inv): the first of the backward pass's two launches.
   *
   * @param count values per channel
   * @param channels channels
   * @param epsilon ε
   * @param x the forward pass's input, count × channels
   * @param mean the batch means
   * @param variance the batch variances
   * @param dy the gradient after the activation's slope, count × channels
   * @param partials receives {@link Kernels#normBlocks}(count) × 2·channels sums
   */
  default void batchNormGradientSums(int count, int channels, float epsilon, B x, B mean, B variance, B dy,
      B partials) {
    launch("batch_norm_gradient_sums", Range.grid(Kernels.lanes(channels), Kernels.normBlocks(count)),
        count, channels, epsilon, x, mean, variance, dy, partials);
  }

  /**
   * batchnorm.cl: per channel, sums = (Σ_b Σ dy, Σ_b Σ dy·x̂), b ascending, dgamma = scale·Σ dy·x̂, dbeta = scale·Σ dy.
   *
   * @param count values per channel
   * @param channels channels
   * @param scale what the parameter gradients are scaled by (1 / batch rows)
   * @param partials {@link #batchNormGradientSums}'s
   * @param sums receives Σ dy (channels) then Σ dy·x̂ (channels)
   * @param dgamma receives γ's gradient
   * @param dbeta receives β's gradient
   */
  default void batchNormBackward(int count, int channels, float scale, B partials, B sums, B dgamma, B dbeta) {
    launch("batch_norm_backward", Range.items(channels), count, channels, scale, partials, sums, dgamma, dbeta);
  }

  /**
   * batchnorm.cl: dx = γ·inv·((dy − Σdy / count) − x̂·(Σdy·x̂ / count)), the batch statistics' own gradient included.
   *
   * @param count values per channel
   * @param channels channels
   * @param epsilon ε
   * @param x the forward pass's input
   * @param mean the batch means
   * @param variance the batch variances
   * @param gamma γ
   * @param dy the gradient after the activation's slope
   * @param sums {@link #batchNormBackward}'s sums
   * @param dx receives the input's gradient, count × channels
   */
  default void batchNormBackwardInput(int count, int channels, float epsilon, B x, B mean, B variance, B gamma, B dy, B sums,
      B dx) {
    launch("batch_norm_backward_input", Range.grid(Kernels.lanes(channels), count),
        count, channels, epsilon, x, mean, variance, gamma, dy, sums, dx);
  }
}
