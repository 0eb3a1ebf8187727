// Mini-batch selection on the device: the data set stays where it was uploaded, and each batch's rows are
// gathered from it through an index buffer (the epoch's shuffled order), never copied from the host.
//   gather_rows   target(rows, cols) = source(indices[offset + r], cols) for r < rows
// Row-major float32; indices are int. One work-item per element of target: dimension 0 = column,
// dimension 1 = row (no division per element).

// target(rows, cols) = source rows indices[offset .. offset + rows)
__kernel void gather_rows(const int rows, const int cols, const int offset, __global const int* indices,
                          __global const float* source, __global float* target) {
  const int c = get_global_id(0);
  const int r = get_global_id(1);
  if (r < rows && c < cols) {
    target[r * cols + c] = source[indices[offset + r] * cols + c];
  }
}
