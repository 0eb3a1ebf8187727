// Global average pooling and batch normalization. x is (count, channels) row-major: count = rows·pixels
// (HWC samples: each pixel's channels are contiguous; a dense layer's output is one pixel per row). Each
// per-channel sum over the count values is blocked, in an order that depends neither on the device nor on its
// work-groups: partial sums over blocks of NORM_BLOCK values (a build option: Kernels.NORM_BLOCK), each in
// ascending index order, one work-item per (channel, block), then the blocks' partials added in ascending block
// order, one work-item per channel. The Java twins in dev.cltrain.reference.ReferenceKernels add in the same
// order, so the bits agree; the element-wise kernels write their own element only.
//   global_avg_pool           y(rows, channels) = (Σ_pixels x, in order) / pixels              .globalAvgPool
//   global_avg_pool_backward  dx(rows·pixels, channels) = dy / pixels                        .globalAvgPoolBackward
// Training statistics, four launches (partials is blocks × channels, blocks = ⌈count / NORM_BLOCK⌉):
//   batch_norm_sums           partials(b, c) = Σ x over block b                                .batchNormSums
//   batch_norm_mean           mean = (Σ_b partials(b, c)) / count                               .batchNormMean
//   batch_norm_squares        partials(b, c) = Σ (x − mean)² over block b                       .batchNormSquares
//   batch_norm_statistics     variance = (Σ_b partials) / count (biased);                      .batchNormStatistics
//                             running_mean = (1 − m)·running_mean + m·mean;
//                             running_variance = (1 − m)·running_variance + m·(Σ_b partials)/(count − 1)
//                             (unbiased, as PyTorch; count 1: the biased 0)
//   batch_norm_forward        y = f(γ·(x − mean)·inv + β),  inv = 1 / sqrt(variance + ε)        .batchNormForward
//                             (training: the batch's mean and variance; else the running ones)
// Backward, two launches then the input's gradient (partials is blocks × 2·channels):
//   batch_norm_gradient_sums  partials(b, c) = Σ dy, partials(b, channels + c) = Σ dy·x̂ over block b
//                                                                                            .batchNormGradientSums
//   batch_norm_backward       sums = (Σ_b Σ dy, Σ_b Σ dy·x̂);  dgamma = scale·Σ dy·x̂;  dbeta = scale·Σ dy
//                                                                                            .batchNormBackward
//   batch_norm_backward_input dx = γ·inv·((dy − Σdy / count) − x̂·(Σdy·x̂ / count))                .batchNormBackwardInput
// x̂ = (x − mean)·inv; dy is the gradient after the activation's slope (activation_delta).
// The block kernels, the forward pass and the input's gradient take LANES channels per work-item as explicit
// vectors (prelude.cl's lanes_*): PoCL does not vectorize a work-item loop with a loop inside, nor activate's switch.

// One work-item per (row, channel) of y.
__kernel void global_avg_pool(const int rows, const int pixels, const int channels, __global const float* x,
                              __global float* y) {
  const int i = get_global_id(0);
  if (i >= rows * channels) {
    return;
  }
  const int n = i / channels;
  const int c = i - n * channels;
  __global const float* sample = x + (long) n * pixels * channels + c;
  float sum = 0.0f;
  for (int p = 0; p < pixels; p++) {
    sum += sample[(long) p * channels];
  }
  y[i] = sum / (float) pixels;
}

// One work-item per element of dx.
__kernel void global_avg_pool_backward(const int rows, const int pixels, const int channels,
                                       __global const float* dy, __global float* dx) {
  const long i = get_global_id(0);
  if (i >= (long) rows * pixels * channels) {
    return;
  }
  const long pixel = i / channels;
  const int c = (int) (i - pixel * channels);
  const int n = (int) (pixel / pixels);
  dx[i] = dy[n * channels + c] / (float) pixels;
}

// One work-item per (LANES channels, block): the block's Σ x.
__kernel void batch_norm_sums(const int count, const int channels, __global const float* x,
                              __global float* partials) {
  const int c = get_global_id(0) * LANES;
  const int b = get_global_id(1);
  if (c >= channels || b * NORM_BLOCK >= count) {
    return;
  }
  const int valid = channels - c;
  const int to = min((b + 1) * NORM_BLOCK, count);
  lanesv sum = (lanesv) (0.0f);
  for (int i = b * NORM_BLOCK; i < to; i++) {
    sum += lanes_load(x, (long) i * channels + c, valid);
  }
  lanes_store(partials, (long) b * channels + c, valid, sum);
}

// Σ partials[b·stride + at] over the ⌈count / NORM_BLOCK⌉ blocks, b ascending: a blocked sum's second step.
inline float norm_total(__global const float* partials, const int count, const int stride, const int at) {
  const int blocks = (count + NORM_BLOCK - 1) / NORM_BLOCK;
  float total = 0.0f;
  for (int b = 0; b < blocks; b++) {
    total += partials[(long) b * stride + at];
  }
  return total;
}

// One work-item per channel: the blocks' sums in block order, over count.
__kernel void batch_norm_mean(const int count, const int channels, __global const float* partials,
                              __global float* mean) {
  const int c = get_global_id(0);
  if (c >= channels) {
    return;
  }
  mean[c] = norm_total(partials, count, channels, c) / (float) count;
}

