// A convolution's backward pass without the patch-gradient buffer (train/ConvOp), row-major float32, HWC samples:
//   conv_weight_gradient  c(m,n) = alpha · a(k,m)ᵀ · b(k,n)   dW = colᵀ · g / n: matmul_transpose_a's sums
//   conv_filter_rows      wt(filters, k·k, padded_channels) = W(k·k·channels, filters) transposed, 0 past channels
//   conv_input_gradient   dx = col2im(g · Wᵀ) in one pass (a gather): each dx element is the sum, over the
//                         patches that read it (ky, then kx, ascending, as col2im), of Σ_f g·W (f ascending,
//                         as matmul_transpose_b)
// Each stores exactly what today's kernels store (same float operations in the same order: every product sum an
// fma chain from 0 in ascending order, then alpha·sum; every dx sum 0 + t₁ + t₂ … in col2im's order), so the
// bits equal matmul_transpose_a's, and matmul_transpose_b's then col2im's, and the Java twins'
// (dev.cltrain.reference.ReferenceKernels). A patch a pixel is not read by is never added: its term is computed
// on a clamped address and dropped.
//
// Work-items (the host launches each as a work-group of its own on CPUs, OpenClKernels):
//   conv_weight_gradient: dimension 0 = a strip of columns of c, dimension 1 = a panel of rows; each derives its
//     strip and panel from the range (any range covers c), computes CB_RM rows × CB_VC·CB_VN columns at a time in
//     vector registers, and walks k in blocks of CB_KC so that a block of b (read straight from global memory,
//     rows contiguous) stays in the cache for every row block of its panel; between blocks the partial sums wait
//     in c itself (stored and reloaded unchanged: each element's fma chain goes on as if unbroken).
//   conv_filter_rows: one per element of wt.
//   conv_input_gradient: one per input row (sample, iy); CB_RX pixels × CB_XC·CB_VN channels at a time in vector
//     registers, the terms of each patch position summed over the filters before they join the pixel's sum.
//     wt's rows are padded_channels long (a multiple of Kernels.CONV_CHANNEL_BLOCK, 16), so the vector loads of a
//     channel block stay inside wt and the lanes past channels compute on zeros (not stored).
// Tunables: CB_VN lanes (matmul.cl's VN when the matmul plan is blocked, else 4); conv_weight_gradient's CB_VC
// vectors and CB_RM rows of c per register block and CB_KC depth of a block of k (4, 4, 128: on PoCL with AVX-512,
// 288x64x25088 in 7.2-7.8 ms where 8x2 blocks of depth 64 took 16-50 and matmul_transpose_a 9-16, a loaded
// machine); conv_input_gradient's CB_RX pixels and CB_XC vectors of channels per block. The bits never depend on
// them.

#ifdef SEPARATE_MULTIPLY_ADD
#define cb_multiply_add(x, y, acc) ((x) * (y) + (acc))
#else
#define cb_multiply_add(x, y, acc) fma(x, y, acc)
#endif

#ifndef CB_VN
#ifdef MATMUL_BLOCKED
#define CB_VN VN
#else
#define CB_VN 4
#endif
#endif
#ifndef CB_VC
#define CB_VC 4
#endif
#ifndef CB_RM
#define CB_RM 4
#endif
#ifndef CB_KC
#define CB_KC 128
#endif
#ifndef CB_RX
#define CB_RX 4
#endif
#ifndef CB_XC
#define CB_XC 2
#endif
#define CB_XW (CB_VN * CB_XC)
#define CB_BW (CB_VN * CB_VC)
#define cb_floatv LANES_CAT(float, CB_VN)
#define cb_vload LANES_CAT(vload, CB_VN)
#define cb_vstore LANES_CAT(vstore, CB_VN)
// prelude.cl's vector helpers for CB_VN floats (LANES's own when they agree): valid (≤ CB_VN) floats from p and
// zeros after them; the first valid lanes of v to p
#if CB_VN != LANES
VECTOR_HELPERS(CB_VN)
#endif
#define cb_load(p, valid) LANES_HELPER(CB_VN, _load)(p, 0, valid)
#define cb_store(p, valid, v) LANES_HELPER(CB_VN, _store)(p, 0, valid, v)

