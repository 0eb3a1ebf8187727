// Matrix products for the forward and backward passes, all row-major float32:
//   matmul             c(m,n) = alpha · a(m,k) · b(k,n)      forward:   z = a_prev · W
//   matmul_transpose_a c(m,n) = alpha · a(k,m)ᵀ · b(k,n)     gradient:  dW = a_prevᵀ · dz / n
//   matmul_transpose_b c(m,n) = alpha · a(m,k) · b(n,k)ᵀ     backprop:  dz_prev = dz · Wᵀ
// and two with the next step fused into how each element is stored (one launch and one pass less):
//   matmul_bias_activation   a(m,n) = f(x(m,k) · w(k,n) + bias)            forward of a hidden layer
//   matmul_transpose_b_delta dz(m,n) = (d(m,k) · w(n,k)ᵀ) ⊙ f'(a(m,n))     delta passed back a layer
// Each fused kernel stores exactly what matmul then bias_activation (or matmul_transpose_b then
// activation_delta) would: the same float operations in the same order, alpha being 1.
// No transpose is ever materialised: the variants only read their operand with other strides.
//
// Two strategies, chosen when the program is built (the host picks per device, see OpenClKernels):
//
//   matmul_tiled (default): one work-item per element of c; dimension 0 = column of c, dimension 1 = row.
//     Work-groups are TILE × TILE and stage TILE × TILE blocks of a and b in local memory. Suits GPUs,
//     where neighbouring work-items read neighbouring addresses.
//
//   matmul_registers (-DMATMUL_REGISTERS): each work-item computes RM rows × RC columns of c in scalar
//     registers, reading a and b straight from global memory: no local memory, no barrier, any work-group
//     size. Suits devices that run neighbouring work-items as the lanes of one SIMD instruction and emulate
//     local memory and barriers (Rusticl's llvmpipe); dimension 0 = block of RC columns, dimension 1 = block
//     of RM rows; fixed work-groups, whose items past the edges return at once.
//
//   matmul_blocked (-DMATMUL_BLOCKED): each work-item computes RM rows × VC·VN columns of c, holding them
//     in RM·VC vectors of VN floats; dimension 0 = block of VC·VN columns, dimension 1 = block of RM rows.
//     For each p it loads VC VN-wide pieces of b's row and multiplies them by RM scalars of a. Suits CPUs
//     (PoCL), where a work-group runs on one core and the vectors become SIMD registers (AVX-512 for
//     VN = 16). Blocks that cross the edge of c take a scalar path. The runtime picks the work-groups, except
//     for matmul_transpose_a on CPU devices: one work-item per group (OpenClKernels.singleItemTransposeA).
//
// Either way the global range is rounded up and edge work-items write nothing, so any m, n, k >= 0 is
// correct, and each element of c accumulates its k products in ascending order with one fused multiply-add
// each, sum = fma(a, b, sum) from 0 (multiply_add below: a separate multiply and add on a device without
// a hardware FMA), exactly as the Java reference does (Math.fma, FloatVector.fma): OpenCL's
// fma() is correctly rounded (native on GPUs and on CPUs with FMA units, emulated elsewhere), so results
// agree to the last bit whatever the strategy or its tunables, at twice the peak of a separate multiply
// and add. Nothing else is fused: the host prepends FP_CONTRACT OFF.
//
// Tunables: TILE, tile edge (TILE² must not exceed the work-group limit); RM rows, VN (4, 8 or 16) lanes
// and VC (1 or 2) vectors per row of each work-item's block for matmul_blocked; RM rows and RC columns per
// work-item for matmul_registers.

#ifndef TILE
#define TILE 16
#endif

// x·y + acc as the products accumulate: fma() (one rounding, as the reference's Math.fma) where the device has a
// hardware fused multiply-add; with -DSEPARATE_MULTIPLY_ADD (the host's choice on a device without CL_FP_FMA,
// e.g. Rusticl's llvmpipe, whose fma() is an exact software emulation about ten times slower than the rest of a
// product) a product then a sum, each rounded: within the tolerance such a device is judged by (DeviceCheck's
// PRODUCT_RTOL). small_net.cl keeps fma(): its tiny products cost little, and its check compares trained weights.
#ifdef SEPARATE_MULTIPLY_ADD
#define multiply_add(x, y, acc) ((x) * (y) + (acc))
#else
#define multiply_add(x, y, acc) fma(x, y, acc)
#endif

