package dev.cltrain.onnx;

/**
 * Convolution weights between cltrain's layout, HWIO ((k·k·C) × F, row (ky·k + kx)·C + c), and ONNX's, OIHW
 * ([F, C, k, k]).
 */
final class KernelLayout {
  private KernelLayout() {}

  /** {@return ONNX's [F, C, k, k] of cltrain's HWIO weights} */
  static float[] oihw(float[] hwio, int k, int channels, int filters) {
    float[] oihw = new float[hwio.length];
    for (int o = 0; o < filters; o++) {
      for (int c = 0; c < channels; c++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            oihw[((o * channels + c) * k + ky) * k + kx] = hwio[((ky * k + kx) * channels + c) * filters + o];
          }
        }
      }
    }
    return oihw;
  }

  /** {@return cltrain's HWIO of ONNX's [F, C, k, k] weights} */
  static float[] hwio(float[] oihw, int k, int channels, int filters) {
    float[] hwio = new float[oihw.length];
    for (int o = 0; o < filters; o++) {
      for (int c = 0; c < channels; c++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            hwio[((ky * k + kx) * channels + c) * filters + o] = oihw[((o * channels + c) * k + ky) * k + kx];
          }
        }
      }
    }
    return hwio;
  }
}
