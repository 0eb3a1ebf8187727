// Gradient reductions and the optimizers' steps. Row-major float32; one work-item per element (column_sum:
// per UPDATE_CHUNK columns, summing rows in ascending order, as the Java reference does).
//   column_sum      sums(cols) = scale · Σ_rows x(rows, cols)     bias gradient: db = Σ dz / n (scale = 1/n)
//   sgd_update      g = dw + λw;  w −= η·g
//   momentum_update g = dw + λw;  v = μ·v + g;  w −= η·v          (PyTorch's convention)
//   adam_update     g = dw + λw;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
//                   w −= η · (m / c1) / (sqrt(v / c2) + ε)        c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ (from the host)
//   adamw_update    w = w · (1 − η·λ);  then adam_update with g = dw  (decoupled weight decay, Loshchilov and
//                   Hutter, in torch.optim.AdamW's order: the weight is decayed first, and the Adam step taken
//                   from the decayed weight; the step's operations are adam_step's with λ = 0, to the bit)
// λ is the weight decay (L2, added to the gradient; adamw's decoupled factor); the trainer passes 0 for biases
// (unless --decay-all). With λ = 0 the
// extra term adds exactly zero, so sgd_update is the seed's w −= η·dw to the last bit.
//
// No subnormal moments: a moment (momentum's velocity, Adam's m and v) whose new value has magnitude below
// FLT_MIN is stored as +0.0f (flush_moment). A weight whose gradient is almost always 0 would otherwise see
// its m decay by β1 a step into subnormals, where every operation on it costs a CPU a microcode assist
// (Adam ran 4x slower from the second Fashion-MNIST epoch), and devices that flush subnormals themselves
// would part from the reference. The rule is written out here and in the Java reference, so both keep the
// same bits. Stored moments are then 0 or normal, so β1·m and β2·v are subnormal only for moments within a
// factor 1/β of FLT_MIN, and g·g only for |g| < 1.1e-19; those rare intermediates are left as IEEE has them.
//
// The *_layers variants update up to SEGMENTS = 8 parameter arrays in one launch (the trainer's weights and
// biases of every layer: one launch a step instead of 2·L): slot s has its own count_s, weight_decay_s and
// buffers; unused slots have count 0, and their buffers are never read (any valid buffer does). Each
// work-item updates UPDATE_CHUNK consecutive elements of one slot (FIND_SLOT, EACH_ELEMENT) with the
// single-array kernel's operations (the same inline function), so the bits are those of one single-array
// launch per slot, whatever the chunk. The host picks UPDATE_CHUNK (-D): 16 on CPU devices, where the
// chunk's fixed-length loop is vectorised (one work-item per element, the slot chosen per item, stayed
// scalar on PoCL 3.1 and ran 4x slower than the six single-array launches it replaces); 1 elsewhere, so
// that neighbouring work-items of a GPU read neighbouring elements.

#ifndef UPDATE_CHUNK
#define UPDATE_CHUNK 16  // elements per work-item of column_sum and the *_layers kernels; the host passes its choice
#endif

// sums(cols) = scale · Σ over rows of x(rows, cols)
// One work-item per UPDATE_CHUNK neighbouring columns, walking the rows in order with a sum per column: on a
// CPU (chunk 16) x is read once, row by row, instead of once per column down its stride; on a GPU (chunk 1)
// neighbouring work-items read neighbouring columns. Each column is summed in ascending rows either way.
__kernel void column_sum(const int rows, const int cols, const float scale,
                         __global const float* x, __global float* sums) {
  const int c0 = get_global_id(0) * UPDATE_CHUNK;
  if (c0 >= cols) {
    return;
  }
  const int count = min(UPDATE_CHUNK, cols - c0);
  float sum[UPDATE_CHUNK];
  for (int j = 0; j < UPDATE_CHUNK; j++) {
    sum[j] = 0.0f;
  }
  for (int r = 0; r < rows; r++) {
    __global const float* row = x + (size_t) r * cols + c0;
    for (int j = 0; j < count; j++) {
      sum[j] += row[j];
    }
  }
  for (int j = 0; j < count; j++) {
    sums[c0 + j] = scale * sum[j];
  }
}

// Element i of sgd_update: w −= learning_rate · (dw + weight_decay · w)
inline void sgd_step(const int i, const float learning_rate, const float weight_decay,
                     __global const float* dw, __global float* w) {
  const float g = dw[i] + weight_decay * w[i];
  w[i] = w[i] - learning_rate * g;
}

