// Convolutional networks: patches for the convolution (computed as im2col, then matmul.cl), their adjoint,
// pooling forward and backward, and inverted dropout from a counter-based generator. Samples are rows of
// height·width·channels floats, channel fastest (HWC). Each kernel's Java twin has the same name in
// dev.cltrain.reference.ReferenceKernels and visits the same elements in the same order, so the bits agree.
//   im2col             col(rows·oh·ow, k·k·c) = x's k×k patches (zeros where padding)     ReferenceKernels.im2col
//   col2im             dx = Σ over patches of col's values, ky then kx ascending (a gather)  .col2im
//   max_pool           y = max of each p×p window (stride p), first maximum kept             .maxPool
//   max_pool_backward  dx = dy at each window's first maximum (row-major), else 0           .maxPoolBackward
//   avg_pool           y = (Σ window, row-major) · 1/(p·p)                                  .avgPool
//   avg_pool_backward  dx = dy · 1/(p·p) inside a window, else 0                            .avgPoolBackward
//   dropout            y = x · scale where Philox-4x32-10 keeps i, else 0                   .dropout, Philox
// One work-item per element written; none reads what another writes. Indices are split as q = i / d,
// r = i − q·d, never with %: clang turns a % beside the same / into a freeze instruction, which Oclgrind's
// uninitialised-value check cannot simulate (scripts/oclgrind-check).

// col: dimension 0 = the column in the patch, (ky·k + kx)·channels + c; dimension 1 = the output pixel,
// (n·out_height + oy)·out_width + ox.
__kernel void im2col(const int rows, const int height, const int width, const int channels, const int kernel_size,
                     const int stride, const int pad_top, const int pad_left, const int out_height,
                     const int out_width, __global const float* x, __global float* col) {
  const int j = get_global_id(0);
  const int p = get_global_id(1);
  const int patch = kernel_size * kernel_size * channels;
  if (j >= patch || p >= rows * out_height * out_width) {
    return;
  }
  const int jc = j / channels;
  const int c = j - jc * channels;
  const int ky = jc / kernel_size;
  const int kx = jc - ky * kernel_size;
  const int pw = p / out_width;
  const int ox = p - pw * out_width;
  const int n = pw / out_height;
  const int oy = pw - n * out_height;
  const int iy = oy * stride + ky - pad_top;
  const int ix = ox * stride + kx - pad_left;
  float v = 0.0f;
  if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
    v = x[((n * height + iy) * width + ix) * channels + c];
  }
  col[(size_t) p * patch + j] = v;
}

// dx: one work-item per input element (n, iy, ix, c), summing the patch values read from it.
__kernel void col2im(const int rows, const int height, const int width, const int channels, const int kernel_size,
                     const int stride, const int pad_top, const int pad_left, const int out_height,
                     const int out_width, __global const float* col, __global float* dx) {
  const int i = get_global_id(0);
  if (i >= rows * height * width * channels) {
    return;
  }
  const int patch = kernel_size * kernel_size * channels;
  const int ic = i / channels;
  const int c = i - ic * channels;
  const int iw = ic / width;
  const int ix = ic - iw * width;
  const int n = iw / height;
  const int iy = iw - n * height;
  float sum = 0.0f;
  for (int ky = 0; ky < kernel_size; ky++) {
    const int ty = iy + pad_top - ky;
    if (ty < 0) {
      continue;
    }
    const int oy = ty / stride;
    if (oy * stride != ty || oy >= out_height) {
      continue;
    }
    for (int kx = 0; kx < kernel_size; kx++) {
      const int tx = ix + pad_left - kx;
      if (tx < 0) {
        continue;
      }
      const int ox = tx / stride;
      if (ox * stride != tx || ox >= out_width) {
        continue;
      }
      sum += col[(size_t) ((n * out_height + oy) * out_width + ox) * patch + (ky * kernel_size + kx) * channels + c];
    }
  }
  dx[i] = sum;
}

// y: one work-item per output element (n, oy, ox, c); output (height/pool) × (width/pool), rounded down.
__kernel void max_pool(const int rows, const int height, const int width, const int channels, const int pool,
                       __global const float* x, __global float* y) {
  const int i = get_global_id(0);
  const int out_height = height / pool;
  const int out_width = width / pool;
  if (i >= rows * out_height * out_width * channels) {
    return;
  }
  const int ic = i / channels;
  const int c = i - ic * channels;
  const int iw = ic / out_width;
  const int ox = ic - iw * out_width;
  const int n = iw / out_height;
  const int oy = iw - n * out_height;
  const int first = ((n * height + oy * pool) * width + ox * pool) * channels + c;
  float best = x[first];
  for (int ky = 0; ky < pool; ky++) {
    for (int kx = 0; kx < pool; kx++) {
      const float v = x[first + (ky * width + kx) * channels];
      if (v > best) {
        best = v;
      }
    }
  }
  y[i] = best;
}