// c(m,n) = alpha · a(k,m)ᵀ · b(k,n)
__kernel void conv_weight_gradient(const int m, const int n, const int k, const float alpha,
                                   __global const float* a, __global const float* b, __global float* c) {
  const int strips = (int) get_global_size(0);
  const int panels = (int) get_global_size(1);
  const int cols_per_item = ((n + strips - 1) / strips + CB_BW - 1) / CB_BW * CB_BW;
  const int rows_per_item = ((m + panels - 1) / panels + CB_RM - 1) / CB_RM * CB_RM;
  const int j_start = get_global_id(0) * cols_per_item;
  const int i0 = get_global_id(1) * rows_per_item;
  if (i0 >= m || j_start >= n) {
    return;
  }
  const int i_end = min(i0 + rows_per_item, m);
  const int j_end = min(j_start + cols_per_item, n);
  for (int kb = 0; kb < k || kb == 0; kb += CB_KC) {
    const int depth = min(CB_KC, k - kb);
    const bool last = kb + CB_KC >= k;
    for (int j0 = j_start; j0 < j_end; j0 += CB_BW) {
      const int cols = min(CB_BW, j_end - j0);
      __global const float* b_block = b + (size_t) kb * n + j0;
      for (int i = i0; i < i_end; i += CB_RM) {
        cb_floatv acc[CB_RM][CB_VC];
        int row[CB_RM];
#pragma unroll
        for (int r = 0; r < CB_RM; r++) {
          row[r] = min(i + r, m - 1);
#pragma unroll
          for (int v = 0; v < CB_VC; v++) {
            acc[r][v] = kb == 0 || i + r >= i_end ? (cb_floatv)(0.0f)
                : cb_load(c + (size_t) (i + r) * n + j0 + v * CB_VN, cols - v * CB_VN);
          }
        }
        __global const float* a_block = a + (size_t) kb * m;
        if (cols == CB_BW) {
          for (int p = 0; p < depth; p++) {
            cb_floatv y[CB_VC];
#pragma unroll
            for (int v = 0; v < CB_VC; v++) {
              y[v] = cb_vload(0, b_block + (size_t) p * n + v * CB_VN);
            }
#pragma unroll
            for (int r = 0; r < CB_RM; r++) {
              const cb_floatv x = (cb_floatv)(a_block[(size_t) p * m + row[r]]);
#pragma unroll
              for (int v = 0; v < CB_VC; v++) {
                acc[r][v] = cb_multiply_add(x, y[v], acc[r][v]);
              }
            }
          }
        } else {
          for (int p = 0; p < depth; p++) {
            cb_floatv y[CB_VC];
#pragma unroll
            for (int v = 0; v < CB_VC; v++) {
              y[v] = cb_load(b_block + (size_t) p * n + v * CB_VN, cols - v * CB_VN);
            }
#pragma unroll
            for (int r = 0; r < CB_RM; r++) {
              const cb_floatv x = (cb_floatv)(a_block[(size_t) p * m + row[r]]);
#pragma unroll
              for (int v = 0; v < CB_VC; v++) {
                acc[r][v] = cb_multiply_add(x, y[v], acc[r][v]);
              }
            }
          }
        }
#pragma unroll
        for (int r = 0; r < CB_RM; r++) {
          if (i + r < i_end) {
#pragma unroll
            for (int v = 0; v < CB_VC; v++) {
              if (v * CB_VN < cols) {
                cb_store(c + (size_t) (i + r) * n + j0 + v * CB_VN, cols - v * CB_VN,
                         last ? alpha * acc[r][v] : acc[r][v]);
              }
            }
          }
        }
      }
    }
  }
}

// wt(filters, positions, padded_channels) = w(positions·channels, filters) transposed; 0 past channels
__kernel void conv_filter_rows(const int filters, const int positions, const int channels,
                               const int padded_channels, __global const float* w, __global float* wt) {
  const int i = get_global_id(0);
  if (i >= filters * positions * padded_channels) {
    return;
  }
  const int t = i / padded_channels;
  const int c = i - t * padded_channels;
  const int f = t / positions;
  const int position = t - f * positions;
  wt[i] = c < channels ? w[(position * channels + c) * filters + f] : 0.0f;
}

