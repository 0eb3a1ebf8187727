// Losses, their errors at the output layer, and the count of correct predictions.
//   mse_delta      dz = (a − y) · f'(a)                      mean squared error through activation f (sigmoid)
//   xent_delta     dz = p − y                                softmax with cross-entropy
//   mse_loss       loss[slot] = mean over count of ½(a − y)²
//   xent_loss      loss[slot] = mean over rows of −Σ y·log p (p clamped to FLT_MIN, so log never gives −inf)
//   count_correct  correct[slot] = rows whose prediction matches: argmax(a) = argmax(y) (first maximum),
//                  or, with one column, (a ≥ 0.5) = (y ≥ 0.5)
// a, p, y, dz: (rows, cols) row-major, count = rows · cols. Slots let every batch of an epoch leave its
// number in its own place, so one read at the end of the epoch brings them all back.
//
// The three reductions run as ONE work-group of REDUCE_GROUP work-items (the host launches exactly that):
// each work-item sums a strided slice, then the group halves the partial sums in local memory.
// Tunables: REDUCE_GROUP, a power of two no larger than the device's work-group limit (-DREDUCE_GROUP).
// slope() comes from prelude.cl.

#ifndef REDUCE_GROUP
#define REDUCE_GROUP 256
#endif

// Sum of the work-group's values into partial[0]; every work-item must call it.
inline float group_sum(__local float* partial, const float value) {
  const int lid = get_local_id(0);
  partial[lid] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int stride = REDUCE_GROUP / 2; stride > 0; stride /= 2) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return partial[0];
}

// dz(count) = (a − y) · f'(a)
__kernel void mse_delta(const int count, const int activation, __global const float* a, __global const float* y,
                        __global float* dz) {
  const int i = get_global_id(0);
  if (i < count) {
    const float error = a[i] - y[i];
    dz[i] = error * slope(activation, a[i]);
  }
}

// dz(count) = p − y
__kernel void xent_delta(const int count, __global const float* p, __global const float* y, __global float* dz) {
  const int i = get_global_id(0);
  if (i < count) {
    dz[i] = p[i] - y[i];
  }
}

// loss[slot] = Σ ½(a − y)² / count
__kernel void mse_loss(const int count, const int slot, __global const float* a, __global const float* y,
                       __global float* loss) {
  __local float partial[REDUCE_GROUP];
  float sum = 0.0f;
  for (int i = get_local_id(0); i < count; i += REDUCE_GROUP) {
    const float error = a[i] - y[i];
    sum += 0.5f * (error * error);
  }
  const float total = group_sum(partial, sum);
  if (get_local_id(0) == 0) {
    loss[slot] = total / (float) count;
  }
}

// loss[slot] = −Σ y·log(max(p, FLT_MIN)) / rows, over rows · cols elements (terms with y = 0 skipped)
__kernel void xent_loss(const int rows, const int cols, const int slot, __global const float* p,
                        __global const float* y, __global float* loss) {
  __local float partial[REDUCE_GROUP];
  float sum = 0.0f;
  for (int i = get_local_id(0); i < rows * cols; i += REDUCE_GROUP) {
    if (y[i] != 0.0f) {
      sum -= y[i] * log(fmax(p[i], FLT_MIN));
    }
  }
  const float total = group_sum(partial, sum);
  if (get_local_id(0) == 0) {
    loss[slot] = total / (float) rows;
  }
}

// correct[slot] = number of rows whose prediction matches the target
__kernel void count_correct(const int rows, const int cols, const int slot, __global const float* a,
                            __global const float* y, __global float* correct) {
  __local float partial[REDUCE_GROUP];
  float hits = 0.0f;
  for (int r = get_local_id(0); r < rows; r += REDUCE_GROUP) {
    __global const float* ar = a + r * cols;
    __global const float* yr = y + r * cols;
    if (cols == 1) {
      hits += ((ar[0] >= 0.5f) == (yr[0] >= 0.5f)) ? 1.0f : 0.0f;
    } else {
      int best_a = 0;
      int best_y = 0;
      for (int c = 1; c < cols; c++) {
        if (ar[c] > ar[best_a]) best_a = c;
        if (yr[c] > yr[best_y]) best_y = c;
      }
      hits += best_a == best_y ? 1.0f : 0.0f;
    }
  }
  const float total = group_sum(partial, hits);
  if (get_local_id(0) == 0) {
    correct[slot] = total;
  }
}
