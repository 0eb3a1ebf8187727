// A direct convolution for small patches (k·k·C): the output of im2col then matmul_bias_activation, computed
// from the input without reading patches back, and optionally max-pooled (2 × 2) in the same pass. Samples are
// HWC rows, as in conv.cl; w is the layer's (k·k·C) × filters matrix, row (ky·k + kx)·C + c.
//   conv_direct           y(rows·oh·ow, filters) = f(patches(x) · w + bias)          ReferenceKernels.convDirect
//   conv_direct_max_pool  the same y, and pooled = max of each whole 2 × 2 window of y .convDirectMaxPool
//                         (first maximum kept, windows in (dy, dx) row-major order: max_pool's result)
// With store_patches ≠ 0 both also write im2col's patches to col (training: the dW product reads them), each
// value as they read it, in the pass over the first chunk of filters; with 0, col is not touched.
// Same bits as im2col + matmul_bias_activation: each output's sum starts at 0 and takes its k·k·C products in
// ascending patch column (ky, then kx, then c), one multiply_add each, a padded position contributing its
// product with 0.0f as im2col's zero does; then f(sum + bias) (alpha = 1 changes nothing), as matmul.cl's
// epilogue. Nothing else is fused (FP_CONTRACT OFF, prepended by the host).
//
// Work-item mapping: one work-item per (sample, block of 2 × 2 output pixels), filters in chunks of CONV_FILTERS
// one after another (the block's inputs then come from the cache). For a chunk it keeps 4 × CONV_VECS vectors
// of CONV_LANES sums in registers; per patch column it loads CONV_VECS vectors of w's row and 4 inputs, and
// does 4 · CONV_VECS multiply-adds. Pixels past the output edge and filters past the last are
// computed on clamped inputs or zero weights and not stored. Any shape is correct.
//
// Tunables: CONV_LANES, floats per vector (the matmul plan's VN where it is blocked, else 1: a scalar per
// filter), and CONV_VECS, vectors per work-item (default 2): CONV_FILTERS = CONV_LANES · CONV_VECS filters.

#ifndef CONV_LANES
#ifdef VN
#define CONV_LANES VN
#else
#define CONV_LANES 1
#endif
#endif
#ifndef CONV_VECS
#define CONV_VECS 2
#endif
#define CONV_FILTERS (CONV_LANES * CONV_VECS)

#ifdef SEPARATE_MULTIPLY_ADD
#define conv_multiply_add(x, y, acc) ((x) * (y) + (acc))
#else
#define conv_multiply_add(x, y, acc) fma(x, y, acc)
#endif

#if CONV_LANES == 1
#define convv float

// p[at] when valid > 0, else 0
inline convv conv_load(__global const float* p, const int at, const int valid) {
  return valid > 0 ? p[at] : 0.0f;
}

// p[at] = v when valid > 0
inline void conv_store(__global float* p, const int at, const int valid, const convv v) {
  if (valid > 0) {
    p[at] = v;
  }
}

// f(v) as matmul.cl's epilogue: activate() itself (relu's x > 0 ? x : 0)
inline convv conv_activate(const int activation, const convv v) {
  return activation == ACT_IDENTITY ? v : activate(activation, v);
}
#else
// CONV_LANES floats at a time: prelude.cl's vector helpers for that width (LANES's own when they agree)
#define convv LANES_CAT(float, CONV_LANES)
#if CONV_LANES != LANES
VECTOR_HELPERS(CONV_LANES)
#endif
#define conv_load LANES_HELPER(CONV_LANES, _load)
#define conv_store LANES_HELPER(CONV_LANES, _store)
#define conv_activate LANES_HELPER(CONV_LANES, _activate)
#endif

// The larger of best and v, best kept on a tie or a NaN v: max_pool's `if (v > best) best = v`, lane by lane.
inline convv conv_max(const convv best, const convv v) {
#if CONV_LANES == 1
  return v > best ? v : best;
#else
  return select(best, v, v > best);
#endif
}