// dx: one work-item per input element; the window's maximum is found again, as max_pool found it.
__kernel void max_pool_backward(const int rows, const int height, const int width, const int channels,
                                const int pool, __global const float* x, __global const float* dy,
                                __global float* dx) {
  const int i = get_global_id(0);
  if (i >= rows * height * width * channels) {
    return;
  }
  const int out_height = height / pool;
  const int out_width = width / pool;
  const int ic = i / channels;
  const int c = i - ic * channels;
  const int iw = ic / width;
  const int ix = ic - iw * width;
  const int n = iw / height;
  const int iy = iw - n * height;
  const int oy = iy / pool;
  const int ox = ix / pool;
  float g = 0.0f;
  if (oy < out_height && ox < out_width) {
    const int first = ((n * height + oy * pool) * width + ox * pool) * channels + c;
    float best = x[first];
    int at = 0;
    for (int ky = 0; ky < pool; ky++) {
      for (int kx = 0; kx < pool; kx++) {
        const float v = x[first + (ky * width + kx) * channels];
        if (v > best) {
          best = v;
          at = ky * pool + kx;
        }
      }
    }
    if (at == (iy - oy * pool) * pool + (ix - ox * pool)) {
      g = dy[((n * out_height + oy) * out_width + ox) * channels + c];
    }
  }
  dx[i] = g;
}

__kernel void avg_pool(const int rows, const int height, const int width, const int channels, const int pool,
                       __global const float* x, __global float* y) {
  const int i = get_global_id(0);
  const int out_height = height / pool;
  const int out_width = width / pool;
  if (i >= rows * out_height * out_width * channels) {
    return;
  }
  const int ic = i / channels;
  const int c = i - ic * channels;
  const int iw = ic / out_width;
  const int ox = ic - iw * out_width;
  const int n = iw / out_height;
  const int oy = iw - n * out_height;
  const int first = ((n * height + oy * pool) * width + ox * pool) * channels + c;
  float sum = 0.0f;
  for (int ky = 0; ky < pool; ky++) {
    for (int kx = 0; kx < pool; kx++) {
      sum += x[first + (ky * width + kx) * channels];
    }
  }
  y[i] = sum * (1.0f / (float) (pool * pool));
}

__kernel void avg_pool_backward(const int rows, const int height, const int width, const int channels,
                                const int pool, __global const float* dy, __global float* dx) {
  const int i = get_global_id(0);
  if (i >= rows * height * width * channels) {
    return;
  }
  const int out_height = height / pool;
  const int out_width = width / pool;
  const int ic = i / channels;
  const int c = i - ic * channels;
  const int iw = ic / width;
  const int ix = ic - iw * width;
  const int n = iw / height;
  const int iy = iw - n * height;
  const int oy = iy / pool;
  const int ox = ix / pool;
  float g = 0.0f;
  if (oy < out_height && ox < out_width) {
    g = dy[((n * out_height + oy) * out_width + ox) * channels + c] * (1.0f / (float) (pool * pool));
  }
  dx[i] = g;
}

// Philox-4x32-10 (Random123): ten rounds on the counter (c0..c3) with the key (k0, k1) bumped between rounds;
// the first output word. Java twin: dev.cltrain.reference.Philox.philox4x32.
uint philox_first(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) {
  for (int round = 0; round < 10; round++) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint hi0 = mul_hi(0xD2511F53u, c0);
    const uint lo0 = 0xD2511F53u * c0;
    const uint hi1 = mul_hi(0xCD9E8D57u, c2);
    const uint lo1 = 0xCD9E8D57u * c2;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return c0;
}

// y may be x: each work-item reads and writes only element i.
__kernel void dropout(const int count, const int threshold, const float scale, const int seed_lo,
                      const int seed_hi, const int step_lo, const int step_hi, const int stream,
                      __global const float* x, __global float* y) {
  const int i = get_global_id(0);
  if (i >= count) {
    return;
  }
  const uint r = philox_first((uint) i, (uint) step_lo, (uint) step_hi, (uint) stream, (uint) seed_lo,
                              (uint) seed_hi);
  y[i] = (int) (r >> 8) >= threshold ? x[i] * scale : 0.0f;
}