// Element i of momentum_update: velocity = flush(momentum · velocity + g);  w −= learning_rate · velocity
inline void momentum_step(const int i, const float learning_rate, const float momentum, const float weight_decay,
                          __global const float* dw, __global float* velocity, __global float* w) {
  const float g = dw[i] + weight_decay * w[i];
  const float v = flush_moment(momentum * velocity[i] + g);
  velocity[i] = v;
  w[i] = w[i] - learning_rate * v;
}

// Element i of adam_update: m, v updated and flushed, then w −= learning_rate · (m / c1) / (sqrt(v / c2) + ε)
inline void adam_step(const int i, const float learning_rate, const float beta1, const float beta2,
                      const float epsilon, const float weight_decay, const float correction1,
                      const float correction2, __global const float* dw, __global float* m,
                      __global float* v, __global float* w) {
  const float g = dw[i] + weight_decay * w[i];
  const float m1 = flush_moment(beta1 * m[i] + (1.0f - beta1) * g);
  const float v1 = flush_moment(beta2 * v[i] + (1.0f - beta2) * (g * g));
  m[i] = m1;
  v[i] = v1;
  const float step = (m1 / correction1) / (sqrt(v1 / correction2) + epsilon);
  w[i] = w[i] - learning_rate * step;
}

// Element i of adamw_update: w = w · (1 − learning_rate · weight_decay), then adam_step with no L2 term
inline void adamw_step(const int i, const float learning_rate, const float beta1, const float beta2,
                       const float epsilon, const float weight_decay, const float correction1,
                       const float correction2, __global const float* dw, __global float* m,
                       __global float* v, __global float* w) {
  w[i] = w[i] * (1.0f - learning_rate * weight_decay);
  adam_step(i, learning_rate, beta1, beta2, epsilon, 0.0f, correction1, correction2, dw, m, v, w);
}

// w(count) −= learning_rate · (dw + weight_decay · w)
__kernel void sgd_update(const int count, const float learning_rate, const float weight_decay,
                         __global const float* dw, __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    sgd_step(i, learning_rate, weight_decay, dw, w);
  }
}

// velocity = momentum · velocity + g;  w −= learning_rate · velocity  (velocity flushed)
__kernel void momentum_update(const int count, const float learning_rate, const float momentum,
                              const float weight_decay, __global const float* dw, __global float* velocity,
                              __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    momentum_step(i, learning_rate, momentum, weight_decay, dw, velocity, w);
  }
}

// Adam with bias correction: correction1 = 1 − beta1^t, correction2 = 1 − beta2^t for step t ≥ 1 (m, v flushed)
__kernel void adam_update(const int count, const float learning_rate, const float beta1, const float beta2,
                          const float epsilon, const float weight_decay, const float correction1,
                          const float correction2, __global const float* dw, __global float* m,
                          __global float* v, __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    adam_step(i, learning_rate, beta1, beta2, epsilon, weight_decay, correction1, correction2, dw, m, v, w);
  }
}

// Work-items of slot s in a *_layers launch: count_s / UPDATE_CHUNK, rounded up
#define ITEMS(s) ((count##s + UPDATE_CHUNK - 1) / UPDATE_CHUNK)
// The slot of this work-item (slot s owns the next ITEMS(s) work-items: `slot` counts the slot ends at or
// before it) and the first of its UPDATE_CHUNK elements there
#define FIND_SLOT \
  const int item = (int) get_global_id(0); \
  const int end0 = ITEMS(0); \
  const int end1 = end0 + ITEMS(1); \
  const int end2 = end1 + ITEMS(2); \
  const int end3 = end2 + ITEMS(3); \
  const int end4 = end3 + ITEMS(4); \
  const int end5 = end4 + ITEMS(5); \
  const int end6 = end5 + ITEMS(6); \
  const int slot = (item >= end0) + (item >= end1) + (item >= end2) + (item >= end3) + (item >= end4) \
      + (item >= end5) + (item >= end6); \
  const int start = slot == 0 ? 0 : slot == 1 ? end0 : slot == 2 ? end1 : slot == 3 ? end2 : slot == 4 ? end3 \
      : slot == 5 ? end4 : slot == 6 ? end5 : end6; \
  const int first = (item - start) * UPDATE_CHUNK; \
  const int count = PICK(count);
// x0 … x7 by the slot found
#define PICK(x) (slot == 0 ? x##0 : slot == 1 ? x##1 : slot == 2 ? x##2 : slot == 3 ? x##3 : slot == 4 ? x##4 \
    : slot == 5 ? x##5 : slot == 6 ? x##6 : x##7)
