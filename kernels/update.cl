// Gradient reductions and the optimizers' steps. Row-major float32; one work-item per element (column_sum:
// per column, summing rows in ascending order, as the Java reference does).
//   column_sum      sums(cols) = scale · Σ_rows x(rows, cols)     bias gradient: db = Σ dz / n (scale = 1/n)
//   sgd_update      g = dw + λw;  w −= η·g
//   momentum_update g = dw + λw;  v = μ·v + g;  w −= η·v          (PyTorch's convention)
//   adam_update     g = dw + λw;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
//                   w −= η · (m / c1) / (sqrt(v / c2) + ε)        c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ (from the host)
// λ is the weight decay (L2, added to the gradient); the trainer passes 0 for biases. With λ = 0 the
// extra term adds exactly zero, so sgd_update is the seed's w −= η·dw to the last bit.

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

// w(count) −= learning_rate · (dw + weight_decay · w)
__kernel void sgd_update(const int count, const float learning_rate, const float weight_decay,
                         __global const float* dw, __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    const float g = dw[i] + weight_decay * w[i];
    w[i] = w[i] - learning_rate * g;
  }
}

// velocity = momentum · velocity + g;  w −= learning_rate · velocity
__kernel void momentum_update(const int count, const float learning_rate, const float momentum,
                              const float weight_decay, __global const float* dw, __global float* velocity,
                              __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    const float g = dw[i] + weight_decay * w[i];
    const float v = momentum * velocity[i] + g;
    velocity[i] = v;
    w[i] = w[i] - learning_rate * v;
  }
}

// Adam with bias correction: correction1 = 1 − beta1^t, correction2 = 1 − beta2^t for step t ≥ 1
__kernel void adam_update(const int count, const float learning_rate, const float beta1, const float beta2,
                          const float epsilon, const float weight_decay, const float correction1,
                          const float correction2, __global const float* dw, __global float* m,
                          __global float* v, __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    const float g = dw[i] + weight_decay * w[i];
    const float m1 = beta1 * m[i] + (1.0f - beta1) * g;
    const float v1 = beta2 * v[i] + (1.0f - beta2) * (g * g);
    m[i] = m1;
    v[i] = v1;
    const float step = (m1 / correction1) / (sqrt(v1 / correction2) + epsilon);
    w[i] = w[i] - learning_rate * step;
  }
}
