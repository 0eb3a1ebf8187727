// Activations and their derivatives, forward and backward side by side.
//   bias_sigmoid   a = σ(z + bias)                 z, a: (rows, cols); bias: (cols), broadcast over rows
//   hidden_delta   dz = dz ⊙ a(1 − a)              dz holds dz_next · Wᵀ on entry; a: the layer's output
// Row-major float32; one work-item per element. z and a may be the same buffer (the trainer computes in
// place). The derivative is taken from the activation's output, as in the seed: σ'(z) = a(1 − a).

inline float sigmoid(const float x) {
  return 1.0f / (1.0f + exp(-x));
}

// a(rows, cols) = σ(z + bias)
__kernel void bias_sigmoid(const int rows, const int cols,
                           __global const float* z, __global const float* bias, __global float* a) {
  const int i = get_global_id(0);
  if (i < rows * cols) {
    a[i] = sigmoid(z[i] + bias[i % cols]);
  }
}

// dz(count) = dz ⊙ a(1 − a), in place
__kernel void hidden_delta(const int count, __global const float* a, __global float* dz) {
  const int i = get_global_id(0);
  if (i < count) {
    const float slope = a[i] * (1.0f - a[i]);
    dz[i] = dz[i] * slope;
  }
}
