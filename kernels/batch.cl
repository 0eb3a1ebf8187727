// Mini-batch selection on the device: the data set stays where it was uploaded, and each batch's rows are
// gathered from it through an index buffer (the epoch's shuffled order), never copied from the host.
//   gather_rows   target(rows, cols) = source(indices[offset + r], cols) for r < rows
// Row-major float32; indices are int. One work-item per element of target.

// target(rows, cols) = source rows indices[offset .. offset + rows)
__kernel void gather_rows(const int rows, const int cols, const int offset, __global const int* indices,
                          __global const float* source, __global float* target) {
  const int i = get_global_id(0);
  if (i < rows * cols) {
    const int r = i / cols;
    const int c = i - r * cols;
    target[i] = source[indices[offset + r] * cols + c];
  }
}
