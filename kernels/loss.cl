// The loss and the error at the output layer, for mean squared error with sigmoid outputs.
//   output_delta  dz = (a − y) · a(1 − a)                  a, y, dz: (count) = (rows · outputs)
//   mse_loss      loss[0] = mean over count of ½(a − y)²   reduced on the device: one float comes back
//
// mse_loss runs as ONE work-group of REDUCE_GROUP work-items (the host launches exactly that): each
// work-item sums a strided slice, then the group halves the partial sums in local memory.
// Tunables: REDUCE_GROUP, a power of two no larger than the device's work-group limit (-DREDUCE_GROUP).

#ifndef REDUCE_GROUP
#define REDUCE_GROUP 256
#endif

// dz(count) = (a − y) · a(1 − a)
__kernel void output_delta(const int count, __global const float* a, __global const float* y,
                           __global float* dz) {
  const int i = get_global_id(0);
  if (i < count) {
    const float error = a[i] - y[i];
    const float slope = a[i] * (1.0f - a[i]);
    dz[i] = error * slope;
  }
}

// loss[0] = Σ ½(a − y)² / count, over count elements
__kernel void mse_loss(const int count, __global const float* a, __global const float* y,
                       __global float* loss) {
  __local float partial[REDUCE_GROUP];
  const int lid = get_local_id(0);
  float sum = 0.0f;
  for (int i = lid; i < count; i += REDUCE_GROUP) {
    const float error = a[i] - y[i];
    sum += 0.5f * (error * error);
  }
  partial[lid] = sum;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int stride = REDUCE_GROUP / 2; stride > 0; stride /= 2) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) {
    loss[0] = partial[0] / (float) count;
  }
}
