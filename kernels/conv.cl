// Convolutional networks: patches for the convolution (computed as im2col, then matmul.cl), their adjoint,
// pooling forward and backward, and inverted dropout from a counter-based generator. Samples are rows of
// height·width·channels floats, channel fastest (HWC). Each kernel_size's Java twin has the same name in
// dev.cltrain.reference.ReferenceKernels and visits the same elements in the same order, so the bits agree.
//   im2col             col(rows·oh·ow, k·k·c) = x's k×k patches (zeros where padding)     ReferenceKernels.im2col
//   col2im             dx = Σ over patches of col's values, ky then kx ascending (a gather)  .col2im
//   max_pool           y = max of each p×p window (stride p), first maximum kept             .maxPool
//   max_pool_backward  dx = dy at each window's first maximum (row-major), else 0           .maxPoolBackward
//   avg_pool           y = (Σ window, row-major) · 1/(p·p)                                  .avgPool
//   avg_pool_backward  dx = dy · 1/(p·p) inside a window, else 0                            .avgPoolBackward
//   dropout            y = x · scale where Philox-4x32-10 keeps i, else 0                   .dropout, Philox
// Each work-item writes its own elements (a pixel's channels, or a window's); none reads what another writes.

// Splits i = (n·height + y)·width + x into n (returned), *y and *x, as q = i / d, r = i − q·d rather than with %
// beside / (clang then emits no freeze instruction, which Oclgrind cannot simulate).
int split_pixel(const int i, const int height, const int width, int* y, int* x) {
  const int t = i / width;
  *x = i - t * width;
  const int n = t / height;
  *y = t - n * height;
  return n;
}

// One work-item per output pixel p = (n·out_height + oy)·out_width + ox, writing its row of col: column
// (ky·k + kx)·channels + c.
__kernel void im2col(const int rows, const int height, const int width, const int channels, const int kernel_size,
                     const int stride, const int pad_top, const int pad_left, const int out_height,
                     const int out_width, __global const float* x, __global float* col) {
  const int p = get_global_id(0);
  if (p >= rows * out_height * out_width) {
    return;
  }
  const int patch = kernel_size * kernel_size * channels;
  int oy;
  int ox;
  const int n = split_pixel(p, out_height, out_width, &oy, &ox);
  __global float* out = col + (size_t) p * patch;
  for (int ky = 0; ky < kernel_size; ky++) {
    const int iy = oy * stride + ky - pad_top;
    for (int kx = 0; kx < kernel_size; kx++) {
      const int ix = ox * stride + kx - pad_left;
      __global float* to = out + (ky * kernel_size + kx) * channels;
      if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
        __global const float* from = x + ((n * height + iy) * width + ix) * channels;
        for (int c = 0; c < channels; c++) {
          to[c] = from[c];
        }
      } else {
        for (int c = 0; c < channels; c++) {
          to[c] = 0.0f;
        }
      }
    }
  }
}

// The first kernel offset, at or above 0, that reads input position t + pad (= at) from some output position
// o = (at − k) / stride with 0 ≤ o < out: k ≡ at (mod stride) and k ≥ at − (out − 1)·stride. The caller walks
// k from there in steps of stride while k < kernel_size and k ≤ at.
int first_offset(const int at, const int stride, const int out) {
  int k = at - at / stride * stride;
  const int lowest = at - (out - 1) * stride;
  if (lowest > k) {
    k += (lowest - k + stride - 1) / stride * stride;
  }
  return k;
}

#define COL2IM_CHUNK 8

