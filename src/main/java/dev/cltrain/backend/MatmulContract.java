package dev.cltrain.backend;

/**
 * The kernel contract's part for matmul.cl: the matrix products; each keeps a launch of its own (a tuned plan), so
 * each is abstract. One method per kernel of the file, written and documented as {@link Kernels} says (it extends
 * this interface, as it does every family's); a kernel added to matmul.cl gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface MatmulContract<B, I> extends KernelLauncher {
  /**
   * matmul.cl: c(m,n) = alpha · a(m,k) · b(k,n).
   *
   * @param m rows of a and c
   * @param n columns of b and c
   * @param k columns of a, rows of b: the length of each sum
   * @param alpha scale applied to each finished sum
   * @param a the left operand, m×k
   * @param b the right operand, k×n
   * @param c receives the m×n product (overwritten, not accumulated)
   */
  void matmul(int m, int n, int k, float alpha, B a, B b, B c);

  /**
   * matmul.cl: c(m,n) = alpha · a(k,m)ᵀ · b(k,n); the weight gradient dW = a_prevᵀ · dz / batch.
   *
   * @param m columns of a, rows of c
   * @param n columns of b and c
   * @param k rows of a and b: the length of each sum
   * @param alpha scale applied to each finished sum
   * @param a the left operand, stored k×m and read transposed
   * @param b the right operand, k×n
   * @param c receives the m×n product (overwritten)
   */
  void matmulTransposeA(int m, int n, int k, float alpha, B a, B b, B c);

  /**
   * matmul.cl: c(m,n) = alpha · a(m,k) · b(n,k)ᵀ; the delta passed back a layer, dz · Wᵀ.
   *
   * @param m rows of a and c
   * @param n rows of b, columns of c
   * @param k columns of a and b: the length of each sum
   * @param alpha scale applied to each finished sum
   * @param a the left operand, m×k
   * @param b the right operand, stored n×k and read transposed
   * @param c receives the m×n product (overwritten)
   */
  void matmulTransposeB(int m, int n, int k, float alpha, B a, B b, B c);

  /**
   * matmul.cl: a(m,n) = f(x(m,k) · w(k,n) + bias): matmul then biasActivation in one kernel, the same bits.
   *
   * @param m rows: the batch
   * @param n the layer's outputs
   * @param k the layer's inputs
   * @param activation the activation code of f
   * @param x the layer's input, m×k
   * @param w the weights, k×n
   * @param bias the biases, n, broadcast over rows
   * @param a receives the layer's output, m×n
   */
  void matmulBiasActivation(int m, int n, int k, int activation, B x, B w, B bias, B a);

  /**
   * matmul.cl: dz(m,n) = (d(m,k) · w(n,k)ᵀ) ⊙ f'(a(m,n)): matmulTransposeB then activationDelta in one kernel.
   *
   * @param m rows: the batch
   * @param n this layer's outputs (the next layer's inputs)
   * @param k the next layer's outputs
   * @param activation the activation code of this layer's f
   * @param d the next layer's delta, m×k
   * @param w the next layer's weights, n×k, read transposed
   * @param a this layer's output, m×n, from which f' is taken
   * @param dz receives this layer's delta, m×n
   */
  void matmulTransposeBDelta(int m, int n, int k, int activation, B d, B w, B a, B dz);
}
