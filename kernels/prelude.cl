// Prepended by the host to every other kernel file (kernels use no #include): the helpers two or more
// files share, and the activation codes.
//
// exp_cl and tanh_cl are written out in float multiply-adds (Cephes expf and tanhf) instead of calling
// exp() and tanh(), whose last bits differ between OpenCL implementations (the spec allows 3 ulp for exp)
// and Java. With FP_CONTRACT OFF every operation below is one correctly rounded IEEE operation (the host
// adds -cl-fp32-correctly-rounded-divide-sqrt where the device supports it, for the divisions), so the
// Java reference's mirrors give the same bits, and training on a device follows the reference exactly.
// Accuracy: within 2 ulp of the true exp and tanh over the float range.

// exp_cl, tanh_cl and sigmoid_cl are always inlined: PoCL vectorizes a kernel's work-items only when no call is
// left in its body (recurrent.cl's steps stayed scalar with them as calls). activate and slope are left to the
// inliner: forced into every matmul epilogue they made each program's build about twice as slow.
// e^x; 0 below −87.3 (no subnormal results, which some devices flush), +inf above 88.7
__attribute__((always_inline)) inline float exp_cl(const float x) {
  if (x > 88.72283905206835f) return INFINITY;
  if (x < -87.33654475f) return 0.0f;
  const float k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f; // rint: |x·log2 e| < 2^22
  float r = x - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r;
  p = p + 1.0f;
  const int k1 = (int) k / 2; // p·2^k as two exact scalings (|k1|, |k − k1| ≤ 64): one rounding, as ldexp's
  return p * as_float((k1 + 127) << 23) * as_float(((int) k - k1 + 127) << 23);
}

// tanh(x): an odd polynomial near 0, 1 − 2/(e^2|x| + 1) beyond
__attribute__((always_inline)) inline float tanh_cl(const float x) {
  const float ax = as_float(as_uint(x) & 0x7fffffffu); // fabs(x), written out: a call stops the vectorizer
  if (ax < 0.625f) {
    const float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    return p * z * x + x;
  }
  if (ax > 9.0f) return x > 0.0f ? 1.0f : -1.0f;
  const float t = 1.0f - 2.0f / (exp_cl(2.0f * ax) + 1.0f);
  return x > 0.0f ? t : -t;
}

// σ(x) = 1 / (1 + e^−x)
__attribute__((always_inline)) inline float sigmoid_cl(const float x) {
  return 1.0f / (1.0f + exp_cl(-x));
}

// Activation codes: Activation.code in Java, one ACT_ name per constant (KernelCodesTest keeps the two in step,
// and checks that activate() and slope() have a case for each but softmax, which has its own kernel).
#define ACT_IDENTITY 0
#define ACT_SIGMOID 1
#define ACT_TANH 2
#define ACT_RELU 3
#define ACT_SOFTMAX (-1)

// f(x) for activation code `activation`
inline float activate(const int activation, const float x) {
  switch (activation) {
    case ACT_SIGMOID: return sigmoid_cl(x);
    case ACT_TANH: return tanh_cl(x);
    case ACT_RELU: return x > 0.0f ? x : 0.0f;
    case ACT_IDENTITY:
    default: return x;
  }
}

// f'(z) written in terms of the output a = f(z): σ' = a(1 − a), tanh' = 1 − a², relu' = [a > 0], identity' = 1
inline float slope(const int activation, const float a) {
  switch (activation) {
    case ACT_SIGMOID: return a * (1.0f - a);
    case ACT_TANH: return 1.0f - a * a;
    case ACT_RELU: return a > 0.0f ? 1.0f : 0.0f;
    case ACT_IDENTITY:
    default: return 1.0f;
  }
}