// One work-item per input pixel (n, iy, ix); for each channel the sum over the patches that read it, ky
// ascending, then kx ascending (the offsets first_offset finds, in steps of stride).
__kernel void col2im(const int rows, const int height, const int width, const int channels, const int kernel_size,
                     const int stride, const int pad_top, const int pad_left, const int out_height,
                     const int out_width, __global const float* col, __global float* dx) {
  const int q = get_global_id(0);
  if (q >= rows * height * width) {
    return;
  }
  const int patch = kernel_size * kernel_size * channels;
  int iy;
  int ix;
  const int n = split_pixel(q, height, width, &iy, &ix);
  const int ty = iy + pad_top;
  const int tx = ix + pad_left;
  const int ky_first = first_offset(ty, stride, out_height);
  const int kx_first = first_offset(tx, stride, out_width);
  const int ky_last = min(kernel_size - 1, ty);
  const int kx_last = min(kernel_size - 1, tx);
  // channels in chunks of COL2IM_CHUNK, each with its own sum, so that a chunk's reads are contiguous
  for (int c0 = 0; c0 < channels; c0 += COL2IM_CHUNK) {
    const int count = min(COL2IM_CHUNK, channels - c0);
    float sum[COL2IM_CHUNK];
    for (int j = 0; j < COL2IM_CHUNK; j++) {
      sum[j] = 0.0f;
    }
    for (int ky = ky_first; ky <= ky_last; ky += stride) {
      const int oy = (ty - ky) / stride;
      for (int kx = kx_first; kx <= kx_last; kx += stride) {
        const int ox = (tx - kx) / stride;
        __global const float* from = col + (size_t) ((n * out_height + oy) * out_width + ox) * patch
            + (ky * kernel_size + kx) * channels + c0;
        for (int j = 0; j < count; j++) {
          sum[j] += from[j];
        }
      }
    }
    for (int j = 0; j < count; j++) {
      dx[(size_t) q * channels + c0 + j] = sum[j];
    }
  }
}

// One work-item per output pixel (n, oy, ox), every channel; output (height/pool) × (width/pool), rounded down.
__kernel void max_pool(const int rows, const int height, const int width, const int channels, const int pool,
                       __global const float* x, __global float* y) {
  const int p = get_global_id(0);
  const int out_height = height / pool;
  const int out_width = width / pool;
  if (p >= rows * out_height * out_width) {
    return;
  }
  int oy;
  int ox;
  const int n = split_pixel(p, out_height, out_width, &oy, &ox);
  __global const float* window = x + ((n * height + oy * pool) * width + ox * pool) * channels;
  for (int c = 0; c < channels; c++) {
    float best = window[c];
    for (int ky = 0; ky < pool; ky++) {
      for (int kx = 0; kx < pool; kx++) {
        const float v = window[(ky * width + kx) * channels + c];
        if (v > best) {
          best = v;
        }
      }
    }
    y[p * channels + c] = best;
  }
}

// The window of work-item get_global_id(0) in a pool's backward pass: one work-item per window of ⌈height/pool⌉
// × ⌈width/pool⌉ per sample (n, wy, wx). first: the index of its first element in x and dx (−1 past the last
// window); out: the index of its output pixel's first channel in y and dy, −1 for a partial window (the rows and
// columns beyond the last whole one); rows_in, cols_in: the rows and columns of x it holds (pool, or fewer at
// the bottom and right edges).
typedef struct {
  long first;
  int out;
  int rows_in;
  int cols_in;
} pool_window_t;

pool_window_t pool_window(const int rows, const int height, const int width, const int channels, const int pool) {
  pool_window_t window;
  const int w = get_global_id(0);
  const int windows_y = (height + pool - 1) / pool;
  const int windows_x = (width + pool - 1) / pool;
  window.first = -1;
  window.out = -1;
  window.rows_in = 0;
  window.cols_in = 0;
  if (w >= rows * windows_y * windows_x) {
    return window;
  }
  int wy;
  int wx;
  const int n = split_pixel(w, windows_y, windows_x, &wy, &wx);
  const int out_height = height / pool;
  const int out_width = width / pool;
  window.first = ((long) (n * height + wy * pool) * width + wx * pool) * channels;
  window.out = wy < out_height && wx < out_width ? ((n * out_height + wy) * out_width + wx) * channels : -1;
  window.rows_in = min(pool, height - wy * pool);
  window.cols_in = min(pool, width - wx * pool);
  return window;
}