// `step` for element i = first … min(first + UPDATE_CHUNK, count) − 1: a loop of fixed length when the chunk is
// whole (PoCL vectorises it), the tail otherwise
#define EACH_ELEMENT(step) \
  if (first + UPDATE_CHUNK <= count) { \
    for (int k = 0; k < UPDATE_CHUNK; k++) { \
      const int i = first + k; \
      step; \
    } \
  } else { \
    for (int i = first; i < count; i++) { \
      step; \
    } \
  }

// sgd_update on slots 0..7 in one launch of Σ ITEMS(s) work-items
__kernel void sgd_update_layers(const int count0, const int count1, const int count2, const int count3,
                                const int count4, const int count5, const int count6, const int count7,
                                const float learning_rate,
                                const float weight_decay0, const float weight_decay1, const float weight_decay2,
                                const float weight_decay3, const float weight_decay4, const float weight_decay5,
                                const float weight_decay6, const float weight_decay7,
                                __global const float* dw0, __global const float* dw1, __global const float* dw2,
                                __global const float* dw3, __global const float* dw4, __global const float* dw5,
                                __global const float* dw6, __global const float* dw7,
                                __global float* w0, __global float* w1, __global float* w2, __global float* w3,
                                __global float* w4, __global float* w5, __global float* w6, __global float* w7) {
  FIND_SLOT
  const float weight_decay = PICK(weight_decay);
  __global const float* dw = PICK(dw);
  __global float* w = PICK(w);
  EACH_ELEMENT(sgd_step(i, learning_rate, weight_decay, dw, w))
}

// momentum_update on slots 0..7 in one launch of Σ ITEMS(s) work-items
__kernel void momentum_update_layers(const int count0, const int count1, const int count2, const int count3,
                                     const int count4, const int count5, const int count6, const int count7,
                                     const float learning_rate, const float momentum,
                                     const float weight_decay0, const float weight_decay1,
                                     const float weight_decay2, const float weight_decay3,
                                     const float weight_decay4, const float weight_decay5,
                                     const float weight_decay6, const float weight_decay7,
                                     __global const float* dw0, __global const float* dw1,
                                     __global const float* dw2, __global const float* dw3,
                                     __global const float* dw4, __global const float* dw5,
                                     __global const float* dw6, __global const float* dw7,
                                     __global float* velocity0, __global float* velocity1,
                                     __global float* velocity2, __global float* velocity3,
                                     __global float* velocity4, __global float* velocity5,
                                     __global float* velocity6, __global float* velocity7,
                                     __global float* w0, __global float* w1, __global float* w2,
                                     __global float* w3, __global float* w4, __global float* w5,
                                     __global float* w6, __global float* w7) {
  FIND_SLOT
  const float weight_decay = PICK(weight_decay);
  __global const float* dw = PICK(dw);
  __global float* velocity = PICK(velocity);
  __global float* w = PICK(w);
  EACH_ELEMENT(momentum_step(i, learning_rate, momentum, weight_decay, dw, velocity, w))
}

// adam_update on slots 0..7 in one launch of Σ ITEMS(s) work-items
__kernel void adam_update_layers(const int count0, const int count1, const int count2, const int count3,
                                 const int count4, const int count5, const int count6, const int count7,
                                 const float learning_rate, const float beta1, const float beta2,
                                 const float epsilon,
                                 const float weight_decay0, const float weight_decay1, const float weight_decay2,
                                 const float weight_decay3, const float weight_decay4, const float weight_decay5,
                                 const float weight_decay6, const float weight_decay7,
                                 const float correction1, const float correction2,
                                 __global const float* dw0, __global const float* dw1, __global const float* dw2,
                                 __global const float* dw3, __global const float* dw4, __global const float* dw5,
                                 __global const float* dw6, __global const float* dw7,
                                 __global float* m0, __global float* m1, __global float* m2, __global float* m3,
                                 __global float* m4, __global float* m5, __global float* m6, __global float* m7,
                                 __global float* v0, __global float* v1, __global float* v2, __global float* v3,
                                 __global float* v4, __global float* v5, __global float* v6, __global float* v7,
                                 __global float* w0, __global float* w1, __global float* w2, __global float* w3,
                                 __global float* w4, __global float* w5, __global float* w6, __global float* w7) {
  FIND_SLOT
  const float weight_decay = PICK(weight_decay);
  __global const float* dw = PICK(dw);
  __global float* m = PICK(m);
  __global float* v = PICK(v);
  __global float* w = PICK(w);
  EACH_ELEMENT(adam_step(i, learning_rate, beta1, beta2, epsilon, weight_decay, correction1, correction2, dw, m, v, w))
}

