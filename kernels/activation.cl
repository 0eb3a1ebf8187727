// Activations and their derivatives, forward and backward side by side.
//   bias_activation   a = f(z + bias)                  z, a: (rows, cols); bias: (cols), broadcast over rows
//   activation_delta  dz = dz ⊙ f'(a)                  dz holds dz_next · Wᵀ on entry; a: the layer's output
//   bias_softmax      p = softmax(z + bias) per row     stable: the row's max is subtracted before exp
// Row-major float32. z and a may be the same buffer (the trainer computes in place).
// bias_activation: one work-item per element; activation_delta: one per LANES neighbouring elements (prelude.cl's
// lanes_*: PoCL does not vectorize slope's switch across work-items); bias_softmax: one work-item per row,
// walking its columns in ascending order (as the Java reference does).
// Derivatives are taken from the activation's output, as in the seed: σ' = a(1 − a), tanh' = 1 − a²,
// relu' = [a > 0], identity' = 1.
// activate() and slope() come from prelude.cl, and the activation codes (ACT_IDENTITY, ACT_SIGMOID, ...).

// a(rows, cols) = f(z + bias)
__kernel void bias_activation(const int rows, const int cols, const int activation,
                              __global const float* z, __global const float* bias, __global float* a) {
  const int i = get_global_id(0);
  if (i < rows * cols) {
    a[i] = activate(activation, z[i] + bias[i % cols]);
  }
}

// dz(count) = dz ⊙ f'(a), in place
__kernel void activation_delta(const int count, const int activation, __global const float* a,
                               __global float* dz) {
  const int i = get_global_id(0) * LANES;
  if (i < count) {
    const int valid = count - i;
    lanes_store(dz, i, valid, lanes_load(dz, i, valid) * lanes_slope(activation, lanes_load(a, i, valid)));
  }
}

// p(rows, cols) = softmax(z + bias) along each row
__kernel void bias_softmax(const int rows, const int cols, __global const float* z, __global const float* bias,
                           __global float* p) {
  const int row = get_global_id(0);
  if (row < rows) {
    __global const float* zr = z + row * cols;
    __global float* pr = p + row * cols;
    float top = -INFINITY;
    for (int c = 0; c < cols; c++) {
      top = fmax(top, zr[c] + bias[c]);
    }
    float sum = 0.0f;
    for (int c = 0; c < cols; c++) {
      const float e = exp_cl(zr[c] + bias[c] - top);
      pr[c] = e;
      sum += e;
    }
    for (int c = 0; c < cols; c++) {
      pr[c] = pr[c] / sum;
    }
  }
}