// Vectors of N floats for kernels PoCL would not vectorize across work-items (a loop or activate's switch in the
// body): each lane computes what a lone work-item would, in the same order, so the vectors change no bits.
// VECTOR_HELPERS(N) defines, for float##N (N = 4, 8 or 16):
//   lanesN_load(p, at, valid)      N floats of p from at; a work-item at the end of a row, with fewer than N floats
//                                  left (valid), reads zeros into the lanes it lacks
//   lanesN_store(p, at, valid, v)  the first valid lanes of v to p + at (all N when valid >= N)
//   lanesN_activate(activation, v) activate lane by lane: relu as a select (activate's x > 0 ? x : 0)
//   lanesN_slope(activation, a)    slope lane by lane: relu's a > 0 ? 1 : 0 as a select, identity's 1
// LANES (a build option: Kernels.LANES) gets them here as lanes_load, lanes_store, lanes_activate, lanes_slope on
// lanesv; a kernel file with vectors of another width (conv_direct.cl's CONV_LANES, conv_backward.cl's CB_VN)
// instantiates VECTOR_HELPERS for it.
#define LANES_CAT_(x, y) x##y
#define LANES_CAT(x, y) LANES_CAT_(x, y)
#define VECTOR_HELPERS(N) VECTOR_HELPERS_(N)
#define VECTOR_HELPERS_(N)                                                                                      \
inline float##N lanes##N##_load(__global const float* p, const long at, const int valid) {                     \
  if (valid >= N) {                                                                                             \
    return vload##N(0, p + at);                                                                                 \
  }                                                                                                             \
  float lanes[N];                                                                                               \
  for (int q = 0; q < N; q++) {                                                                                 \
    lanes[q] = q < valid ? p[at + q] : 0.0f;                                                                    \
  }                                                                                                             \
  return vload##N(0, lanes);                                                                                    \
}                                                                                                               \
inline void lanes##N##_store(__global float* p, const long at, const int valid, const float##N v) {            \
  if (valid >= N) {                                                                                             \
    vstore##N(v, 0, p + at);                                                                                    \
    return;                                                                                                     \
  }                                                                                                             \
  float lanes[N];                                                                                               \
  vstore##N(v, 0, lanes);                                                                                       \
  for (int q = 0; q < valid; q++) {                                                                             \
    p[at + q] = lanes[q];                                                                                       \
  }                                                                                                             \
}                                                                                                               \
inline float##N lanes##N##_activate(const int activation, const float##N v) {                                  \
  if (activation == ACT_IDENTITY) {                                                                             \
    return v;                                                                                                   \
  }                                                                                                             \
  if (activation == ACT_RELU) {                                                                                 \
    return select((float##N) (0.0f), v, v > (float##N) (0.0f));                                                \
  }                                                                                                             \
  float lanes[N];                                                                                               \
  vstore##N(v, 0, lanes);                                                                                       \
  for (int q = 0; q < N; q++) {                                                                                 \
    lanes[q] = activate(activation, lanes[q]);                                                                  \
  }                                                                                                             \
  return vload##N(0, lanes);                                                                                    \
}                                                                                                               \
inline float##N lanes##N##_slope(const int activation, const float##N a) {                                     \
  if (activation == ACT_IDENTITY) {                                                                             \
    return (float##N) (1.0f);                                                                                   \
  }                                                                                                             \
  if (activation == ACT_RELU) {                                                                                 \
    return select((float##N) (0.0f), (float##N) (1.0f), a > (float##N) (0.0f));                                \
  }                                                                                                             \
  float lanes[N];                                                                                               \
  vstore##N(a, 0, lanes);                                                                                       \
  for (int q = 0; q < N; q++) {                                                                                 \
    lanes[q] = slope(activation, lanes[q]);                                                                     \
  }                                                                                                             \
  return vload##N(0, lanes);                                                                                    \
}
#define LANES_HELPER(N, name) LANES_CAT(LANES_CAT(lanes, N), name)

#ifdef LANES
VECTOR_HELPERS(LANES)
#define lanesv LANES_CAT(float, LANES)
#define lanesi LANES_CAT(int, LANES)
#define lanes_load LANES_HELPER(LANES, _load)
#define lanes_store LANES_HELPER(LANES, _store)
#define lanes_activate LANES_HELPER(LANES, _activate)
#define lanes_slope LANES_HELPER(LANES, _slope)
#endif

// An optimizer moment's new value (momentum's velocity, Adam's m and v), with subnormals and −0
// (|x| < FLT_MIN) stored as +0; NaN kept (update.cl, small_net.cl; the reference's UpdateLoops.flushMoment).
// Two comparisons, not fabs(x) < FLT_MIN: with fabs, PoCL 3.1 no longer vectorised update.cl's work-group
// loop (adam_update 4x slower).
inline float flush_moment(const float x) {
  return (x > -FLT_MIN && x < FLT_MIN) ? 0.0f : x;
}

// Philox-4x32-10 (Random123): ten rounds on the counter (c0..c3) with the key (k0, k1) bumped between rounds;
// the first output word (conv.cl's dropout, augment.cl's draws). Java twin: dev.cltrain.reference.Philox.philox4x32.
uint philox_first(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) {
  for (int round = 0; round < 10; round++) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint hi0 = mul_hi(0xD2511F53u, c0);
    const uint lo0 = 0xD2511F53u * c0;
    const uint hi1 = mul_hi(0xCD9E8D57u, c2);
    const uint lo1 = 0xCD9E8D57u * c2;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return c0;
}