// What a product element becomes when stored: EPILOGUE_NONE alpha·sum; EPILOGUE_BIAS_ACTIVATION
// f(alpha·sum + bias[col]); EPILOGUE_DELTA alpha·sum · f'(other[row, col]).
#define EPILOGUE_NONE 0
#define EPILOGUE_BIAS_ACTIVATION 1
#define EPILOGUE_DELTA 2

inline float epilogue(const int kind, const int activation, const float value, const int row, const int col,
                      const int n, __global const float* bias, __global const float* other) {
  if (kind == EPILOGUE_BIAS_ACTIVATION) {
    return activate(activation, value + bias[col]);
  }
  if (kind == EPILOGUE_DELTA) {
    return value * slope(activation, other[row * n + col]);
  }
  return value;
}

// Element (i, p) of an operand is x[i * row_stride + p * col_stride].
inline void matmul_tiled(const int m, const int n, const int k, const float alpha,
                         __global const float* a, const int a_row_stride, const int a_col_stride,
                         __global const float* b, const int b_row_stride, const int b_col_stride,
                         __global float* c, const int kind, const int activation,
                         __global const float* bias, __global const float* other,
                         __local float a_tile[TILE][TILE], __local float b_tile[TILE][TILE]) {
  const int col = get_global_id(0);
  const int row = get_global_id(1);
  const int local_col = get_local_id(0);
  const int local_row = get_local_id(1);
  float sum = 0.0f;
  for (int t = 0; t < k; t += TILE) {
    const int a_p = t + local_col;
    const int b_p = t + local_row;
    a_tile[local_row][local_col] = (row < m && a_p < k) ? a[row * a_row_stride + a_p * a_col_stride] : 0.0f;
    b_tile[local_row][local_col] = (b_p < k && col < n) ? b[b_p * b_row_stride + col * b_col_stride] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    const int last = min(TILE, k - t);
    for (int p = 0; p < last; p++) {
      sum = multiply_add(a_tile[local_row][p], b_tile[p][local_col], sum);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < m && col < n) {
    c[row * n + col] = epilogue(kind, activation, alpha * sum, row, col, n, bias, other);
  }
}

#ifdef MATMUL_REGISTERS
#ifndef RM
#define RM 4
#endif
#ifndef RC
#define RC 4
#endif

// One work-item computes RM rows × RC columns of c, rows and columns past the edge clamped to the last
// (computed, not stored). Each p loads RM values of a and RC of b and does RM·RC multiply-adds.
inline void matmul_registers(const int m, const int n, const int k, const float alpha,
                             __global const float* a, const int a_row_stride, const int a_col_stride,
                             __global const float* b, const int b_row_stride, const int b_col_stride,
                             __global float* c, const int kind, const int activation,
                             __global const float* bias, __global const float* other) {
  const int col0 = get_global_id(0) * RC;
  const int row0 = get_global_id(1) * RM;
  if (row0 >= m || col0 >= n) {
    return;
  }
  float sum[RM][RC];
  __global const float* a_row[RM];
  __global const float* b_col[RC];
#pragma unroll
  for (int r = 0; r < RM; r++) {
    a_row[r] = a + (size_t) min(row0 + r, m - 1) * a_row_stride;
#pragma unroll
    for (int j = 0; j < RC; j++) {
      sum[r][j] = 0.0f;
    }
  }
#pragma unroll
  for (int j = 0; j < RC; j++) {
    b_col[j] = b + (size_t) min(col0 + j, n - 1) * b_col_stride;
  }
  for (int p = 0; p < k; p++) {
    float x[RM];
    float y[RC];
#pragma unroll
    for (int r = 0; r < RM; r++) {
      x[r] = a_row[r][p * a_col_stride];
    }
#pragma unroll
    for (int j = 0; j < RC; j++) {
      y[j] = b_col[j][p * b_row_stride];
    }
#pragma unroll
    for (int r = 0; r < RM; r++) {
#pragma unroll
      for (int j = 0; j < RC; j++) {
        sum[r][j] = multiply_add(x[r], y[j], sum[r][j]);
      }
    }
  }
#pragma unroll
  for (int r = 0; r < RM; r++) {
#pragma unroll
    for (int j = 0; j < RC; j++) {
      if (row0 + r < m && col0 + j < n) {
        c[(row0 + r) * n + col0 + j] = epilogue(kind, activation, alpha * sum[r][j], row0 + r, col0 + j, n, bias, other);
      }
    }
  }
}
#endif

#ifdef MATMUL_BLOCKED
#ifndef RM
#define RM 4
#endif
#ifndef VN
#define VN 16
#endif
#ifndef VC
#define VC 4
#endif
#ifndef MB
#define MB 128
#endif
#ifndef KC
#define KC 128
#endif
#define BW (VN * VC)
#define CAT_(x, y) x##y
#define CAT(x, y) CAT_(x, y)
#define floatv CAT(float, VN)
#define vloadv CAT(vload, VN)
#define vstorev CAT(vstore, VN)

// One work-item computes a panel of MB rows (fewer when the host launches more panels, see OpenClKernels)
// × BW columns of c (a work-group is one work-item: the host launches it so). For each block of KC values of p it copies the block's KC × BW piece of b into local
// memory, contiguous and zero-padded past column n (so a transposed b is read once, in its own order, and
// rows of b 4 KiB apart stop evicting each other from the cache), then sweeps the panel RM rows at a time:
// RM × VC vector accumulators stay in registers over the block, each p costing VC vector loads, RM
// broadcasts of a and RM·VC fused multiply-adds. Between blocks the partial sums wait in c itself (stored
// and reloaded unchanged, so each element's fma chain goes on exactly as if unbroken). Rows past m read
// row m − 1 and are not stored; lanes past n compute on zeros and are not stored: every shape takes the
// vector path, including outputs narrower than one vector. Last, each element of the panel is scaled by
// alpha and passed through the epilogue as the last block stores it.
inline void store_lanes(__global float* c, const int at, const int valid, const floatv v) {
  if (valid >= VN) {
    vstorev(v, 0, c + at);
  } else {
    float lanes[VN];
    vstorev(v, 0, lanes);
    for (int q = 0; q < valid; q++) {
      c[at + q] = lanes[q];
    }
  }
}

inline floatv load_lanes(__global const float* c, const int at, const int valid) {
  if (valid >= VN) {
    return vloadv(0, c + at);
  }
  float lanes[VN];
  for (int q = 0; q < VN; q++) {
    lanes[q] = q < valid ? c[at + q] : 0.0f;
  }
  return vloadv(0, lanes);
}

inline void matmul_blocked(const int m, const int n, const int k, const float alpha,
                           __global const float* a, const int a_row_stride, const int a_col_stride,
                           __global const float* b, const int b_row_stride, const int b_col_stride,
                           __global float* c, const int kind, const int activation,
                           __global const float* bias, __global const float* other, __local float* panel) {
  // panel height: MB, or less when the host launched more panels to keep every core busy (a multiple of RM)
  const int rows_per_item = ((m + (int) get_global_size(1) - 1) / (int) get_global_size(1) + RM - 1) / RM * RM;
  const int j0 = get_global_id(0) * BW;
  const int i0 = get_global_id(1) * rows_per_item;
  if (i0 >= m || j0 >= n) {
    return;
  }
  const int i_end = min(i0 + rows_per_item, m);
  const int cols = min(BW, n - j0);
  for (int kb = 0; kb < k || kb == 0; kb += KC) {
    const int depth = min(KC, k - kb);
    const bool last = kb + KC >= k;
    if (b_col_stride == 1) {
      for (int p = 0; p < depth; p++) {
#pragma unroll
        for (int v = 0; v < VC; v++) {
          vstorev(load_lanes(b, (kb + p) * b_row_stride + j0 + v * VN, cols - v * VN), 0, panel + p * BW + v * VN);
        }
      }
    } else {
      for (int q = 0; q < BW; q++) {
        for (int p = 0; p < depth; p++) {
          panel[p * BW + q] = q < cols ? b[(kb + p) * b_row_stride + (j0 + q) * b_col_stride] : 0.0f;
        }
      }
    }
    for (int i = i0; i < i_end; i += RM) {
      floatv acc[RM][VC];
      __global const float* a_row[RM];
#pragma unroll
      for (int r = 0; r < RM; r++) {
        a_row[r] = a + (size_t) min(i + r, m - 1) * a_row_stride + (size_t) kb * a_col_stride;
#pragma unroll
        for (int v = 0; v < VC; v++) {
          acc[r][v] = kb == 0 || i + r >= i_end ? (floatv)(0.0f) : load_lanes(c, (i + r) * n + j0 + v * VN, cols - v * VN);
        }
      }
      for (int p = 0; p < depth; p++) {
        floatv bv[VC];
#pragma unroll
        for (int v = 0; v < VC; v++) {
          bv[v] = vloadv(0, panel + p * BW + v * VN);
        }
#pragma unroll
        for (int r = 0; r < RM; r++) {
          const floatv x = (floatv)(*a_row[r]);
          a_row[r] += a_col_stride;
#pragma unroll
          for (int v = 0; v < VC; v++) {
            acc[r][v] = multiply_add(x, bv[v], acc[r][v]);
          }
        }
      }
#pragma unroll
      for (int r = 0; r < RM; r++) {
        if (i + r < i_end) {
#pragma unroll
          for (int v = 0; v < VC; v++) {
            if (v * VN < cols) {
              const int at = (i + r) * n + j0 + v * VN;
              if (!last) {
                store_lanes(c, at, cols - v * VN, acc[r][v]);
              } else if (kind == EPILOGUE_NONE) {
                store_lanes(c, at, cols - v * VN, alpha * acc[r][v]);
              } else {
                float lanes[VN];
                vstorev(alpha * acc[r][v], 0, lanes);
                for (int q = 0; q < VN && v * VN + q < cols; q++) {
                  c[at + q] = epilogue(kind, activation, lanes[q], i + r, j0 + v * VN + q, n, bias, other);
                }
              }
            }
          }
        }
      }
    }
  }
}


#define MATMUL(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, kind, act, bias, other) \
  __local float panel[KC * BW]; \
  matmul_blocked(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, kind, act, bias, other, panel)
#elif defined(MATMUL_REGISTERS)
#define MATMUL(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, kind, act, bias, other) \
  matmul_registers(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, kind, act, bias, other)
#else
#define MATMUL(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, kind, act, bias, other) \
  __local float a_tile[TILE][TILE]; \
  __local float b_tile[TILE][TILE]; \
  matmul_tiled(m, n, k, alpha, a, ars, acs, b, brs, bcs, c, kind, act, bias, other, a_tile, b_tile)
#endif

// c(m,n) = alpha · a(m,k) · b(k,n)
__kernel void matmul(const int m, const int n, const int k, const float alpha,
                     __global const float* a, __global const float* b, __global float* c) {
  MATMUL(m, n, k, alpha, a, k, 1, b, n, 1, c, EPILOGUE_NONE, 0, 0, 0);
}

// c(m,n) = alpha · a(k,m)ᵀ · b(k,n)
__kernel void matmul_transpose_a(const int m, const int n, const int k, const float alpha,
                                 __global const float* a, __global const float* b, __global float* c) {
  MATMUL(m, n, k, alpha, a, 1, m, b, n, 1, c, EPILOGUE_NONE, 0, 0, 0);
}

// c(m,n) = alpha · a(m,k) · b(n,k)ᵀ
__kernel void matmul_transpose_b(const int m, const int n, const int k, const float alpha,
                                 __global const float* a, __global const float* b, __global float* c) {
  MATMUL(m, n, k, alpha, a, k, 1, b, 1, k, c, EPILOGUE_NONE, 0, 0, 0);
}

// a(m,n) = f(x(m,k) · w(k,n) + bias)
__kernel void matmul_bias_activation(const int m, const int n, const int k, const int activation,
                                     __global const float* x, __global const float* w,
                                     __global const float* bias, __global float* a) {
  MATMUL(m, n, k, 1.0f, x, k, 1, w, n, 1, a, EPILOGUE_BIAS_ACTIVATION, activation, bias, 0);
}

// dz(m,n) = (d(m,k) · w(n,k)ᵀ) ⊙ f'(a(m,n))
__kernel void matmul_transpose_b_delta(const int m, const int n, const int k, const int activation,
                                       __global const float* d, __global const float* w,
                                       __global const float* a, __global float* dz) {
  MATMUL(m, n, k, 1.0f, d, k, 1, w, 1, k, dz, EPILOGUE_DELTA, activation, 0, a);
}
