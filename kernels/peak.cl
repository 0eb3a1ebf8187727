// bench --gemm --peak: the device's float fused multiply-add peak. Not one of the training kernels
// (OpenClKernels.FILES): only bench builds this file (dev.cltrain.opencl.ClPeak), in a context of its own.
//
// Each work-item runs PEAK_CHAINS independent chains of float16 fused multiply-adds, a = fma(a, m, m), so
// that the multiply-add units never wait on a result; with m just under 1 every chain converges to m/(1-m)
// and never overflows. The sum written at the end keeps the compiler from dropping the work.
// FLOPs per work-item: iterations × PEAK_CHAINS × 16 lanes × 2.

#define PEAK_CHAINS 10

__kernel void fma_peak(const int iterations, const float mul, __global float *out) {
  const size_t id = get_global_id(0) + get_global_id(1) * get_global_size(0);
  const float16 m = (float16)(mul);
  const float16 a = (float16)(0.0f, 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f, 0.07f,
                              0.08f, 0.09f, 0.10f, 0.11f, 0.12f, 0.13f, 0.14f, 0.15f) + (float)(id % 64) * 1e-3f;
  float16 a0 = a;
  float16 a1 = a + 0.1f;
  float16 a2 = a + 0.2f;
  float16 a3 = a + 0.3f;
  float16 a4 = a + 0.4f;
  float16 a5 = a + 0.5f;
  float16 a6 = a + 0.6f;
  float16 a7 = a + 0.7f;
  float16 a8 = a + 0.8f;
  float16 a9 = a + 0.9f;
  for (int i = 0; i < iterations; i++) {
    a0 = fma(a0, m, m);
    a1 = fma(a1, m, m);
    a2 = fma(a2, m, m);
    a3 = fma(a3, m, m);
    a4 = fma(a4, m, m);
    a5 = fma(a5, m, m);
    a6 = fma(a6, m, m);
    a7 = fma(a7, m, m);
    a8 = fma(a8, m, m);
    a9 = fma(a9, m, m);
  }
  const float16 s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + (a8 + a9);
  const float8 h = s.lo + s.hi;
  const float4 q = h.lo + h.hi;
  out[id] = (q.x + q.y) + (q.z + q.w);
}
