// Gradient reductions and the weight update.
//   column_sum  sums(cols) = scale · Σ_rows x(rows, cols)   bias gradient: db = Σ dz / n (scale = 1/n)
//   sgd_update  w(count) −= learning_rate · dw             plain gradient descent, in place
// Row-major float32. column_sum: one work-item per column, summing rows in ascending order (the Java
// reference's order). sgd_update: one work-item per element.

// sums(cols) = scale · Σ over rows of x(rows, cols)
__kernel void column_sum(const int rows, const int cols, const float scale,
                         __global const float* x, __global float* sums) {
  const int col = get_global_id(0);
  if (col < cols) {
    float sum = 0.0f;
    for (int r = 0; r < rows; r++) {
      sum += x[r * cols + col];
    }
    sums[col] = scale * sum;
  }
}

// w(count) −= learning_rate · dw
__kernel void sgd_update(const int count, const float learning_rate, __global const float* dw,
                         __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    w[i] = w[i] - learning_rate * dw[i];
  }
}
