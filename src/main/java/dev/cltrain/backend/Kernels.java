package dev.cltrain.backend;

import java.util.List;

/**
 * THE list of kernels: one method per OpenCL kernel in {@code kernels/*.cl}, with the kernel's name in
 * camelCase and its parameters in the same order with the same names (KernelSignatureTest keeps them in
 * step). Sizes first, then scalars, then inputs, then outputs. All matrices are row-major float32.
 * {@link dev.cltrain.reference.ReferenceKernels} runs each as a plain Java loop;
 * {@link dev.cltrain.opencl.OpenClKernels} enqueues the kernel.
 * Activation codes are {@code Activation.code}: 0 identity, 1 sigmoid, 2 tanh, 3 relu (prelude.cl's ACT_ names).
 *
 * <p>The {@code *UpdateLayers} kernels update up to {@link #SEGMENTS} parameter arrays in one launch. Their
 * kernels declare one argument per slot, {@code count0 … count7}, {@code dw0 … dw7} and so on; the Java method
 * takes each such group as one array or list named without the digit ({@code count}, {@code dw}), holding one
 * entry per slot used (1 to {@link #SEGMENTS}, every group the same length). KernelSignatureTest expands an
 * array or list parameter {@code x} to {@code x0 … x7} when it compares names. A record parameter stands for
 * its components, in order, a record within one for its own: {@link AdamConstants} {@code adam} for the
 * kernel's {@code beta1, beta2, epsilon}, {@link SmallNetOptimizer} {@code optimizer} for {@code optimizer,
 * momentum, beta1, beta2, epsilon}.
 *
 * <p><b>Adding a plain kernel</b> (one launch over a {@link Range}, arguments as declared): write it in a
 * {@code kernels/*.cl} file, then add ONE {@code default} method here, named as the kernel in camelCase, whose
 * body states the kernel once: {@code launch("kernel_name", Range.items(count), count, …)} with the range and
 * every parameter in the kernel's order (a record parameter as its components). The OpenCL backend then needs no
 * edit: {@link #launch} finds the kernel by name in the built programs and sets the arguments by type; a new .cl
 * file joins {@link #FILES}. The reference overrides every method with its twin, the same loop
 * in Java (the family's file in {@code reference/}: see {@code ReferenceKernels}), and never launches by name.
 * KernelSignatureTest checks each default method's name and argument order against the compiled kernel and
 * that the reference overrides it; KernelsVsReferenceTest compares the bits once train/KernelCases has a case.
 * Kernels with launches of their own (the matmul plans, train_small, the {@code *_layers} segments) stay
 * abstract, each backend writing its launch.
 *
 * @param <B> a float buffer: {@code float[]} on the reference, a device buffer on OpenCL
 * @param <I> an int buffer (row indices): {@code int[]} on the reference, a device buffer on OpenCL
 */
public interface Kernels<B, I> {
  /**
   * The kernel files this contract's kernels live in, one per concern, in build order (prelude.cl is prepended to
   * each, not built on its own): a new .cl file joins here, and the OpenCL backend builds it with the others.
   */
  List<String> FILES = List.of("matmul.cl", "activation.cl", "loss.cl", "update.cl", "batch.cl", "small_net.cl",
      "conv.cl", "augment.cl", "batchnorm.cl", "residual.cl", "sequence1d.cl", "recurrent.cl", "conv_backward.cl",
      "conv_direct.cl");

  /** Parameter arrays one {@code *UpdateLayers} launch takes at most: the kernels' slots 0..7. */
  int SEGMENTS = 8;

  /**
   * Elements per partial sum of the blocked reductions (update.cl's square_sums, batchnorm.cl's per-channel sums;
   * built in as NORM_BLOCK): fixed, it decides the rounding.
   */
  int NORM_BLOCK = 256;

  /**
   * Neighbouring channels one work-item of batchnorm.cl's block sums and element-wise kernels takes at a time, as
   * one vector (built in as NORM_LANES): each lane keeps its channel's order, so it changes no bits, only the
   * ranges.
   */
  int NORM_LANES = 8;

  /**
   * The launch primitive every plain kernel's default method calls: enqueue {@code kernel} over {@code range}
   * with {@code args} set in order. The reference runs twins instead and throws here.
   *
   * @param kernel the kernel's name in its .cl file, e.g. "bias_activation"
   * @param range the work-items
   * @param args the kernel's arguments in its declared order: Integer for int, Float for float, a B or I buffer
   * @throws UnsupportedOperationException on a backend that does not launch kernels by name (the reference)
   */
  void launch(String kernel, Range range, Object... args);

  /** The name of {@link #launch}: the one method here that stands for no kernel (tests and Profiled skip it). */
  String LAUNCH = "launch";

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

  /**
   * activation.cl: a(rows,cols) = f(z + bias), bias broadcast over rows; z and a may be the same buffer.
   *
   * @param rows rows of z and a
   * @param cols columns of z and a, and the length of bias
   * @param activation the activation code of f
   * @param z the pre-activations, rows×cols
   * @param bias the biases, cols
   * @param a receives the activations, rows×cols
   */
  default void biasActivation(int rows, int cols, int activation, B z, B bias, B a) {
    launch("bias_activation", Range.items((long) rows * cols), rows, cols, activation, z, bias, a);
  }

  /**
   * activation.cl: dz(count) = dz ⊙ f'(a), in place (dz holds dz_next · Wᵀ on entry).
   *
   * @param count elements of a and dz
   * @param activation the activation code of f
   * @param a the layer's output, from which f' is taken
   * @param dz the incoming gradient on entry, the layer's delta on return
   */
  default void activationDelta(int count, int activation, B a, B dz) {
    launch("activation_delta", Range.items(count), count, activation, a, dz);
  }

  /**
   * activation.cl: p(rows,cols) = softmax(z + bias) along each row, max subtracted first.
   *
   * @param rows rows of z and p
   * @param cols columns of z and p (the classes), and the length of bias
   * @param z the pre-activations, rows×cols
   * @param bias the biases, cols
   * @param p receives the probabilities, rows×cols, each row summing to 1
   */
  default void biasSoftmax(int rows, int cols, B z, B bias, B p) {
    launch("bias_softmax", Range.items(rows), rows, cols, z, bias, p);
  }

  /**
   * loss.cl: dz(count) = (a − y) · f'(a).
   *
   * @param count elements of a, y and dz (rows · cols)
   * @param activation the activation code of the output layer's f
   * @param a the output layer's activations
   * @param y the targets
   * @param dz receives the output layer's delta
   */
  default void mseDelta(int count, int activation, B a, B y, B dz) {
    launch("mse_delta", Range.items(count), count, activation, a, y, dz);
  }

