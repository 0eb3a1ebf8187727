package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.nn.Conv;
import java.util.List;

/**
 * A 2-D convolution's forward pass computed directly from its input (conv_direct.cl) instead of im2col then
 * matmul_bias_activation, where the patch is small: the same bits (each sum in the same order), without reading
 * the patch matrix back and without the matmul's poor use of its vectors on a 9-long sum. In training the same
 * pass writes the patches, which the backward pass's dW product reads (no im2col launch); in inference it
 * writes none. A max pool of 2 right after
 * such a convolution is computed in the same pass ({@link #fusePools}).
 *
 * <p>The rule: direct where k·k·C ≤ {@link Kernels#DIRECT_PATCH}. At the CNN recipe's first layer (28×28×1 → 32, k 3,
 * patch 9) the im2col + matmul forward pass ran at 0.04× the 1024³ matmul's rate on PoCL; at its second
 * (14×14×32 → 64, patch 288) the matmul reads each patch once per 64 filters and stays ahead (docs/BENCHMARKS.md,
 * "Issue 28: convolution forward").
 */
final class ConvDirect<B> {
  private final Backend<B, ?> backend;
  private final Conv c;
  /** Where the fused max pool's output goes; null when no pool is fused. */
  private B pooled;

  private ConvDirect(Backend<B, ?> backend, Conv c) {
    this.backend = backend;
    this.c = c;
  }

  /** {@return the direct forward pass of {@code c}, or null where the rule keeps im2col + matmul} */
  static <B> ConvDirect<B> forLayer(Backend<B, ?> backend, Conv c) {
    return c.patch() <= Kernels.DIRECT_PATCH ? new ConvDirect<>(backend, c) : null;
  }

  /**
   * Enqueues y = f(patches(in)·W + b) and, with a fused pool, its 2 × 2 maxima into the pool's output.
   *
   * @param rows samples
   * @param in the input
   * @param weights W
   * @param biases b
   * @param out receives y
   * @param col receives im2col's patches when {@code patches} (training: the dW product reads them)
   * @param patches whether to store the patches
   */
  void forward(int rows, B in, B weights, B biases, B out, B col, boolean patches) {
    int store = patches ? 1 : 0;
    int h = c.input().height();
    int w = c.input().width();
    int ch = c.input().channels();
    int code = c.activation().code;
    if (pooled == null) {
      backend.convDirect(rows, h, w, ch, c.kernel(), c.stride(), c.padTop(), c.padLeft(), c.outHeight(),
          c.outWidth(), c.filters(), code, store, in, weights, biases, out, col);
    } else {
      backend.convDirectMaxPool(rows, h, w, ch, c.kernel(), c.stride(), c.padTop(), c.padLeft(), c.outHeight(),
          c.outWidth(), c.filters(), code, store, in, weights, biases, out, pooled, col);
    }
  }

  /**
   * Fuses each max pool of 2 that directly follows a direct convolution in {@code ops} into the convolution's
   * forward pass: the convolution then writes the pool's output too, and the pool's forward launches nothing
   * (its backward is unchanged). The result is max_pool's, bit for bit, ties included.
   *
   * @param ops a network's ops in order, each fed the previous one's output
   * @param <B> the buffer type
   */
  static <B> void fusePools(List<LayerOp<B>> ops) {
    for (int s = 0; s + 1 < ops.size(); s++) {
      if (ops.get(s) instanceof ConvOp<B> conv && conv.direct() != null && ops.get(s + 1) instanceof PoolOp<B> pool
          && pool.fusable()) {
        conv.direct().pooled = pool.fuse();
      }
    }
  }
}
