// Matrix products for the forward and backward passes, all row-major float32:
//   matmul             c(m,n) = alpha · a(m,k) · b(k,n)      forward:   z = a_prev · W
//   matmul_transpose_a c(m,n) = alpha · a(k,m)ᵀ · b(k,n)     gradient:  dW = a_prevᵀ · dz / n
//   matmul_transpose_b c(m,n) = alpha · a(m,k) · b(n,k)ᵀ     backprop:  dz_prev = dz · Wᵀ
// No transpose is ever materialised: the variants only read their operand with other strides.
//
// Work-item mapping: one work-item per element of c; dimension 0 = column of c, dimension 1 = row.
// Work-groups are TILE × TILE; the global range is rounded up to whole tiles and edge work-items load
// zeros and write nothing, so any m, n, k >= 0 is correct. Each work-item sums its k products in
// ascending order, exactly as the Java reference does, so results agree to the last bit when the
// device does not fuse multiply-adds (the host prepends FP_CONTRACT OFF).
//
// Tunables: TILE, tile edge (the host passes -DTILE; TILE² must not exceed the work-group limit).

#ifndef TILE
#define TILE 16
#endif

// Element (i, p) of an operand is x[i * row_stride + p * col_stride].
inline void matmul_tiled(const int m, const int n, const int k, const float alpha,
                         __global const float* a, const int a_row_stride, const int a_col_stride,
                         __global const float* b, const int b_row_stride, const int b_col_stride,
                         __global float* c,
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
      sum += a_tile[local_row][p] * b_tile[p][local_col];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < m && col < n) {
    c[row * n + col] = alpha * sum;
  }
}

// c(m,n) = alpha · a(m,k) · b(k,n)
__kernel void matmul(const int m, const int n, const int k, const float alpha,
                     __global const float* a, __global const float* b, __global float* c) {
  __local float a_tile[TILE][TILE];
  __local float b_tile[TILE][TILE];
  matmul_tiled(m, n, k, alpha, a, k, 1, b, n, 1, c, a_tile, b_tile);
}

// c(m,n) = alpha · a(k,m)ᵀ · b(k,n)
__kernel void matmul_transpose_a(const int m, const int n, const int k, const float alpha,
                                 __global const float* a, __global const float* b, __global float* c) {
  __local float a_tile[TILE][TILE];
  __local float b_tile[TILE][TILE];
  matmul_tiled(m, n, k, alpha, a, 1, m, b, n, 1, c, a_tile, b_tile);
}

// c(m,n) = alpha · a(m,k) · b(n,k)ᵀ
__kernel void matmul_transpose_b(const int m, const int n, const int k, const float alpha,
                                 __global const float* a, __global const float* b, __global float* c) {
  __local float a_tile[TILE][TILE];
  __local float b_tile[TILE][TILE];
  matmul_tiled(m, n, k, alpha, a, k, 1, b, 1, k, c, a_tile, b_tile);
}