  /**
   * loss.cl: dz(count) = p − y.
   *
   * @param count elements of p, y and dz (rows · cols)
   * @param p the softmax probabilities
   * @param y the targets (one-hot)
   * @param dz receives the output layer's delta
   */
  default void xentDelta(int count, B p, B y, B dz) {
    launch("xent_delta", Range.items(count), count, p, y, dz);
  }

  /**
   * loss.cl: loss[slot] = mean over count of ½(a − y)².
   *
   * @param count elements of a and y (rows · cols)
   * @param slot the element of loss written; every batch of an epoch has its own, read back once
   * @param a the output layer's activations
   * @param y the targets
   * @param loss receives the mean at index slot; other elements are left alone
   */
  default void mseLoss(int count, int slot, B a, B y, B loss) {
    launch("mse_loss", Range.reduceGroup(), count, slot, a, y, loss);
  }

  /**
   * loss.cl: loss[slot] = mean over rows of −Σ y·log(max(p, FLT_MIN)).
   *
   * @param rows rows of p and y
   * @param cols columns of p and y (the classes)
   * @param slot the element of loss written; every batch of an epoch has its own, read back once
   * @param p the softmax probabilities, rows×cols
   * @param y the targets, rows×cols
   * @param loss receives the mean at index slot; other elements are left alone
   */
  default void xentLoss(int rows, int cols, int slot, B p, B y, B loss) {
    launch("xent_loss", Range.reduceGroup(), rows, cols, slot, p, y, loss);
  }

  /**
   * loss.cl: correct[slot] = rows whose argmax (one column: side of 0.5) matches the target's.
   *
   * @param rows rows of a and y
   * @param cols columns of a and y; with 1, a row is correct when a and y are on the same side of 0.5
   * @param slot the element of correct written; every batch of an epoch has its own, read back once
   * @param a the predictions, rows×cols
   * @param y the targets, rows×cols
   * @param correct receives the count, as a float, at index slot; other elements are left alone
   */
  default void countCorrect(int rows, int cols, int slot, B a, B y, B correct) {
    launch("count_correct", Range.reduceGroup(), rows, cols, slot, a, y, correct);
  }

  /**
   * update.cl: sums(cols) = scale · Σ over rows of x(rows, cols).
   *
   * @param rows rows of x, summed in ascending order
   * @param cols columns of x, and the length of sums
   * @param scale applied to each finished sum, e.g. 1/batch for the bias gradient
   * @param x the matrix summed, rows×cols
   * @param sums receives the scaled column sums, cols
   */
  default void columnSum(int rows, int cols, float scale, B x, B sums) {
    launch("column_sum", Range.chunks(cols), rows, cols, scale, x, sums);
  }

  /**
   * update.cl: w(count) −= learningRate · (dw + weightDecay · w).
   *
   * @param count elements of dw and w
   * @param learningRate the step size η
   * @param weightDecay the L2 factor λ added to the gradient (0 for biases)
   * @param dw the gradient
   * @param w the parameters, updated in place
   */
  default void sgdUpdate(int count, float learningRate, float weightDecay, B dw, B w) {
    launch("sgd_update", Range.items(count), count, learningRate, weightDecay, dw, w);
  }

  /**
   * update.cl: velocity = momentum · velocity + g; w −= learningRate · velocity; g = dw + weightDecay · w. Flush: a new
   * velocity of magnitude below {@link Float#MIN_NORMAL} (FLT_MIN), a subnormal or −0, is stored as +0.
   *
   * @param count elements of dw, velocity and w
   * @param learningRate the step size η
   * @param momentum the factor μ that carries the velocity over
   * @param weightDecay the L2 factor λ added to the gradient (0 for biases)
   * @param dw the gradient
   * @param velocity the optimizer's velocity, updated in place
   * @param w the parameters, updated in place
   */
  default void momentumUpdate(int count, float learningRate, float momentum, float weightDecay, B dw, B velocity, B w) {
    launch("momentum_update", Range.items(count), count, learningRate, momentum, weightDecay, dw, velocity, w);
  }