// dx(rows, height, width, channels) = col2im(g(rows·out_height·out_width, filters) · W(k·k·channels, filters)ᵀ),
// W given as conv_filter_rows' wt
__kernel void conv_input_gradient(const int rows, const int height, const int width, const int channels,
                                  const int kernel_size, const int stride, const int pad_top, const int pad_left,
                                  const int out_height, const int out_width, const int filters,
                                  const int padded_channels, __global const float* g, __global const float* wt,
                                  __global float* dx) {
  const int line = get_global_id(0);
  if (line >= rows * height) {
    return;
  }
  const int n = line / height;
  const int iy = line - n * height;
  const int positions = kernel_size * kernel_size;
  const size_t filter_stride = (size_t) positions * padded_channels;
  for (int x0 = 0; x0 < width; x0 += CB_RX) {
    for (int c0 = 0; c0 < channels; c0 += CB_XW) {
      cb_floatv sum[CB_RX][CB_XC];
#pragma unroll
      for (int r = 0; r < CB_RX; r++) {
#pragma unroll
        for (int v = 0; v < CB_XC; v++) {
          sum[r][v] = (cb_floatv)(0.0f);
        }
      }
      for (int ky = 0; ky < kernel_size; ky++) {
        const int ty = iy + pad_top - ky;
        const int oy = ty / stride;
        if (ty < 0 || oy * stride != ty || oy >= out_height) {
          continue;
        }
        for (int kx = 0; kx < kernel_size; kx++) {
          bool valid[CB_RX];
          __global const float* g_row[CB_RX];
          bool any = false;
#pragma unroll
          for (int r = 0; r < CB_RX; r++) {
            const int tx = x0 + r + pad_left - kx;
            const int ox = tx / stride;
            valid[r] = x0 + r < width && tx >= 0 && ox * stride == tx && ox < out_width;
            any = any || valid[r];
            g_row[r] = g + ((size_t) (n * out_height + oy) * out_width + (valid[r] ? ox : 0)) * filters;
          }
          if (!any) {
            continue;
          }
          __global const float* w_at = wt + (size_t) (ky * kernel_size + kx) * padded_channels + c0;
          cb_floatv term[CB_RX][CB_XC];
#pragma unroll
          for (int r = 0; r < CB_RX; r++) {
#pragma unroll
            for (int v = 0; v < CB_XC; v++) {
              term[r][v] = (cb_floatv)(0.0f);
            }
          }
          for (int f = 0; f < filters; f++) {
            cb_floatv y[CB_XC];
#pragma unroll
            for (int v = 0; v < CB_XC; v++) {
              // blocks past padded_channels hold no channel: zeros, not loaded
              y[v] = c0 + v * CB_VN < padded_channels ? cb_vload(0, w_at + f * filter_stride + v * CB_VN)
                  : (cb_floatv)(0.0f);
            }
#pragma unroll
            for (int r = 0; r < CB_RX; r++) {
              const cb_floatv x = (cb_floatv)(g_row[r][f]);
#pragma unroll
              for (int v = 0; v < CB_XC; v++) {
                term[r][v] = cb_multiply_add(x, y[v], term[r][v]);
              }
            }
          }
#pragma unroll
          for (int r = 0; r < CB_RX; r++) {
            if (valid[r]) {
#pragma unroll
              for (int v = 0; v < CB_XC; v++) {
                sum[r][v] += term[r][v];
              }
            }
          }
        }
      }
#pragma unroll
      for (int r = 0; r < CB_RX; r++) {
        if (x0 + r < width) {
          __global float* to = dx + ((size_t) line * width + x0 + r) * channels + c0;
#pragma unroll
          for (int v = 0; v < CB_XC; v++) {
            if (c0 + v * CB_VN < channels) {
              cb_store(to + v * CB_VN, channels - c0 - v * CB_VN, sum[r][v]);
            }
          }
        }
      }
    }
  }
}
