// Global average pooling and batch normalization. x is (count, channels) row-major: count = rows·pixels
// (HWC samples: each pixel's channels are contiguous; a dense layer's output is one pixel per row). Every
// reduction is one work-item per channel summing its count values in ascending index order, as the Java twins
// in dev.cltrain.reference.ReferenceKernels do, so the bits agree; the element-wise kernels write their own
// element only.
//   global_avg_pool           y(rows, channels) = (Σ_pixels x, in order) / pixels              .globalAvgPool
//   global_avg_pool_backward  dx(rows·pixels, channels) = dy / pixels                        .globalAvgPoolBackward
//   batch_norm_statistics     mean = Σx / count;  variance = Σ(x − mean)² / count (biased);    .batchNormStatistics
//                             running_mean = (1 − m)·running_mean + m·mean;
//                             running_variance = (1 − m)·running_variance + m·Σ(x − mean)²/(count − 1)
//                             (unbiased, as PyTorch; count 1: the biased 0)
//   batch_norm_forward        y = f(γ·(x − mean)·inv + β),  inv = 1 / sqrt(variance + ε)        .batchNormForward
//                             (training: the batch's mean and variance; else the running ones)
//   batch_norm_backward       sums = (Σ dy, Σ dy·x̂);  dgamma = scale·Σ dy·x̂;  dbeta = scale·Σ dy  .batchNormBackward
//   batch_norm_backward_input dx = γ·inv·((dy − Σdy / count) − x̂·(Σdy·x̂ / count))                .batchNormBackwardInput
// x̂ = (x − mean)·inv; dy is the gradient after the activation's slope (activation_delta).

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

// One work-item per channel: two passes over its count values.
__kernel void batch_norm_statistics(const int count, const int channels, const float momentum,
                                    __global const float* x, __global float* mean, __global float* variance,
                                    __global float* runningMean, __global float* runningVariance) {
  const int c = get_global_id(0);
  if (c >= channels) {
    return;
  }
  float sum = 0.0f;
  for (int i = 0; i < count; i++) {
    sum += x[(long) i * channels + c];
  }
  const float mu = sum / (float) count;
  float squares = 0.0f;
  for (int i = 0; i < count; i++) {
    const float d = x[(long) i * channels + c] - mu;
    squares += d * d;
  }
  mean[c] = mu;
  variance[c] = squares / (float) count;
  const float unbiased = count > 1 ? squares / (float) (count - 1) : 0.0f;
  const float keep = 1.0f - momentum;
  runningMean[c] = keep * runningMean[c] + momentum * mu;
  runningVariance[c] = keep * runningVariance[c] + momentum * unbiased;
}

// One work-item per element.
__kernel void batch_norm_forward(const int count, const int channels, const int activation, const float epsilon,
                                 __global const float* x, __global const float* mean,
                                 __global const float* variance, __global const float* gamma,
                                 __global const float* beta, __global float* y) {
  const long i = get_global_id(0);
  if (i >= (long) count * channels) {
    return;
  }
  const int c = (int) (i % channels);
  const float inv = 1.0f / sqrt(variance[c] + epsilon);
  y[i] = activate(activation, gamma[c] * ((x[i] - mean[c]) * inv) + beta[c]);
}

// One work-item per channel.
__kernel void batch_norm_backward(const int count, const int channels, const float scale, const float epsilon,
                                  __global const float* x, __global const float* mean,
                                  __global const float* variance, __global const float* dy, __global float* sums,
                                  __global float* dgamma, __global float* dbeta) {
  const int c = get_global_id(0);
  if (c >= channels) {
    return;
  }
  const float inv = 1.0f / sqrt(variance[c] + epsilon);
  float sum = 0.0f;
  float dot = 0.0f;
  for (int i = 0; i < count; i++) {
    const long at = (long) i * channels + c;
    sum += dy[at];
    dot += dy[at] * ((x[at] - mean[c]) * inv);
  }
  sums[c] = sum;
  sums[channels + c] = dot;
  dgamma[c] = scale * dot;
  dbeta[c] = scale * sum;
}

// One work-item per element.
__kernel void batch_norm_backward_input(const int count, const int channels, const float epsilon,
                                        __global const float* x, __global const float* mean,
                                        __global const float* variance, __global const float* gamma,
                                        __global const float* dy, __global const float* sums,
                                        __global float* dx) {
  const long i = get_global_id(0);
  if (i >= (long) count * channels) {
    return;
  }
  const int c = (int) (i % channels);
  const float inv = 1.0f / sqrt(variance[c] + epsilon);
  const float xhat = (x[i] - mean[c]) * inv;
  dx[i] = gamma[c] * inv * ((dy[i] - sums[c] / (float) count) - xhat * (sums[channels + c] / (float) count));
}