// One work-item per (LANES channels, block): the block's Σ (x − mean)².
__kernel void batch_norm_squares(const int count, const int channels, __global const float* x,
                                 __global const float* mean, __global float* partials) {
  const int c = get_global_id(0) * LANES;
  const int b = get_global_id(1);
  if (c >= channels || b * NORM_BLOCK >= count) {
    return;
  }
  const int valid = channels - c;
  const int to = min((b + 1) * NORM_BLOCK, count);
  const lanesv mu = lanes_load(mean, c, valid);
  lanesv squares = (lanesv) (0.0f);
  for (int i = b * NORM_BLOCK; i < to; i++) {
    const lanesv d = lanes_load(x, (long) i * channels + c, valid) - mu;
    squares += d * d;
  }
  lanes_store(partials, (long) b * channels + c, valid, squares);
}

// One work-item per channel: the blocks' squares in block order give the variances; the running statistics move.
__kernel void batch_norm_statistics(const int count, const int channels, const float momentum,
                                    __global const float* partials, __global const float* mean,
                                    __global float* variance, __global float* runningMean,
                                    __global float* runningVariance) {
  const int c = get_global_id(0);
  if (c >= channels) {
    return;
  }
  const float squares = norm_total(partials, count, channels, c);
  variance[c] = squares / (float) count;
  const float unbiased = count > 1 ? squares / (float) (count - 1) : 0.0f;
  const float keep = 1.0f - momentum;
  runningMean[c] = keep * runningMean[c] + momentum * mean[c];
  runningVariance[c] = keep * runningVariance[c] + momentum * unbiased;
}

// One work-item per (LANES channels, value): PoCL does not vectorize activate's switch across work-items.
__kernel void batch_norm_forward(const int count, const int channels, const int activation, const float epsilon,
                                 __global const float* x, __global const float* mean,
                                 __global const float* variance, __global const float* gamma,
                                 __global const float* beta, __global float* y) {
  const int c = get_global_id(0) * LANES;
  const int i = get_global_id(1);
  if (c >= channels || i >= count) {
    return;
  }
  const int valid = channels - c;
  const long at = (long) i * channels + c;
  const lanesv inv = (lanesv) (1.0f) / sqrt(lanes_load(variance, c, valid) + (lanesv) (epsilon));
  const lanesv t = lanes_load(gamma, c, valid) * ((lanes_load(x, at, valid) - lanes_load(mean, c, valid)) * inv)
      + lanes_load(beta, c, valid);
  lanes_store(y, at, valid, lanes_activate(activation, t));
}

// One work-item per (LANES channels, block): the block's Σ dy and Σ dy·x̂.
__kernel void batch_norm_gradient_sums(const int count, const int channels, const float epsilon,
                                       __global const float* x, __global const float* mean,
                                       __global const float* variance, __global const float* dy,
                                       __global float* partials) {
  const int c = get_global_id(0) * LANES;
  const int b = get_global_id(1);
  if (c >= channels || b * NORM_BLOCK >= count) {
    return;
  }
  const int valid = channels - c;
  const int to = min((b + 1) * NORM_BLOCK, count);
  const lanesv mu = lanes_load(mean, c, valid);
  const lanesv inv = (lanesv) (1.0f) / sqrt(lanes_load(variance, c, valid) + (lanesv) (epsilon));
  lanesv sum = (lanesv) (0.0f);
  lanesv dot = (lanesv) (0.0f);
  for (int i = b * NORM_BLOCK; i < to; i++) {
    const long at = (long) i * channels + c;
    const lanesv g = lanes_load(dy, at, valid);
    sum += g;
    dot += g * ((lanes_load(x, at, valid) - mu) * inv);
  }
  lanes_store(partials, (long) b * 2 * channels + c, valid, sum);
  lanes_store(partials, (long) b * 2 * channels + channels + c, valid, dot);
}

// One work-item per channel: the blocks' sums in block order; the parameters' gradients.
__kernel void batch_norm_backward(const int count, const int channels, const float scale,
                                  __global const float* partials, __global float* sums, __global float* dgamma,
                                  __global float* dbeta) {
  const int c = get_global_id(0);
  if (c >= channels) {
    return;
  }
  const float sum = norm_total(partials, count, 2 * channels, c);
  const float dot = norm_total(partials, count, 2 * channels, channels + c);
  sums[c] = sum;
  sums[channels + c] = dot;
  dgamma[c] = scale * dot;
  dbeta[c] = scale * sum;
}

// One work-item per (LANES channels, value).
__kernel void batch_norm_backward_input(const int count, const int channels, const float epsilon,
                                        __global const float* x, __global const float* mean,
                                        __global const float* variance, __global const float* gamma,
                                        __global const float* dy, __global const float* sums,
                                        __global float* dx) {
  const int c = get_global_id(0) * LANES;
  const int i = get_global_id(1);
  if (c >= channels || i >= count) {
    return;
  }
  const int valid = channels - c;
  const long at = (long) i * channels + c;
  const lanesv inv = (lanesv) (1.0f) / sqrt(lanes_load(variance, c, valid) + (lanesv) (epsilon));
  const lanesv xhat = (lanes_load(x, at, valid) - lanes_load(mean, c, valid)) * inv;
  const lanesv n = (lanesv) ((float) count);
  lanes_store(dx, at, valid, lanes_load(gamma, c, valid) * inv
      * ((lanes_load(dy, at, valid) - lanes_load(sums, c, valid) / n) - xhat * (lanes_load(sums, channels + c, valid) / n)));
}
