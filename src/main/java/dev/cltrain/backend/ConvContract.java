package dev.cltrain.backend;

/**
 * The kernel contract's part for conv.cl, conv_backward.cl and conv_direct.cl: convolution (patches, the direct
 * forward pass, the backward products), pooling and dropout. One method per kernel of those files, written and
 * documented as {@link Kernels} says (it extends this interface, as it does every family's); a kernel added to one
 * of them gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface ConvContract<B, I> extends KernelLauncher {
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
   * The padding of {@link #convFilterRows}' rows: their length, padded channels, is the channels rounded up to a
   * multiple of this, so that conv_backward.cl's vector loads (4, 8 or 16 lanes) of a channel block stay inside wt.
   */
  int CONV_CHANNEL_BLOCK = 16;

  /**
   * conv_backward.cl: c(m,n) = alpha · a(k,m)ᵀ · b(k,n), a convolution's weight gradient dW = colᵀ · g / batch:
   * {@link MatmulContract#matmulTransposeA}'s bits (each element's k products in ascending order from 0, then
   * alpha), tiled for a long k and few outputs.
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
   * {@link MatmulContract#matmulTransposeB}(pixels, k·k·channels, filters, 1, g, W) then col2im (each term Σ_f g·W
   * in ascending f from 0, each dx element 0 + its terms in ascending ky, then kx).
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
   * conv_direct.cl: y = f(patches(x) · w + bias), what {@link #im2col} then
   * {@link MatmulContract#matmulBiasActivation} compute (the same bits: each sum in the same order), read from the
   * input; with {@code storePatches} ≠ 0 it also writes {@link #im2col}'s patches to col (for the backward pass's dW
   * product), else col is not touched.
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
