package dev.cltrain.reference;

/**
 * The CPU reference: each method is the loop every work-item of the same-named kernel runs, in the same
 * order, in float32, with nothing clever added. Matmuls run rows in parallel when the product is big enough
 * to pay for it, and walk memory row by row (i-k-j) — each element still sums its products in ascending k,
 * the kernel's order, so results depend neither on threads nor on loop order. The momentum and Adam loops
 * ({@link UpdateLoops}) use the Vector API where the JVM has it, the same operations lane by lane.
 *
 * <p>The twins live by kernel file in a chain of package-private classes this one extends: {@code MatmulTwins}
 * (matmul.cl, prelude.cl's functions), {@code ActivationTwins} (activation.cl, loss.cl), {@code UpdateTwins}
 * (update.cl), {@code ConvTwins} (conv.cl, batch.cl, augment.cl), {@code SmallNetTwin} (small_net.cl).
 * <b>Adding a kernel</b> takes ONE file here: its twin, an {@code @Override} of its {@code Kernels} method, goes
 * in the class of its .cl file; the twins of a new .cl file go in this class, below (and move to a class of
 * their own, inserted into the chain, once this file nears 500 lines). KernelSignatureTest fails while a
 * {@code Kernels} method has no twin.
 */
public final class ReferenceKernels extends SmallNetTwin {
  /** The reference with the fastest matrix-product and optimizer loops this JVM offers (same bits either way). */
  public ReferenceKernels() {
    this(MatmulRows.best(), UpdateLoops.best());
  }

  ReferenceKernels(MatmulRows loops) {
    this(loops, UpdateLoops.best());
  }

  ReferenceKernels(MatmulRows loops, UpdateLoops updates) {
    super(loops, updates);
  }

  /**
   * The reference a {@link ReferenceDevice} opens to train or predict on: its first matrix product large
   * enough for the Vector API loops logs, once per JVM, that the JVM lacks them ({@link MatmulRows.VectorNotice}).
   */
  static ReferenceKernels opened() {
    ReferenceKernels kernels = new ReferenceKernels();
    kernels.noticeDue = true;
    return kernels;
  }

  @Override
  public String name() {
    return "Java reference";
  }

  @Override
  public float[] allocate(int length) {
    return new float[length];
  }

  @Override
  public float[] upload(float[] data) {
    return data.clone();
  }

  @Override
  public void download(float[] buffer, float[] out) {
    System.arraycopy(buffer, 0, out, 0, out.length);
  }

  @Override
  public int[] uploadIndices(int[] data) {
    return data.clone();
  }

  @Override
  public void write(float[] buffer, float[] data) {
    System.arraycopy(data, 0, buffer, 0, data.length);
  }

  @Override
  public void writeIndices(int[] buffer, int[] data) {
    System.arraycopy(data, 0, buffer, 0, data.length);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