// The work of item get_global_id(0): computes and stores its block's outputs (2 × 2 pixels × every filter)
// and, where pooled is not 0 and the block is a whole 2 × 2 window of the output, their maxima.
inline void conv_direct_block(const int rows, const int height, const int width, const int channels,
                              const int kernel_size, const int stride, const int pad_top, const int pad_left,
                              const int out_height, const int out_width, const int filters,
                              const int activation, const int store_patches, __global const float* x,
                              __global const float* w, __global const float* bias, __global float* y,
                              __global float* pooled, __global float* col) {
  const int blocks_y = (out_height + 1) / 2;
  const int blocks_x = (out_width + 1) / 2;
  const int block = get_global_id(0);
  if (block >= rows * blocks_y * blocks_x) {
    return;
  }
  // block = (n·blocks_y + by)·blocks_x + bx, split as q = i / d, r = i − q·d (no %: see conv.cl's split_pixel)
  const int t = block / blocks_x;
  const int bx = block - t * blocks_x;
  const int n = t / blocks_y;
  const int by = t - n * blocks_y;
  const bool whole = pooled != 0 && 2 * by + 1 < out_height && 2 * bx + 1 < out_width;
  const int patch = kernel_size * kernel_size * channels;
  int iy0[4];
  int ix0[4];
  long patches[4]; // where pixel q's patch starts in col; −1: a pixel past the edge, or no patches stored
#pragma unroll
  for (int q = 0; q < 4; q++) {
    // pixel q of the block: (2·by + (q >> 1), 2·bx + (q & 1)), clamped into the output
    const int oy = 2 * by + (q >> 1);
    const int ox = 2 * bx + (q & 1);
    iy0[q] = min(oy, out_height - 1) * stride - pad_top;
    ix0[q] = min(ox, out_width - 1) * stride - pad_left;
    patches[q] = store_patches != 0 && oy < out_height && ox < out_width
        ? (long) ((n * out_height + oy) * out_width + ox) * patch : -1;
  }
  __global const float* x_n = x + (size_t) n * height * width * channels;
  for (int f0 = 0; f0 < filters; f0 += CONV_FILTERS) {
    const int valid = filters - f0; // filters of this chunk, from f0 (more than CONV_FILTERS: all of it)
    convv acc[4][CONV_VECS];
#pragma unroll
    for (int q = 0; q < 4; q++) {
#pragma unroll
      for (int v = 0; v < CONV_VECS; v++) {
        acc[q][v] = (convv)(0.0f);
      }
    }
    int column = 0; // the patch column (ky·k + kx)·C + c
    for (int ky = 0; ky < kernel_size; ky++) {
      for (int kx = 0; kx < kernel_size; kx++) {
        for (int c = 0; c < channels; c++, column++) {
          convv wv[CONV_VECS];
#pragma unroll
          for (int v = 0; v < CONV_VECS; v++) {
            wv[v] = conv_load(w, column * filters + f0 + v * CONV_LANES, valid - v * CONV_LANES);
          }
#pragma unroll
          for (int q = 0; q < 4; q++) {
            const int iy = iy0[q] + ky;
            const int ix = ix0[q] + kx;
            const float value = iy >= 0 && iy < height && ix >= 0 && ix < width
                ? x_n[(iy * width + ix) * channels + c] : 0.0f;
            if (f0 == 0 && patches[q] >= 0) {
              col[patches[q] + column] = value; // im2col's element
            }
#pragma unroll
            for (int v = 0; v < CONV_VECS; v++) {
              acc[q][v] = conv_multiply_add((convv)(value), wv[v], acc[q][v]);
            }
          }
        }
      }
    }
#pragma unroll
    for (int v = 0; v < CONV_VECS; v++) {
      const int lanes = valid - v * CONV_LANES;
      if (lanes > 0) {
        const convv b = conv_load(bias, f0 + v * CONV_LANES, lanes);
        convv best = (convv)(0.0f);
#pragma unroll
        for (int q = 0; q < 4; q++) {
          const int oy = 2 * by + (q >> 1);
          const int ox = 2 * bx + (q & 1);
          const convv out = conv_activate(activation, acc[q][v] + b);
          best = q == 0 ? out : conv_max(best, out);
          if (oy < out_height && ox < out_width) {
            conv_store(y, ((n * out_height + oy) * out_width + ox) * filters + f0 + v * CONV_LANES, lanes, out);
          }
        }
        if (whole) {
          conv_store(pooled, ((n * (out_height / 2) + by) * (out_width / 2) + bx) * filters + f0 + v * CONV_LANES,
                     lanes, best);
        }
      }
    }
  }
}

// y(rows·oh·ow, filters) = f(patches(x) · w + bias); col = patches(x) when store_patches
__kernel void conv_direct(const int rows, const int height, const int width, const int channels,
                          const int kernel_size, const int stride, const int pad_top, const int pad_left,
                          const int out_height, const int out_width, const int filters, const int activation,
                          const int store_patches, __global const float* x, __global const float* w,
                          __global const float* bias, __global float* y, __global float* col) {
  conv_direct_block(rows, height, width, channels, kernel_size, stride, pad_top, pad_left, out_height, out_width,
                    filters, activation, store_patches, x, w, bias, y, 0, col);
}

// y and col as conv_direct; pooled(rows·(oh/2)·(ow/2), filters) = max of each whole 2 × 2 window of y
__kernel void conv_direct_max_pool(const int rows, const int height, const int width, const int channels,
                                   const int kernel_size, const int stride, const int pad_top,
                                   const int pad_left, const int out_height, const int out_width,
                                   const int filters, const int activation, const int store_patches,
                                   __global const float* x, __global const float* w, __global const float* bias,
                                   __global float* y, __global float* pooled, __global float* col) {
  conv_direct_block(rows, height, width, channels, kernel_size, stride, pad_top, pad_left, out_height, out_width,
                    filters, activation, store_patches, x, w, bias, y, pooled, col);
}