  /**
   * update.cl: one bias-corrected Adam step; correction1 = 1 − beta1ᵗ, correction2 = 1 − beta2ᵗ. Flush: a new
   * m or v of magnitude below {@link Float#MIN_NORMAL} (FLT_MIN), a subnormal or −0, is stored as +0, before
   * the step uses it.
   *
   * @param count elements of dw, m, v and w
   * @param learningRate the step size η
   * @param adam β1 (decay of the first-moment average), β2 (of the second) and ε (added to the square root of
   *     the corrected second moment): the kernel's beta1, beta2, epsilon
   * @param weightDecay the L2 factor λ added to the gradient (0 for biases)
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw the gradient
   * @param m the first-moment average, updated in place
   * @param v the second-moment average, updated in place
   * @param w the parameters, updated in place
   */
  default void adamUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, B dw, B m, B v, B w) {
    launch("adam_update", Range.items(count), count, learningRate, adam.beta1(), adam.beta2(), adam.epsilon(),
        weightDecay, correction1, correction2, dw, m, v, w);
  }

  /**
   * update.cl: {@link #sgdUpdate} on up to {@link #SEGMENTS} parameter arrays in one launch; slot s is
   * {@code sgdUpdate(count[s], learningRate, weightDecay[s], dw.get(s), w.get(s))}, to the bit.
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param weightDecay each slot's L2 factor λ (0 for biases); as many entries as count
   * @param dw each slot's gradient; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void sgdUpdateLayers(int[] count, float learningRate, float[] weightDecay, List<B> dw,
      List<B> w);

  /**
   * update.cl: {@link #momentumUpdate} on up to {@link #SEGMENTS} parameter arrays in one launch; slot s is
   * {@code momentumUpdate(count[s], learningRate, momentum, weightDecay[s], dw.get(s), velocity.get(s),
   * w.get(s))}, to the bit (velocities flushed the same way).
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param momentum the factor μ that carries the velocity over
   * @param weightDecay each slot's L2 factor λ (0 for biases); as many entries as count
   * @param dw each slot's gradient; as many entries as count
   * @param velocity each slot's velocity, updated in place; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void momentumUpdateLayers(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<B> dw, List<B> velocity, List<B> w);

  /**
   * update.cl: {@link #adamUpdate} on up to {@link #SEGMENTS} parameter arrays in one launch; slot s is
   * {@code adamUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2,
   * dw.get(s), m.get(s), v.get(s), w.get(s))}, to the bit (moments flushed the same way).
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param adam β1, β2 and ε, as {@link #adamUpdate}'s
   * @param weightDecay each slot's L2 factor λ (0 for biases); as many entries as count
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw each slot's gradient; as many entries as count
   * @param m each slot's first-moment average, updated in place; as many entries as count
   * @param v each slot's second-moment average, updated in place; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void adamUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<B> dw, List<B> m, List<B> v, List<B> w);

  /**
   * batch.cl: target(rows,cols) = source rows indices[offset .. offset + rows).
   *
   * @param rows rows gathered: the batch
   * @param cols columns of source and target
   * @param offset the first element of indices used
   * @param indices row numbers into source, e.g. an epoch's shuffled order
   * @param source the whole data set, row-major with cols columns
   * @param target receives the gathered rows, rows×cols
   */
  default void gatherRows(int rows, int cols, int offset, I indices, B source, B target) {
    launch("gather_rows", Range.grid(cols, rows), rows, cols, offset, indices, source, target);
  }

  /**
   * small_net.cl: {@code epochs} full-batch epochs of a small network in one launch, each what Backprop's
   * layer-by-layer iteration computes (forward, loss and correct count at the last epoch when {@code stats},
   * backward, update), bit for bit; one work-group keeps everything in local memory. The caller checks that
   * the network fits (see {@code OpenClKernels.smallNetFloats}).
   *
   * @param layers L, the network's layers
   * @param rows the training set's rows: the whole batch
   * @param epochs epochs (backprop iterations) to run
   * @param crossEntropy 1: softmax output and cross-entropy (xent_delta, xent_loss); 0: mean squared error
   * @param stats 1: the last epoch's loss into loss[0] and correct count into correct[0] (as mse_loss or
   *     xent_loss and count_correct at slot 0), 0: neither is written
   * @param scale 1/rows as the host computes it: the gradients' alpha and column_sum's scale
   * @param learningRate the step size η
   * @param weightDecay the L2 factor λ for weights (biases take 0)
   * @param optimizer the rule (its code) and its constants: the kernel's optimizer, momentum, beta1, beta2, epsilon
   * @param shape widths[0..L] (inputs first), then the activation codes of layers 1..L (−1 softmax)
   * @param corrections Adam's (1 − β1ᵗ, 1 − β2ᵗ) for each epoch's step t, two floats per epoch (read for adam only)
   * @param x the inputs, rows × widths[0]
   * @param y the targets, rows × widths[L]
   * @param params per layer its weights (inputs × outputs, row-major) then its biases; updated in place
   * @param state the optimizer's buffers (none, velocity, or m then v), each laid out as params; updated in place
   * @param loss receives the last epoch's mean loss at index 0 when stats is 1
   * @param correct receives the last epoch's correct count at index 0 when stats is 1
   */
  void trainSmall(int layers, int rows, int epochs, int crossEntropy, int stats, float scale, float learningRate,
      float weightDecay, SmallNetOptimizer optimizer, I shape, B corrections, B x, B y, B params, B state, B loss,
      B correct);

  /**
   * conv.cl: col(rows·outHeight·outWidth, kernel·kernel·channels) = the input's patches, one row per output
   * pixel (sample-major, then oy, then ox), column (ky·kernel + kx)·channels + c holding
   * x[n, oy·stride + ky − padTop, ox·stride + kx − padLeft, c], or 0 where that lies outside the input.
   * x is rows × (height·width·channels), HWC per row.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels the input's channels
   * @param kernelSize k, the patch's side (OpenCL C reserves the word kernel)
   * @param stride s
   * @param padTop zero rows above the input
   * @param padLeft zero columns left of the input
   * @param outHeight output rows of pixels
   * @param outWidth output columns of pixels
   * @param x the input, rows × height·width·channels
   * @param col receives the patches, rows·outHeight·outWidth × kernel·kernel·channels
   */
  default void im2col(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop, int padLeft,
      int outHeight, int outWidth, B x, B col) {
    launch("im2col", Range.items(rows * outHeight * outWidth), rows, height, width, channels, kernelSize, stride,
        padTop, padLeft, outHeight, outWidth, x, col);
  }

  /**
   * conv.cl: dx = the sum of every patch value's gradient back at the input pixel it was read from (the
   * adjoint of {@link #im2col}); each dx element sums its contributions in ascending ky, then kx, order (a
   * gather: no atomics, the same bits everywhere). Elements no patch reads get 0.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels the input's channels
   * @param kernelSize k, the patch's side (OpenCL C reserves the word kernel)
   * @param stride s
   * @param padTop zero rows above the input
   * @param padLeft zero columns left of the input
   * @param outHeight output rows of pixels
   * @param outWidth output columns of pixels
   * @param col the patches' gradient, rows·outHeight·outWidth × kernel·kernel·channels
   * @param dx receives the input's gradient, rows × height·width·channels (overwritten)
   */
  default void col2im(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop, int padLeft,
      int outHeight, int outWidth, B col, B dx) {
    launch("col2im", Range.items(rows * height * width), rows, height, width, channels, kernelSize, stride, padTop,
        padLeft, outHeight, outWidth, col, dx);
  }

  /**
   * conv.cl: y = the maximum of each pool×pool window (stride pool) of each channel; output
   * (height/pool) × (width/pool) × channels per sample, rounded down. A NaN in a window is not propagated
   * unless it is the window's first value (comparisons are {@code v > best}).
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels channels
   * @param pool p, the window's side and stride
   * @param x the input, rows × height·width·channels
   * @param y receives the maxima, rows × (height/p)·(width/p)·channels
   */
  default void maxPool(int rows, int height, int width, int channels, int pool, B x, B y) {
    launch("max_pool", Range.items(rows * (height / pool) * (width / pool)), rows, height, width, channels, pool, x, y);
  }

  /**
   * conv.cl: dx = dy routed to each window's first maximum in row-major order (ky, then kx; {@code v > best}
   * as {@link #maxPool}), 0 elsewhere and outside every window.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels channels
   * @param pool p, the window's side and stride
   * @param x the pool's input, rows × height·width·channels (the maximum is found again)
   * @param dy the output's gradient, rows × (height/p)·(width/p)·channels
   * @param dx receives the input's gradient, rows × height·width·channels (overwritten)
   */
  default void maxPoolBackward(int rows, int height, int width, int channels, int pool, B x, B dy, B dx) {
    launch("max_pool_backward", Range.items(rows * Range.windows(height, pool) * Range.windows(width, pool)), rows,
        height, width, channels, pool, x, dy, dx);
  }

  /**
   * conv.cl: y = the mean of each pool×pool window (stride pool) of each channel: the window summed in
   * row-major order, then multiplied by 1/(pool·pool) as a float.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels channels
   * @param pool p, the window's side and stride
   * @param x the input, rows × height·width·channels
   * @param y receives the means, rows × (height/p)·(width/p)·channels
   */
  default void avgPool(int rows, int height, int width, int channels, int pool, B x, B y) {
    launch("avg_pool", Range.items(rows * (height / pool) * (width / pool)), rows, height, width, channels, pool, x, y);
  }

  /**
   * conv.cl: dx = dy · 1/(pool·pool) at every element of the window, 0 outside every window.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels channels
   * @param pool p, the window's side and stride
   * @param dy the output's gradient, rows × (height/p)·(width/p)·channels
   * @param dx receives the input's gradient, rows × height·width·channels (overwritten)
   */
  default void avgPoolBackward(int rows, int height, int width, int channels, int pool, B dy, B dx) {
    launch("avg_pool_backward", Range.items(rows * Range.windows(height, pool) * Range.windows(width, pool)), rows,
        height, width, channels, pool, dy, dx);
  }

  /**
   * conv.cl: inverted dropout, y[i] = x[i] · scale where kept, else 0; x and y may be the same buffer. Value i
   * is kept when (r >>> 8) ≥ threshold, r the first word of Philox-4×32-10 with key (seedLo, seedHi) and
   * counter (i, stepLo, stepHi, stream): a pure function of seed, step, stream and index, so that the
   * backward pass (the same call on the gradient) and every device drop the same values.
   *
   * @param count elements of x and y
   * @param threshold round(rate · 2²⁴): the 24-bit draw a kept value reaches
   * @param scale 1/(1 − rate) as a float
   * @param seedLo the seed's low 32 bits
   * @param seedHi the seed's high 32 bits
   * @param stepLo the optimizer step's low 32 bits
   * @param stepHi the optimizer step's high 32 bits
   * @param stream which dropout of the network (see {@code nn.Network}: dropout layers numbered in order)
   * @param x the values
   * @param y receives the kept and scaled values
   */
  default void dropout(int count, int threshold, float scale, int seedLo, int seedHi, int stepLo, int stepHi, int stream,
      B x, B y) {
    launch("dropout", Range.items(count), count, threshold, scale, seedLo, seedHi, stepLo, stepHi, stream, x, y);
  }

  /**
   * augment.cl: target(rows, height·width·channels) = the source rows s = indices[offset + r], each image (HWC)
   * flipped left to right (when flip ≠ 0 and its draw says so) and shifted by (dy, dx) in −pad..pad, zeros
   * shifted in: target(y, x, c) = source(y + dy, x' + dx, c), x' = width − 1 − x when flipped. The draws are
   * {@code reference.Philox.augmentDraw} of (s, epoch): the same image on every device and in any batch.
   *
   * @param rows rows gathered: the batch
   * @param height image rows
   * @param width image columns
   * @param channels values per pixel
   * @param pad the largest shift in pixels (0: no shift)
   * @param flip nonzero to flip half the images
   * @param seedLo the seed's low 32 bits
   * @param seedHi the seed's high 32 bits
   * @param epoch the epoch, from 0 (counter word 1)
   * @param offset the first element of indices used
   * @param indices row numbers into source, e.g. an epoch's shuffled order
   * @param source the whole data set, row-major, height·width·channels columns
   * @param target receives the augmented rows
   */
  default void gatherAugment(int rows, int height, int width, int channels, int pad, int flip, int seedLo, int seedHi,
      int epoch, int offset, I indices, B source, B target) {
    launch("gather_augment", Range.grid(height * width * channels, rows), rows, height, width, channels, pad, flip,
        seedLo, seedHi, epoch, offset, indices, source, target);
  }

  /**
   * augment.cl: {@link #gatherAugment}'s images from rows already gathered in order, as a streamed batch is read:
   * target row r is source row r flipped and shifted with the draws of sample {@code indices[offset + r]}, so
   * that streamed rows are augmented exactly as the same rows resident on the device.
   *
   * @param rows rows augmented: the batch
   * @param height image rows
   * @param width image columns
   * @param channels values per pixel
   * @param pad the largest shift in pixels (0: no shift)
   * @param flip nonzero to flip half the images
   * @param seedLo the seed's low 32 bits
   * @param seedHi the seed's high 32 bits
   * @param epoch the epoch, from 0 (counter word 1)
   * @param offset the first element of indices used
   * @param indices the rows' numbers in the data set (the draws' sample index), e.g. an epoch's shuffled order
   * @param source the batch's rows in order, height·width·channels columns
   * @param target receives the augmented rows
   */
  default void augmentRows(int rows, int height, int width, int channels, int pad, int flip, int seedLo, int seedHi,
      int epoch, int offset, I indices, B source, B target) {
    launch("augment_rows", Range.grid(height * width * channels, rows), rows, height, width, channels, pad, flip,
        seedLo, seedHi, epoch, offset, indices, source, target);
  }

  /**
   * update.cl: one AdamW step (decoupled weight decay, as torch.optim.AdamW orders it): first
   * w = w · (1 − learningRate · weightDecay), then {@link #adamUpdate}'s step on the decayed w with no L2 term
   * (weightDecay 0 there), to the bit. Moments flushed as Adam's.
   *
   * @param count elements of dw, m, v and w
   * @param learningRate the step size η
   * @param adam β1, β2 and ε, as {@link #adamUpdate}'s
   * @param weightDecay the decoupled factor λ (0 for biases unless every parameter decays)
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw the gradient
   * @param m the first-moment average, updated in place
   * @param v the second-moment average, updated in place
   * @param w the parameters, updated in place
   */
  default void adamwUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, B dw, B m, B v, B w) {
    launch("adamw_update", Range.items(count), count, learningRate, adam.beta1(), adam.beta2(), adam.epsilon(),
        weightDecay, correction1, correction2, dw, m, v, w);
  }

  /**
   * update.cl: {@link #adamwUpdate} on up to {@link #SEGMENTS} parameter arrays in one launch; slot s is
   * {@code adamwUpdate(count[s], learningRate, adam, weightDecay[s], correction1, correction2,
   * dw.get(s), m.get(s), v.get(s), w.get(s))}, to the bit.
   *
   * @param count elements of each slot's arrays (0 allowed); 1 to SEGMENTS entries
   * @param learningRate the step size η
   * @param adam β1, β2 and ε, as {@link #adamUpdate}'s
   * @param weightDecay each slot's decoupled factor λ; as many entries as count
   * @param correction1 1 − beta1ᵗ for step t ≥ 1, computed by the host
   * @param correction2 1 − beta2ᵗ for step t ≥ 1, computed by the host
   * @param dw each slot's gradient; as many entries as count
   * @param m each slot's first-moment average, updated in place; as many entries as count
   * @param v each slot's second-moment average, updated in place; as many entries as count
   * @param w each slot's parameters, updated in place; as many entries as count
   * @throws IllegalArgumentException when the groups' lengths differ or lie outside 1..SEGMENTS, or a count
   *     is negative
   */
  void adamwUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<B> dw, List<B> m, List<B> v, List<B> w);

  /**
   * update.cl: partials[first + b] = Σ x[i]² over block b of {@link #NORM_BLOCK} elements of x, i ascending, for
   * b = 0 … ⌈count / NORM_BLOCK⌉ − 1: the first step of gradient clipping, one launch per gradient array.
   *
   * @param count elements of x
   * @param first where this array's blocks start in partials
   * @param x the gradient array
   * @param partials receives the blocks' sums of squares
   */
  default void squareSums(int count, int first, B x, B partials) {
    launch("square_sums", Range.items((count + NORM_BLOCK - 1) / NORM_BLOCK), count, first, x, partials);
  }

  /**
   * update.cl: factor[0] = min(1, maxNorm / (√(Σ partials[0 … blocks)) + 1e-6)), the partials summed in
   * ascending order in float (torch.nn.utils.clip_grad_norm_'s coefficient; a NaN norm gives 1).
   *
   * @param blocks partial sums to add
   * @param maxNorm C, the largest global gradient norm kept
   * @param partials the sums of squares from {@link #squareSums}
   * @param factor receives the scale in its element 0
   */
  default void clipFactor(int blocks, float maxNorm, B partials, B factor) {
    launch("clip_factor", Range.items(1), blocks, maxNorm, partials, factor);
  }

  /**
   * update.cl: x(count) = x · factor[0].
   *
   * @param count elements of x
   * @param factor the scale, element 0 ({@link #clipFactor}'s)
   * @param x the array scaled in place
   */
  default void scaleBy(int count, B factor, B x) {
    launch("scale_by", Range.items(count), count, factor, x);
  }

  /**
   * batchnorm.cl: y(n, c) = (Σ over the pixels of x(n, p, c), in pixel order) / pixels.
   *
   * @param rows samples
   * @param pixels height·width of the input
   * @param channels channels
   * @param x the input, rows × pixels·channels (HWC)
   * @param y receives the means, rows × channels
   */
  default void globalAvgPool(int rows, int pixels, int channels, B x, B y) {
    launch("global_avg_pool", Range.items((long) rows * channels), rows, pixels, channels, x, y);
  }

  /**
   * batchnorm.cl: dx(n, p, c) = dy(n, c) / pixels.
   *
   * @param rows samples
   * @param pixels height·width of the input
   * @param channels channels
   * @param dy the output's gradient, rows × channels
   * @param dx receives the input's gradient, rows × pixels·channels (overwritten)
   */
  default void globalAvgPoolBackward(int rows, int pixels, int channels, B dy, B dx) {
    launch("global_avg_pool_backward", Range.items((long) rows * pixels * channels), rows, pixels, channels, dy, dx);
  }

  /**
   * {@return the partial sums a blocked per-channel reduction over {@code count} values takes: ⌈count /
   * NORM_BLOCK⌉ blocks}
   *
   * @param count values per channel
   */
  static int normBlocks(int count) {
    return (count + NORM_BLOCK - 1) / NORM_BLOCK;
  }

  /**
   * {@return the work-items across {@code channels} of batchnorm.cl's vector kernels (all but the finishing
   * ones): ⌈channels / NORM_LANES⌉}
   *
   * @param channels channels
   */
  static int normLanes(int channels) {
    return (channels + NORM_LANES - 1) / NORM_LANES;
  }

  /**
   * batchnorm.cl: partials(b, c) = Σ x(i, c) over block b of {@link #NORM_BLOCK} values, i ascending: the first
   * of the four launches of a training batch's statistics.
   *
   * @param count values per channel (rows · pixels)
   * @param channels channels
   * @param x the input, count × channels
   * @param partials receives {@link #normBlocks}(count) × channels sums
   */
  default void batchNormSums(int count, int channels, B x, B partials) {
    launch("batch_norm_sums", Range.grid(normLanes(channels), normBlocks(count)), count, channels, x, partials);
  }

  /**
   * batchnorm.cl: mean(c) = (Σ_b partials(b, c), b ascending) / count.
   *
   * @param count values per channel
   * @param channels channels
   * @param partials {@link #batchNormSums}'s
   * @param mean receives the batch means, channels
   */
  default void batchNormMean(int count, int channels, B partials, B mean) {
    launch("batch_norm_mean", Range.items(channels), count, channels, partials, mean);
  }

  /**
   * batchnorm.cl: partials(b, c) = Σ (x(i, c) − mean(c))² over block b, i ascending.
   *
   * @param count values per channel
   * @param channels channels
   * @param x the input, count × channels
   * @param mean the batch means ({@link #batchNormMean})
   * @param partials receives {@link #normBlocks}(count) × channels sums
   */
  default void batchNormSquares(int count, int channels, B x, B mean, B partials) {
    launch("batch_norm_squares", Range.grid(normLanes(channels), normBlocks(count)), count, channels, x, mean, partials);
  }

  /**
   * batchnorm.cl: per channel, S = Σ_b partials(b, c) (b ascending), the biased variance S / count; the running
   * statistics move by {@code momentum} towards the mean and the unbiased variance S / (count − 1) (0 for count
   * 1), as PyTorch's BatchNorm.
   *
   * @param count values per channel
   * @param channels channels
   * @param momentum m: running = (1 − m)·running + m·batch
   * @param partials {@link #batchNormSquares}'s
   * @param mean the batch means
   * @param variance receives the biased batch variances, channels
   * @param runningMean the running means, updated in place
   * @param runningVariance the running variances, updated in place
   */
  default void batchNormStatistics(int count, int channels, float momentum, B partials, B mean, B variance,
      B runningMean, B runningVariance) {
    launch("batch_norm_statistics", Range.items(channels), count, channels, momentum, partials, mean, variance,
        runningMean, runningVariance);
  }

  /**
   * batchnorm.cl: y = f(γ·((x − mean)·inv) + β), inv = 1 / sqrt(variance + ε), per channel.
   *
   * @param count values per channel
   * @param channels channels
   * @param activation f's code ({@code nn.Activation#code})
   * @param epsilon ε
   * @param x the input, count × channels
   * @param mean per channel
   * @param variance per channel
   * @param gamma γ, per channel
   * @param beta β, per channel
   * @param y receives the output, count × channels
   */
  default void batchNormForward(int count, int channels, int activation, float epsilon, B x, B mean, B variance, B gamma,
      B beta, B y) {
    launch("batch_norm_forward", Range.grid(normLanes(channels), count), count, channels, activation, epsilon, x, mean, variance,
        gamma, beta, y);
  }

  /**
   * batchnorm.cl: partials(b, c) = Σ dy and partials(b, channels + c) = Σ dy·x̂ over block b, i ascending (x̂ =
   * (x − mean)·inv): the first of the backward pass's two launches.
   *
   * @param count values per channel
   * @param channels channels
   * @param epsilon ε
   * @param x the forward pass's input, count × channels
   * @param mean the batch means
   * @param variance the batch variances
   * @param dy the gradient after the activation's slope, count × channels
   * @param partials receives {@link #normBlocks}(count) × 2·channels sums
   */
  default void batchNormGradientSums(int count, int channels, float epsilon, B x, B mean, B variance, B dy,
      B partials) {
    launch("batch_norm_gradient_sums", Range.grid(normLanes(channels), normBlocks(count)), count, channels, epsilon, x, mean,
        variance, dy, partials);
  }

  /**
   * batchnorm.cl: per channel, sums = (Σ_b Σ dy, Σ_b Σ dy·x̂), b ascending, dgamma = scale·Σ dy·x̂, dbeta = scale·Σ dy.
   *
   * @param count values per channel
   * @param channels channels
   * @param scale what the parameter gradients are scaled by (1 / batch rows)
   * @param partials {@link #batchNormGradientSums}'s
   * @param sums receives Σ dy (channels) then Σ dy·x̂ (channels)
   * @param dgamma receives γ's gradient
   * @param dbeta receives β's gradient
   */
  default void batchNormBackward(int count, int channels, float scale, B partials, B sums, B dgamma, B dbeta) {
    launch("batch_norm_backward", Range.items(channels), count, channels, scale, partials, sums, dgamma, dbeta);
  }

  /**
   * batchnorm.cl: dx = γ·inv·((dy − Σdy / count) − x̂·(Σdy·x̂ / count)), the batch statistics' own gradient included.
   *
   * @param count values per channel
   * @param channels channels
   * @param epsilon ε
   * @param x the forward pass's input
   * @param mean the batch means
   * @param variance the batch variances
   * @param gamma γ
   * @param dy the gradient after the activation's slope
   * @param sums {@link #batchNormBackward}'s sums
   * @param dx receives the input's gradient, count × channels
   */
  default void batchNormBackwardInput(int count, int channels, float epsilon, B x, B mean, B variance, B gamma, B dy, B sums,
      B dx) {
    launch("batch_norm_backward_input", Range.grid(normLanes(channels), count), count, channels, epsilon, x, mean, variance, gamma,
        dy, sums, dx);
  }

  /**
   * residual.cl: out(count) = f(x + y), f the activation code (identity: the plain sum). A residual block's
   * output, and its input gradient: the inner branch's (x) plus the shortcut's (y).
   *
   * @param count elements
   * @param activation f's code (Activation.code; not softmax)
   * @param x the first addend (the inner branch)
   * @param y the second addend (the shortcut)
   * @param out the result
   */
  default void residualAdd(int count, int activation, B x, B y, B out) {
    launch("residual_add", Range.items(count), count, activation, x, y, out);
  }

  /**
   * residual.cl: g(count) = g ⊙ f'(out) in place, and copy = the same values.
   *
   * @param count elements
   * @param activation f's code (Activation.code; not softmax)
   * @param out the block's output, f(sum)
   * @param g the gradient with respect to the output on entry, with respect to the sum on return
   * @param copy receives the gradient with respect to the sum
   */
  default void residualDelta(int count, int activation, B out, B g, B copy) {
    launch("residual_delta", Range.items(count), count, activation, out, g, copy);
  }

  /**
   * sequence1d.cl: col(rows·outSteps, kernelSize·features) = each output step's window of kernelSize input steps
   * (zeros where the window reaches into the padding): the patches of a 1-D convolution over T×1×F samples.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, the input's features per step
   * @param kernelSize k, the window's steps (OpenCL C reserves the word kernel)
   * @param stride s
   * @param padLeft zero steps before the input
   * @param outSteps output steps
   * @param x the input, rows × steps·features
   * @param col receives the windows, rows·outSteps × kernelSize·features
   */
  default void im2col1d(int rows, int steps, int features, int kernelSize, int stride, int padLeft, int outSteps,
      B x, B col) {
    launch("im2col1d", Range.items((long) rows * outSteps), rows, steps, features, kernelSize, stride, padLeft,
        outSteps, x, col);
  }

  /**
   * sequence1d.cl: dx = the sum of every window value's gradient back at the input step it was read from (the
   * adjoint of {@link #im2col1d}), each element's contributions in ascending k; 0 where no window reads.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, the input's features per step
   * @param kernelSize k, the window's steps
   * @param stride s
   * @param padLeft zero steps before the input
   * @param outSteps output steps
   * @param col the windows' gradient, rows·outSteps × kernelSize·features
   * @param dx receives the input's gradient, rows × steps·features (overwritten)
   */
  default void col2im1d(int rows, int steps, int features, int kernelSize, int stride, int padLeft, int outSteps,
      B col, B dx) {
    launch("col2im1d", Range.items((long) rows * steps), rows, steps, features, kernelSize, stride, padLeft,
        outSteps, col, dx);
  }

  /**
   * sequence1d.cl: y = the maximum of each window of pool steps (stride pool; the steps past the last whole
   * window are left out), per feature, the first maximum kept.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, features per step
   * @param pool P, the window's steps and the stride
   * @param x the input, rows × steps·features
   * @param y receives rows × (steps / pool)·features
   */
  default void maxPool1d(int rows, int steps, int features, int pool, B x, B y) {
    launch("max_pool1d", Range.items((long) rows * (steps / pool)), rows, steps, features, pool, x, y);
  }

  /**
   * sequence1d.cl: dx = dy at each window's first maximum (as {@link #maxPool1d} finds it), else 0; every dx
   * element written.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, features per step
   * @param pool P, the window's steps and the stride
   * @param x the forward pass's input
   * @param dy the output's gradient, rows × (steps / pool)·features
   * @param dx receives the input's gradient, rows × steps·features (overwritten)
   */
  default void maxPool1dBackward(int rows, int steps, int features, int pool, B x, B dy, B dx) {
    launch("max_pool1d_backward", Range.items((long) rows * steps), rows, steps, features, pool, x, dy, dx);
  }

  /**
   * recurrent.cl: lengths(n) = the index of the first 0 id of row n (padding), else steps.
   *
   * @param rows samples
   * @param steps ids per row
   * @param ids the rows' token ids, rows × steps
   * @param lengths receives each row's length, as a float
   */
  default void sequenceLengths(int rows, int steps, B ids, B lengths) {
    launch("sequence_lengths", Range.items(rows), rows, steps, ids, lengths);
  }

  /**
   * recurrent.cl: one LSTM step t of every row: a = gates + b_ih + product + b_hh per gate (i, f, g, o), product
   * being h_{t−1}·W_hhᵀ (a matmul before the step); c = σ(a_f)·c_{t−1} + σ(a_i)·tanh(a_g), h = σ(a_o)·tanh(c); a
   * step at or past the row's length carries c and h.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step, 0 to T − 1 (the steps before it done)
   * @param sequence 1: out holds every step's h (0 past the length), 0: the last step's
   * @param inputBias b_ih, 4H
   * @param recurrentBias b_hh, 4H
   * @param lengths each row's length (float)
   * @param product rows × 4H: h_{t−1}·W_hhᵀ (read at t &gt; 0 only; the state is 0 before step 0)
   * @param gates rows × T × 4H: x·W_ihᵀ in; step t's slice gets the activated gates (0 past the length)
   * @param cells rows × T × H: receives c_t
   * @param states rows × T × H: h_{t−1} per step; receives h_t at step t + 1 (and 0 at step 0)
   * @param state rows × H: receives h_t, the next step's product operand
   * @param out receives h: rows × T × H with sequence, else rows × H at the last step
   */
  default void lstmStep(int rows, int steps, int hidden, int t, int sequence, B inputBias, B recurrentBias,
      B lengths, B product, B gates, B cells, B states, B state, B out) {
    launch("lstm_step", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, inputBias,
        recurrentBias, lengths, product, gates, cells, states, state, out);
  }

  /**
   * recurrent.cl: backpropagation through LSTM step t (run from T − 1 down to 0): dh = stateGradient + carry +
   * dy_t, stateGradient being dgates_{t+1}·W_hh (a matmul after step t + 1); step t's gates become the gradients of
   * their pre-activations, copied to stepGradients; dcell and carry pass to step t − 1.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step
   * @param sequence as the forward pass's
   * @param lengths each row's length
   * @param cells the forward pass's c
   * @param dy the output's gradient (rows × T × H with sequence, else rows × H)
   * @param stateGradient rows × H: dgates_{t+1}·W_hh (read before the last step only)
   * @param gates the forward pass's activated gates in, step t's gradients out (steps after t: gradients)
   * @param dcell rows × H: c_t's gradient in (read past the last step only), c_{t−1}'s out
   * @param carry rows × H: the state's gradient passed by a masked step, in and out
   * @param stepGradients rows × 4H: receives step t's gate gradients, the next product's operand
   */
  default void lstmStepBackward(int rows, int steps, int hidden, int t, int sequence, B lengths, B cells, B dy,
      B stateGradient, B gates, B dcell, B carry, B stepGradients) {
    launch("lstm_step_backward", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, lengths,
        cells, dy, stateGradient, gates, dcell, carry, stepGradients);
  }

  /**
   * recurrent.cl: one GRU step t of every row, product being h_{t−1}·W_hhᵀ (a matmul before the step): r, z =
   * σ(gates + b_i + product + b_h), n = tanh(gates_n + b_in + r·(product_n + b_hn)), h = (1 − z)·n + z·h_{t−1}; a
   * step at or past the row's length carries h.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step
   * @param sequence 1: out holds every step's h (0 past the length), 0: the last step's
   * @param inputBias b_ih, 3H
   * @param recurrentBias b_hh, 3H
   * @param lengths each row's length
   * @param product rows × 3H: h_{t−1}·W_hhᵀ (read at t &gt; 0 only)
   * @param gates rows × T × 3H: x·W_ihᵀ in; step t's slice gets r, z, n
   * @param news rows × T × H: receives W_hn·h_{t−1} + b_hn
   * @param states rows × T × H: h_{t−1} per step; receives h_t at step t + 1 (and 0 at step 0)
   * @param state rows × H: receives h_t, the next step's product operand
   * @param out receives h, as {@link #lstmStep}'s
   */
  default void gruStep(int rows, int steps, int hidden, int t, int sequence, B inputBias, B recurrentBias,
      B lengths, B product, B gates, B news, B states, B state, B out) {
    launch("gru_step", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, inputBias,
        recurrentBias, lengths, product, gates, news, states, state, out);
  }

  /**
   * recurrent.cl: backpropagation through GRU step t: dh = stateGradient + carry + dy_t, stateGradient being
   * hgates_{t+1}·W_hh (a matmul after step t + 1); gates get the gradients of the input pre-activations, hgates
   * (and stepGradients) those of the recurrent ones (n's times r); carry = dh·z.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step
   * @param sequence as the forward pass's
   * @param lengths each row's length
   * @param news the forward pass's W_hn·h + b_hn
   * @param states the forward pass's h_{t−1}
   * @param dy the output's gradient
   * @param stateGradient rows × H: hgates_{t+1}·W_hh (read before the last step only)
   * @param gates the forward pass's r, z, n in, step t's input-side gradients out
   * @param hgates rows × T × 3H: receives step t's recurrent-side gradients
   * @param carry rows × H: dh·z (a masked step: dh) for step t − 1, in and out
   * @param stepGradients rows × 3H: receives step t's recurrent-side gradients, the next product's operand
   */
  default void gruStepBackward(int rows, int steps, int hidden, int t, int sequence, B lengths, B news, B states,
      B dy, B stateGradient, B gates, B hgates, B carry, B stepGradients) {
    launch("gru_step_backward", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, lengths, news,
        states, dy, stateGradient, gates, hgates, carry, stepGradients);
  }

  /**
   * recurrent.cl: out(n, t, d) = weights(id, d) for id = ids(n, t); 0 for id 0 (padding).
   *
   * @param rows samples
   * @param steps ids per row
   * @param vocabulary V
   * @param dims D
   * @param ids rows × steps integer ids in [0, V), as floats
   * @param weights V × D
   * @param out receives rows × steps × D
   */
  default void embeddingForward(int rows, int steps, int vocabulary, int dims, B ids, B weights, B out) {
    launch("embedding_forward", Range.items((long) rows * steps * dims), rows, steps, vocabulary, dims, ids, weights,
        out);
  }

  /**
   * recurrent.cl: dw(v, d) = scale · Σ dy(p, d) over the positions p with id v, in position order; row 0 is 0.
   *
   * @param positions rows · steps
   * @param vocabulary V
   * @param dims D
   * @param scale what the sums are scaled by (1 / batch rows)
   * @param ids the positions' ids
   * @param dy the output's gradient, positions × D
   * @param dw receives the weights' gradient, V × D (overwritten)
   */
  default void embeddingBackward(int positions, int vocabulary, int dims, float scale, B ids, B dy, B dw) {
    launch("embedding_backward", Range.items(dims), positions, vocabulary, dims, scale, ids, dy, dw);
  }

  /**
   * The padding of {@link #convFilterRows}' rows: their length, padded channels, is the channels rounded up to a
   * multiple of this, so that conv_backward.cl's vector loads (4, 8 or 16 lanes) of a channel block stay inside wt.
   */
  int CONV_CHANNEL_BLOCK = 16;

  /**
   * conv_backward.cl: c(m,n) = alpha · a(k,m)ᵀ · b(k,n), a convolution's weight gradient dW = colᵀ · g / batch:
   * {@link #matmulTransposeA}'s bits (each element's k products in ascending order from 0, then alpha), tiled
   * for a long k and few outputs.
   *
   * @param m columns of a (the patch, k·k·channels), rows of c
   * @param n columns of b and c (the filters)
   * @param k rows of a and b (the batch's output pixels): the length of each sum
   * @param alpha scale applied to each finished sum
   * @param a the patches, stored k×m and read transposed
   * @param b the output's gradient, k×n
   * @param c receives the m×n product (overwritten)
   */
  void convWeightGradient(int m, int n, int k, float alpha, B a, B b, B c);

  /**
   * conv_backward.cl: wt(filters, positions, paddedChannels) = w(positions·channels, filters) transposed, 0 in the
   * lanes past channels: {@link #convInputGradient}'s view of the weights.
   *
   * @param filters the convolution's filters
   * @param positions k·k, the patch's pixels
   * @param channels the input's channels
   * @param paddedChannels {@link Range#paddedChannels}(channels)
   * @param w the weights, positions·channels × filters
   * @param wt receives filters × positions × paddedChannels floats
   */
  default void convFilterRows(int filters, int positions, int channels, int paddedChannels, B w, B wt) {
    launch("conv_filter_rows", Range.items((long) filters * positions * paddedChannels), filters, positions, channels,
        paddedChannels, w, wt);
  }

  /**
   * conv_backward.cl: dx = {@link #col2im}(g · Wᵀ) without the patches' gradient: the bits of
   * {@link #matmulTransposeB}(pixels, k·k·channels, filters, 1, g, W) then col2im (each term Σ_f g·W in ascending
   * f from 0, each dx element 0 + its terms in ascending ky, then kx).
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels the input's channels
   * @param kernelSize k, the patch's side
   * @param stride s
   * @param padTop zero rows above the input
   * @param padLeft zero columns left of the input
   * @param outHeight output rows of pixels
   * @param outWidth output columns of pixels
   * @param filters the output's channels
   * @param paddedChannels the length of wt's rows, {@link Range#paddedChannels}(channels)
   * @param g the output's gradient, rows·outHeight·outWidth × filters
   * @param wt the weights as {@link #convFilterRows} lays them out
   * @param dx receives the input's gradient, rows × height·width·channels (overwritten)
   */
  void convInputGradient(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, int filters, int paddedChannels, B g, B wt, B dx);

  /**
   * The largest patch (kernel·kernel·channels) training computes with {@link #convDirect} rather than im2col's
   * patches times the weights (train.ConvDirect): below it the product's sums are a few multiply-adds long and the
   * matmul's vectors half empty (docs/BENCHMARKS.md, "Issue 28: convolution forward").
   */
  int DIRECT_PATCH = 32;

  /**
   * conv_direct.cl: y = f(patches(x) · w + bias), what {@link #im2col} then {@link #matmulBiasActivation} compute
   * (the same bits: each sum in the same order), read from the input; with {@code storePatches} ≠ 0 it also
   * writes {@link #im2col}'s patches to col (for the backward pass's dW product), else col is not touched.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels the input's channels
   * @param kernelSize k, the patch's side
   * @param stride s
   * @param padTop zero rows above the input
   * @param padLeft zero columns left of the input
   * @param outHeight output rows of pixels
   * @param outWidth output columns of pixels
   * @param filters output channels
   * @param activation f's code (0 identity, 1 sigmoid, 2 tanh, 3 relu)
   * @param storePatches 1: write the patches to col; 0: not
   * @param x the input, rows × height·width·channels
   * @param w the weights, kernel·kernel·channels × filters
   * @param bias the biases, filters
   * @param y receives the output, rows·outHeight·outWidth × filters
   * @param col receives the patches when storePatches is 1, rows·outHeight·outWidth × kernel·kernel·channels
   */
  default void convDirect(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft, int outHeight, int outWidth, int filters, int activation, int storePatches, B x, B w, B bias, B y,
      B col) {
    launch("conv_direct", Range.items((long) rows * Range.windows(outHeight, 2) * Range.windows(outWidth, 2)), rows,
        height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, filters, activation,
        storePatches, x, w, bias, y, col);
  }

  /**
   * conv_direct.cl: y and col as {@link #convDirect}, and pooled = {@link #maxPool} of y with pool 2 (the same
   * bits, ties to the first maximum), in one pass.
   *
   * @param rows samples
   * @param height the input's rows of pixels
   * @param width the input's columns of pixels
   * @param channels the input's channels
   * @param kernelSize k, the patch's side
   * @param stride s
   * @param padTop zero rows above the input
   * @param padLeft zero columns left of the input
   * @param outHeight output rows of pixels
   * @param outWidth output columns of pixels
   * @param filters output channels
   * @param activation f's code (0 identity, 1 sigmoid, 2 tanh, 3 relu)
   * @param storePatches 1: write the patches to col; 0: not
   * @param x the input, rows × height·width·channels
   * @param w the weights, kernel·kernel·channels × filters
   * @param bias the biases, filters
   * @param y receives the output, rows·outHeight·outWidth × filters
   * @param pooled receives y's 2 × 2 maxima, rows × (outHeight/2)·(outWidth/2)·filters
   * @param col receives the patches when storePatches is 1, rows·outHeight·outWidth × kernel·kernel·channels
   */
  default void convDirectMaxPool(int rows, int height, int width, int channels, int kernelSize, int stride,
      int padTop, int padLeft, int outHeight, int outWidth, int filters, int activation, int storePatches, B x, B w,
      B bias, B y, B pooled, B col) {
    launch("conv_direct_max_pool", Range.items((long) rows * Range.windows(outHeight, 2)
        * Range.windows(outWidth, 2)), rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight,
        outWidth, filters, activation, storePatches, x, w, bias, y, pooled, col);
  }
}
