// 1-D convolutions over sequences: patches for conv1d (computed as im2col1d, then matmul.cl) and their
// adjoint. A sample is steps·features floats, feature fastest (a T×1×F shape, step-major). Each kernel's Java
// twin has the same name in dev.cltrain.reference.ReferenceKernels and visits the same elements in the same
// order, so the bits agree.
//   im2col1d  col(rows·out_steps, k·features) = x's windows of k steps (zeros where padding)   .im2col1d
//   col2im1d  dx = Σ over windows of col's values, k ascending (a gather)                      .col2im1d
//   max_pool1d           y = max of each window of pool steps (stride pool), first maximum kept  .maxPool1d
//   max_pool1d_backward  dx = dy at each window's first maximum, else 0                         .maxPool1dBackward
// Each work-item writes its own elements (a window's row of col, an output step's or an input step's features).

// One work-item per output step p = n·out_steps + o, writing its row of col: column k·features + c.
__kernel void im2col1d(const int rows, const int steps, const int features, const int kernel_size,
                        const int stride, const int pad_left, const int out_steps, __global const float* x,
                        __global float* col) {
  const int p = get_global_id(0);
  if (p >= rows * out_steps) {
    return;
  }
  const int n = p / out_steps;
  const int o = p - n * out_steps;
  __global float* out = col + (size_t) p * kernel_size * features;
  for (int k = 0; k < kernel_size; k++) {
    const int t = o * stride + k - pad_left;
    __global float* to = out + k * features;
    if (t >= 0 && t < steps) {
      __global const float* from = x + ((size_t) n * steps + t) * features;
      for (int c = 0; c < features; c++) {
        to[c] = from[c];
      }
    } else {
      for (int c = 0; c < features; c++) {
        to[c] = 0.0f;
      }
    }
  }
}

// One work-item per input step q = n·steps + t; for each feature the sum over the windows that read it, k
// ascending (the windows o = (t + pad_left − k) / stride that are whole multiples and inside 0..out_steps−1).
__kernel void col2im1d(const int rows, const int steps, const int features, const int kernel_size,
                        const int stride, const int pad_left, const int out_steps, __global const float* col,
                        __global float* dx) {
  const int q = get_global_id(0);
  if (q >= rows * steps) {
    return;
  }
  const int n = q / steps;
  const int at = q - n * steps + pad_left;
  const int patch = kernel_size * features;
  for (int c = 0; c < features; c++) {
    float sum = 0.0f;
    for (int k = 0; k < kernel_size && k <= at; k++) {
      const int o = (at - k) / stride;
      if (o * stride == at - k && o < out_steps) {
        sum += col[((size_t) n * out_steps + o) * patch + k * features + c];
      }
    }
    dx[(size_t) q * features + c] = sum;
  }
}

// One work-item per output step p = n·out_steps + o (out_steps = steps / pool, rounded down), every feature.
__kernel void max_pool1d(const int rows, const int steps, const int features, const int pool,
                         __global const float* x, __global float* y) {
  const int p = get_global_id(0);
  const int out_steps = steps / pool;
  if (p >= rows * out_steps) {
    return;
  }
  const int n = p / out_steps;
  const int o = p - n * out_steps;
  __global const float* window = x + ((size_t) n * steps + o * pool) * features;
  for (int c = 0; c < features; c++) {
    float best = window[c];
    for (int j = 0; j < pool; j++) {
      const float v = window[j * features + c];
      if (v > best) {
        best = v;
      }
    }
    y[(size_t) p * features + c] = best;
  }
}

// One work-item per input step q = n·steps + t, every feature: dy where t is its window's first maximum (found
// again as max_pool1d finds it), else 0; 0 for the steps past the last whole window.
__kernel void max_pool1d_backward(const int rows, const int steps, const int features, const int pool,
                                  __global const float* x, __global const float* dy, __global float* dx) {
  const int q = get_global_id(0);
  if (q >= rows * steps) {
    return;
  }
  const int out_steps = steps / pool;
  const int n = q / steps;
  const int t = q - n * steps;
  const int w = t / pool;
  __global const float* window = x + ((size_t) n * steps + w * pool) * features;
  for (int c = 0; c < features; c++) {
    float g = 0.0f;
    if (w < out_steps) {
      float best = window[c];
      int at = 0;
      for (int j = 0; j < pool; j++) {
        const float v = window[j * features + c];
        if (v > best) {
          best = v;
          at = j;
        }
      }
      g = t - w * pool == at ? dy[((size_t) n * out_steps + w) * features + c] : 0.0f;
    }
    dx[(size_t) q * features + c] = g;
  }
}
