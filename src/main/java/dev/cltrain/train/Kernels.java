package dev.cltrain.train;

/**
 * THE list of kernels: one method per OpenCL kernel in {@code kernels/*.cl}, with the kernel's name in
 * camelCase and its parameters in the same order with the same names (KernelSignatureTest keeps them in
 * step). Sizes first, then scalars, then inputs, then outputs. All matrices are row-major float32.
 * {@link ReferenceKernels} runs each as a plain Java loop; {@link OpenClKernels} enqueues the kernel.
 *
 * @param <B> a buffer: {@code float[]} on the reference, a device buffer on OpenCL
 */
public interface Kernels<B> {
  /** matmul.cl: c(m,n) = alpha · a(m,k) · b(k,n). */
  void matmul(int m, int n, int k, float alpha, B a, B b, B c);

  /** matmul.cl: c(m,n) = alpha · a(k,m)ᵀ · b(k,n). */
  void matmulTransposeA(int m, int n, int k, float alpha, B a, B b, B c);

  /** matmul.cl: c(m,n) = alpha · a(m,k) · b(n,k)ᵀ. */
  void matmulTransposeB(int m, int n, int k, float alpha, B a, B b, B c);

  /** activation.cl: a(rows,cols) = σ(z + bias), bias broadcast over rows; z and a may be the same buffer. */
  void biasSigmoid(int rows, int cols, B z, B bias, B a);

  /** activation.cl: dz(count) = dz ⊙ a(1 − a), in place (dz holds dz_next · Wᵀ on entry). */
  void hiddenDelta(int count, B a, B dz);

  /** loss.cl: dz(count) = (a − y) · a(1 − a). */
  void outputDelta(int count, B a, B y, B dz);

  /** loss.cl: loss[0] = mean over count of ½(a − y)². */
  void mseLoss(int count, B a, B y, B loss);

  /** update.cl: sums(cols) = scale · Σ over rows of x(rows, cols). */
  void columnSum(int rows, int cols, float scale, B x, B sums);

  /** update.cl: w(count) −= learningRate · dw. */
  void sgdUpdate(int count, float learningRate, B dw, B w);
}
