// Prepended by the host to every other kernel file (kernels use no #include): the helpers two or more
// files share. Activation codes (Activation.code in Java): 0 identity, 1 sigmoid, 2 tanh, 3 relu.

// f(x) for activation code `activation`
inline float activate(const int activation, const float x) {
  switch (activation) {
    case 1: return 1.0f / (1.0f + exp(-x));
    case 2: return tanh(x);
    case 3: return x > 0.0f ? x : 0.0f;
    default: return x;
  }
}

// f'(z) written in terms of the output a = f(z): σ' = a(1 − a), tanh' = 1 − a², relu' = [a > 0], identity' = 1
inline float slope(const int activation, const float a) {
  switch (activation) {
    case 1: return a * (1.0f - a);
    case 2: return 1.0f - a * a;
    case 3: return a > 0.0f ? 1.0f : 0.0f;
    default: return 1.0f;
  }
}
