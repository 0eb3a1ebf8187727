package dev.cltrain.backend;

/**
 * THE list of kernels: one method per OpenCL kernel in {@code kernels/*.cl}, with the kernel's name in
 * camelCase and its parameters in the same order with the same names (KernelSignatureTest keeps them in
 * step). Sizes first, then scalars, then inputs, then outputs. All matrices are row-major float32.
 * {@link ReferenceKernels} runs each as a plain Java loop; {@link OpenClKernels} enqueues the kernel.
 * Activation codes are {@code Activation.code}: 0 identity, 1 sigmoid, 2 tanh, 3 relu.
 *
 * @param <B> a float buffer: {@code float[]} on the reference, a device buffer on OpenCL
 * @param <I> an int buffer (row indices): {@code int[]} on the reference, a device buffer on OpenCL
 */
public interface Kernels<B, I> {
  /** matmul.cl: c(m,n) = alpha · a(m,k) · b(k,n). */
  void matmul(int m, int n, int k, float alpha, B a, B b, B c);

  /** matmul.cl: c(m,n) = alpha · a(k,m)ᵀ · b(k,n). */
  void matmulTransposeA(int m, int n, int k, float alpha, B a, B b, B c);

  /** matmul.cl: c(m,n) = alpha · a(m,k) · b(n,k)ᵀ. */
  void matmulTransposeB(int m, int n, int k, float alpha, B a, B b, B c);

  /** matmul.cl: a(m,n) = f(x(m,k) · w(k,n) + bias): matmul then biasActivation in one kernel, the same bits. */
  void matmulBiasActivation(int m, int n, int k, int activation, B x, B w, B bias, B a);

  /** matmul.cl: dz(m,n) = (d(m,k) · w(n,k)ᵀ) ⊙ f'(a(m,n)): matmulTransposeB then activationDelta in one kernel. */
  void matmulTransposeBDelta(int m, int n, int k, int activation, B d, B w, B a, B dz);

  /** activation.cl: a(rows,cols) = f(z + bias), bias broadcast over rows; z and a may be the same buffer. */
  void biasActivation(int rows, int cols, int activation, B z, B bias, B a);

  /** activation.cl: dz(count) = dz ⊙ f'(a), in place (dz holds dz_next · Wᵀ on entry). */
  void activationDelta(int count, int activation, B a, B dz);

  /** activation.cl: p(rows,cols) = softmax(z + bias) along each row, max subtracted first. */
  void biasSoftmax(int rows, int cols, B z, B bias, B p);

  /** loss.cl: dz(count) = (a − y) · f'(a). */
  void mseDelta(int count, int activation, B a, B y, B dz);

  /** loss.cl: dz(count) = p − y. */
  void xentDelta(int count, B p, B y, B dz);

  /** loss.cl: loss[slot] = mean over count of ½(a − y)². */
  void mseLoss(int count, int slot, B a, B y, B loss);

  /** loss.cl: loss[slot] = mean over rows of −Σ y·log(max(p, FLT_MIN)). */
  void xentLoss(int rows, int cols, int slot, B p, B y, B loss);

  /** loss.cl: correct[slot] = rows whose argmax (one column: side of 0.5) matches the target's. */
  void countCorrect(int rows, int cols, int slot, B a, B y, B correct);

  /** update.cl: sums(cols) = scale · Σ over rows of x(rows, cols). */
  void columnSum(int rows, int cols, float scale, B x, B sums);

  /** update.cl: w(count) −= learningRate · (dw + weightDecay · w). */
  void sgdUpdate(int count, float learningRate, float weightDecay, B dw, B w);

  /** update.cl: velocity = momentum · velocity + g; w −= learningRate · velocity; g = dw + weightDecay · w. */
  void momentumUpdate(int count, float learningRate, float momentum, float weightDecay, B dw, B velocity, B w);

  /** update.cl: one bias-corrected Adam step; correction1 = 1 − beta1ᵗ, correction2 = 1 − beta2ᵗ. */
  void adamUpdate(int count, float learningRate, float beta1, float beta2, float epsilon, float weightDecay,
      float correction1, float correction2, B dw, B m, B v, B w);

  /** batch.cl: target(rows,cols) = source rows indices[offset .. offset + rows). */
  void gatherRows(int rows, int cols, int offset, I indices, B source, B target);
}