// One work-item per window of ⌈height/pool⌉ × ⌈width/pool⌉ (n, wy, wx), every channel: a whole window finds its
// first maximum again, as max_pool did, and writes dy there and 0 at its other elements; a partial window (the
// rows and columns beyond the last whole one) writes 0 at its elements. Every dx element is written once.
__kernel void max_pool_backward(const int rows, const int height, const int width, const int channels,
                                const int pool, __global const float* x, __global const float* dy,
                                __global float* dx) {
  const pool_window_t window = pool_window(rows, height, width, channels, pool);
  const long first = window.first;
  if (first < 0) {
    return;
  }
  if (window.out >= 0) {
    for (int c = 0; c < channels; c += LANES) { // LANES channels as one vector (prelude.cl's lanes_*)
      const int valid = channels - c;
      lanesv best = lanes_load(x, first + c, valid);
      lanesi at = (lanesi) (0);
      for (int ky = 0; ky < pool; ky++) {
        for (int kx = 0; kx < pool; kx++) {
          const lanesv v = lanes_load(x, first + (ky * width + kx) * channels + c, valid);
          const lanesi higher = v > best;
          best = select(best, v, higher);
          at = select(at, (lanesi) (ky * pool + kx), higher);
        }
      }
      const lanesv g = lanes_load(dy, window.out + c, valid);
      for (int ky = 0; ky < pool; ky++) {
        for (int kx = 0; kx < pool; kx++) {
          lanes_store(dx, first + (ky * width + kx) * channels + c, valid,
                      select((lanesv) (0.0f), g, at == (lanesi) (ky * pool + kx)));
        }
      }
    }
  } else {
    for (int ky = 0; ky < window.rows_in; ky++) {
      for (int kx = 0; kx < window.cols_in; kx++) {
        for (int c = 0; c < channels; c++) {
          dx[first + (ky * width + kx) * channels + c] = 0.0f;
        }
      }
    }
  }
}

// One work-item per output pixel, every channel.
__kernel void avg_pool(const int rows, const int height, const int width, const int channels, const int pool,
                       __global const float* x, __global float* y) {
  const int p = get_global_id(0);
  const int out_height = height / pool;
  const int out_width = width / pool;
  if (p >= rows * out_height * out_width) {
    return;
  }
  int oy;
  int ox;
  const int n = split_pixel(p, out_height, out_width, &oy, &ox);
  const float inverse = 1.0f / (float) (pool * pool);
  __global const float* window = x + ((n * height + oy * pool) * width + ox * pool) * channels;
  for (int c = 0; c < channels; c++) {
    float sum = 0.0f;
    for (int ky = 0; ky < pool; ky++) {
      for (int kx = 0; kx < pool; kx++) {
        sum += window[(ky * width + kx) * channels + c];
      }
    }
    y[p * channels + c] = sum * inverse;
  }
}

// One work-item per window, as max_pool_backward: dy · 1/(p·p) at each element of a whole window, 0 in a partial one.
__kernel void avg_pool_backward(const int rows, const int height, const int width, const int channels,
                                const int pool, __global const float* dy, __global float* dx) {
  const pool_window_t window = pool_window(rows, height, width, channels, pool);
  const long first = window.first;
  if (first < 0) {
    return;
  }
  const float inverse = 1.0f / (float) (pool * pool);
  for (int c = 0; c < channels; c++) {
    const float g = window.out >= 0 ? dy[window.out + c] * inverse : 0.0f;
    for (int ky = 0; ky < window.rows_in; ky++) {
      for (int kx = 0; kx < window.cols_in; kx++) {
        dx[first + (ky * width + kx) * channels + c] = g;
      }
    }
  }
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