// AdamW: w(count) = w · (1 − learning_rate · weight_decay), then adam_update's step with g = dw (m, v flushed)
__kernel void adamw_update(const int count, const float learning_rate, const float beta1, const float beta2,
                           const float epsilon, const float weight_decay, const float correction1,
                           const float correction2, __global const float* dw, __global float* m,
                           __global float* v, __global float* w) {
  const int i = get_global_id(0);
  if (i < count) {
    adamw_step(i, learning_rate, beta1, beta2, epsilon, weight_decay, correction1, correction2, dw, m, v, w);
  }
}

// adamw_update on slots 0..7 in one launch of Σ ITEMS(s) work-items
__kernel void adamw_update_layers(const int count0, const int count1, const int count2, const int count3,
                                  const int count4, const int count5, const int count6, const int count7,
                                  const float learning_rate, const float beta1, const float beta2,
                                  const float epsilon,
                                  const float weight_decay0, const float weight_decay1, const float weight_decay2,
                                  const float weight_decay3, const float weight_decay4, const float weight_decay5,
                                  const float weight_decay6, const float weight_decay7,
                                  const float correction1, const float correction2,
                                  __global const float* dw0, __global const float* dw1, __global const float* dw2,
                                  __global const float* dw3, __global const float* dw4, __global const float* dw5,
                                  __global const float* dw6, __global const float* dw7,
                                  __global float* m0, __global float* m1, __global float* m2, __global float* m3,
                                  __global float* m4, __global float* m5, __global float* m6, __global float* m7,
                                  __global float* v0, __global float* v1, __global float* v2, __global float* v3,
                                  __global float* v4, __global float* v5, __global float* v6, __global float* v7,
                                  __global float* w0, __global float* w1, __global float* w2, __global float* w3,
                                  __global float* w4, __global float* w5, __global float* w6, __global float* w7) {
  FIND_SLOT
  const float weight_decay = PICK(weight_decay);
  __global const float* dw = PICK(dw);
  __global float* m = PICK(m);
  __global float* v = PICK(v);
  __global float* w = PICK(w);
  EACH_ELEMENT(adamw_step(i, learning_rate, beta1, beta2, epsilon, weight_decay, correction1, correction2, dw, m, v, w))
}

// Gradient clipping (--clip-norm C, torch.nn.utils.clip_grad_norm_): every gradient of the step scaled by
// min(1, C / (‖g‖ + 1e-6)), ‖g‖ the L2 norm of all of them together, in three kernels whose order of
// operations does not depend on the device or its work-group size (so every device has the reference's bits):
//   square_sums  partials[first + b] = Σ x[i]² over block b of NORM_BLOCK elements, i ascending (one work-item
//                per block); the host launches it per gradient array, the blocks of each following the last's
//   clip_factor  factor[0] = min(1, max_norm / (sqrt(Σ partials[0 .. blocks), ascending) + 1e-6))  (one item)
//   scale_by     x(count) = x · factor[0]
// NORM_BLOCK is a build option, fixed (Kernels.NORM_BLOCK in Java), not a tunable: it decides the rounding.

// partials[first + b] = Σ x[i]² for i in [b·NORM_BLOCK, min((b + 1)·NORM_BLOCK, count)), ascending
__kernel void square_sums(const int count, const int first, __global const float* x, __global float* partials) {
  const int b = get_global_id(0);
  const int from = b * NORM_BLOCK;
  if (from < count) {
    const int to = min(from + NORM_BLOCK, count);
    float sum = 0.0f;
    for (int i = from; i < to; i++) {
      sum += x[i] * x[i];
    }
    partials[first + b] = sum;
  }
}

// factor[0] = min(1, max_norm / (sqrt(Σ partials(blocks)) + 1e-6)), the partials summed in ascending order
__kernel void clip_factor(const int blocks, const float max_norm, __global const float* partials,
                          __global float* factor) {
  if (get_global_id(0) == 0) {
    float total = 0.0f;
    for (int b = 0; b < blocks; b++) {
      total += partials[b];
    }
    const float clip = max_norm / (sqrt(total) + 1e-6f);
    factor[0] = clip < 1.0f ? clip : 1.0f; // not fmin: a NaN norm gives 1 here and in Java alike
  }
}

// x(count) = x · factor[0]
__kernel void scale_by(const int count, __global const float* factor, __global float* x) {
  const int i = get_global_id(0);
  if (i < count) {
    x[i] = x[i] * factor[0];
  }
}
