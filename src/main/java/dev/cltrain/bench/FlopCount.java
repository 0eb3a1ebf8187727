package dev.cltrain.bench;

/**
 * Floating-point work of one training epoch, counted from the layer shapes: the multiply-adds of every
 * matmul of forward and backward. For a layer of {@code in} inputs and {@code out} outputs over {@code rows}
 * samples: forward z = a·W is rows·in·out, the weight gradient aᵀ·dz is rows·in·out, and the delta passed
 * back, dz·Wᵀ, is rows·out·in for every layer but the first (the input needs no delta). Activations, loss and
 * updates are O(rows·width) and left out. One multiply-add counts as two FLOPs, as GEMM benchmarks count.
 */
public final class FlopCount {
  private FlopCount() {}

  /**
   * Multiply-adds of one epoch over {@code rows} samples (mini-batches together cover the rows once).
   *
   * @param widths the network's widths, from input to output
   * @param rows   training samples per epoch
   * @return the multiply-adds of the epoch's matmuls, forward and backward
   */
  public static long multiplyAdds(int[] widths, long rows) {
    long total = 0;
    for (int l = 1; l < widths.length; l++) {
      long product = rows * widths[l - 1] * widths[l];
      total += product * (l == 1 ? 2 : 3);
    }
    return total;
  }

  /**
   * Multiply-adds of one epoch of {@code network} over {@code rows} samples: {@link #multiplyAdds(int[], long)}
   * for a dense network; with features, each convolution counts as the matmul of its im2col patches,
   * (out height · out width) rows of k·k·C by filters per sample, forward, for its weight gradient and, but
   * for the first layer with weights, for the delta passed back; the dense layers then count three matmuls
   * each, the first too (its delta goes back to the stages). Pooling and dropout are O(values) and left out.
   *
   * @param network the network
   * @param rows    training samples per epoch
   * @return the multiply-adds of the epoch's matmuls, forward and backward
   */
  public static long multiplyAdds(dev.cltrain.nn.Network network, long rows) {
    if (!network.hasFeatures()) {
      return multiplyAdds(network.widths(), rows);
    }
    long total = 0;
    boolean first = true;
    for (dev.cltrain.nn.Conv c : network.convs()) {
      long product = rows * c.outHeight() * c.outWidth() * c.patch() * c.filters();
      total += product * (first ? 2 : 3);
      first = false;
    }
    for (dev.cltrain.nn.Dense layer : network.dense()) {
      long product = rows * layer.inputs() * layer.outputs();
      total += product * (first ? 2 : 3);
      first = false;
    }
    return total;
  }

  /**
   * FLOPs of one epoch of {@code network}: twice {@link #multiplyAdds(dev.cltrain.nn.Network, long)}.
   *
   * @param network the network
   * @param rows    training samples per epoch
   * @return the FLOPs
   */
  public static long flops(dev.cltrain.nn.Network network, long rows) {
    return 2 * multiplyAdds(network, rows);
  }

  /**
   * FLOPs of one epoch: twice the multiply-adds.
   *
   * @param widths the network's widths, from input to output
   * @param rows   training samples per epoch
   * @return 2 × {@link #multiplyAdds}
   */
  public static long flops(int[] widths, long rows) {
    return 2 * multiplyAdds(widths, rows);
  }

  /**
   * FLOPs of one matmul c(m,n) = a(m,k)·b(k,n), any transposition: 2·m·n·k.
   *
   * @param m rows of c
   * @param n columns of c
   * @param k the shared dimension summed over
   * @return 2·m·n·k
   */
  public static long gemmFlops(long m, long n, long k) {
    return 2 * m * n * k;
  }
}
